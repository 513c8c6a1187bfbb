import { describe, expect, it } from 'vitest';
import { inferSchedule } from '../../src/metrics/payout-schedule.ts';

// 2026-11-29 is a Sunday; 2026-11-27 a Friday
describe('inferSchedule', () => {
  it('reads monthly payouts by their median gap and day of the month', () => {
    expect(inferSchedule(['2026-09-08', '2026-10-09', '2026-11-08'], '2026-11-29')).toEqual({
      schedule: 'monthly',
      basis: 'monthly on the 8th: median gap 30.5 days between the last 3 disbursements (2026-09-08 to 2026-11-08)',
      last: '2026-11-08',
      upcoming: ['2026-12-08', '2027-01-08', '2027-02-08'],
    });
    // the day of a payout not seen yet is the next date; a day already paid is not
    expect(inferSchedule(['2026-09-08', '2026-10-08'], '2026-11-08').upcoming[0]).toBe('2026-11-08');
    expect(inferSchedule(['2026-09-08', '2026-10-08', '2026-11-08'], '2026-11-08').upcoming[0]).toBe('2026-12-08');
    // a payout skipped (nothing to pay) or late: the next date from the as-of day on
    expect(inferSchedule(['2026-09-08', '2026-10-08'], '2026-11-09').upcoming[0]).toBe('2026-12-08');
    // a payout pushed past the 28th by a weekend: AWS's days are 1-28
    expect(inferSchedule(['2026-09-28', '2026-10-28', '2026-11-30'], '2026-12-01').upcoming).toEqual(['2026-12-28', '2027-01-28', '2027-02-28']);
  });

  it('reads weekly and daily payouts, daily on business days unless the payouts show weekends', () => {
    expect(inferSchedule(['2026-11-06', '2026-11-13', '2026-11-20', '2026-11-27'], '2026-11-29')).toMatchObject({
      schedule: 'weekly',
      basis: 'weekly on Friday: median gap 7 days between the last 4 disbursements (2026-11-06 to 2026-11-27)',
      upcoming: ['2026-12-04', '2026-12-11', '2026-12-18'],
    });
    expect(inferSchedule(['2026-11-20', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'], '2026-11-28')).toMatchObject({
      schedule: 'daily',
      basis: 'daily (business days): median gap 1 day between the last 6 disbursements (2026-11-20 to 2026-11-27)',
      upcoming: ['2026-11-30', '2026-12-01', '2026-12-02'],
    });
    expect(inferSchedule(['2026-11-26', '2026-11-27', '2026-11-28'], '2026-11-29')).toMatchObject({ schedule: 'daily', upcoming: ['2026-11-29', '2026-11-30', '2026-12-01'] });
  });

  it('says when it cannot tell, and then assumes AWS’s default monthly cadence', () => {
    expect(inferSchedule(['2026-10-01', '2026-10-13', '2026-11-01'], '2026-11-29')).toEqual({
      schedule: 'unknown',
      basis: "irregular: median gap 15.5 days between the last 3 disbursements (2026-10-01 to 2026-11-01); dates assume AWS's default monthly cadence, on the 1st",
      last: '2026-11-01',
      upcoming: ['2026-12-01', '2027-01-01', '2027-02-01'],
    });
    expect(inferSchedule(['2026-11-10'], '2026-11-29', ' in any currency')).toEqual({
      schedule: 'unknown',
      basis: "only one disbursement in any currency in the last 100 days (2026-11-10): dates assume AWS's default monthly cadence, on the 10th",
      last: '2026-11-10',
      upcoming: ['2026-12-10', '2027-01-10', '2027-02-10'],
    });
    expect(inferSchedule([], '2026-11-29')).toEqual({
      schedule: 'unknown',
      basis: "no disbursement in the 100 days before 2026-11-29; AWS's default is monthly, on a day the seller picks",
      last: null,
      upcoming: [],
    });
  });

  it('uses only the most recent payouts', () => {
    // weekly long ago, monthly of late: the last seven decide
    const days = ['2026-01-02', '2026-01-09', '2026-01-16', '2026-05-10', '2026-06-10', '2026-07-10', '2026-08-10', '2026-09-10', '2026-10-10', '2026-11-10'];
    expect(inferSchedule(days, '2026-11-29').schedule).toBe('monthly');
  });
});
