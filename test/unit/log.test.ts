import { describe, expect, it } from 'vitest';
import { createServiceLog, formatText, scrub, textLog, withFields } from '../../src/log.ts';

describe('the service log', () => {
  it('writes one JSON object per line with level, time, component, message and ids', async () => {
    const lines: string[] = [];
    const log = await createServiceLog({ format: 'json', level: 'info', write: (l) => lines.push(l) });
    const sqs = withFields(log, { component: 'sqs' });
    sqs('message m-1 not understood', { level: 'warn', messageId: 'm-1' });
    withFields(log, { component: 'ingest' })('loaded BillingEventFeed_V1/year=2026/month=11/data.csv (5 rows added)', { key: 'BillingEventFeed_V1/year=2026/month=11/data.csv', dataset: 'sdds_billing_event' });
    sqs('not shown', { level: 'debug' });
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toEqual({ level: 'warn', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), component: 'sqs', messageId: 'm-1', msg: 'message m-1 not understood' });
    expect(second).toMatchObject({ level: 'info', component: 'ingest', key: 'BillingEventFeed_V1/year=2026/month=11/data.csv', dataset: 'sdds_billing_event' });
  });

  it('never writes a secret, in a message, a field or a field named like one', async () => {
    const lines: string[] = [];
    const log = await createServiceLog({ format: 'json', level: 'info', write: (l) => lines.push(l) });
    log('cannot connect to postgres://pulse:s3cr3t-pw@db.internal:5432/pulse', { component: 'database', url: 'smtps://mailer:hunter2@smtp.example.com:465', password: 'plain', token: 'xoxb-1-2-abc' });
    log('slack said invalid_auth for xoxb-123456-7890-AbCdEf and xapp-1-A0-123-abc', { component: 'slack' });
    const text = lines.join('\n');
    for (const secret of ['s3cr3t-pw', 'hunter2', 'plain', 'AbCdEf', 'xapp-1-A0', 'abc"']) expect(text).not.toContain(secret);
    expect(text).toContain('postgres://pulse:***@db.internal:5432/pulse');
    expect(text).toContain('smtps://mailer:***@smtp.example.com:465');
  });

  it('reads as text on a terminal: time, level when it matters, component, message, other fields', async () => {
    const lines: string[] = [];
    const log = await createServiceLog({ format: 'pretty', level: 'warn', write: (l) => lines.push(l) });
    log('receive: queue does not exist; retrying in 5 s', { component: 'sqs', level: 'warn' });
    log('consuming the queue', { component: 'sqs' });
    expect(lines).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d WARN sqs: receive: queue does not exist; retrying in 5 s$/)]);
  });

  it('as text, names the component and adds only the fields the message does not already say', () => {
    expect(formatText('loaded OfferFeed_V1/year=2026/month=11/data.csv (2 rows added)', { component: 'ingest', key: 'OfferFeed_V1/year=2026/month=11/data.csv', dataset: 'sdds_offer', messageId: 'm-9' })).toBe(
      'ingest: loaded OfferFeed_V1/year=2026/month=11/data.csv (2 rows added) (dataset=sdds_offer, messageId=m-9)',
    );
    expect(formatText('stopped', { component: 'service' })).toBe('stopped');
    const lines: string[] = [];
    textLog((l) => lines.push(l))('sent daily 2026-11-01', { component: 'email', digestId: 'daily 2026-11-01' });
    expect(lines).toEqual(['email: sent daily 2026-11-01']);
  });

  it('scrub leaves ordinary text alone', () => {
    expect(scrub('s3://seller-feeds/BillingEventFeed_V1/year=2026/month=11/data.csv: 5 rows')).toBe('s3://seller-feeds/BillingEventFeed_V1/year=2026/month=11/data.csv: 5 rows');
    expect(scrub('http://127.0.0.1:8080/healthz')).toBe('http://127.0.0.1:8080/healthz');
  });
});
