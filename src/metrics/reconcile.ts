/**
 * What does not add up: per invoice month, what buyers were billed (gross) against what was
 * collected from them, and what the seller is owed (net of fees) against what was disbursed; and where a legacy CAS report covers the same
 * month, its gross revenue against SDDS's. `--by invoice` lists the invoices whose billed net has
 * not been fully disbursed.
 */
import type { Database } from '../db/client.ts';
import type { Period } from '../periods.ts';
import { addDecimals } from './decimal.ts';

export interface ReconcileAnswer {
  metric: 'reconcile';
  totals: Array<Record<string, string>>;
  rows: Array<Record<string, string | null>>;
  source: 'sdds' | 'none';
}

/**
 * The rollup's rows (per invoice, currency and customer) of the invoices dated in the period: an
 * invoice has one invoice date, so they come from the date index; the rare row with no invoiced
 * event of its own (a collection booked to another customer) takes its invoice's date. Money
 * adds up by month straight from these rows. Only invoices with a row not disbursed in full can
 * be short as a whole, so only they are added up invoice by invoice (`open_invoices`).
 */
const INVOICE_ROWS = `
  with undated as materialized (
    select u.invoice_id, u.currency, d.invoice_date, u.gross, u.billed_net, u.collected, u.disbursed
      from invoice_balance u
      cross join lateral (select min(x.invoice_date) as invoice_date from invoice_balance x where x.invoice_id = u.invoice_id and x.currency = u.currency) d
     where u.invoice_date is null and d.invoice_date >= $1 and d.invoice_date < $2),
  rows as (
    select invoice_id, currency, invoice_date, gross, billed_net, collected, disbursed
      from invoice_balance where invoice_date >= $1 and invoice_date < $2
    union all
    select * from undated),
  mismatched as (
    select invoice_id, currency from invoice_balance where invoice_date >= $1 and invoice_date < $2 and billed_net <> disbursed
    union
    select invoice_id, currency from undated where billed_net <> disbursed),
  open_invoices as (
    select b.invoice_id, b.currency, min(b.invoice_date) as invoice_date, sum(b.gross) as gross, sum(b.billed_net) as billed_net,
           sum(b.collected) as collected, sum(b.disbursed) as disbursed
      from mismatched m join invoice_balance b on b.invoice_id = m.invoice_id and b.currency = m.currency
     where b.invoice_date is null or (b.invoice_date >= $1 and b.invoice_date < $2)
     group by b.invoice_id, b.currency
    having sum(b.billed_net) <> sum(b.disbursed))`;

/** Reads invoice_balance: call through answerFor, which brings it up to date first. */
export async function getReconciliation(db: Database, period: Period, timeZone: string, byInvoice: boolean): Promise<ReconcileAnswer> {
  const params = [period.start, period.end, timeZone];
  // one pass per month; the totals are the months added up
  const months = await db.query<Record<string, string | null>>(
    `${INVOICE_ROWS},
     sdds as (
       select date_trunc('month', invoice_date at time zone $3) as m, currency,
              sum(gross) as gross, sum(billed_net) as billed_net, sum(collected) as collected, sum(disbursed) as disbursed
         from rows group by 1, 2),
     short as (select date_trunc('month', invoice_date at time zone $3) as m, currency, count(*) as n from open_invoices group by 1, 2),
     cas as (
       select to_char(ar_period, 'YYYY-MM') as month, currency, sum(gross_revenue) as gross
         from cas_sales_compensation_billed_revenue where ar_period >= ($1::timestamptz at time zone $3)::date and ar_period < ($2::timestamptz at time zone $3)::date group by 1, 2),
     months as (
       select to_char(s.m, 'YYYY-MM') as month, s.currency, s.gross, s.billed_net, s.collected, s.disbursed, coalesce(o.n, 0) as not_fully_disbursed
         from sdds s left join short o on o.m = s.m and o.currency = s.currency)
     select coalesce(s.month, c.month) as month, coalesce(s.currency, c.currency) as currency,
            s.gross::text as sdds_gross, s.collected::text, s.billed_net::text, s.disbursed::text, (s.billed_net - s.disbursed)::text as undisbursed,
            s.not_fully_disbursed::text as invoices_not_fully_disbursed, c.gross::text as cas_gross, (c.gross - s.gross)::text as gross_difference
       from months s full join cas c on c.month = s.month and c.currency = s.currency
      order by currency, month`,
    params,
  );
  if (months.length === 0) return { metric: 'reconcile', totals: [], rows: [], source: 'none' };
  const sdds = months.filter((m) => m.sdds_gross !== null);
  const totals = [...new Set(sdds.map((m) => m.currency!))].sort().map((currency) => {
    const mine = sdds.filter((m) => m.currency === currency);
    const add = (field: string) => addDecimals(mine.map((m) => m[field]!));
    const gross = add('sdds_gross');
    const collected = add('collected');
    return {
      currency,
      billed_gross: gross,
      collected,
      uncollected: addDecimals([gross, negate(collected)]),
      billed_net: add('billed_net'),
      disbursed: add('disbursed'),
      undisbursed: add('undisbursed'),
      invoices_not_fully_disbursed: add('invoices_not_fully_disbursed'),
    };
  });
  const rows = byInvoice
    ? await db.query<Record<string, string | null>>(
        `${INVOICE_ROWS}
         select invoice_id, currency, to_char(invoice_date at time zone $3, 'YYYY-MM-DD') as invoice_date, gross::text as billed_gross, collected::text, billed_net::text, disbursed::text,
                (billed_net - disbursed)::text as undisbursed
           from open_invoices
          order by currency, abs(billed_net - disbursed) desc, invoice_id`,
        params,
      )
    : months;
  return { metric: 'reconcile', totals, rows, source: totals.length > 0 ? 'sdds' : 'none' };
}

function negate(decimal: string): string {
  return decimal.startsWith('-') ? decimal.slice(1) : `-${decimal}`;
}

/**
 * AWS pays collected funds out on the seller's disbursement schedule: monthly at the latest (on
 * the seller's chosen day), then a few days of bank processing. An invoice collected longer ago
 * than this and not paid out is overdue; before that, "not yet disbursed" is the normal lag.
 */
export const PAYOUT_WINDOW_DAYS = 35;

export interface OverduePayouts {
  totals: Array<{ currency: string; invoices: number; undisbursed: string }>;
  rows: Array<{ invoice_id: string; currency: string; collected_by: string; expected_by: string; undisbursed: string }>;
}

/**
 * Invoices whose buyer charges were settled (collected or forgiven) more than PAYOUT_WINDOW_DAYS
 * before `asOf` and of whose net the seller is still owed something. (A refund's negative net is
 * taken back from later payouts; it is not money owed to the seller.) Reads invoice_balance: refresh the
 * rollups first (answerFor does).
 */
export async function getOverduePayouts(db: Database, asOf: Date): Promise<OverduePayouts> {
  const rows = await db.query<OverduePayouts['rows'][number]>(
    `select invoice_id, currency, to_char(max(settled_at) at time zone 'UTC', 'YYYY-MM-DD') as collected_by,
            to_char((max(settled_at) + interval '${PAYOUT_WINDOW_DAYS} days') at time zone 'UTC', 'YYYY-MM-DD') as expected_by,
            sum(billed_net - disbursed)::text as undisbursed
       from invoice_balance
      group by invoice_id, currency
     having bool_and(settled_at is not null) and max(settled_at) < $1::timestamptz - interval '${PAYOUT_WINDOW_DAYS} days'
        and sum(billed_net - disbursed) >= 0.005
      order by currency, sum(billed_net - disbursed) desc, invoice_id`,
    [asOf.toISOString()],
  );
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  return {
    totals: currencies.map((currency) => {
      const mine = rows.filter((r) => r.currency === currency);
      return { currency, invoices: mine.length, undisbursed: addDecimals(mine.map((r) => r.undisbursed)) };
    }),
    rows,
  };
}
