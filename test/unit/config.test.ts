import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

/** The message loadConfig refuses `env` with. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('has working defaults for the embedded start', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ databaseUrl: undefined, demoData: 'auto', sqsQueueUrl: undefined, reportTimeZone: 'UTC', fiscalYearStartMonth: 1, httpPort: 8080 });
    expect(c.inboxDir.endsWith('/data/inbox')).toBe(true);
  });

  it('takes AWS credentials from its environment, so a command run inside the service uses its caller\'s', () => {
    expect(loadConfig({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' }).aws).toMatchObject({ credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' }, profile: undefined });
    expect(loadConfig({ AWS_PROFILE: 'finance' }).aws).toMatchObject({ credentials: undefined, profile: 'finance' });
    expect(loadConfig({}).aws).toMatchObject({ credentials: undefined, profile: undefined });
  });

  it('reads delivery settings and checks dataset names', () => {
    const c = loadConfig({ DATASETS_NOT_EXPECTED: 'sdds_daily_usage, DailyUsageFeed_V1', DELIVERY_THRESHOLDS: 'sdds_billing_event=12/36' });
    expect([...c.deliveries.notExpected]).toEqual(['sdds_daily_usage']);
    expect(c.deliveries.thresholds.get('sdds_billing_event')).toEqual({ warnAfterHours: 12, errorAfterHours: 36 });
  });

  it('lists every bad variable at once', () => {
    const bad = { DATABASE_URL: 'mysql://x', REPORT_TIMEZONE: 'Mars/Olympus', FISCAL_YEAR_START_MONTH: '13', DATASETS_NOT_EXPECTED: 'sdds_nope', DELIVERY_THRESHOLDS: 'sdds_billing_event=48/12', SQS_QUEUE_URL: 'queue' };
    const message = refusal(bad);
    for (const key of Object.keys(bad)) expect(message).toContain(key);
    expect(message).toContain('"sdds_nope" is not a dataset');
    expect(message).toContain('must be an IANA time zone');
  });

  it('reads Slack and email settings, and names each bad one', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abcdefgh12', SLACK_ALLOWED_CHANNELS: 'C1, C2', SLACK_ALERT_CHANNEL: 'C9', SLACK_ALERT_CHANNEL_REJECTED: 'C8', DIGEST_DAILY_TO: 'a@example.com, b@example.com' });
    expect(c.slack).toMatchObject({ mode: 'http', allowedChannels: ['C1', 'C2'], alertChannels: { delivery: 'C9', rejected: 'C8', subscribers: 'C9' } });
    expect(c.email).toMatchObject({ smtpUrl: undefined, dailyTo: ['a@example.com', 'b@example.com'], dailyAt: '07:00', monthlyDay: 3, monthlyAt: '08:00', timeZone: 'UTC', catchUp: 'latest', attachCsv: ['daily', 'monthly'] });
    expect(loadConfig({}).slack).toBeNull();
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack?.mode).toBe('socket');
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/neither SLACK_SIGNING_SECRET .* nor SLACK_APP_TOKEN/);
    expect(() => loadConfig({ SLACK_SIGNING_SECRET: 'abcdefgh12' })).toThrow(/SLACK_BOT_TOKEN \(xoxb-…\) is needed/);
    const bad = { SLACK_BOT_TOKEN: 'xoxp-user', SLACK_ALLOWED_USERS: 'bob', SLACK_ALERT_CHANNEL: '#alerts', SMTP_URL: 'mail.example.com', DIGEST_MONTHLY_TO: 'board', DIGEST_DAILY_AT: '7am', DIGEST_MONTHLY_AT: '31 08:00', DIGEST_TIMEZONE: 'Nowhere/Land' };
    const message = refusal(bad);
    for (const key of Object.keys(bad)) expect(message).toContain(key);
    expect(message).toContain('"bob" is not one of Slack user IDs');
    expect(message).toContain('"board" is not an email address');
  });
});
