/**
 * Free trials from the agreement feeds: started, converted to paid, expired without converting,
 * running at the end of the period, and the conversion rate; the legacy CAS daily business
 * report's free-trial section answers periods SDDS does not cover.
 *
 * A trial is an agreement with a free-trial pricing term (`FreeTrialPricingTerm`), as its current
 * revision has it (rolled-back and superseded agreements are not trials). It starts at its start
 * time; its free period ends at start + the term's duration when the terms carry one (ISO 8601,
 * e.g. "P30D"), else at the agreement's end time (a SaaS contract trial's agreement ends with the
 * trial), else after ASSUMED_TRIAL_DAYS. It converts, at the earliest of:
 *   - a paid agreement (one without a free-trial term) naming it as preceding agreement (the
 *     Agreement API's REPLACE of a trial by a paid offer), or accepted by the same buyer for a
 *     product of the trial's offer, accepted between the trial's start and CONVERSION_GRACE_DAYS
 *     after its free period ends: `new-agreement` or `replacement`;
 *   - its free period's end, for a trial agreement that also has usage-based pricing and was not
 *     cancelled before then (AWS: such an agreement "converts to paid usage at this time"): `in-place`;
 *   - the revision marking it REPLACED or RENEWED in that window when the successor is not in
 *     the feed: `replacement`.
 * Otherwise it expires at the end of its free period, or earlier when cancelled or terminated.
 * Outcomes are final as the data stands at `now`; a trial undecided then is running.
 */
import { revisionAt } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import { asOfInstant, type Period } from '../periods.ts';

/** A buyer who buys within this many days after the free period ended still counts as converted. */
export const CONVERSION_GRACE_DAYS = 7;
/** The free period when neither the terms nor the agreement say how long it is: an assumption (AWS allows 7-90 days). */
export const ASSUMED_TRIAL_DAYS = 30;

export type TrialDimension = 'product';
export const TRIAL_DIMENSIONS: TrialDimension[] = ['product'];

export interface TrialTotals {
  started: number;
  converted: number;
  expired: number;
  /** Trials whose free period was still running at the period's end (or now, if sooner). */
  active_at_end: number;
  /** converted / (converted + expired), 4 decimal places; null when no trial ended in the period. */
  conversion_rate: string | null;
}

export type TrialOutcome = 'converted' | 'expired' | 'active';

export interface TrialRow {
  agreement_id: string;
  company: string | null;
  aws_account_id: string | null;
  product: string | null;
  offer: string | null;
  started: string;
  /** End of the free period (ISO). */
  ends: string;
  /** As the data stands now: converted, expired, or still running. */
  outcome: TrialOutcome;
  /** When it converted or expired. */
  outcome_at: string | null;
  conversion: 'new-agreement' | 'replacement' | 'in-place' | null;
  paid_agreement_id: string | null;
}

export interface TrialProductRow extends TrialTotals {
  key: string;
  name: string;
}

export interface TrialsAnswer {
  metric: 'trials';
  totals: TrialTotals;
  rows: TrialRow[] | TrialProductRow[];
  source: 'sdds' | 'cas' | 'none';
}

export interface TrialsParams {
  period: Period;
  now: Date;
  by?: TrialDimension;
}

const ISO = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
/** Not a rolled-back or superseded agreement. */
const live = (alias: string) => `coalesce(${alias}.status, '') not in ('ROLLED_BACK', 'SUPERSEDED')`;
const GRACE = `interval '${CONVERSION_GRACE_DAYS} days'`;
/** Term types as the feed writes them (the Agreement API's type names, and its union members' spelling). */
const FREE_TRIAL_TERMS = `('FreeTrialPricingTerm', 'freeTrialPricingTerm')`;
const USAGE_TERMS = `('UsageBasedPricingTerm', 'usageBasedPricingTerm')`;

/**
 * The current state (sdds-feeds.md §3) of the term rows matching `filter`, resolving only those:
 * exact as the filter reads columns that are the same in every revision of a term (its
 * agreement, its type). A revision counts unless deleted or corrected by a later update of the
 * same valid_from (the revision key is unique: no ties), an anti-join on that key's index rather
 * than history.ts's sorts, so the planner keeps its row estimates.
 */
function currentTerms(filter: string, columns: string[]): string {
  return `(select distinct on (f.agreement_id, f.term_id) f.agreement_id, f.term_id, f.valid_from, ${columns.map((c) => `f.${c}`).join(', ')}
      from sdds_agreement_term f
     where (${filter}) and f.delete_date is null
       and not exists (select 1 from sdds_agreement_term n where n.agreement_id = f.agreement_id and n.term_id = f.term_id and n.valid_from = f.valid_from
                          and (n.update_date > f.update_date or (f.update_date is null and n.update_date is not null)))
     order by f.agreement_id, f.term_id, f.valid_from desc)`;
}

/** An ISO 8601 duration ("P30D") the trial's terms may carry, from `term_configuration`, as an interval or null. */
const TERM_DURATION = `case when jsonb_typeof(term_configuration) = 'object' and coalesce(term_configuration->>'duration', term_configuration->>'selectorValue') ~ '^P[0-9]{1,4}[DWM]$'
                            then coalesce(term_configuration->>'duration', term_configuration->>'selectorValue')::interval end`;

/** The end of the trial's free period, for agreement revision `g`, start `s.started` and duration `tt.duration`. */
const ENDS = `coalesce(s.started + tt.duration, case when g.end_time > s.started and g.end_time < '9000-01-01' then g.end_time end,
                  s.started + interval '${ASSUMED_TRIAL_DAYS} days')`;

/** Whether agreement `id` (SQL) has a current term of one of `types`, through the term key index. */
const hasTerm = (id: string, types: string) => `exists (
    select 1 from (select distinct on (term_id, valid_from) delete_date from sdds_agreement_term x
                    where x.agreement_id = ${id} and x.term_type in ${types}
                    order by term_id, valid_from, update_date desc nulls last, _file_id desc) r
     where r.delete_date is null)`;

const AGREEMENT_COLUMNS = ['status', 'acceptor_account_id', 'offer_id', 'preceding_agreement_id', 'start_time', 'acceptance_time', 'end_time'];

/**
 * A superset of the trials that can matter to [$1, $2) (started before its end, free period plus
 * the grace not over before its start), cheaply: any revision of an agreement with any free-trial
 * term row, its free period bounded above. TRIAL_OUTCOMES_SQL judges them exactly, and as a
 * separate query its planner knows how few they are; resolving every trial's revisions here
 * would cost more than the rest of the answer.
 */
const RELEVANT_TRIALS_SQL = `
  with tt as (select agreement_id, max(${TERM_DURATION}) as duration from sdds_agreement_term where term_type in ${FREE_TRIAL_TERMS} group by agreement_id)
  select distinct g.agreement_id, g.acceptor_account_id
    from sdds_agreement g join tt using (agreement_id)
   cross join lateral (select coalesce(g.start_time, g.acceptance_time) as started) s
   where s.started < $2::timestamptz
     and greatest(s.started + coalesce(tt.duration, interval '0 days'), case when g.end_time < '9000-01-01' then g.end_time end,
                  s.started + interval '${ASSUMED_TRIAL_DAYS} days') + ${GRACE} >= $1::timestamptz`;

/**
 * The trials $5 (ids; $6 their buyers) with their outcome judged at $4 (now), and which of them
 * started, converted or expired in [$1, $2) or were running at $3 (the period's end or now), with
 * names as at their start. One scan of the agreement revisions reads the trials, their status
 * history and their buyers' other agreements; the revisions are resolved by the recipe among
 * themselves (every revision of a key matches the filter, its columns being stable per key).
 */
const TRIAL_OUTCOMES_SQL = `
  with revs as materialized (
    select agreement_id, valid_from, ${AGREEMENT_COLUMNS.join(', ')},
           delete_date is null and row_number() over (partition by agreement_id, valid_from order by update_date desc nulls last, _file_id desc) = 1 as counts
      from sdds_agreement
     where agreement_id = any($5::text[]) or acceptor_account_id = any($6::text[]) or preceding_agreement_id = any($5::text[])),
  agreements as materialized (select distinct on (agreement_id) * from revs where counts order by agreement_id, valid_from desc),
  -- trials still: a current free-trial term, and its duration if it has one
  tt as (
    select agreement_id, min(${TERM_DURATION}) as duration
      from ${currentTerms(`term_type in ${FREE_TRIAL_TERMS} and agreement_id = any($5::text[])`, ['term_configuration'])} t
     group by agreement_id),
  relevant as materialized (
    select g.agreement_id, g.acceptor_account_id, g.offer_id, s.started, ${ENDS} as ends, ${hasTerm('g.agreement_id', USAGE_TERMS)} as usage_priced
      from agreements g
      join tt using (agreement_id)
     cross join lateral (select coalesce(g.start_time, g.acceptance_time) as started) s
     where g.agreement_id = any($5::text[]) and ${live('g')} and s.started is not null),
  stops as (
    select agreement_id,
           min(valid_from) filter (where status in ('CANCELLED', 'TERMINATED', 'EXPIRED', 'ARCHIVED')) as stopped_at,
           min(valid_from) filter (where status in ('REPLACED', 'RENEWED')) as replaced_at
      from revs where counts and agreement_id = any($5::text[])
     group by agreement_id),
  paid as (
    select p.agreement_id, p.acceptor_account_id, p.offer_id, p.preceding_agreement_id, coalesce(p.acceptance_time, p.start_time) as bought_at
      from agreements p
     where ${live('p')} and not p.agreement_id = any($5::text[])),
  -- a key is in the current state iff one of its revisions is neither deleted nor corrected
  offer_products as materialized (
    select distinct f.offer_id, f.product_id from sdds_offer_product f
     where f.delete_date is null
       and not exists (select 1 from sdds_offer_product n where n.offer_id = f.offer_id and n.offer_revision is not distinct from f.offer_revision
                          and n.product_id = f.product_id and n.valid_from = f.valid_from
                          and (n.update_date > f.update_date or (f.update_date is null and n.update_date is not null)))),
  bought as (
    select t.agreement_id, p.agreement_id as paid_id, 'replacement' as how, p.bought_at
      from relevant t join paid p on p.preceding_agreement_id = t.agreement_id
    union
    select t.agreement_id, p.agreement_id, 'new-agreement', p.bought_at
      from relevant t
      join offer_products a on a.offer_id = t.offer_id
      join paid p on p.acceptor_account_id = t.acceptor_account_id
      join offer_products b on b.offer_id = p.offer_id and b.product_id = a.product_id
     where p.agreement_id <> t.agreement_id and coalesce(p.preceding_agreement_id, '') <> t.agreement_id),
  windowed as materialized (
    select b.* from bought b join relevant t using (agreement_id)
     where b.bought_at >= t.started and b.bought_at < t.ends + ${GRACE} and b.bought_at <= $4::timestamptz),
  first_bought as (
    select distinct on (agreement_id) agreement_id, paid_id, how, bought_at
      from windowed
     where not ${hasTerm('paid_id', FREE_TRIAL_TERMS)}
     order by agreement_id, bought_at, how desc, paid_id),
  candidates as (
    select t.*, s.stopped_at, f.paid_id, f.how, f.bought_at,
           case when t.usage_priced and t.ends <= $4::timestamptz and (s.stopped_at is null or s.stopped_at > t.ends) then t.ends end as in_place_at,
           -- marked replaced or renewed, its successor missing from the feeds (a successor that is a trial is no conversion)
           case when s.replaced_at >= t.started and s.replaced_at < t.ends + ${GRACE} and s.replaced_at <= $4::timestamptz
                 and not exists (select 1 from agreements n where n.preceding_agreement_id = t.agreement_id) then s.replaced_at end as replaced_at
      from relevant t left join stops s using (agreement_id) left join first_bought f using (agreement_id)),
  converted as (
    select c.*, least(bought_at, in_place_at, replaced_at) as converted_at,
           case when bought_at is not null and bought_at <= coalesce(in_place_at, 'infinity') then how
                when in_place_at is not null then 'in-place'
                when replaced_at is not null then 'replacement' end as conversion
      from candidates c),
  decided as (
    select c.*, case when converted_at is null and least(ends, stopped_at) <= $4::timestamptz then least(ends, stopped_at) end as expired_at,
           least(ends, stopped_at, converted_at) as free_until
      from converted c),
  flagged as materialized (
    select d.*, started >= $1::timestamptz and started < $2::timestamptz as is_started,
           converted_at >= $1::timestamptz and converted_at < $2::timestamptz as is_converted,
           expired_at >= $1::timestamptz and expired_at < $2::timestamptz as is_expired,
           started < $3::timestamptz and free_until >= $3::timestamptz as is_active
      from decided d)
  select f.agreement_id, ad.company_name as company, a.aws_account_id, coalesce(o.name, f.offer_id) as offer,
         ${ISO('f.started')} as started, ${ISO('f.ends')} as ends,
         case when f.converted_at is not null then 'converted' when f.expired_at is not null then 'expired' else 'active' end as outcome,
         ${ISO('coalesce(f.converted_at, f.expired_at)')} as outcome_at, f.conversion, f.paid_id as paid_agreement_id,
         coalesce(f.is_started, false) as is_started, coalesce(f.is_converted, false) as is_converted,
         coalesce(f.is_expired, false) as is_expired, coalesce(f.is_active, false) as is_active, coalesce(prod.products, '[]'::jsonb) as products
    from flagged f
    left join lateral ${revisionAt('sdds_account', 'f.acceptor_account_id', 'f.started')} a on true
    left join lateral ${revisionAt('sdds_address', 'coalesce(a.tax_address_id, a.mailing_address_id)', 'f.started')} ad on true
    left join lateral ${revisionAt('sdds_offer', 'f.offer_id', 'f.started')} o on true
    left join lateral (
      select jsonb_agg(jsonb_build_object('id', op.product_id, 'title', coalesce(p.title, op.product_id)) order by coalesce(p.title, op.product_id)) as products
        from (select distinct product_id from sdds_offer_product_current where offer_id = f.offer_id) op
        left join lateral ${revisionAt('sdds_product', 'op.product_id', 'f.started')} p on true) prod on true
   where f.is_started or f.is_converted or f.is_expired or f.is_active
   order by f.started, f.agreement_id`;

interface TrialRecord extends Omit<TrialRow, 'product'> {
  is_started: boolean;
  is_converted: boolean;
  is_expired: boolean;
  is_active: boolean;
  products: Array<{ id: string; title: string }>;
}

/** Free trials in the period: totals, and one row per trial or per product. */
export async function getTrials(db: Database, params: TrialsParams): Promise<TrialsAnswer> {
  const { period, now, by } = params;
  if (await sddsCoversTrials(db, period)) {
    const at = asOfInstant(period, now);
    const candidates = await db.query<{ agreement_id: string; acceptor_account_id: string | null }>(RELEVANT_TRIALS_SQL, [period.start, period.end]);
    const ids = [...new Set(candidates.map((c) => c.agreement_id))];
    const buyers = [...new Set(candidates.flatMap((c) => (c.acceptor_account_id === null ? [] : [c.acceptor_account_id])))];
    const records = ids.length ? await db.query<TrialRecord>(TRIAL_OUTCOMES_SQL, [period.start, period.end, at, now.toISOString(), ids, buyers]) : [];
    const totals = totalsOf(records);
    if (by === 'product') return { metric: 'trials', totals, rows: byProduct(records), source: 'sdds' };
    return { metric: 'trials', totals, rows: records.map(rowOf), source: 'sdds' };
  }
  return casTrials(db, period, by);
}

/** SDDS answers when the agreement feed covers the period and the term feed (which marks trials) has arrived. */
async function sddsCoversTrials(db: Database, period: Period): Promise<boolean> {
  const r = await db.query<{ covered: boolean }>(
    `select exists (select 1 from sdds_agreement where valid_from < $2)
        and exists (select 1 from ingest_file where dataset = 'sdds_agreement' and status in ('loaded', 'no-data') and period_end > $1::date)
        and exists (select 1 from ingest_file where dataset = 'sdds_agreement_term' and status in ('loaded', 'no-data')) as covered`,
    [period.start, period.end],
  );
  return Boolean(r[0]?.covered);
}

function rowOf(r: TrialRecord): TrialRow {
  return {
    agreement_id: r.agreement_id,
    company: r.company,
    aws_account_id: r.aws_account_id,
    product: r.products.length ? r.products.map((p) => p.title).join(', ') : null,
    offer: r.offer,
    started: r.started,
    ends: r.ends,
    outcome: r.outcome,
    outcome_at: r.outcome_at,
    conversion: r.conversion,
    paid_agreement_id: r.paid_agreement_id,
  };
}

function totalsOf(records: Array<Pick<TrialRecord, 'is_started' | 'is_converted' | 'is_expired' | 'is_active'>>): TrialTotals {
  const count = (f: (r: (typeof records)[number]) => boolean) => records.filter(f).length;
  return withRate({ started: count((r) => r.is_started), converted: count((r) => r.is_converted), expired: count((r) => r.is_expired), active_at_end: count((r) => r.is_active) });
}

/** One row per product of the trials' offers (a trial of a two-product offer counts for both), most trials first. */
function byProduct(records: TrialRecord[]): TrialProductRow[] {
  const groups = new Map<string, { name: string; records: TrialRecord[] }>();
  for (const r of records) {
    for (const p of r.products.length ? r.products : [{ id: '', title: '(unknown product)' }]) {
      const g = groups.get(p.id) ?? { name: p.title, records: [] };
      g.records.push(r);
      groups.set(p.id, g);
    }
  }
  return [...groups.entries()]
    .map(([key, g]) => ({ key, name: g.name, ...totalsOf(g.records) }))
    .sort((a, b) => b.started - a.started || b.converted - a.converted || a.name.localeCompare(b.name));
}

function withRate(t: Omit<TrialTotals, 'conversion_rate'>): TrialTotals {
  return { ...t, conversion_rate: rate(t.converted, t.converted + t.expired) };
}

/** n / d rounded half up to 4 places as a decimal string, in integers (no float drift); null when d is 0. */
export function rate(n: number, d: number): string | null {
  if (d === 0) return null;
  const q = Math.floor((n * 20_000 + d) / (2 * d));
  return `${Math.floor(q / 10_000)}.${String(q % 10_000).padStart(4, '0')}`;
}

/**
 * The CAS free-trial section, summed over the days of the period: new, converted and non-converted
 * trials; running at the end = "Total Current Free Trials" on the last day in the period with rows.
 * Aggregates per product and day only, so there are no rows per trial.
 */
async function casTrials(db: Database, period: Period, by: TrialDimension | undefined): Promise<TrialsAnswer> {
  const rows = await db.query<{ key: string; name: string; started: number; converted: number; expired: number; active_at_end: number }>(
    `with days as (select * from cas_daily_business_free_trial_conversions where _period_start >= $1::date and _period_start < $2::date),
          last_day as (select max(_period_start) as day from days)
     select coalesce(d.product_code, '') as key, coalesce(max(d.product_title), d.product_code, '(unknown product)') as name,
            coalesce(sum(d.new_free_trials), 0)::int as started, coalesce(sum(d.converted_free_trials), 0)::int as converted,
            coalesce(sum(d.non_converted_free_trials), 0)::int as expired,
            coalesce(sum(d.total_current_free_trials) filter (where d._period_start = l.day), 0)::int as active_at_end
       from days d cross join last_day l
      group by d.product_code
      order by started desc, converted desc, name`,
    [period.startDate, period.endDate],
  );
  const known = await db.query<{ n: number }>(
    `select count(*)::int as n from ingest_file where dataset = 'cas_daily_business_free_trial_conversions' and status in ('loaded', 'no-data')
        and period_start < $2::date and period_end > $1::date`,
    [period.startDate, period.endDate],
  );
  const sum = (f: 'started' | 'converted' | 'expired' | 'active_at_end') => rows.reduce((s, r) => s + r[f], 0);
  const totals = withRate({ started: sum('started'), converted: sum('converted'), expired: sum('expired'), active_at_end: sum('active_at_end') });
  return {
    metric: 'trials',
    totals,
    rows: by === 'product' ? rows.map((r) => ({ key: r.key, name: r.name, ...withRate(r) })) : [],
    source: known[0]!.n > 0 ? 'cas' : 'none',
  };
}
