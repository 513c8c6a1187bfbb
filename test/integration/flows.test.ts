/** Usage, collections and disbursements on hand-built feeds, worked out by hand. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../src/metrics/query.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const options = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };

describe('usage, collections, disbursements', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const root = await tempDir();
    await ingestContent(t.db, root, 'ProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,product_id,product_code,title\n2026-01-01T00:00:00Z,prod-1,pc-1,Acme Pipeline\n2026-01-01T00:00:00Z,prod-2,pc-2,Acme Gateway\n');
    const UH = ['valid_from', 'update_date', 'usage_feed_id', 'usage_date', 'product_id', 'end_user_account_id', 'dimension_key', 'usage_unit', 'usage_quantity', 'pricing_currency', 'estimated_revenue_in_pricing_currency'];
    await ingestContent(t.db, root, 'DailyUsageFeed_V1/year=2026/month=10/data.csv', csv([
      UH,
      ['2026-10-02 00:00:00.0', '2026-10-02 06:10:00.0', 'u1', '2026-10-01', 'prod-1', 'acct-a', 'api_calls', 'Units', '1000', 'USD', '10.00'],
      ['2026-10-03 00:00:00.0', '2026-10-03 06:10:00.0', 'u2', '2026-10-02', 'prod-1', 'acct-a', 'api_calls', 'Units', '2000', 'USD', '20.00'],
      // a correction of u2
      ['2026-10-03 00:00:00.0', '2026-10-05 06:10:00.0', 'u2', '2026-10-02', 'prod-1', 'acct-a', 'api_calls', 'Units', '3000', 'USD', '30.00'],
      ['2026-10-04 00:00:00.0', '2026-10-04 06:10:00.0', 'u3', '2026-10-03', 'prod-1', 'acct-b', 'gb_processed', 'GB', '5', 'USD', '1.25'],
      ['2026-11-02 00:00:00.0', '2026-11-02 06:10:00.0', 'u4', '2026-11-01', 'prod-1', 'acct-b', 'gb_processed', 'GB', '5', 'USD', '1.25'],
    ]));
    const BH = ['valid_from', 'update_date', 'billing_event_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'invoice_date', 'action_date', 'disbursement_billing_event_id', 'bank_trace_id'];
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=10/data.csv', csv([
      BH,
      ['2026-10-05T00:00:00Z', '2026-10-05T00:00:00Z', 'c1', 'acct-a', 'prod-1', 'COLLECTED', 'SELLER_REV_SHARE', '500.00', 'USD', '2026-09-01T00:00:00Z', '2026-10-05 14:02:11', '', ''],
      ['2026-10-20T00:00:00Z', '2026-10-20T00:00:00Z', 'c2', 'acct-b', 'prod-2', 'COLLECTED', 'SELLER_REV_SHARE', '200.00', 'USD', '2026-09-15T00:00:00Z', '', '', ''],
      ['2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z', 'c3', 'acct-b', 'prod-2', 'COLLECTED', 'SELLER_REV_SHARE', '100.00', 'USD', '2026-10-01T00:00:00Z', '2026-11-02 10:00:00', '', ''],
      ['2026-10-08T00:00:00Z', '2026-10-08T00:00:00Z', 'l1', 'acct-a', 'prod-1', 'DISBURSED', 'SELLER_REV_SHARE', '-1000.00', 'USD', '2026-09-01T00:00:00Z', '', 'p1', ''],
      ['2026-10-08T00:00:00Z', '2026-10-08T00:00:00Z', 'l2', 'acct-a', 'prod-1', 'DISBURSED', 'AWS_REV_SHARE', '30.00', 'USD', '2026-09-01T00:00:00Z', '', 'p1', ''],
      ['2026-10-08T00:00:00Z', '2026-10-08T00:00:00Z', 'p1', '', '', 'DISBURSED', 'DISBURSEMENT', '970.00', 'USD', '2026-10-08T00:00:00Z', '', '', 'TRACE-1'],
      ['2026-10-12T00:00:00Z', '2026-10-12T00:00:00Z', 'l3', 'acct-b', 'prod-2', 'DISBURSED', 'SELLER_REV_SHARE', '-100.00', 'USD', '2026-09-15T00:00:00Z', '', 'p2', ''],
      ['2026-10-12T00:00:00Z', '2026-10-12T00:00:00Z', 'p2', '', '', 'DISBURSED', 'DISBURSEMENT', '100.00', 'USD', '2026-10-12T00:00:00Z', '', '', 'TRACE-2'],
      ['2026-10-14T00:00:00Z', '2026-10-14T00:00:00Z', 'p2f', '', '', 'DISBURSED', 'DISBURSEMENT_FAILURE', '-100.00', 'USD', '2026-10-14T00:00:00Z', '', '', 'TRACE-2'],
    ]));
  });
  afterAll(() => t?.drop());

  it('sums estimated usage revenue from the latest revision, by dimension', async () => {
    const a = await answer(t.db, 'usage', '2026-10', 'dimension', options);
    expect(a.totals).toEqual([{ currency: 'USD', estimated_revenue: '41.25' }]);
    expect(a.rows.map((r) => [r.key, r.detail, r.quantity, r.estimated_revenue])).toEqual([
      ['api_calls', 'Units', '4000', '40.00'],
      ['gb_processed', 'GB', '5', '1.25'],
    ]);
  });

  it('counts collections by the day they were collected', async () => {
    const a = await answer(t.db, 'collections', '2026-10', 'product', options);
    expect(a.totals).toEqual([{ currency: 'USD', collected: '700.00' }]);
    expect(a.rows.map((r) => [r.name, r.collected])).toEqual([
      ['Acme Pipeline', '500.00'],
      ['Acme Gateway', '200.00'],
    ]);
  });

  it('lists payouts net of failures, and what they paid for', async () => {
    const a = await answer(t.db, 'disbursements', '2026-10', undefined, options);
    expect(a.totals).toEqual([{ currency: 'USD', disbursed: '970.00' }]);
    expect(a.rows.map((r) => [r.name, r.detail, r.disbursed, r.status])).toEqual([
      ['2026-10-08', 'TRACE-1', '970.00', 'Disbursed'],
      ['2026-10-12', 'TRACE-2', '100.00', 'Disbursed'],
      ['2026-10-14', 'TRACE-2', '-100.00', 'Failed'],
    ]);
    const byProduct = await answer(t.db, 'disbursements', '2026-10', 'product', options);
    expect(byProduct.rows.map((r) => [r.name, r.disbursed])).toEqual([
      ['Acme Pipeline', '970.00'],
      ['Acme Gateway', '100.00'],
    ]);
  });
});
