/**
 * The invoice_balance rollup against the billing feed it summarises: folded file by file, exact
 * under revisions (including one that moves an event to another invoice), late and out-of-order
 * deliveries and soft deletes, rebuilt when a fold was missed, folded once when several
 * processes refresh at the same time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../src/metrics/query.ts';
import { refreshInvoiceBalances } from '../../src/rollups/invoice-balance.ts';
import { ENGINES, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const NOW = new Date('2026-11-29T08:00:00Z');
const options = { now: NOW, timeZone: 'UTC', fiscalYearStartMonth: 1 };
const H = ['valid_from', 'update_date', 'delete_date', 'billing_event_id', 'end_user_account_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date', 'invoice_id', 'action_date'];
interface Ev { id: string; inv: string; action: string; type: string; amount: string; day: string; due?: string; updated?: string; deleted?: string; validFrom?: string; bi?: string; actionDate?: string }
const row = (e: Ev) => [
  `${e.validFrom ?? e.day}T00:00:00Z`, `${e.updated ?? e.day}T00:00:00Z`, e.deleted ? `${e.deleted}T00:00:00Z` : '', e.id, 'acct-a', e.action, e.type, e.amount, 'USD', e.bi ?? '1',
  `${e.day}T00:00:00Z`, e.due ? `${e.due}T00:00:00Z` : '', e.inv, e.actionDate ?? '',
];
const file = (...events: Ev[]) => csv([H, ...events.map(row)]);

/** The same figures straight from the feed's current state, the slow way. */
const DIRECT = `
  select invoice_id, currency, end_user_account_id as customer,
         coalesce(sum(amount) filter (where action = 'INVOICED' and transaction_type = 'SELLER_REV_SHARE'), 0)::text as gross,
         coalesce(sum(amount) filter (where action in ('INVOICED', 'FORGIVEN') and balance_impacting), 0)::text as billed_net,
         coalesce(sum(amount) filter (where action in ('INVOICED', 'FORGIVEN') and transaction_type like 'SELLER\\_%'), 0)::text as seller_billed,
         coalesce(sum(amount) filter (where action = 'COLLECTED' and transaction_type like 'SELLER\\_%'), 0)::text as collected,
         coalesce(-sum(amount) filter (where action = 'DISBURSED'), 0)::text as disbursed,
         max(invoice_date) filter (where action in ('INVOICED', 'FORGIVEN') and transaction_type like 'SELLER\\_%')::text as billed_until,
         min(case action when 'COLLECTED' then coalesce(action_date, valid_from) else valid_from end) filter (where action in ('COLLECTED', 'DISBURSED') and transaction_type like 'SELLER\\_%')::text as paid_from
    from sdds_billing_event_current where invoice_id is not null and transaction_type not like 'DISBURSEMENT%'
   group by 1, 2, 3 order by 1`;
const ROLLUP = `select invoice_id, currency, customer, gross::text, billed_net::text, seller_billed::text, collected::text, disbursed::text, billed_until::text, paid_from::text from invoice_balance order by 1`;

describe.each(ENGINES)('invoice_balance on %s', (_engine, create) => {
  let t: TestDatabase;
  let root: string;
  beforeAll(async () => {
    t = await create();
    root = await tempDir();
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=09/data.csv', file(
      { id: 'e1', inv: 'inv-1', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '1000.00', day: '2026-09-01', due: '2026-10-01' },
      { id: 'e2', inv: 'inv-1', action: 'INVOICED', type: 'AWS_REV_SHARE', amount: '-30.00', day: '2026-09-01', due: '2026-10-01' },
      { id: 'e3', inv: 'inv-2', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '500.00', day: '2026-09-10', due: '2026-10-10' },
      { id: 'e4', inv: 'inv-3', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '70.00', day: '2026-09-10', due: '2026-10-10' },
      { id: 'e5', inv: 'inv-4', action: 'INVOICED', type: 'AWS_TAX_SHARE', amount: '9.00', day: '2026-09-10', due: '2026-10-10', bi: '0' },
    ), { now: () => NOW });
  }, 60_000);
  afterAll(() => t?.drop());

  it('folds loaded billing files when asked, and past-due asks first', async () => {
    expect(await t.db.query(ROLLUP)).toEqual([]);
    const a = await answer(t.db, 'past-due', 'today', undefined, options);
    expect(await t.db.query(ROLLUP)).toEqual(await t.db.query(DIRECT));
    // due 1 and 10 October: 59 and 50 days late on 29 November; the AWS-remitted tax is not the seller's
    expect(a.totals).toEqual([{ currency: 'USD', total: '1570.00', buckets: { '1-30': '0', '31-60': '1570.00', '61-90': '0', '91-120': '0', '121+': '0' } }]);
  });

  it('stays exact under collections, revisions, late and out-of-order deliveries and soft deletes', async () => {
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=10/data.csv', file(
      // inv-1 collected in October
      { id: 'e6', inv: 'inv-1', action: 'COLLECTED', type: 'SELLER_REV_SHARE', amount: '1000.00', day: '2026-10-20', actionDate: '2026-10-20 10:00:00' },
      // inv-2 corrected: the same event and valid_from with a later update_date, 450 instead of 500
      { id: 'e3', inv: 'inv-2', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '450.00', day: '2026-09-10', due: '2026-10-10', updated: '2026-10-02' },
      // inv-3: a newer valid_from, then that revision soft-deleted: the original 70 stands
      { id: 'e4', inv: 'inv-3', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '75.00', day: '2026-09-10', due: '2026-10-10', validFrom: '2026-10-05', updated: '2026-10-05' },
      { id: 'e4', inv: 'inv-3', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '75.00', day: '2026-09-10', due: '2026-10-10', validFrom: '2026-10-05', updated: '2026-10-06', deleted: '2026-10-06' },
      // the AWS-remitted tax line re-filed under inv-2: inv-4 is left with nothing
      { id: 'e5', inv: 'inv-2', action: 'INVOICED', type: 'AWS_TAX_SHARE', amount: '9.00', day: '2026-09-10', due: '2026-10-10', bi: '0', updated: '2026-10-03' },
    ), { now: () => NOW });
    // a stale copy of e3 (older update_date) delivered last changes nothing
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=11/data.csv', file(
      { id: 'e3', inv: 'inv-2', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '480.00', day: '2026-09-10', due: '2026-10-10', updated: '2026-09-20' },
    ), { now: () => NOW });

    expect(await refreshInvoiceBalances(t.db)).toBe(2);
    expect(await t.db.query(ROLLUP)).toEqual(await t.db.query(DIRECT));
    const byInvoice = await t.db.query<{ invoice_id: string; seller_billed: string; settled: boolean }>(
      `select invoice_id, seller_billed::text, settled_at is not null as settled from invoice_balance order by 1`,
    );
    expect(byInvoice).toEqual([
      { invoice_id: 'inv-1', seller_billed: '1000.00', settled: true },
      { invoice_id: 'inv-2', seller_billed: '450.00', settled: false },
      { invoice_id: 'inv-3', seller_billed: '70.00', settled: false },
    ]);
    // today: 450 + 70 owed since 10 October; at the end of October inv-1 was already collected
    const today = await answer(t.db, 'past-due', 'today', undefined, options);
    expect(today.totals).toEqual([{ currency: 'USD', total: '520.00', buckets: { '1-30': '0', '31-60': '520.00', '61-90': '0', '91-120': '0', '121+': '0' } }]);
    // as of 15 October, inv-1 was 14 days past due and not yet collected
    const mid = await answer(t.db, 'past-due', '2026-10-01..2026-10-14', undefined, options);
    expect(mid.totals).toEqual([{ currency: 'USD', total: '1520.00', buckets: { '1-30': '1520.00', '31-60': '0', '61-90': '0', '91-120': '0', '121+': '0' } }]);
  });

  it('rebuilds what a missed fold left out, and folds a file once however many refresh at once', async () => {
    await t.db.query(`delete from invoice_balance`);
    await t.db.query(`delete from invoice_balance_file`);
    const folded = await Promise.all([refreshInvoiceBalances(t.db), refreshInvoiceBalances(t.db), refreshInvoiceBalances(t.db)]);
    expect(folded.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await t.db.query(ROLLUP)).toEqual(await t.db.query(DIRECT));
    expect(await refreshInvoiceBalances(t.db)).toBe(0);
  });

  it('a billing file committed between the revised-key refresh and the fold waits for its revised keys', async () => {
    await refreshInvoiceBalances(t.db);
    // a second ingest commits a revision of e1 (1000 -> 900) just after the fold's revised-key
    // refresh has looked, and before it lists the files to fold
    let injected = false;
    const inject = async () => {
      injected = true;
      // the other process's file, committed on its own connection
      const other = await (await import('../../src/db/client.ts')).openPostgres(t.url!);
      try {
        await ingestContent(other, root, 'BillingEventFeed_V1/year=2026/month=12/data.csv', file({ id: 'e1', inv: 'inv-1', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '900.00', day: '2026-09-01', due: '2026-10-01', updated: '2026-11-20' }), { now: () => NOW });
      } finally {
        await other.close();
      }
    };
    const racing = new Proxy(t.db, {
      get(target, p) {
        if (p !== 'query') return (target as any)[p];
        return async (text: string, params?: unknown[]) => {
          if (!injected && text.includes('invoice_balance_file d where d.file_id')) await inject();
          return target.query(text, params);
        };
      },
    });
    // PGlite has one connection: the interleaving is played on PostgreSQL only
    if (!t.url) return;
    const pending = await t.db.query<{ n: number }>(`select count(*)::int as n from ingest_file where dataset = 'sdds_billing_event' and status = 'loaded' and id not in (select file_id from invoice_balance_file)`);
    expect(pending[0]!.n).toBe(0);
    await refreshInvoiceBalances(racing as typeof t.db);
    expect(injected).toBe(true);
    // the next refresh (any metric asks first) folds it, its revision told from a new event
    await refreshInvoiceBalances(t.db);
    expect(await t.db.query(ROLLUP)).toEqual(await t.db.query(DIRECT));
    const inv1 = await t.db.query<{ seller_billed: string }>(`select seller_billed::text from invoice_balance where invoice_id = 'inv-1'`);
    expect(inv1).toEqual([{ seller_billed: '900.00' }]);
  });
});
