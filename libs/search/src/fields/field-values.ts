import { FieldType } from './search-fields';

/** A value as the compilers bind it: a string (keywords) or a number (times as epoch ms, integers). */
export type Scalar = string | number;

export type Coerced = { readonly ok: true; readonly value: Scalar } | { readonly ok: false; readonly reason: string };

/** The instants both backends can hold: 0001-01-01T00:00:00.000Z … 9999-12-31T23:59:59.999Z (Postgres has no year 0). */
export const MIN_TIME_MS = -62_135_596_800_000;
export const MAX_TIME_MS = 253_402_300_799_999;

const INTEGER = /^[+-]?\d{1,20}$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Reads a value written in a query as the field's type. Quoting does not matter (`version = '2'` is 2).
 * Times: Conductor's clients and UI send epoch milliseconds (`startTime>1700000000000`), and its ES
 * mapping (`strict_date_optional_time||epoch_millis`) also takes ISO-8601; both are accepted here and
 * become epoch ms. An ISO time without an offset is UTC, as Elasticsearch reads it.
 */
export function coerceValue(type: FieldType, text: string): Coerced {
  switch (type) {
    case FieldType.Keyword:
    case FieldType.KeywordList:
      return { ok: true, value: text };
    case FieldType.Integer: {
      const n = INTEGER.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, reason: 'expected a whole number' };
    }
    case FieldType.Time: {
      const ms = INTEGER.test(text) ? Number(text) : parseIsoTime(text);
      if (ms === undefined) return { ok: false, reason: 'expected epoch milliseconds (1700000000000) or an ISO-8601 time (2024-01-31T10:00:00Z)' };
      if (!(ms >= MIN_TIME_MS && ms <= MAX_TIME_MS)) return { ok: false, reason: 'the time is outside the years 1 to 9999' };
      return { ok: true, value: ms };
    }
  }
}

/** Epoch ms of a strict ISO-8601 date or date-time, or undefined (no calendar overflow: 2024-02-30 is not a date). */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((p) => (p === undefined ? undefined : Number(p)));
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(year!, month!) || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year!, month! - 1, day!); // not Date.UTC: it maps years 0–99 to 1900–1999
  date.setUTCHours(hour, minute, second, millis);
  const offset = zoneOffsetMinutes(m[8]);
  return offset === undefined ? undefined : date.getTime() - offset * 60_000;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (!zone || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
