/**
 * Past-due funds as of the end of the period (or now, if sooner): invoices whose payment due date
 * has passed while the buyer's charges on them are not collected, aged into the buckets AWS's
 * legacy reports used. AWS publishes no official definition (sdds-feeds.md §6.4); here an invoice
 * is paid by its COLLECTED events (2026 feeds) or, for older data, by its disbursement.
 */
import { currentWhere } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import type { Period } from '../periods.ts';

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

/** The invoices outstanding past their due date as of $1, then `tail` over them (the CTE `owed`). */
const owed = (tail: string) => `
  with lines as materialized (
    select * from ${currentWhere('sdds_billing_event', `invoice_id is not null and transaction_type like 'SELLER\\_%' and invoice_date < $1`, ['invoice_id', 'transaction_type', 'invoice_date', 'currency', 'end_user_account_id', 'payment_due_date', 'amount', 'action', 'action_date', 'charge_variant', 'charge_side'])} b
     where not coalesce(charge_variant = 'RESALE' and charge_side = 'BUYING', false)),
  invoices as materialized (
    select invoice_id, currency, end_user_account_id as customer,
           max(payment_due_date) filter (where action = 'INVOICED') as due,
           coalesce(sum(amount) filter (where action in ('INVOICED', 'FORGIVEN') and invoice_date < $1), 0) as billed,
           coalesce(sum(amount) filter (where action = 'COLLECTED' and coalesce(action_date, valid_from) < $1), 0) as collected,
           coalesce(-sum(amount) filter (where action = 'DISBURSED' and valid_from < $1), 0) as disbursed
      from lines group by invoice_id, currency, end_user_account_id),
  owed as (
    select i.*, i.billed - greatest(i.collected, i.disbursed) as outstanding,
           ($1::timestamptz at time zone 'UTC')::date - (i.due at time zone 'UTC')::date as age
      from invoices i where i.due is not null and i.due < $1),
  past_due as (select * from owed where outstanding > 0 and age >= 1)
  ${tail}`;

export async function getPastDue(db: Database, period: Period, now: Date): Promise<PastDueAnswer> {
  const asOf = new Date(Math.min(Date.parse(period.end), now.getTime())).toISOString();
  const any = await db.query<{ n: number }>(`select count(*)::int as n from sdds_billing_event where invoice_date < $1`, [asOf]);
  if (any[0]!.n === 0) return { metric: 'past-due', as_of: asOf, totals: [], rows: [], source: 'none' };

  const totals = await db.query<{ currency: string; total: string; b1: string; b2: string; b3: string; b4: string; b5: string }>(
    owed(`select currency, sum(outstanding)::text as total,
       coalesce(sum(outstanding) filter (where age between 1 and 30), 0)::text as b1,
       coalesce(sum(outstanding) filter (where age between 31 and 60), 0)::text as b2,
       coalesce(sum(outstanding) filter (where age between 61 and 90), 0)::text as b3,
       coalesce(sum(outstanding) filter (where age between 91 and 120), 0)::text as b4,
       coalesce(sum(outstanding) filter (where age > 120), 0)::text as b5
       from past_due group by currency order by currency`),
    [asOf],
  );
  const rows = await db.query<PastDueRow>(
    owed(`select o.customer, ad.company_name as company, a.aws_account_id, o.currency, sum(o.outstanding)::text as owed,
            count(*)::int as invoices, to_char(min(o.due) at time zone 'UTC', 'YYYY-MM-DD') as oldest_due_date, max(o.age)::int as days_past_due
       from past_due o
       left join sdds_account_current a on a.account_id = o.customer
       left join sdds_address_current ad on ad.address_id = coalesce(a.tax_address_id, a.mailing_address_id)
      group by o.customer, ad.company_name, a.aws_account_id, o.currency
      order by o.currency, sum(o.outstanding) desc, o.customer`),
    [asOf],
  );
  return {
    metric: 'past-due',
    as_of: asOf,
    totals: totals.map((t) => ({ currency: t.currency, total: t.total, buckets: { '1-30': t.b1, '31-60': t.b2, '61-90': t.b3, '91-120': t.b4, '121+': t.b5 } })),
    rows,
    source: 'sdds',
  };
}
