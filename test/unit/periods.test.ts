import { describe, expect, it } from 'vitest';
import { localDate, parsePeriod, zonedMidnight } from '../../src/periods.ts';

// Sunday 2026-11-29 08:00 UTC
const utc = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };
const p = (text: string, o = utc) => {
  const r = parsePeriod(text, o);
  return [r.start, r.end, r.label];
};

describe('parsePeriod', () => {
  it('resolves relative periods against the injected clock, half-open', () => {
    expect(p('today')).toEqual(['2026-11-29T00:00:00.000Z', '2026-11-30T00:00:00.000Z', 'Today (Nov 29, 2026)']);
    expect(p('yesterday')).toEqual(['2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z', 'Yesterday (Nov 28, 2026)']);
    expect(p('last-7-days')).toEqual(['2026-11-22T00:00:00.000Z', '2026-11-29T00:00:00.000Z', 'Last 7 days (Nov 22 – Nov 28, 2026)']);
    expect(p('last-30-days')[0]).toBe('2026-10-30T00:00:00.000Z');
    expect(p('this-week')).toEqual(['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z', 'This week (Nov 23 – Nov 29, 2026)']);
    expect(p('last-week').slice(0, 2)).toEqual(['2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z']);
    expect(p('mtd')).toEqual(p('this-month'));
    expect(p('this-month')).toEqual(['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', 'November 2026']);
    expect(p('last-month')).toEqual(['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', 'October 2026']);
    expect(p('this-quarter')).toEqual(['2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2026-Q4 (Oct 1 – Dec 31, 2026)']);
    expect(p('last-quarter').slice(0, 2)).toEqual(['2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']);
    expect(p('ytd')).toEqual(['2026-01-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '2026 to date (Jan 1 – Nov 29, 2026)']);
    expect(p('last-12-months')).toEqual(['2025-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', 'Last 12 months (November 2025 – October 2026)']);
  });

  it('resolves absolute periods', () => {
    expect(p('2026-10')).toEqual(['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', 'October 2026']);
    expect(p('2026-Q3')).toEqual(['2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', '2026-Q3 (Jul 1 – Sep 30, 2026)']);
    expect(p('2026')).toEqual(['2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2026']);
    expect(p('2026-10-01..2026-10-15')).toEqual(['2026-10-01T00:00:00.000Z', '2026-10-16T00:00:00.000Z', 'Oct 1 – Oct 15, 2026']);
    expect(p('2024-02-29..2024-02-29')[2]).toBe('Feb 29, 2024');
    expect(p('2024-02')[1]).toBe('2024-03-01T00:00:00.000Z');
  });

  it('applies the reporting time zone, across DST changes', () => {
    const ny = { ...utc, timeZone: 'America/New_York' };
    // 08:00 UTC on Nov 29 is 03:00 in New York, still Nov 29
    expect(p('today', ny).slice(0, 2)).toEqual(['2026-11-29T05:00:00.000Z', '2026-11-30T05:00:00.000Z']);
    // March 2026 starts in EST (UTC-5) and ends in EDT (UTC-4)
    expect(p('2026-03', ny).slice(0, 2)).toEqual(['2026-03-01T05:00:00.000Z', '2026-04-01T04:00:00.000Z']);
    const tokyo = { ...utc, now: new Date('2026-11-30T20:00:00Z'), timeZone: 'Asia/Tokyo' };
    expect(p('today', tokyo)[0]).toBe('2026-11-30T15:00:00.000Z'); // Dec 1 in Tokyo
    expect(p('this-month', tokyo)[2]).toBe('December 2026');
    expect(localDate(new Date('2026-03-08T07:30:00Z'), 'America/New_York')).toBe('2026-03-08');
    expect(zonedMidnight('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });

  it('follows a fiscal year that starts in another month', () => {
    const fy = { ...utc, fiscalYearStartMonth: 10 };
    // FY2027 runs Oct 2026 – Sep 2027
    expect(p('this-quarter', fy)).toEqual(['2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', 'FY2027-Q1 (Oct 1 – Dec 31, 2026)']);
    expect(p('ytd', fy).slice(0, 2)).toEqual(['2026-10-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    expect(p('2026-Q3', fy).slice(0, 2)).toEqual(['2026-04-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z']);
    expect(p('2026', fy)).toEqual(['2025-10-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', 'FY2026 (Oct 1, 2025 – Sep 30, 2026)']);
    expect(p('last-quarter', fy)[2]).toBe('FY2026-Q4 (Jul 1 – Sep 30, 2026)');
  });

  it('explains what it does not understand, listing the accepted forms', () => {
    expect(() => parsePeriod('last-fortnight', utc)).toThrow(/"last-fortnight" is not a period I know. Try one of: today, yesterday, .*YYYY-MM-DD\.\.YYYY-MM-DD/);
    expect(() => parsePeriod('2026-13', utc)).toThrow(/not a period/);
    expect(() => parsePeriod('2026-02-30..2026-03-01', utc)).toThrow(/2026-02-30 is not a calendar date/);
    expect(() => parsePeriod('2026-10-15..2026-10-01', utc)).toThrow(/ends \(2026-10-01\) before it starts/);
  });
});

describe('days that do not begin at midnight', () => {
  const at = (timeZone: string) => ({ now: new Date('2026-11-29T08:00:00Z'), timeZone, fiscalYearStartMonth: 1 });
  it.each([
    // DST starting at 00:00: the day begins at 01:00, the moment of the change
    ['America/Santiago', '2022-09-11', '2022-09-11T04:00:00.000Z'],
    ['America/Havana', '2026-03-08', '2026-03-08T05:00:00.000Z'],
    ['America/Sao_Paulo', '2018-11-04', '2018-11-04T03:00:00.000Z'],
    // and the days either side begin at their midnight
    ['America/Santiago', '2022-09-10', '2022-09-10T04:00:00.000Z'],
    ['America/Santiago', '2022-09-12', '2022-09-12T03:00:00.000Z'],
    // DST ending at midnight (clocks back from 00:00 to 23:00 the day before)
    ['America/Santiago', '2022-04-03', '2022-04-03T04:00:00.000Z'],
  ])('%s %s begins at %s', (timeZone, date, start) => {
    expect(zonedMidnight(date, timeZone).toISOString()).toBe(start);
    expect(localDate(new Date(start), timeZone)).toBe(date);
    expect(localDate(new Date(Date.parse(start) - 1000), timeZone) < date).toBe(true);
    expect(parsePeriod(`${date}..${date}`, at(timeZone)).start).toBe(start);
  });

  it('a day a time zone skipped holds nothing (Apia, 2011-12-30)', () => {
    const day = parsePeriod('2011-12-30..2011-12-30', at('Pacific/Apia'));
    expect([day.start, day.end]).toEqual(['2011-12-30T10:00:00.000Z', '2011-12-30T10:00:00.000Z']);
    const month = parsePeriod('2011-12', at('Pacific/Apia'));
    expect([month.start, month.end]).toEqual(['2011-12-01T10:00:00.000Z', '2011-12-31T10:00:00.000Z']);
  });
});

describe('periods out of range are usage errors naming the input', () => {
  const o = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };
  it.each(['9999-12', '9999', '9999-Q4', '0099-10', '0001', '1969-12', '2026-10-01..9999-12-31', '0050-01-01..2026-01-01'])('%s', (text) => {
    expect(() => parsePeriod(text, o)).toThrow(new RegExp(`^"${text.replace(/\./g, '\\.')}": periods must lie between the years 1970 and 9998$`));
  });
  it('and the years at the edges work', () => {
    expect(parsePeriod('1970-01', o).start).toBe('1970-01-01T00:00:00.000Z');
    expect(parsePeriod('9998-12', o).end).toBe('9999-01-01T00:00:00.000Z');
  });
});
