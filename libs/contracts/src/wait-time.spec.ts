import { isWaitUntil, parseWaitDuration, parseWaitUntil } from './wait-time';

describe('WAIT durations', () => {
  it.each([
    ['10s', 10],
    ['10 seconds', 10],
    ['5 minutes', 300],
    ['5m', 300],
    ['2 mins', 120],
    ['1h', 3600],
    ['3 hrs', 10800],
    ['1d 2h', 93600],
    ['1 day 2 hours 3 minutes 4 seconds', 93784],
    ['1D2H', 93600],
    ['  30s  ', 30],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseWaitDuration(text)).toBe(seconds);
  });

  it.each([['soon'], ['10'], ['5s 1h'], ['-1s'], ['1.5h'], ['10 weeks'], ['   ']])('%s is not a duration', (text) => {
    expect(parseWaitDuration(text)).toBeUndefined();
  });
});

describe('WAIT until', () => {
  it.each([['2030-01-31 10:30'], ['2030-01-31 10:30 UTC'], ['2030-01-31 10:30 GMT+05:30'], ['2030-01-31 10:30 +0100'], ['2030-01-31 10:30 America/New_York'], ['2030-01-31'], ['2030-1-5']])(
    '%s is a date',
    (text) => {
      expect(isWaitUntil(text)).toBe(true);
    },
  );

  it.each([['2030/01/31'], ['2030-13-01'], ['2030-01-32'], ['2030-01-31 24:00'], ['2030-01-31T10:30'], ['2030-01-31 10:30:00'], ['tomorrow'], ['2030-01-31 10:30 ?']])(
    '%s is not a date',
    (text) => {
      expect(isWaitUntil(text)).toBe(false);
    },
  );
});

describe('WAIT until as an instant', () => {
  it.each([
    ['no zone is UTC', '2030-01-31 10:30', '2030-01-31T10:30:00Z'],
    ['a date alone is midnight UTC', '2030-01-31', '2030-01-31T00:00:00Z'],
    ['UTC', '2030-01-31 10:30 UTC', '2030-01-31T10:30:00Z'],
    ['GMT', '2030-01-31 10:30 GMT', '2030-01-31T10:30:00Z'],
    ['an offset ahead of UTC', '2030-01-31 10:30 +05:30', '2030-01-31T05:00:00Z'],
    ['an offset without a colon', '2030-01-31 10:30 +0100', '2030-01-31T09:30:00Z'],
    ['a GMT offset behind UTC', '2030-01-31 10:30 GMT-03:00', '2030-01-31T13:30:00Z'],
    ['an IANA zone in winter', '2030-01-31 10:30 Europe/Paris', '2030-01-31T09:30:00Z'],
    ['an IANA zone in summer', '2030-07-15 10:30 Europe/Paris', '2030-07-15T08:30:00Z'],
    // Paris moves its clocks forward at 01:00 UTC on 2030-03-31: the zone's offset differs either side.
    ['an IANA zone just before a DST change', '2030-03-31 01:30 Europe/Paris', '2030-03-31T00:30:00Z'],
    ['an IANA zone just after a DST change', '2030-03-31 03:30 Europe/Paris', '2030-03-31T01:30:00Z'],
    ['an IANA zone west of UTC', '2030-01-31 10:30 America/New_York', '2030-01-31T15:30:00Z'],
  ])('%s: %s is %s', (_, text, iso) => {
    expect(parseWaitUntil(text)).toBe(Date.parse(iso));
  });

  it('is undefined for a zone it does not know', () => {
    expect(isWaitUntil('2030-01-31 10:30 Mars/Olympus')).toBe(true);
    expect(parseWaitUntil('2030-01-31 10:30 Mars/Olympus')).toBeUndefined();
  });

  it.each([['2030/01/31'], ['2030-13-01'], ['2030-01-31 24:00'], ['2030-01-31T10:30'], ['tomorrow'], ['2030-01-31 10:30 ?'], ['']])('%s is undefined', (text) => {
    expect(parseWaitUntil(text)).toBeUndefined();
  });
});
