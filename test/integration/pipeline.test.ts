/**
 * The live pipeline over the AWS wire protocol: objects put into s3rver raise bucket events that
 * travel S3 -> SNS -> SQS (fauxqs) to the consumer, which loads them into real PostgreSQL.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleMessage } from '../../src/ingest/handle.ts';
import { SqsConsumer } from '../../src/ingest/sqs.ts';
import { startAws, type AwsEmulators } from '../support/aws.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv } from '../support/files.ts';
import { until } from '../support/wait.ts';
import { textLog } from '../../src/log.ts';


const PRODUCT_HEADER = ['valid_from', 'insert_date', 'update_date', 'delete_date', 'product_id', 'product_code', 'title'];
const product = (id: string, title: string) => ['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z', '', id, `pc-${id}`, title];

describe('SQS pipeline', () => {
  let t: TestDatabase;
  let aws: AwsEmulators;
  let consumer: SqsConsumer;
  const log: string[] = [];

  const queueDepth = async () => {
    const a = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: aws.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  };
  const ledger = (key: string) => t.db.query<{ status: string; rows_inserted: number; error: string | null }>(`select status, rows_inserted, error from ingest_file where object_key = $1 order by id`, [key]);

  beforeAll(async () => {
    [t, aws] = await Promise.all([createPostgresDatabase(), startAws({ visibilityTimeoutSeconds: 2 })]);
    consumer = new SqsConsumer({ db: t.db, s3: aws.s3, sqs: aws.sqs, queueUrl: aws.queueUrl, concurrency: 4, visibilityTimeoutSeconds: 3, log: textLog((l) => log.push(l)) });
    consumer.start();
  });
  afterAll(async () => {
    await consumer?.stop();
    await aws?.stop();
    await t?.drop();
  });

  it('loads an object announced by its bucket event through SNS, then deletes the message', async () => {
    const key = 'feeds/ProductFeed_V1/year=2026/month=11/data.csv';
    await aws.put(key, csv([PRODUCT_HEADER, product('prod-a', 'Acme Analytics'), product('prod-b', 'Acme Gateway')]));
    const rows = await until(async () => (await ledger(key)).find((r) => r.status === 'loaded'), 'the product file to load');
    expect(rows).toMatchObject({ status: 'loaded', rows_inserted: 2 });
    await until(async () => (await queueDepth()) === 0, 'the message to be deleted');
    const stored = await t.db.query(`select title from sdds_product_current order by 1`);
    expect(stored).toEqual([{ title: 'Acme Analytics' }, { title: 'Acme Gateway' }]);
  });

  it('changes nothing when the same notification is delivered twice', async () => {
    const key = 'feeds/OfferFeed_V1/year=2026/month=11/data.csv';
    aws.forwardEvents = false;
    await aws.put(key, 'valid_from,offer_id,offer_revision,name\n2026-11-03T00:00:00Z,offer-1,1,Public\n');
    aws.forwardEvents = true;
    const event = { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: aws.bucket }, object: { key: 'feeds/OfferFeed_V1/year%3D2026/month%3D11/data.csv' } } }] };
    await aws.send(event);
    await aws.send(event);
    await until(async () => (await ledger(key)).length === 2, 'both deliveries');
    expect((await ledger(key)).map((r) => r.status)).toEqual(['loaded', 'unchanged']);
    expect(await t.db.query(`select count(*)::int as n from sdds_offer`)).toEqual([{ n: 1 }]);
  });

  it('records a missing object against its key with the reason, and moves on', async () => {
    await aws.send({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: aws.bucket }, object: { key: 'feeds/TaxItemFeed_V1/year%3D2026/month%3D10/data.csv' } } }] });
    const [row] = await until(async () => {
      const r = await ledger('feeds/TaxItemFeed_V1/year=2026/month=10/data.csv');
      return r.length ? r : undefined;
    }, 'the missing object to be recorded');
    expect(row).toMatchObject({ status: 'rejected', error: expect.stringContaining('no such object (404)') });
    await until(async () => (await queueDepth()) === 0, 'the message to be deleted');
  });

  it('rejects a key with %00 once, stored visibly, and deletes its message instead of retrying it', async () => {
    await aws.send({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: aws.bucket }, object: { key: 'feeds/TaxItemFeed_V1/year%3D2026/month%3D09/da%00ta.csv' } } }] });
    const [row] = await until(async () => {
      const r = await ledger('feeds/TaxItemFeed_V1/year=2026/month=09/da\\0ta.csv');
      return r.length ? r : undefined;
    }, 'the malformed key to be recorded');
    expect(row).toMatchObject({ status: 'rejected', error: expect.stringContaining('contains a NUL character (%00') });
    await until(async () => (await queueDepth()) === 0, 'the message to be deleted');
    await new Promise((r) => setTimeout(r, 3_500)); // past the visibility timeout: not received again
    expect(await ledger('feeds/TaxItemFeed_V1/year=2026/month=09/da\\0ta.csv')).toHaveLength(1);
  });

  it('keeps a poison message in dead_letter with its reason and does not delete it', async () => {
    await aws.send('{"hello": "world"}');
    const [dl] = await until(async () => {
      const r = await t.db.query<{ reason: string; body: string; receive_count: number }>(`select reason, body, receive_count from dead_letter`);
      return r.length ? r : undefined;
    }, 'the dead letter');
    expect(dl!.reason).toContain('not a message marketplace-pulse understands');
    expect(dl!.body).toBe('{"hello": "world"}');
    expect(await queueDepth()).toBeGreaterThan(0);
    // it comes back after the visibility timeout and is counted, not duplicated
    const again = await until(async () => {
      const r = await t.db.query<{ receive_count: number }>(`select receive_count from dead_letter`);
      return r[0]!.receive_count > 1 ? r : undefined;
    }, 'the redelivery');
    expect(again).toHaveLength(1);
  });

  it('records SDDS delivery outcomes and stores Marketplace events once', async () => {
    const sdds = { mainExecutionId: 'm-1', executionId: 'e-1', subscriptionId: 's', processedFiles: [], executionStatus: 'SKIPPED', errors: [], feedType: 'DailyUsageFeed_V1' };
    await aws.sns.send(new (await import('@aws-sdk/client-sns')).PublishCommand({ TopicArn: aws.topicArn, Message: JSON.stringify(sdds) }));
    const event = { version: '0', id: 'evt-42', 'detail-type': 'Purchase Agreement Ended - Proposer', source: 'aws.agreement-marketplace', account: '111122223333', time: '2026-11-20T10:00:00Z', region: 'us-east-1', resources: [], detail: { requestId: 'rq-1', agreement: { id: 'agmt-9', status: 'CANCELLED' }, acceptor: { accountId: '845735284135' } } };
    await aws.send(event);
    await aws.send(event);
    await until(async () => (await queueDepth()) <= 1, 'the notifications'); // the poison message may still be there
    await until(async () => (await t.db.query(`select 1 from feed_notification`)).length === 1, 'the SDDS notification');
    expect(await t.db.query(`select kind, dataset, status from feed_notification`)).toEqual([{ kind: 'sdds', dataset: 'sdds_daily_usage', status: 'SKIPPED' }]);
    await until(async () => (await t.db.query(`select 1 from marketplace_event`)).length === 1, 'the event');
    await new Promise((r) => setTimeout(r, 500));
    expect(await t.db.query(`select kind, role, agreement_id, acceptor_account_id from marketplace_event`)).toEqual([{ kind: 'Purchase Agreement Ended', role: 'Proposer', agreement_id: 'agmt-9', acceptor_account_id: '845735284135' }]);
  });

  it('follows a CAS notification to its metadata and data file', async () => {
    aws.forwardEvents = false;
    const base = 'cas/disbursed_amount_by_product_2026-11-12';
    await aws.put(`${base}.meta.json`, JSON.stringify({ dataSetRequestId: 'req-7', dataSetCoverageRange: { startDateTime: '2026-10-09T00:00:00.000Z', endDateTime: '2026-11-08T23:59:59.000Z' }, dataSetRequestParameters: { dataSetType: 'disbursed_amount_by_product' } }));
    await aws.put(`${base}.csv`, 'Product,Product Code,SellerRev,Net Amount\nAcme,pc,100.00,97.00\n');
    aws.forwardEvents = true;
    await aws.send({ dataSetS3Location: { bucketName: aws.bucket, key: `${base}.csv` }, dataSetMetaDataS3Location: { bucketName: aws.bucket, key: `${base}.meta.json` }, dataSetRequestId: 'req-7', success: true });
    const rows = await until(async () => {
      const r = await t.db.query<{ p: string; e: string }>(`select _period_start::text as p, _period_end::text as e from cas_disbursed_amount_by_product`);
      return r.length ? r : undefined;
    }, 'the CAS data');
    expect(rows).toEqual([{ p: '2026-10-09', e: '2026-11-09' }]);
    await until(async () => (await t.db.query(`select 1 from feed_notification where kind = 'cas'`)).length === 1, 'the CAS notification');
  });

  it('handles an S3 test event without storing anything', async () => {
    const h = await handleMessage({ db: t.db, s3: aws.s3 }, 'x', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: aws.bucket }));
    expect(h).toMatchObject({ outcome: 'done', files: [] });
  });
});
