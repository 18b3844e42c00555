import { coerceValue, MAX_TIME_MS, MIN_TIME_MS, parseIsoTime } from './field-values';

describe('time values', () => {
  it.each([
    ['1700000000000', 1_700_000_000_000],
    ['0', 0],
    ['-1000', -1000],
    ['+5', 5],
    ['2024-01-31', Date.parse('2024-01-31T00:00:00Z')],
    ['2024-01-31T10:30', Date.parse('2024-01-31T10:30:00Z')],
    ['2024-01-31T10:30:15', Date.parse('2024-01-31T10:30:15Z')],
    ['2024-01-31T10:30:15.123Z', Date.parse('2024-01-31T10:30:15.123Z')],
    ['2024-01-31T10:30:15.123456789Z', Date.parse('2024-01-31T10:30:15.123Z')],
    ['2024-01-31T10:30:15.5Z', Date.parse('2024-01-31T10:30:15.500Z')],
    ['2024-01-31 10:30:15Z', Date.parse('2024-01-31T10:30:15Z')],
    ['2024-01-31T10:30:00+05:30', Date.parse('2024-01-31T05:00:00Z')],
    ['2024-01-31T10:30:00+0530', Date.parse('2024-01-31T05:00:00Z')],
    ['2024-01-31T10:30:00-03', Date.parse('2024-01-31T13:30:00Z')],
    ['2024-02-29T00:00:00Z', Date.parse('2024-02-29T00:00:00Z')],
    ['2000-02-29', Date.parse('2000-02-29T00:00:00Z')],
    ['0001-01-01T00:00:00Z', MIN_TIME_MS],
    ['9999-12-31T23:59:59.999Z', MAX_TIME_MS],
    ['0050-06-01', Date.parse('0050-06-01T00:00:00Z')],
  ])('%s is %i ms', (text, ms) => {
    expect(coerceValue('time', text)).toEqual({ ok: true, value: ms });
  });

  it.each([
    ['yesterday'],
    [''],
    ['1.5'],
    ['1e12'],
    ['2024-13-01'],
    ['2024-02-30'],
    ['2023-02-29'],
    ['1900-02-29'],
    ['2024-01-31T24:00'],
    ['2024-01-31T10:60'],
    ['2024-01-31T10:30:61'],
    ['2024-01-31T10:30+25:00'],
    ['2024-1-31'],
    ['24-01-31'],
    ['2024-01-31Z'],
    ['2024-01-31T10'],
    ['12345678901234567890123'],
  ])('%j is not a time', (text) => {
    expect(coerceValue('time', text).ok).toBe(false);
  });

  it.each([[String(MIN_TIME_MS - 1)], [String(MAX_TIME_MS + 1)], ['0000-12-31T23:59:59Z'], ['-8640000000000000'], ['99999999999999999999']])('%s is out of range', (text) => {
    expect(coerceValue('time', text)).toEqual({ ok: false, reason: 'the time is outside the years 1 to 9999' });
  });

  it('reads ISO dates without the two-digit-year quirk of Date.UTC', () => {
    expect(new Date(parseIsoTime('0099-01-01')!).getUTCFullYear()).toBe(99);
  });
});

describe('integer values', () => {
  it.each([
    ['2', 2],
    ['-7', -7],
    ['+3', 3],
    ['007', 7],
    [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
  ])('%s is %i', (text, n) => {
    expect(coerceValue('integer', text)).toEqual({ ok: true, value: n });
  });

  it.each([['1.5'], ['1e3'], ['two'], [''], ['0x10'], [String(Number.MAX_SAFE_INTEGER + 2)], [' 1']])('%j is not an integer', (text) => {
    expect(coerceValue('integer', text)).toEqual({ ok: false, reason: 'expected a whole number' });
  });
});

describe('keyword values', () => {
  it.each([['RUNNING'], [''], ['123'], ["'; DROP TABLE search_workflow; --"], ['😀']])('%j stays text', (text) => {
    expect(coerceValue('keyword', text)).toEqual({ ok: true, value: text });
    expect(coerceValue('keywordList', text)).toEqual({ ok: true, value: text });
  });
});
