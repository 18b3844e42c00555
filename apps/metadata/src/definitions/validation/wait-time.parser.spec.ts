import { isWaitUntil, parseWaitDuration } from './wait-time.parser';

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
