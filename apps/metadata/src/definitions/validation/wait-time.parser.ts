/**
 * The literal forms a WAIT task accepts, as Conductor's DateTimeUtils parses them: `duration` is days,
 * hours, minutes and seconds in that order (`10s`, `5 minutes`, `1d 2h`); `until` is `yyyy-MM-dd HH:mm`,
 * `yyyy-MM-dd HH:mm <zone>` or `yyyy-MM-dd`.
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
