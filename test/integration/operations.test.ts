/**
 * The operations surface as an operator meets it: a service whose queue does not exist yet says
 * so in /healthz, fails /readyz once the readiness window has passed, recovers by itself when the
 * queue appears, and /metrics counts the file it then loads.
 */
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { textLog } from '../../src/log.ts';
import { runService } from '../../src/service.ts';
import { startAws, type AwsEmulators } from '../support/aws.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, tempDir } from '../support/files.ts';
import { until } from '../support/wait.ts';

interface HealthBody {
  status: string;
  ready: boolean;
  problems: string[];
  consumer: { running: boolean; lastError: string | null; failingSince: string | null };
}

const get = async (url: string) => {
  const r = await fetch(url);
  return { status: r.status, text: await r.text() };
};
const health = async (url: string) => {
  const r = await get(url);
  return { status: r.status, body: JSON.parse(r.text) as HealthBody };
};
/** A sample's value in the Prometheus text format, or null when absent. */
const sample = (text: string, name: string, labels: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
};

describe('health, readiness and metrics of a running service', () => {
  let t: TestDatabase;
  let aws: AwsEmulators;
  let stop: () => void = () => {};
  let done: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    [t, aws] = await Promise.all([createPostgresDatabase(), startAws()]);
  });
  afterAll(async () => {
    stop();
    await done;
    await aws?.stop();
    await t?.drop();
  });

  it('tells the truth about a queue that fails, recovers by itself, and counts what it loads', { timeout: 90_000 }, async () => {
    const queueName = 'created-later';
    const queueUrl = aws.queueUrl.replace(/feeds$/, queueName);
    const config = loadConfig({ ...aws.env, DATABASE_URL: t.url!, DATA_DIR: await tempDir('mp-ops-'), SQS_QUEUE_URL: queueUrl, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', READINESS_WINDOW_SECONDS: '1' });
    const log: string[] = [];
    done = runService(config, { log: textLog((l) => log.push(l)), stopSignal: new Promise<void>((r) => (stop = r)) });
    await until(() => log.some((l) => l.includes('health check:')), 'the service to listen', 30_000);
    const live = /health check: (http:\S+)/.exec(log.join('\n'))![1]!;
    const ready = live.replace('/healthz', '/readyz');
    const metrics = live.replace('/healthz', '/metrics');

    // every receive fails: alive (a restart would not help) but degraded, and not ready
    await until(async () => (await health(ready)).status === 503, 'readiness to fail', 30_000);
    const failing = await health(live);
    expect(failing.status).toBe(200);
    expect(failing.body).toMatchObject({ status: 'degraded', ready: false, consumer: { running: true, lastError: expect.stringMatching(/^receive: /), failingSince: expect.any(String) } });
    expect(failing.body.problems).toEqual([expect.stringMatching(/^queue failing since .*: receive: /)]);
    expect(log.some((l) => /^sqs: receive: .*retrying in 5 s/.test(l)), log.join("\n")).toBe(true);

    // the queue appears: the next receive works, and the error clears with nothing done by hand
    await aws.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    await until(async () => (await health(ready)).status === 200, 'readiness to recover', 30_000);
    const recovered = await health(live);
    expect(recovered.body).toMatchObject({ status: 'ok', ready: true, problems: [], consumer: { lastError: null, failingSince: null } });
    expect(log.some((l) => l.startsWith('sqs: receiving again'))).toBe(true);

    // a file announced through EventBridge loads, and the counters move
    const before = (await get(metrics)).text;
    expect(sample(before, 'marketplace_pulse_files_total', 'dataset="sdds_offer",status="loaded"')).toBeNull();
    const key = 'OfferFeed_V1/year=2026/month=11/data.csv';
    await aws.put(key, csv([['valid_from', 'offer_id', 'offer_revision', 'name'], ['2026-11-20T00:00:00Z', 'offer-ops-1', '1', 'One'], ['2026-11-20T00:00:00Z', 'offer-ops-2', '1', 'Two']]));
    const event = {
      version: '0', id: 'evt-s3-1', 'detail-type': 'Object Created', source: 'aws.s3', account: '000000000000', time: '2026-11-21T00:00:05Z', region: 'us-east-1', resources: [],
      detail: { version: '0', bucket: { name: aws.bucket }, object: { key, size: 100, etag: 'x' }, 'request-id': 'r', requester: 'reports.marketplace.amazonaws.com', reason: 'PutObject' },
    };
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
    await until(async () => sample((await get(metrics)).text, 'marketplace_pulse_queue_messages_total', 'event="deleted"') === 1, 'the message to be handled', 30_000);
    const after = await get(metrics);
    expect(after.status).toBe(200);
    expect(sample(after.text, 'marketplace_pulse_files_total', 'dataset="sdds_offer",status="loaded"')).toBe(1);
    expect(sample(after.text, 'marketplace_pulse_rows_loaded_total', 'dataset="sdds_offer"')).toBe(2);
    expect(sample(after.text, 'marketplace_pulse_queue_messages_total', 'event="received"')).toBe(1);
    expect(sample(after.text, 'marketplace_pulse_queue_messages_total', 'event="dead-lettered"')).toBe(0);
    expect(sample(after.text, 'marketplace_pulse_ingest_duration_seconds_count', 'dataset="sdds_offer"')).toBe(1);
    expect(after.text).toContain('# TYPE marketplace_pulse_dataset_last_delivery_age_seconds gauge');
    expect(after.text).toContain('marketplace_pulse_process_resident_memory_bytes');
    expect(log.some((l) => l.startsWith(`ingest: loaded s3://${aws.bucket}/${key} (2 rows added) (dataset=sdds_offer, messageId=`))).toBe(true);
    expect(await t.db.query(`select offer_id from sdds_offer order by offer_id`)).toEqual([{ offer_id: 'offer-ops-1' }, { offer_id: 'offer-ops-2' }]);
  });
});
