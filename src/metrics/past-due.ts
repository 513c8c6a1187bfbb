/**
 * Past-due funds as of the end of the period (or now, if sooner): invoices whose payment due date
 * has passed while the buyer's charges on them are not collected, aged into the buckets AWS's
 * legacy reports used. AWS publishes no official definition (sdds-feeds.md §6.4); here an invoice
 * is paid by its COLLECTED events (2026 feeds) or, for older data, by its disbursement.
 */
import { currentWhere, revisionAt } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import { asOfInstant, type Period } from '../periods.ts';
import { addDecimals } from './decimal.ts';
import { OWED_SUMS } from '../rollups/invoice-balance.ts';

export const AGING_BUCKETS = ['1-30', '31-60', '61-90', '91-120', '121+'] as const;

export interface PastDueTotals {
  currency: string;
  total: string;
  buckets: Record<(typeof AGING_BUCKETS)[number], string>;
}

export interface PastDueRow {
  customer: string;
  company: string | null;
  aws_account_id: string | null;
  currency: string;
  owed: string;
  invoices: number;
  oldest_due_date: string;
  days_past_due: number;
}

export interface PastDueAnswer {
  metric: 'past-due';
  as_of: string;
  totals: PastDueTotals[];
  rows: PastDueRow[];
  source: 'sdds' | 'none';
}

/**
 * The invoices outstanding past their due date as of $1, then `tail` over them (the CTE
 * `past_due`). Only invoices the rollup says were not settled by $1 are looked at; their amounts
 * as they stood at $1 are today's less what their events added since, up to the last of those
 * events (usually a few weeks' worth).
 */
const owed = (tail: string) => `
  with candidates as materialized (
    select invoice_id, currency, customer, payment_due_date as due, seller_billed, collected, seller_disbursed, last_event,
           -- billed in full and nothing paid by $1: its state then is plain from the rollup
           coalesce(billed_until < $1 and (paid_from is null or paid_from >= $1), false) as quiet
      from (-- open now, or settled since $1: each read from an index that covers it
            select * from invoice_balance where settled_at is null and payment_due_date < $1 and invoice_date < $1
            union all
            select * from invoice_balance where settled_at >= $1 and payment_due_date < $1 and invoice_date < $1) o),
  -- no event of theirs is later than their last: as of a date long past, only the weeks after it
  -- are read, through the event-time indexes, not every event since
  window_end as (select max(last_event) as until from candidates where not quiet),
  since as materialized (
    select invoice_id, currency, end_user_account_id as customer, ${OWED_SUMS}
      from ${currentWhere(
        'sdds_billing_event',
        `invoice_id is not null and transaction_type like 'SELLER\\_%' and (
           (action in ('INVOICED', 'FORGIVEN') and invoice_date >= $1 and invoice_date <= (select until from window_end))
           or (action = 'COLLECTED' and coalesce(action_date, valid_from) >= $1 and coalesce(action_date, valid_from) <= (select until from window_end))
           or (action = 'DISBURSED' and valid_from >= $1 and valid_from <= (select until from window_end)))`,
      )} b
     where (select exists (select 1 from candidates where not quiet))
       and b.invoice_id in (select invoice_id from candidates where not quiet)
     group by invoice_id, currency, end_user_account_id),
  -- the quiet ones (most of them: never paid) as they are; only the others meet what came since
  at_end as (
    select c.invoice_id, c.currency, c.customer, c.due, c.seller_billed, 0 as collected, 0 as seller_disbursed
      from candidates c where c.quiet
    union all
    select c.invoice_id, c.currency, c.customer, c.due,
           c.seller_billed - coalesce(s.seller_billed, 0) as seller_billed,
           c.collected - coalesce(s.collected, 0) as collected,
           c.seller_disbursed - coalesce(s.seller_disbursed, 0) as seller_disbursed
      from candidates c
      left join since s on s.invoice_id = c.invoice_id and s.currency = c.currency and coalesce(s.customer, '') = coalesce(c.customer, '')
     where not c.quiet),
  past_due as (
    select a.*, a.seller_billed - greatest(a.collected, a.seller_disbursed) as outstanding,
           ($1::timestamptz at time zone 'UTC')::date - (a.due at time zone 'UTC')::date as age
      from at_end a
     where a.seller_billed - greatest(a.collected, a.seller_disbursed) > 0
       and ($1::timestamptz at time zone 'UTC')::date - (a.due at time zone 'UTC')::date >= 1)
  ${tail}`;

/** Reads invoice_balance: call through answerFor, which brings it up to date first. */
export async function getPastDue(db: Database, period: Period, now: Date): Promise<PastDueAnswer> {
  const asOf = asOfInstant(period, now);
  const any = await db.query<{ ok: boolean }>(`select exists (select 1 from invoice_balance where invoice_date < $1) as ok`, [asOf]);
  if (!any[0]!.ok) return { metric: 'past-due', as_of: asOf, totals: [], rows: [], source: 'none' };

  // one pass: per customer with their buckets, named after summing; totals are the rows added up
  const owing = await db.query<PastDueRow & { b1: string; b2: string; b3: string; b4: string; b5: string }>(
    owed(`, per_customer as (
       select customer, currency, sum(outstanding) as owed, count(*)::int as invoices, min(due) as oldest_due, max(age)::int as days_past_due,
              coalesce(sum(outstanding) filter (where age between 1 and 30), 0)::text as b1,
              coalesce(sum(outstanding) filter (where age between 31 and 60), 0)::text as b2,
              coalesce(sum(outstanding) filter (where age between 61 and 90), 0)::text as b3,
              coalesce(sum(outstanding) filter (where age between 91 and 120), 0)::text as b4,
              coalesce(sum(outstanding) filter (where age > 120), 0)::text as b5
         from past_due group by customer, currency)
     select o.customer, ad.company_name as company, a.aws_account_id, o.currency, o.owed::text as owed, o.invoices,
            to_char(o.oldest_due at time zone 'UTC', 'YYYY-MM-DD') as oldest_due_date, o.days_past_due, o.b1, o.b2, o.b3, o.b4, o.b5
       from per_customer o
       left join lateral ${revisionAt('sdds_account', 'o.customer', '$1::timestamptz')} a on true
       left join lateral ${revisionAt('sdds_address', 'coalesce(a.tax_address_id, a.mailing_address_id)', '$1::timestamptz')} ad on true
      order by o.currency, o.owed desc, o.customer`),
    [asOf],
  );
  const currencies = [...new Set(owing.map((r) => r.currency))].sort();
  const totals = currencies.map((currency): PastDueTotals => {
    const mine = owing.filter((r) => r.currency === currency);
    const add = (f: (r: (typeof mine)[number]) => string) => addDecimals(mine.map(f));
    return { currency, total: add((r) => r.owed), buckets: { '1-30': add((r) => r.b1), '31-60': add((r) => r.b2), '61-90': add((r) => r.b3), '91-120': add((r) => r.b4), '121+': add((r) => r.b5) } };
  });
  const rows = owing.map(({ b1: _1, b2: _2, b3: _3, b4: _4, b5: _5, ...row }): PastDueRow => row);
  return {
    metric: 'past-due',
    as_of: asOf,
    totals,
    rows,
    source: 'sdds',
  };
}
