/** Reconciliation on hand-built invoices: uncollected, undisbursed, and CAS against SDDS. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../src/metrics/query.ts';
import { getOverduePayouts } from '../../src/metrics/reconcile.ts';
import { refreshRollups } from '../../src/rollups/refresh.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const options = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };

describe('reconcile', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const root = await tempDir();
    const H = ['valid_from', 'billing_event_id', 'invoice_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'disbursement_billing_event_id'];
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=10/data.csv', csv([
      H,
      // inv-1: billed 1000 - 30 fee, collected, disbursed in full
      ['2026-09-01T00:00:00Z', 'a1', 'inv-1', 'INVOICED', 'SELLER_REV_SHARE', '1000.00', 'USD', '1', '2026-09-01T00:00:00Z', ''],
      ['2026-09-01T00:00:00Z', 'a2', 'inv-1', 'INVOICED', 'AWS_REV_SHARE', '-30.00', 'USD', '1', '2026-09-01T00:00:00Z', ''],
      ['2026-09-20T00:00:00Z', 'a3', 'inv-1', 'COLLECTED', 'SELLER_REV_SHARE', '1000.00', 'USD', '0', '2026-09-01T00:00:00Z', ''],
      ['2026-10-08T00:00:00Z', 'a4', 'inv-1', 'DISBURSED', 'SELLER_REV_SHARE', '-1000.00', 'USD', '0', '2026-09-01T00:00:00Z', 'p1'],
      ['2026-10-08T00:00:00Z', 'a5', 'inv-1', 'DISBURSED', 'AWS_REV_SHARE', '30.00', 'USD', '0', '2026-09-01T00:00:00Z', 'p1'],
      ['2026-10-08T00:00:00Z', 'p1', '', 'DISBURSED', 'DISBURSEMENT', '970.00', 'USD', '0', '2026-10-08T00:00:00Z', ''],
      // inv-2: billed 400 - 12, not collected, not disbursed
      ['2026-09-10T00:00:00Z', 'b1', 'inv-2', 'INVOICED', 'SELLER_REV_SHARE', '400.00', 'USD', '1', '2026-09-10T00:00:00Z', ''],
      ['2026-09-10T00:00:00Z', 'b2', 'inv-2', 'INVOICED', 'AWS_REV_SHARE', '-12.00', 'USD', '1', '2026-09-10T00:00:00Z', ''],
    ]));
    // the legacy report for September says 1,450 where SDDS billed 1,400
    await ingestContent(t.db, root, 'cas/sales_compensation_billed_revenue_2026-10-15.csv', 'Customer AWS Account Number,Product Code,Gross Revenue,Currency,AR Period\n012345678901,pc-1,1450.00,USD,2026-09\n');
  });
  afterAll(() => t?.drop());

  it('shows per month what was billed, collected and disbursed, and where CAS and SDDS differ', async () => {
    const a = await answer(t.db, 'reconcile', '2026-09', undefined, options);
    expect(a.totals).toEqual([{ currency: 'USD', billed_gross: '1400.00', collected: '1000.00', uncollected: '400.00', billed_net: '1358.00', disbursed: '970.00', undisbursed: '388.00', invoices_not_fully_disbursed: '1' }]);
    expect(a.rows).toEqual([
      { month: '2026-09', currency: 'USD', sdds_gross: '1400.00', collected: '1000.00', billed_net: '1358.00', disbursed: '970.00', undisbursed: '388.00', invoices_not_fully_disbursed: '1', cas_gross: '1450.00', gross_difference: '50.00' },
    ]);
    const byInvoice = await answer(t.db, 'reconcile', '2026-09', 'invoice', options);
    expect(byInvoice.rows).toEqual([{ invoice_id: 'inv-2', currency: 'USD', invoice_date: '2026-09-10', billed_gross: '400.00', collected: '0', billed_net: '388.00', disbursed: '0', undisbursed: '388.00' }]);
  });

  it("flags a payout as overdue only past AWS's schedule: a month just ended is normal lag", async () => {
    const root = await tempDir();
    const H = ['valid_from', 'billing_event_id', 'invoice_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date'];
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=08/data.csv', csv([
      H,
      // inv-3: billed in August, collected 25 September, never paid out
      ['2026-08-20T00:00:00Z', 'c1', 'inv-3', 'INVOICED', 'SELLER_REV_SHARE', '500.00', 'USD', '1', '2026-08-20T00:00:00Z', '2026-09-19T00:00:00Z'],
      ['2026-08-20T00:00:00Z', 'c2', 'inv-3', 'INVOICED', 'AWS_REV_SHARE', '-15.00', 'USD', '1', '2026-08-20T00:00:00Z', '2026-09-19T00:00:00Z'],
      ['2026-09-25T00:00:00Z', 'c3', 'inv-3', 'COLLECTED', 'SELLER_REV_SHARE', '500.00', 'USD', '0', '2026-08-20T00:00:00Z', '2026-09-19T00:00:00Z'],
      // inv-4: billed at the end of October, due in November: not collected, not a problem
      ['2026-10-28T00:00:00Z', 'd1', 'inv-4', 'INVOICED', 'SELLER_REV_SHARE', '200.00', 'USD', '1', '2026-10-28T00:00:00Z', '2026-11-27T00:00:00Z'],
      ['2026-10-28T00:00:00Z', 'd2', 'inv-4', 'INVOICED', 'AWS_REV_SHARE', '-6.00', 'USD', '1', '2026-10-28T00:00:00Z', '2026-11-27T00:00:00Z'],
      // a refund's negative net is taken back from later payouts; not money owed to the seller
      ['2026-08-21T00:00:00Z', 'e1', 'inv-5', 'INVOICED', 'SELLER_REV_SHARE_REFUND', '-100.00', 'USD', '1', '2026-08-21T00:00:00Z', ''],
    ]));
    await refreshRollups(t.db);
    // 20 October: inv-3 was collected 25 days ago, within the monthly payout cycle
    expect((await getOverduePayouts(t.db, new Date('2026-10-20T00:00:00Z'))).rows).toEqual([]);
    // 3 November: 39 days, past the 35-day window; inv-2 (never collected) and inv-4 (not due) are not payout problems
    const late = await getOverduePayouts(t.db, new Date('2026-11-03T08:00:00Z'));
    expect(late.rows).toEqual([{ invoice_id: 'inv-3', currency: 'USD', collected_by: '2026-09-25', expected_by: '2026-10-30', undisbursed: '485.00' }]);
    expect(late.totals).toEqual([{ currency: 'USD', invoices: 1, undisbursed: '485.00' }]);
  });
});
