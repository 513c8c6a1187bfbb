import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('has working defaults for the embedded start', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ databaseUrl: undefined, demoData: 'auto', sqsQueueUrl: undefined, reportTimeZone: 'UTC', fiscalYearStartMonth: 1, httpPort: 8080 });
    expect(c.inboxDir.endsWith('/data/inbox')).toBe(true);
  });

  it('reads delivery settings and checks dataset names', () => {
    const c = loadConfig({ DATASETS_NOT_EXPECTED: 'sdds_daily_usage, DailyUsageFeed_V1', DELIVERY_THRESHOLDS: 'sdds_billing_event=12/36' });
    expect([...c.deliveries.notExpected]).toEqual(['sdds_daily_usage']);
    expect(c.deliveries.thresholds.get('sdds_billing_event')).toEqual({ warnAfterHours: 12, errorAfterHours: 36 });
  });

  it('lists every bad variable at once', () => {
    const bad = { DATABASE_URL: 'mysql://x', REPORT_TIMEZONE: 'Mars/Olympus', FISCAL_YEAR_START_MONTH: '13', DATASETS_NOT_EXPECTED: 'sdds_nope', DELIVERY_THRESHOLDS: 'sdds_billing_event=48/12', SQS_QUEUE_URL: 'queue' };
    let message = '';
    try {
      loadConfig(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    for (const key of Object.keys(bad)) expect(message).toContain(key);
    expect(message).toContain('"sdds_nope" is not a dataset');
    expect(message).toContain('must be an IANA time zone');
  });
});
