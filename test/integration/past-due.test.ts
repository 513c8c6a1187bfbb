/** Past-due aging on hand-built invoices, worked out by hand. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../src/metrics/query.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const NOW = new Date('2026-11-29T08:00:00Z');
const options = { now: NOW, timeZone: 'UTC', fiscalYearStartMonth: 1 };
const H = ['valid_from', 'update_date', 'billing_event_id', 'end_user_account_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date', 'invoice_id', 'action_date'];
let n = 0;
const row = (invoice: string, action: string, type: string, amount: string, day: string, o: { due?: string; cur?: string; buyer?: string; actionDate?: string } = {}) => [
  `${day}T00:00:00Z`, `${day}T00:00:00Z`, `be-${++n}`, o.buyer ?? 'acct-a', action, type, amount, o.cur ?? 'USD', '1', `${day}T00:00:00Z`, o.due ? `${o.due}T00:00:00Z` : '', invoice, o.actionDate ?? '',
];

describe('past-due', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const root = await tempDir();
    await ingestContent(t.db, root, 'AccountFeed_V1/year=2026/month=01/data.csv', 'valid_from,account_id,aws_account_id,mailing_address_id\n2026-01-01T00:00:00Z,acct-a,012345678901,addr-a\n2026-01-01T00:00:00Z,acct-b,444455556666,addr-b\n');
    await ingestContent(t.db, root, 'AddressFeed_V1/year=2026/month=01/data.csv', 'valid_from,address_id,company_name\n2026-01-01T00:00:00Z,addr-a,"Example, Inc."\n2026-01-01T00:00:00Z,addr-b,Beispiel GmbH\n');
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=11/data.csv', csv([
      H,
      row('inv-1', 'INVOICED', 'SELLER_REV_SHARE', '1000.00', '2026-09-01', { due: '2026-10-01' }),
      row('inv-1', 'INVOICED', 'AWS_REV_SHARE', '-30.00', '2026-09-01', { due: '2026-10-01' }),
      row('inv-1', 'COLLECTED', 'SELLER_REV_SHARE', '1000.00', '2026-10-10', { actionDate: '2026-10-10 14:02:11' }),
      row('inv-2', 'INVOICED', 'SELLER_REV_SHARE', '500.00', '2026-09-15', { due: '2026-10-15' }),
      row('inv-2', 'COLLECTED', 'SELLER_REV_SHARE', '500.00', '2026-11-30', { actionDate: '2026-11-30 09:00:00' }),
      row('inv-3', 'INVOICED', 'SELLER_REV_SHARE', '200.00', '2026-06-01', { due: '2026-07-01' }),
      row('inv-3', 'FORGIVEN', 'SELLER_REV_SHARE', '-200.00', '2026-09-01'),
      row('inv-4', 'INVOICED', 'SELLER_REV_SHARE', '300.00', '2026-10-21', { due: '2026-11-20' }),
      row('inv-4', 'INVOICED', 'SELLER_REV_SHARE_REFUND', '-50.00', '2026-10-25'),
      row('inv-5', 'INVOICED', 'SELLER_REV_SHARE', '800.00', '2026-05-01', { due: '2026-06-01', cur: 'EUR', buyer: 'acct-b' }),
      row('inv-5', 'DISBURSED', 'SELLER_REV_SHARE', '-800.00', '2026-06-08', { cur: 'EUR', buyer: 'acct-b' }),
      row('inv-6', 'INVOICED', 'SELLER_REV_SHARE', '100.00', '2026-04-01', { due: '2026-05-01', buyer: 'acct-b' }),
      row('inv-7', 'INVOICED', 'SELLER_REV_SHARE', '400.00', '2026-11-15', { due: '2026-12-15' }),
    ]));
  });
  afterAll(() => t?.drop());

  it('ages what is owed today into buckets, customers owing most first', async () => {
    const a = await answer(t.db, 'past-due', 'today', undefined, options);
    expect(a.source).toBe('sdds');
    expect(a.totals).toEqual([{ currency: 'USD', total: '850.00', buckets: { '1-30': '250.00', '31-60': '500.00', '61-90': '0', '91-120': '0', '121+': '100.00' } }]);
    expect(a.rows).toEqual([
      { customer: 'acct-a', company: 'Example, Inc.', aws_account_id: '012345678901', currency: 'USD', owed: '750.00', invoices: 2, oldest_due_date: '2026-10-15', days_past_due: 45 },
      { customer: 'acct-b', company: 'Beispiel GmbH', aws_account_id: '444455556666', currency: 'USD', owed: '100.00', invoices: 1, oldest_due_date: '2026-05-01', days_past_due: 212 },
    ]);
  });

  it('judges as of the end of a past period, ignoring later collections', async () => {
    const a = await answer(t.db, 'past-due', '2026-10', undefined, options);
    expect(a.totals).toEqual([{ currency: 'USD', total: '600.00', buckets: { '1-30': '500.00', '31-60': '0', '61-90': '0', '91-120': '0', '121+': '100.00' } }]);
    expect(await answer(t.db, 'past-due', '2025-01', undefined, options)).toMatchObject({ source: 'none', totals: [] });
  });
});
