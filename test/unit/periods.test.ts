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
