/**
 * The literal forms a WAIT task accepts, as Conductor's DateTimeUtils parses them: `duration` is days,
 * hours, minutes and seconds in that order (`10s`, `5 minutes`, `1d 2h`); `until` is `yyyy-MM-dd HH:mm`,
 * `yyyy-MM-dd HH:mm <zone>` or `yyyy-MM-dd`. Shared by the validator (is it well formed?) and the WAIT
 * handler (when is it due?).
 */
// Read token by token with a sticky pattern (linear time): a single regex with optional groups around
// optional whitespace backtracks exponentially on input like 200 spaces and an `x`.
const DURATION_TOKEN = /(\d{1,12})\s*([a-z]+)\s*/iy;
const DURATION_UNITS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(?:days?|d)$/i, 86_400],
  [/^(?:hours?|hrs?|h)$/i, 3_600],
  [/^(?:minutes?|mins?|m)$/i, 60],
  [/^(?:seconds?|secs?|s)$/i, 1],
];
const MAX_DURATION_TEXT = 200;

const UNTIL = /^(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{2})(?: (.+))?)?$/;

/** A zone as SimpleDateFormat's `z` reads one: a name or abbreviation (`UTC`, `PST`, `GMT+05:30`, `Europe/Paris`) or an RFC 822 offset. */
const ZONE = /^(?:[A-Za-z][A-Za-z0-9_/+\-: ]*|[+-]\d{2}:?\d{2})$/;
const OFFSET = /^(?:(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?)$/i;

/** The duration in seconds, or undefined when the text is not a duration. */
export function parseWaitDuration(text: string): number | undefined {
  const t = text.trim();
  if (!t || t.length > MAX_DURATION_TEXT) return undefined;
  let total = 0;
  let nextUnit = 0;
  for (let pos = 0; pos < t.length; ) {
    DURATION_TOKEN.lastIndex = pos;
    const m = DURATION_TOKEN.exec(t);
    if (!m) return undefined;
    const unit = DURATION_UNITS.findIndex(([pattern]) => pattern.test(m[2]));
    // Units come at most once each, in order: days, hours, minutes, seconds.
    if (unit < nextUnit) return undefined;
    nextUnit = unit + 1;
    total += Number(m[1]) * DURATION_UNITS[unit][1];
    pos = DURATION_TOKEN.lastIndex;
  }
  return total;
}

export function isWaitUntil(text: string): boolean {
  const m = UNTIL.exec(text.trim());
  if (!m) return false;
  const [month, day, hour, minute] = [m[2], m[3], m[4] ?? '0', m[5] ?? '0'].map(Number);
  const zone = m[6];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && (zone === undefined || ZONE.test(zone));
}

/**
 * The instant (epoch ms) an `until` names, or undefined when it is malformed or its zone is unknown. A
 * time without a zone is UTC (Conductor uses its server's zone; Baton's servers have none to offer).
 */
export function parseWaitUntil(text: string): number | undefined {
  if (!isWaitUntil(text)) return undefined;
  const m = UNTIL.exec(text.trim()) as RegExpExecArray;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0'].map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const zone = m[6]?.trim();
  if (!zone || /^(?:UTC|GMT|Z)$/i.test(zone)) return wall;
  const offset = OFFSET.exec(zone);
  if (offset) {
    const minutes = (Number(offset[2]) * 60 + Number(offset[3] ?? 0)) * (offset[1] === '-' ? -1 : 1);
    return wall - minutes * 60_000;
  }
  return zonedWallTime(wall, zone);
}

/** Interprets a wall-clock time (given as if it were UTC) in an IANA zone. */
function zonedWallTime(wall: number, zone: string): number | undefined {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  } catch {
    return undefined;
  }
  // The zone's offset at that instant, refined once for instants near a DST change.
  const offsetAt = (instant: number): number => {
    const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
    const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
    return asUtc - Math.floor(instant / 60_000) * 60_000;
  };
  const first = wall - offsetAt(wall);
  return wall - offsetAt(first);
}
