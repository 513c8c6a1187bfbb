/** Delivery tracking against real PostgreSQL with a pinned clock: late, missing, cleared, no activity. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueAt, expectedThrough } from '../../src/deliveries/calendar.ts';
import { computeFreshness, describeChanges, type DeliverySettings } from '../../src/deliveries/freshness.ts';
import { getDataset } from '../../src/datasets/catalog.ts';
import { handleMessage } from '../../src/ingest/handle.ts';
import { ingestObject } from '../../src/ingest/load.ts';
import { localObject } from '../../src/ingest/local.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { putFile, tempDir } from '../support/files.ts';
import { S3Client } from '@aws-sdk/client-s3';

const at = (iso: string) => new Date(iso);

describe('the expected-delivery calendar', () => {
  const cadence = (name: string) => getDataset(name)!.cadence;
  it('knows when each cadence is due', () => {
    expect(dueAt(cadence('sdds_billing_event'), '2026-11-21')).toEqual(at('2026-11-21T00:00:00Z'));
    // fees for May 21 are published May 24
    expect(dueAt(cadence('cas_daily_business_fees'), '2024-05-22')).toEqual(at('2024-05-24T00:00:00Z'));
    expect(dueAt(cadence('cas_monthly_revenue_annual_subscriptions'), '2024-03-01')).toEqual(at('2024-03-16T00:00:00Z'));
    expect(dueAt(cadence('cas_monthly_revenue_billing_and_revenue_data'), '2024-03-15')).toEqual(at('2024-03-16T00:00:00Z'));
    expect(dueAt(cadence('cas_disbursed_amount_by_product'), '2024-03-15')).toBeNull();
  });

  it('knows how far data should be complete at a moment', () => {
    expect(expectedThrough(cadence('sdds_billing_event'), at('2026-11-21T05:00:00Z'))).toBe('2026-11-21');
    expect(expectedThrough(cadence('cas_daily_business_fees'), at('2024-05-24T05:00:00Z'))).toBe('2024-05-22');
    expect(expectedThrough(cadence('cas_monthly_revenue_annual_subscriptions'), at('2024-03-15T12:00:00Z'))).toBe('2024-02-01');
    expect(expectedThrough(cadence('cas_monthly_revenue_annual_subscriptions'), at('2024-03-16T00:00:00Z'))).toBe('2024-03-01');
    expect(expectedThrough(cadence('cas_monthly_revenue_billing_and_revenue_data'), at('2024-03-16T01:00:00Z'))).toBe('2024-03-15');
  });
});

describe('freshness', () => {
  let t: TestDatabase;
  let root: string;
  const s3 = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const settings: DeliverySettings = { notExpected: new Set(['sdds_daily_usage']), thresholds: new Map([['sdds_tax_item', { warnAfterHours: 1, errorAfterHours: 2 }]]) };
  const ingestAt = async (key: string, content: string, when: string) => ingestObject(t.db, localObject(await putFile(root, key, content), key), { now: () => at(when) });
  const status = async (when: string, dataset: string) => (await computeFreshness(t.db, at(when), settings)).find((f) => f.dataset === dataset)!;

  beforeAll(async () => {
    t = await createPostgresDatabase();
    root = await tempDir();
  });
  afterAll(() => t?.drop());

  it('says late, then missing, then clears when the next delivery lands', async () => {
    const header = 'valid_from,insert_date,update_date,delete_date,billing_event_id,action,transaction_type,amount,currency\n';
    await ingestAt('BillingEventFeed_V1/year=2026/month=11/data.csv', `${header}2026-11-19T00:00:00Z,2026-11-20T00:00:00Z,2026-11-20T00:00:00Z,,be-1,INVOICED,SELLER_REV_SHARE,10.00,USD\n`, '2026-11-20T01:00:00Z');
    expect(await status('2026-11-21T02:00:00Z', 'sdds_billing_event')).toMatchObject({ status: 'on time', completeThrough: '2026-11-19' });
    expect(await status('2026-11-22T06:00:00Z', 'sdds_billing_event')).toMatchObject({ status: 'late', hoursLate: 30, summary: 'late by 30 hours: data through 2026-11-19, expected through 2026-11-20' });
    expect(await status('2026-11-23T06:00:00Z', 'sdds_billing_event')).toMatchObject({ status: 'missing', hoursLate: 54 });
    // the month file grows with the next days' rows
    await ingestAt('BillingEventFeed_V1/year=2026/month=11/data.csv', `${header}2026-11-19T00:00:00Z,2026-11-20T00:00:00Z,2026-11-20T00:00:00Z,,be-1,INVOICED,SELLER_REV_SHARE,10.00,USD\n2026-11-22T00:00:00Z,2026-11-23T00:00:00Z,2026-11-23T00:00:00Z,,be-2,INVOICED,SELLER_REV_SHARE,20.00,USD\n`, '2026-11-23T01:00:00Z');
    expect(await status('2026-11-23T06:00:00Z', 'sdds_billing_event')).toMatchObject({ status: 'on time', completeThrough: '2026-11-22' });
  });

  it('counts an SDDS SKIPPED notification as a delivery of no activity, not a gap', async () => {
    await ingestAt('AccountFeed_V1/year=2026/month=11/data.csv', 'valid_from,account_id\n', '2026-11-10T01:00:00Z');
    expect(await status('2026-11-23T06:00:00Z', 'sdds_account')).toMatchObject({ status: 'missing' });
    const skipped = { mainExecutionId: 'm', executionId: 'x-23', processedFiles: [], executionStatus: 'SKIPPED', errors: [], feedType: 'AccountFeed_V1' };
    await handleMessage({ db: t.db, s3, now: () => at('2026-11-23T00:20:00Z') }, 'm-1', JSON.stringify(skipped));
    expect(await status('2026-11-23T06:00:00Z', 'sdds_account')).toMatchObject({ status: 'on time', completeThrough: '2026-11-22', lastDelivery: { outcome: 'notification SKIPPED' } });
  });

  it('judges CAS daily files by publication lag, and a header-only file is no activity', async () => {
    await ingestAt('cas/daily_business_fees_2026-11-20.csv', 'Product Code,Amount\npc,10.00\n', '2026-11-20T03:00:00Z');
    // covers 11-17; by 11-22 01:00 (judged a day earlier) the 11-18 file was due on 11-21
    expect(await status('2026-11-22T01:00:00Z', 'cas_daily_business_fees')).toMatchObject({ status: 'late', hoursLate: 25, completeThrough: '2026-11-17' });
    await ingestAt('cas/daily_business_fees_2026-11-21.csv', 'Product Code,Amount\n', '2026-11-21T03:00:00Z');
    expect(await status('2026-11-22T01:00:00Z', 'cas_daily_business_fees')).toMatchObject({ status: 'on time', completeThrough: '2026-11-18' });
  });

  it('expects a disbursement report after each disbursement', async () => {
    expect(await status('2026-11-20T00:00:00Z', 'cas_disbursed_amount_by_product')).toMatchObject({ status: 'retired' });
    await ingestAt('BillingEventFeed_V1/year=2026/month=12/data.csv', 'valid_from,billing_event_id,action,transaction_type,amount,currency,invoice_date\n2026-12-08T00:00:00Z,d-1,DISBURSED,DISBURSEMENT,970.00,USD,2026-12-08T00:00:00Z\n', '2026-12-09T01:00:00Z');
    await ingestAt('cas/disbursed_amount_by_product_2026-11-12.csv', 'Product,Product Code,SellerRev\nAcme,pc,1.00\n', '2026-11-12T01:00:00Z');
    expect(await status('2026-12-10T00:00:00Z', 'cas_disbursed_amount_by_product')).toMatchObject({ status: 'on time' });
    expect(await status('2026-12-20T00:00:00Z', 'cas_disbursed_amount_by_product')).toMatchObject({ status: 'missing', hoursLate: 168 });
  });

  it('honours not-expected datasets and threshold overrides, and says what changed', async () => {
    expect(await status('2026-11-23T06:00:00Z', 'sdds_daily_usage')).toMatchObject({ status: 'not expected' });
    expect(await status('2026-11-23T06:00:00Z', 'sdds_tax_item')).toMatchObject({ status: 'missing', summary: 'nothing delivered yet; expected through 2026-11-22' });
    expect(await status('2026-11-23T06:00:00Z', 'sdds_pii')).toMatchObject({ status: 'retired' });
    const before = await computeFreshness(t.db, at('2026-11-22T06:00:00Z'), settings);
    const after = await computeFreshness(t.db, at('2026-11-23T06:00:00Z'), settings);
    const changes = describeChanges(new Map(before.map((f) => [f.dataset, f])), after);
    expect(changes).toContain('sdds_account: resolved, on time: data through 2026-11-22');
    expect(changes).toContain('sdds_billing_event: resolved, on time: data through 2026-11-22');
  });
});
