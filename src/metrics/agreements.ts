/**
 * New subscribers and cancellations, from SDDS agreements (current state, names as the product,
 * offer, account and address feeds give them); the legacy CAS daily business reports answer
 * periods SDDS does not cover.
 */
import { revisionAt, revisions } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import { asOfInstant, type Period } from '../periods.ts';

export interface AgreementRow {
  agreement_id: string | null;
  company: string | null;
  aws_account_id: string | null;
  product: string | null;
  offer: string | null;
  /** ACTIVE / CANCELLED / TERMINATED / EXPIRED for SDDS; null for CAS. */
  status: string | null;
  /** Accepted (subscribers) or ended (cancellations) at, ISO. */
  at: string | null;
  contract_value: string | null;
  currency: string | null;
}

export interface AgreementAnswer {
  metric: 'subscribers' | 'cancellations';
  totals: { count: number };
  rows: AgreementRow[];
  source: 'sdds' | 'cas' | 'none';
}

/**
 * Names for an agreement as they were at `at` (its acceptance for a new subscriber, its end for a
 * cancellation), as AWS's reports show them: the buyer's company and account, the offer's
 * products, the offer, and the agreement itself (`ga`: its revision then, for value and dates).
 * A customer renamed since is listed under the name it had.
 */
function names(at: string): string {
  return `
  left join lateral ${revisionAt('sdds_agreement', 'g.agreement_id', at)} ga on true
  left join lateral ${revisionAt('sdds_account', 'g.acceptor_account_id', at)} a on true
  left join lateral ${revisionAt('sdds_address', 'coalesce(a.tax_address_id, a.mailing_address_id)', at)} ad on true
  left join lateral ${revisionAt('sdds_offer', 'g.offer_id', at)} o on true
  left join lateral (
    select string_agg(coalesce(p.title, op.product_id), ', ' order by coalesce(p.title, op.product_id)) as product
      from (select distinct product_id from sdds_offer_product_current where offer_id = g.offer_id) op
      left join lateral ${revisionAt('sdds_product', 'op.product_id', at)} p on true) prod on true`;
}

const COLUMNS = `g.agreement_id, ad.company_name as company, a.aws_account_id, prod.product, coalesce(o.name, g.offer_id) as offer,
  coalesce(ga.status, g.status) as status, coalesce(ga.estimated_agreement_value, g.estimated_agreement_value)::text as contract_value,
  coalesce(ga.currency_code, g.currency_code) as currency`;

async function sddsHasAgreements(db: Database, period: Period): Promise<boolean> {
  const r = await db.query<{ covered: boolean }>(
    `select exists (select 1 from sdds_agreement where valid_from < $2)
        and exists (select 1 from ingest_file where dataset = 'sdds_agreement' and status in ('loaded', 'no-data') and period_end > $1::date) as covered`,
    [period.start, period.end],
  );
  return Boolean(r[0]?.covered);
}

/** New subscribers: agreements accepted in the period with intent NEW (renewals are not new). */
export async function getSubscribers(db: Database, period: Period): Promise<AgreementAnswer> {
  if (await sddsHasAgreements(db, period)) {
    const rows = await db.query<AgreementRow>(
      `select ${COLUMNS}, to_char(coalesce(g.acceptance_time, g.start_time) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at
         from sdds_agreement_current g ${names('coalesce(g.acceptance_time, g.start_time)')}
        where coalesce(g.acceptance_time, g.start_time) >= $1 and coalesce(g.acceptance_time, g.start_time) < $2
          and coalesce(g.intent, 'NEW') = 'NEW' and coalesce(g.status, '') not in ('ROLLED_BACK', 'SUPERSEDED')
        order by at, company nulls last, g.agreement_id`,
      [period.start, period.end],
    );
    return { metric: 'subscribers', totals: { count: rows.length }, rows: rows.map(order), source: 'sdds' };
  }
  return casAnswer(db, 'subscribers', 'cas_daily_business_new_product_subscribers', period);
}

const ENDED = `('CANCELLED', 'TERMINATED', 'EXPIRED')`;

/**
 * Cancellations: agreements that became CANCELLED or TERMINATED in the period, or EXPIRED without
 * a renewal; RENEWED and REPLACED are not churn (a new agreement follows).
 */
export async function getCancellations(db: Database, period: Period): Promise<AgreementAnswer> {
  if (await sddsHasAgreements(db, period)) {
    const rows = await db.query<AgreementRow>(
      `with timeline as (select agreement_id, valid_from, status from ${revisions('sdds_agreement', { columns: ['status'] })} t),
       -- the end that stands: the first revision of the last run of ended ones (a corrected or
       -- retracted cancellation is not one, and an agreement reinstated and ended again ends later)
       ended as (
         select t.agreement_id, min(t.valid_from) as ended_at from timeline t
          where t.status in ${ENDED}
            and t.valid_from > coalesce((select max(o.valid_from) from timeline o where o.agreement_id = t.agreement_id and coalesce(o.status, '') not in ${ENDED}), '-infinity'::timestamptz)
          group by t.agreement_id)
       select ${COLUMNS}, to_char(e.ended_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at
         from ended e join sdds_agreement_current g on g.agreement_id = e.agreement_id ${names('e.ended_at')}
        where e.ended_at >= $1 and e.ended_at < $2 and g.status in ${ENDED}
          and not exists (select 1 from sdds_agreement_current n where n.preceding_agreement_id = g.agreement_id)
        order by at, company nulls last, g.agreement_id`,
      [period.start, period.end],
    );
    return { metric: 'cancellations', totals: { count: rows.length }, rows: rows.map(order), source: 'sdds' };
  }
  return casAnswer(db, 'cancellations', 'cas_daily_business_canceled_product_subscribers', period);
}

/** CAS daily rows for the days in the period; customers named through the account feed when it knows them. */
async function casAnswer(db: Database, metric: AgreementAnswer['metric'], table: string, period: Period): Promise<AgreementAnswer> {
  const rows = await db.query<AgreementRow>(
    `select null as agreement_id, coalesce(ad.company_name, c.customer_email_domain) as company,
            coalesce(a.aws_account_id, ${metric === 'cancellations' ? 'c.customer_aws_account_number' : 'null'}) as aws_account_id,
            c.product_title as product, c.offer_id as offer, null as status, c._period_start::text || 'T00:00:00Z' as at,
            null as contract_value, null as currency
       from "${table}" c
       left join sdds_account_current a on a.encrypted_account_id = c.customer_reference_id
       left join sdds_address_current ad on ad.address_id = coalesce(a.tax_address_id, a.mailing_address_id)
      where c._period_start >= $1::date and c._period_start < $2::date
      order by at, company nulls last`,
    [period.startDate, period.endDate],
  );
  const known = await db.query<{ n: number }>(`select count(*)::int as n from ingest_file where dataset = $1 and status in ('loaded', 'no-data') and period_start < $3::date and period_end > $2::date`, [table, period.startDate, period.endDate]);
  return { metric, totals: { count: rows.length }, rows: rows.map(order), source: known[0]!.n > 0 ? 'cas' : 'none' };
}

/** The documented column order. */
function order(r: AgreementRow): AgreementRow {
  return { agreement_id: r.agreement_id, company: r.company, aws_account_id: r.aws_account_id, product: r.product, offer: r.offer, status: r.status, at: r.at, contract_value: r.contract_value, currency: r.currency };
}

export interface ActiveAnswer {
  metric: 'active';
  totals: { count: number; fee_based: number; usage_based: number; expiring: number; expiring_within_days: number };
  rows: Array<AgreementRow & { pricing: string; end_time: string | null; days_to_end: number | null }>;
  source: 'sdds' | 'none';
}

/**
 * Agreements active at the end of the period (the revision in effect then), fee-based or
 * usage-based by their pricing terms, and those ending within `withinDays` (the renewal watch).
 */
export async function getActive(db: Database, period: Period, now: Date, withinDays: number): Promise<ActiveAnswer> {
  const at = asOfInstant(period, now);
  if (!(await sddsHasAgreements(db, period))) {
    return { metric: 'active', totals: { count: 0, fee_based: 0, usage_based: 0, expiring: 0, expiring_within_days: withinDays }, rows: [], source: 'none' };
  }
  const rows = await db.query<ActiveAnswer['rows'][number]>(
    `with as_of as (
       select distinct on (agreement_id) * from (
         select distinct on (agreement_id, valid_from) * from sdds_agreement where valid_from <= $1
          order by agreement_id, valid_from, update_date desc nulls last) r
        where delete_date is null order by agreement_id, valid_from desc),
     terms as (select agreement_id, bool_or(term_type ilike '%usage%') as usage, bool_or(term_type ilike '%upfront%' or term_type ilike '%payment%schedule%') as fee
                 from sdds_agreement_term_current group by agreement_id)
     select ${COLUMNS}, to_char(coalesce(g.acceptance_time, g.start_time) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at,
            case when tm.fee then 'fee-based' when tm.usage then 'usage-based' else 'unknown' end as pricing,
            to_char(g.end_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as end_time,
            case when g.end_time is null then null else ceil(extract(epoch from g.end_time - $1::timestamptz) / 86400)::int end as days_to_end
       from as_of g left join terms tm on tm.agreement_id = g.agreement_id ${names('$1::timestamptz')}
      where g.status = 'ACTIVE' and coalesce(g.start_time, g.acceptance_time) <= $1 and (g.end_time is null or g.end_time > $1)
      order by g.end_time nulls last, company nulls last, g.agreement_id`,
    [at],
  );
  const expiring = rows.filter((r) => r.days_to_end !== null && r.days_to_end <= withinDays).length;
  return {
    metric: 'active',
    totals: {
      count: rows.length,
      fee_based: rows.filter((r) => r.pricing === 'fee-based').length,
      usage_based: rows.filter((r) => r.pricing === 'usage-based').length,
      expiring,
      expiring_within_days: withinDays,
    },
    rows,
    source: 'sdds',
  };
}
