/**
 * The literal forms a WAIT task accepts, as Conductor's DateTimeUtils parses them: `duration` is days,
 * hours, minutes and seconds in that order (`10s`, `5 minutes`, `1d 2h`); `until` is `yyyy-MM-dd HH:mm`,
 * `yyyy-MM-dd HH:mm <zone>` or `yyyy-MM-dd`.
 */
const DURATION =
  /^\s*(?:(\d+)\s*(?:days?|d))?\s*(?:(\d+)\s*(?:hours?|hrs?|h))?\s*(?:(\d+)\s*(?:minutes?|mins?|m))?\s*(?:(\d+)\s*(?:seconds?|secs?|s))?\s*$/i;

const UNTIL = /^(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{2})(?: (.+))?)?$/;

/** A zone as SimpleDateFormat's `z` reads one: a name or abbreviation (`UTC`, `PST`, `GMT+05:30`, `Europe/Paris`) or an RFC 822 offset. */
const ZONE = /^(?:[A-Za-z][A-Za-z0-9_/+\-: ]*|[+-]\d{2}:?\d{2})$/;

/** The duration in seconds, or undefined when the text is not a duration. */
export function parseWaitDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || !text.trim()) return undefined;
  const [d, h, min, s] = m.slice(1).map((g) => Number(g ?? 0));
  return ((d * 24 + h) * 60 + min) * 60 + s;
}

export function isWaitUntil(text: string): boolean {
  const m = UNTIL.exec(text.trim());
  if (!m) return false;
  const [month, day, hour, minute] = [m[2], m[3], m[4] ?? '0', m[5] ?? '0'].map(Number);
  const zone = m[6];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && (zone === undefined || ZONE.test(zone));
}
