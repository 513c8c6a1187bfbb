/**
 * Recurring revenue from the agreement feeds: MRR and ARR at the end of a period, the MRR bridge
 * over it (new, expansion, contraction, churned, reactivation), and revenue and logo retention.
 *
 * MRR at an instant T, per currency: every agreement ACTIVE at T (the revision in effect then,
 * started, not ended) with a fee term (upfront or payment schedule) counts its contract value
 * spread evenly over its term in months; an agreement with usage terms only counts the usage
 * revenue invoiced on it in the three months before T, divided by three (`usage_mrr`). An offer
 * with several products splits an agreement's MRR evenly between them. Never summed across
 * currencies.
 *
 * The bridge compares each customer's MRR at the period's start and end (each customer and
 * product with --by product): up from nothing is new, or reactivation when the customer had an
 * agreement before; down to nothing is churned; otherwise the change is expansion or contraction.
 * A renewal or a replacement at the same price moves nothing; at another price it is expansion or
 * contraction. start + new + reactivation + expansion - contraction - churned = end, always.
 */
import { currentWhere } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import { asOfInstant, type Period } from '../periods.ts';

export type RecurringDimension = 'product' | 'customer';
export const MRR_DIMENSIONS: RecurringDimension[] = ['product', 'customer'];
export type RetentionDimension = 'product' | 'cohort';
export const RETENTION_DIMENSIONS: RetentionDimension[] = ['product', 'cohort'];

export interface MrrAmounts {
  currency: string;
  /** Contract MRR at the end: fee-based agreements' value over their term. */
  mrr: string;
  /** Usage-only agreements: trailing three-month average of their invoiced usage revenue. */
  usage_mrr: string;
  total_mrr: string;
  arr: string;
  start_mrr: string;
  new: string;
  expansion: string;
  contraction: string;
  churned: string;
  reactivation: string;
  net_new: string;
}

export interface MrrRow extends MrrAmounts {
  key: string;
  name: string;
  detail: string | null;
}

export interface MrrResult {
  metric: 'mrr';
  totals: MrrAmounts[];
  rows: MrrRow[];
  source: 'sdds' | 'none';
}

/** Each agreement's pricing kind, and each offer's products: read once for both ends of a bridge. */
const SHARED = `
    terms as (
      -- straight from the revisions (terms are rarely revised), leaving out any term deleted since
      select t.agreement_id, bool_or(t.term_type ilike '%usage%') as usage,
             bool_or(t.term_type ilike '%upfront%' or t.term_type ilike '%payment%schedule%') as fee
        from sdds_agreement_term t
       where not exists (select 1 from sdds_agreement_term d where d.delete_date is not null and d.agreement_id = t.agreement_id and d.term_id = t.term_id)
       group by t.agreement_id),
    products as (select offer_id, product_id, count(*) over (partition by offer_id) as n from (select distinct offer_id, product_id from sdds_offer_product_current) p),
    usage_events as (
      -- usage revenue of usage-only agreements in the three months before each end ($1, $2), in
      -- one pass over both windows
      select agreement_id, currency,
             sum(amount) filter (where invoice_date >= $1::timestamptz - interval '3 months' and invoice_date < $1) as s_amount,
             sum(amount) filter (where invoice_date >= $2::timestamptz - interval '3 months' and invoice_date < $2) as e_amount
        from ${currentWhere(
          'sdds_billing_event',
          `action = 'INVOICED' and transaction_type in ('SELLER_REV_SHARE', 'SELLER_REV_SHARE_REFUND', 'SELLER_REV_SHARE_CREDIT')
           and ((invoice_date >= $1::timestamptz - interval '3 months' and invoice_date < $1) or (invoice_date >= $2::timestamptz - interval '3 months' and invoice_date < $2))`,
          ['agreement_id', 'amount', 'currency', 'action', 'transaction_type', 'invoice_date'],
        )} b
       where agreement_id in (select agreement_id from terms where usage and not fee)
       group by agreement_id, currency)`;

/**
 * MRR units at instant `at` (a SQL expression): one row per customer, product and currency with
 * its contract and usage MRR. Agreements are read as they were at `at`; `terms` and `products`
 * come from the enclosing query (SHARED).
 */
function mrrUnits(at: string, side: 's' | 'e'): string {
  return `(
    with as_of as (
      select distinct on (agreement_id) * from (
        select distinct on (agreement_id, valid_from) agreement_id, valid_from, delete_date, status, acceptor_account_id, offer_id,
               currency_code, estimated_agreement_value, start_time, end_time, acceptance_time
          from sdds_agreement where valid_from <= ${at}
         order by agreement_id, valid_from, update_date desc nulls last, _file_id desc) r
       where delete_date is null order by agreement_id, valid_from desc),
    active as (
      select g.*, coalesce(tm.fee, false) as fee, coalesce(tm.usage, false) as usage
        from as_of g left join terms tm on tm.agreement_id = g.agreement_id
       where g.status = 'ACTIVE' and coalesce(g.start_time, g.acceptance_time) <= ${at} and (g.end_time is null or g.end_time > ${at})),
    contract as (
      select acceptor_account_id as customer, offer_id, currency_code as currency,
             estimated_agreement_value / greatest(1, round(extract(epoch from end_time - coalesce(start_time, acceptance_time)) / 86400 / (365.25 / 12))) as mrr,
             0::numeric as usage_mrr
        from active where fee and estimated_agreement_value is not null and end_time is not null and currency_code is not null),
    usage as (
      select a.acceptor_account_id as customer, a.offer_id, b.currency, 0::numeric as mrr, sum(b.${side}_amount) / 3 as usage_mrr
        from active a join usage_events b on b.agreement_id = a.agreement_id
       where not a.fee and a.usage and b.${side}_amount is not null
       group by a.acceptor_account_id, a.offer_id, b.currency),
    per_offer as (select * from contract union all select * from usage)
    select o.customer, coalesce(p.product_id, '') as product, o.currency,
           sum(o.mrr / coalesce(p.n, 1)) as mrr, sum(o.usage_mrr / coalesce(p.n, 1)) as usage_mrr
      from per_offer o left join products p on p.offer_id = o.offer_id
     group by o.customer, coalesce(p.product_id, ''), o.currency)`;
}

const BRIDGE_SUMS = `
  round(sum(e_mrr), 2)::text as mrr, round(sum(e_usage), 2)::text as usage_mrr, round(sum(e_mrr + e_usage), 2)::text as total_mrr,
  round(12 * sum(e_mrr + e_usage), 2)::text as arr, round(sum(s_total), 2)::text as start_mrr,
  round(coalesce(sum(e_total) filter (where kind = 'new'), 0), 2)::text as new,
  round(coalesce(sum(e_total - s_total) filter (where kind = 'expansion'), 0), 2)::text as expansion,
  round(coalesce(sum(s_total - e_total) filter (where kind = 'contraction'), 0), 2)::text as contraction,
  round(coalesce(sum(s_total) filter (where kind = 'churned'), 0), 2)::text as churned,
  round(coalesce(sum(e_total) filter (where kind = 'reactivation'), 0), 2)::text as reactivation,
  round(sum(e_total - s_total), 2)::text as net_new`;

/**
 * Units compared between the start ($1) and the end ($2), with each movement's kind: `k` per
 * customer and currency (the bridge's totals, --by customer), `kp` per customer, product and
 * currency (--by product). Both come from one computation of each end's MRR.
 */
function bridgeSql(): string {
  const units = (at: string, side: 's' | 'e') => `(select customer, product, currency, sum(mrr) as mrr, sum(usage_mrr) as usage from ${mrrUnits(at, side)} m group by customer, product, currency)`;
  const compare = (left: string, right: string, keys: string[]) => `
      select ${keys.map((k) => `coalesce(${left}.${k}, ${right}.${k}) as ${k}`).join(', ')},
             coalesce(${left}.mrr, 0) + coalesce(${left}.usage, 0) as s_total, coalesce(${right}.mrr, 0) as e_mrr, coalesce(${right}.usage, 0) as e_usage,
             coalesce(${right}.mrr, 0) + coalesce(${right}.usage, 0) as e_total
        from ${left} full join ${right} on ${keys.map((k) => `${left}.${k} = ${right}.${k}`).join(' and ')}`;
  const kind = (prior: string) => `case
               when s_total = 0 and e_total > 0 then case when ${prior}.customer is not null then 'reactivation' else 'new' end
               when s_total > 0 and e_total = 0 then 'churned'
               when e_total > s_total then 'expansion'
               when e_total < s_total then 'contraction'
               else 'flat' end as kind`;
  return `
    with ${SHARED}, sp as ${units('$1::timestamptz', 's')}, ep as ${units('$2::timestamptz', 'e')},
    -- who had an agreement (for a product) before the period: their return is reactivation
    -- (any revision of an agreement that started before and was never rolled back or superseded)
    prior_p as (
      select distinct h.acceptor_account_id as customer, coalesce(op.product_id, '') as product
        from sdds_agreement h left join products op on op.offer_id = h.offer_id
       where coalesce(h.start_time, h.acceptance_time) < $1 and h.delete_date is null
         and h.agreement_id not in (select agreement_id from sdds_agreement where status in ('ROLLED_BACK', 'SUPERSEDED'))),
    prior as (select distinct customer from prior_p),
    s as (select customer, currency, sum(mrr) as mrr, sum(usage) as usage from sp group by customer, currency),
    e as (select customer, currency, sum(mrr) as mrr, sum(usage) as usage from ep group by customer, currency),
    u as (${compare('s', 'e', ['customer', 'currency'])}),
    k as (select u.*, ${kind('p')} from u left join prior p on p.customer = u.customer),
    up as (${compare('sp', 'ep', ['customer', 'product', 'currency'])}),
    kp as (select up.*, ${kind('p')} from up left join prior_p p on p.customer = up.customer and p.product = up.product)`;
}

async function hasAgreements(db: Database, at: string): Promise<boolean> {
  const r = await db.query<{ ok: boolean }>(`select exists (select 1 from sdds_agreement where valid_from <= $1) as ok`, [at]);
  return Boolean(r[0]?.ok);
}

/** MRR and ARR at the end of the period, and the MRR bridge over it. */
export async function getMrr(db: Database, period: Period, now: Date, by?: RecurringDimension): Promise<MrrResult> {
  const end = asOfInstant(period, now);
  if (!(await hasAgreements(db, end))) return { metric: 'mrr', totals: [], rows: [], source: 'none' };
  type Grouped = MrrAmounts & { key: string | null };
  // totals and rows in one pass: customers by grouping sets; products are classified per product
  // (kp), their totals still from the customer-level bridge like every other answer's
  const grouped = await db.query<Grouped>(
    by === 'product'
      ? `${bridgeSql()} select currency, null::text as key, ${BRIDGE_SUMS} from k group by currency
         union all select currency, product, ${BRIDGE_SUMS} from kp group by currency, product`
      : `${bridgeSql()} select currency, ${by === 'customer' ? 'customer' : 'null::text'} as key, ${BRIDGE_SUMS} from k
          group by ${by === 'customer' ? 'grouping sets ((currency), (currency, customer))' : 'currency'}`,
    [period.start, end],
  );
  const totals = grouped.filter((g) => g.key === null).map(({ key: _key, ...t }) => t);
  totals.sort((a, b) => Number(b.total_mrr) - Number(a.total_mrr) || a.currency.localeCompare(b.currency));
  const groups = grouped.filter((g) => g.key !== null) as Array<MrrAmounts & { key: string }>;
  if (!by) return { metric: 'mrr', totals, rows: [], source: 'sdds' };
  const names = by === 'customer' ? await customerNames(db, groups.map((g) => g.key)) : await productNames(db, groups.map((g) => g.key));
  const rows: MrrRow[] = groups.map((g) => {
    const { key, currency, ...amounts } = g;
    const n = names.get(key);
    return { currency, key, name: n?.name ?? (key === '' ? '(no product)' : key), detail: n?.detail ?? null, ...amounts };
  });
  rows.sort((a, b) => a.currency.localeCompare(b.currency) || Number(b.total_mrr) - Number(a.total_mrr) || Number(b.start_mrr) - Number(a.start_mrr) || a.name.localeCompare(b.name));
  return { metric: 'mrr', totals, rows, source: 'sdds' };
}

/** Company names (tax address, else mailing) and AWS account numbers of these accounts, as they are now. */
async function customerNames(db: Database, keys: string[]): Promise<Map<string, { name: string; detail: string | null }>> {
  const found = await db.query<{ key: string; name: string | null; detail: string | null }>(
    `select a.account_id as key, coalesce(ad.company_name, a.aws_account_id) as name, a.aws_account_id as detail
       from (select * from sdds_account_current where account_id = any($1::text[])) a
       left join sdds_address_current ad on ad.address_id = coalesce(a.tax_address_id, a.mailing_address_id)`,
    [[...new Set(keys)]],
  );
  return new Map(found.map((f) => [f.key, { name: f.name ?? f.key, detail: f.detail }]));
}

async function productNames(db: Database, keys: string[]): Promise<Map<string, { name: string; detail: string | null }>> {
  const found = await db.query<{ key: string; name: string | null }>(`select product_id as key, title as name from sdds_product_current where product_id = any($1::text[])`, [[...new Set(keys)]]);
  return new Map(found.map((f) => [f.key, { name: f.name ?? f.key, detail: null }]));
}

export interface RetentionAmounts {
  currency: string;
  /** MRR at the start of the period of the customers who had some. */
  start_mrr: string;
  /** Their MRR at the end, each capped at where it started (GRR) and not (NRR). */
  retained_mrr: string;
  end_mrr: string;
  gross_revenue_retention: string | null;
  net_revenue_retention: string | null;
  customers_at_start: number;
  customers_churned: number;
  logo_churn_rate: string | null;
}

export interface RetentionRow extends RetentionAmounts {
  key: string;
  name: string;
  detail: string | null;
}

export interface CohortRow {
  cohort: string;
  customers: number;
  [month: `month_${number}`]: string | null;
}

export interface RetentionResult {
  metric: 'retention';
  totals: RetentionAmounts[];
  rows: Array<RetentionRow | CohortRow>;
  source: 'sdds' | 'none';
}

export const COHORT_MONTHS = 12;

const RETENTION_SUMS = `
  round(sum(s_total), 2)::text as start_mrr, round(sum(least(e_total, s_total)), 2)::text as retained_mrr, round(sum(e_total), 2)::text as end_mrr,
  case when sum(s_total) > 0 then round(sum(least(e_total, s_total)) / sum(s_total), 4)::text end as gross_revenue_retention,
  case when sum(s_total) > 0 then round(sum(e_total) / sum(s_total), 4)::text end as net_revenue_retention,
  count(*)::int as customers_at_start, (count(*) filter (where e_total = 0))::int as customers_churned,
  case when count(*) > 0 then round((count(*) filter (where e_total = 0))::numeric / count(*), 4)::text end as logo_churn_rate`;

/**
 * Revenue retention over the period among the customers with MRR at its start (new customers do
 * not count): gross (each customer's end MRR capped at its start) and net, as a fraction; logo
 * churn: the share of those customers with no MRR at the end. `--by cohort`: customers by the
 * month of their first agreement, and the share with an active agreement at the end of each month
 * after.
 */
export async function getRetention(db: Database, period: Period, now: Date, timeZone: string, by?: RetentionDimension): Promise<RetentionResult> {
  const end = asOfInstant(period, now);
  if (!(await hasAgreements(db, end))) return { metric: 'retention', totals: [], rows: [], source: 'none' };
  const totals = await db.query<RetentionAmounts>(
    `${bridgeSql()} select currency, ${RETENTION_SUMS} from k where s_total > 0 group by currency order by sum(s_total) desc, currency`,
    [period.start, end],
  );
  let rows: RetentionResult['rows'] = [];
  if (by === 'product') {
    const groups = await db.query<RetentionAmounts & { key: string }>(
      `${bridgeSql()} select currency, product as key, ${RETENTION_SUMS} from kp where s_total > 0 group by currency, product order by currency, sum(s_total) desc`,
      [period.start, end],
    );
    const names = await productNames(db, groups.map((g) => g.key));
    rows = groups.map((g) => ({ ...g, name: names.get(g.key)?.name ?? (g.key === '' ? '(no product)' : g.key), detail: null }));
  } else if (by === 'cohort') {
    rows = await cohorts(db, period, end, timeZone);
  }
  return { metric: 'retention', totals, rows, source: 'sdds' };
}

/** Customers by the month (in `timeZone`) they first started an agreement in the period, and the share active at each month end after. */
async function cohorts(db: Database, period: Period, end: string, timeZone: string): Promise<CohortRow[]> {
  const months = Array.from({ length: COHORT_MONTHS }, (_, i) => i + 1);
  const found = await db.query<{ cohort: string; customers: number } & Record<string, string | null>>(
    `with spans as (
       select acceptor_account_id as customer, coalesce(start_time, acceptance_time) as began,
              case when status in ('CANCELLED', 'TERMINATED', 'EXPIRED') then least(coalesce(end_time, valid_from), valid_from) else end_time end as ended
         from sdds_agreement_current
        where coalesce(status, '') not in ('ROLLED_BACK', 'SUPERSEDED') and coalesce(start_time, acceptance_time) is not null),
     firsts as (select customer, date_trunc('month', min(began) at time zone $3) as cohort from spans group by customer),
     members as (select * from firsts where cohort >= date_trunc('month', $1::timestamptz at time zone $3) and cohort < $2::timestamptz at time zone $3),
     -- each member at the end of each month after its first: a join on the customer, not a
     -- lookup per member and month
     ends as (select m.customer, m.cohort, i, (m.cohort + (i + 1) * interval '1 month') at time zone $3 as at from members m cross join generate_series(1, ${COHORT_MONTHS}) i),
     active as (select distinct e.customer, e.cohort, e.i from ends e join spans sp on sp.customer = e.customer where sp.began < e.at and (sp.ended is null or sp.ended >= e.at)),
     counts as (select cohort, i, count(*) as n from active group by cohort, i),
     sizes as (select cohort, count(*)::int as customers from members group by cohort)
     select to_char(z.cohort, 'YYYY-MM') as cohort, z.customers,
            ${months
              .map(
                (i) => `case when ((z.cohort + interval '${i + 1} months') at time zone $3) <= $2::timestamptz
                   then round(coalesce((select n from counts c where c.cohort = z.cohort and c.i = ${i}), 0)::numeric / z.customers, 4)::text end as month_${i}`,
              )
              .join(',\n')}
       from sizes z order by z.cohort`,
    [period.start, end, timeZone],
  );
  return found.map((r) => ({ cohort: r.cohort, customers: r.customers, ...Object.fromEntries(months.map((i) => [`month_${i}`, r[`month_${i}`] ?? null])) }));
}
