/**
 * Money over time other than billing: metered usage (estimated revenue), collections (buyers'
 * payments) and disbursements (payouts to the seller), per currency and optionally by product,
 * customer or month (usage also by dimension and by the payer's country or state). SDDS answers;
 * CAS answers older usage and disbursement periods.
 */
import { currentWhere, revisionAt } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import { AppError } from '../errors.ts';
import type { Period } from '../periods.ts';
import { countPlaceChanges, isPlaceDimension, namePlaces, placedSql, stateKey, subdivisionJoin, type PlaceColumns } from './geography.ts';

export type FlowDimension = 'product' | 'customer' | 'month' | 'dimension' | 'country' | 'state';
type Dim = FlowDimension;

export interface FlowRow {
  currency: string;
  key: string;
  name: string;
  detail: string | null;
  [amount: string]: string | null;
}

export interface FlowAnswer {
  metric: 'usage' | 'collections' | 'disbursements';
  totals: Array<Record<string, string>>;
  rows: FlowRow[];
  source: 'sdds' | 'cas' | 'none';
}

interface Ids {
  /** The line's currency, product id, customer (account id) and date (local), as SQL over `f`. */
  currency: string;
  product: string;
  customer: string;
  date: string;
  dimension?: string;
  unit?: string;
}

/**
 * Lines (`from`, rows `f`) summed per currency and the breakdown's id, then named: products by
 * title, customers by company name with their AWS account, months by name. Summing before naming
 * keeps name lookups to one per group however many lines there are. `sums` are numeric aggregates
 * `[sql, name]`; they come out as text.
 */
function breakdown(from: string, sums: Array<[string, string]>, by: Dim | undefined, o: Ids): string {
  const agg = sums.map(([expr, name]) => `${expr} as ${name}`).join(', ');
  const text = sums.map(([, name]) => `s.${name}::text as ${name}`).join(', ');
  if (!by) return `select s.currency, ${text} from (select ${o.currency} as currency, ${agg} ${from} group by 1) s`;
  // places are usage's alone (getUsage), where a line names its payer
  if (isPlaceDimension(by)) throw new AppError('usage', `only usage and revenue can be broken down by ${by}`);
  const id = { product: o.product, customer: o.customer, month: `to_char(${o.date}, 'YYYY-MM')`, dimension: o.dimension! }[by];
  const unit = by === 'dimension' ? `, ${o.unit} as unit` : '';
  // names as they were at the group's last event in the period
  const s = `(select ${o.currency} as currency, ${id} as id${unit}, max(${o.date}) as named_at, ${agg} ${from} group by 1, 2${unit ? ', 3' : ''}) s`;
  switch (by) {
    case 'product':
      return `select s.currency, coalesce(s.id, '(none)') as key, coalesce(p.title, s.id, '(none)') as name, null as detail, ${text}
                from ${s} left join lateral ${revisionAt('sdds_product', 's.id', 's.named_at')} p on true`;
    case 'customer':
      return `select s.currency, coalesce(s.id, '(none)') as key, coalesce(ad.company_name, a.aws_account_id, s.id, '(none)') as name, a.aws_account_id as detail, ${text}
                from ${s}
                left join lateral ${revisionAt('sdds_account', 's.id', 's.named_at')} a on true
                left join lateral ${revisionAt('sdds_address', 'coalesce(a.tax_address_id, a.mailing_address_id)', 's.named_at')} ad on true`;
    case 'month':
      return `select s.currency, s.id as key, to_char(to_date(s.id, 'YYYY-MM'), 'FMMonth YYYY') as name, null as detail, ${text} from ${s}`;
    case 'dimension':
      return `select s.currency, s.id as key, s.id as name, s.unit as detail, ${text} from ${s}`;
  }
}

function ordered(sql: string, by: Dim | undefined, amount: string): string {
  return `select * from (${sql}) g order by currency${by === 'month' ? ', key' : by ? `, ${amount}::numeric desc, key` : ''}`;
}

async function has(db: Database, sql: string, params: unknown[]): Promise<boolean> {
  return Boolean((await db.query<{ ok: boolean }>(`select exists (${sql}) as ok`, params))[0]?.ok);
}

/** The legacy usage report's customer country and state, as written. */
const CAS_COUNTRY = `upper(nullif(trim(f.customer_country), ''))`;
const CAS_STATE = `nullif(trim(f.customer_state), '')`;

export const USAGE_DIMENSIONS = ['product', 'customer', 'dimension', 'month', 'country', 'state'] as const;

/** The first instant of a usage day ($1, $2: the period's days). */
const dayStart = (day: string) => `(${day}::timestamp at time zone 'UTC')`;

/** Metered usage by usage date: quantity (per unit) and estimated revenue in the pricing currency. */
export async function getUsage(db: Database, period: Period, by?: Dim): Promise<FlowAnswer> {
  const range = [period.startDate, period.endDate];
  if (await has(db, `select 1 from sdds_daily_usage where usage_date >= $1::date and usage_date < $2::date`, range)) {
    const from = `from ${currentWhere('sdds_daily_usage', 'usage_date >= $1::date and usage_date < $2::date')} f`;
    const ids = { currency: 'f.pricing_currency', product: 'f.product_id', customer: 'f.end_user_account_id', date: 'f.usage_date', dimension: 'f.dimension_key', unit: 'f.usage_unit' };
    const q = (b: Dim | undefined) =>
      ordered(
        breakdown(from, [['coalesce(sum(f.estimated_revenue_in_pricing_currency), 0)', 'estimated_revenue'], ...(b ? [['sum(f.usage_quantity)', 'quantity'] as [string, string]] : [])], b, ids),
        b,
        'estimated_revenue',
      );
    const totals = await db.query<Record<string, string>>(q(undefined), range);
    if (isPlaceDimension(by)) {
      // the payer (the end user where a row names none), placed as of the usage day
      const [start, end] = [dayStart('$1::date'), dayStart('$2::date')];
      const slots = await countPlaceChanges(db, start, end, range);
      const sql = placedSql(
        { from, currency: 'f.pricing_currency', party: 'coalesce(f.payer_account_id, f.end_user_account_id)', at: dayStart('f.usage_date'), start, end, sums: [{ name: 'estimated_revenue', value: 'f.estimated_revenue_in_pricing_currency' }, { name: 'quantity', value: 'f.usage_quantity' }] },
        slots,
        by,
      );
      return { metric: 'usage', totals, rows: namePlaces(await db.query<PlaceColumns & Record<string, string>>(ordered(`with ${sql}`, by, 'estimated_revenue'), range), by), source: 'sdds' };
    }
    return { metric: 'usage', totals, rows: by ? await db.query<FlowRow>(q(by), range) : [], source: 'sdds' };
  }
  // the legacy report has no customers; products by code (titled from the product feed), dimensions by instance type
  const q = (b: Dim | undefined) => {
    const g =
      b === 'product'
        ? { select: `, f.product_code as key, coalesce(p.title, f.product_title, f.product_code) as name, null as detail`, groupBy: ', f.product_code, p.title, f.product_title' }
        : b === 'month'
          ? { select: `, to_char(f._period_start, 'YYYY-MM') as key, to_char(f._period_start, 'FMMonth YYYY') as name, null as detail`, groupBy: ', 2, 3' }
          : b === 'dimension'
            ? { select: `, f.instance_type as key, f.instance_type as name, f.usage_unit_type as detail`, groupBy: ', f.instance_type, f.usage_unit_type' }
            : b === 'country'
              ? { select: `, coalesce(${CAS_COUNTRY}, '') as key, ${CAS_COUNTRY} as country, null::text as region`, groupBy: `, ${CAS_COUNTRY}` }
              : b === 'state'
                ? { select: `, ${stateKey(CAS_COUNTRY, CAS_STATE)} as key, ${CAS_COUNTRY} as country, min(${CAS_STATE}) as region`, groupBy: ', 2, 3', join: subdivisionJoin(CAS_COUNTRY, CAS_STATE) }
                : { select: '', groupBy: '' };
    return ordered(
      `select f.currency${g.select}, coalesce(sum(f.estimated_revenue), 0)::text as estimated_revenue${b && b !== 'customer' ? ', sum(f.usage_units)::text as quantity' : ''}
         from cas_daily_business_usage_by_instance_type f left join sdds_product_current p on p.product_code = f.product_code ${'join' in g ? g.join : ''}
        where f._period_start >= $1::date and f._period_start < $2::date group by f.currency${g.groupBy}`,
      b === 'customer' ? undefined : b,
      'estimated_revenue',
    );
  };
  const totals = await db.query<Record<string, string>>(q(undefined), range);
  if (totals.length === 0) return { metric: 'usage', totals: [], rows: [], source: 'none' };
  if (isPlaceDimension(by)) return { metric: 'usage', totals, rows: namePlaces(await db.query<PlaceColumns & Record<string, string>>(q(by), range), by), source: 'cas' };
  return { metric: 'usage', totals, rows: by && by !== 'customer' ? await db.query<FlowRow>(q(by), range) : [], source: 'cas' };
}

export const MONEY_FLOW_DIMENSIONS = ['product', 'customer', 'month'] as const;

/** Buyers' payments by the day they were collected (COLLECTED events, 2026 feeds on). */
export async function getCollections(db: Database, period: Period, timeZone: string, by?: Dim): Promise<FlowAnswer> {
  const params = [period.start, period.end, timeZone];
  const when = `coalesce(f.action_date, f.valid_from)`;
  const from = `from ${currentWhere('sdds_billing_event', `action = 'COLLECTED' and coalesce(action_date, valid_from) >= $1 and coalesce(action_date, valid_from) < $2`)} f where $3::text is not null`;
  const q = (b: Dim | undefined) =>
    ordered(breakdown(from, [['sum(f.amount)', 'collected']], b, { currency: 'f.currency', product: 'f.product_id', customer: 'f.end_user_account_id', date: `(${when} at time zone $3)` }), b, 'collected');
  const totals = await db.query<Record<string, string>>(q(undefined), params);
  const source = totals.length > 0 || (await has(db, `select 1 from sdds_billing_event where action = 'COLLECTED'`, [])) ? 'sdds' : 'none';
  return { metric: 'collections', totals, rows: by ? await db.query<FlowRow>(q(by), params) : [], source };
}

/**
 * Payouts by disbursement date: DISBURSEMENT rows net of DISBURSEMENT_FAILURE reversals. Without a
 * breakdown the rows are the payouts themselves; by product, customer or month they are the
 * disbursed line items (what was paid for what).
 */
export async function getDisbursements(db: Database, period: Period, timeZone: string, by?: Dim): Promise<FlowAnswer> {
  const params = [period.start, period.end, timeZone];
  const payouts = `from ${currentWhere('sdds_billing_event', `action = 'DISBURSED' and transaction_type in ('DISBURSEMENT', 'DISBURSEMENT_FAILURE') and invoice_date >= $1 and invoice_date < $2`)} d
                    where $3::text is not null`;
  if (await has(db, `select 1 from sdds_billing_event where transaction_type = 'DISBURSEMENT' and invoice_date >= $1 and invoice_date < $2`, params.slice(0, 2))) {
    const totals = await db.query<Record<string, string>>(`select d.currency, sum(d.amount)::text as disbursed ${payouts} group by d.currency order by d.currency`, params);
    let rows: FlowRow[];
    if (!by) {
      rows = await db.query<FlowRow>(
        `select d.currency, d.billing_event_id as key, to_char(d.invoice_date at time zone $3, 'YYYY-MM-DD') as name,
                coalesce(d.disbursement_reference_number, d.bank_trace_id) as detail, d.amount::text as disbursed,
                case when d.transaction_type = 'DISBURSEMENT_FAILURE' then 'Failed' else 'Disbursed' end as status
           ${payouts} order by d.currency, d.invoice_date, d.billing_event_id`,
        params,
      );
    } else {
      const from = `from ${currentWhere('sdds_billing_event', `action = 'DISBURSED' and transaction_type not like 'DISBURSEMENT%' and disbursement_billing_event_id in (select billing_event_id from sdds_billing_event where transaction_type = 'DISBURSEMENT' and invoice_date >= $1 and invoice_date < $2)`)} f
             join ${currentWhere('sdds_billing_event', `transaction_type = 'DISBURSEMENT' and invoice_date >= $1 and invoice_date < $2`)} d on d.billing_event_id = f.disbursement_billing_event_id
            where $3::text is not null`;
      rows = await db.query<FlowRow>(
        ordered(breakdown(from, [['-sum(f.amount)', 'disbursed']], by, { currency: 'f.currency', product: 'f.product_id', customer: 'f.end_user_account_id', date: '(d.invoice_date at time zone $3)' }), by, 'disbursed'),
        params,
      );
    }
    return { metric: 'disbursements', totals, rows, source: 'sdds' };
  }
  // the legacy disbursement report: one file per payout, Net Amount per product line
  const range = [period.startDate, period.endDate];
  const cas = `from cas_disbursed_amount_by_product f where f._period_end > $1::date and f._period_end <= $2::date`;
  const totals = await db.query<Record<string, string>>(`select 'USD' as currency, coalesce(sum(f.net_amount), 0)::text as disbursed ${cas} having count(*) > 0`, range);
  if (totals.length === 0) return { metric: 'disbursements', totals: [], rows: [], source: 'none' };
  const rows =
    by === 'product'
      ? await db.query<FlowRow>(`select 'USD' as currency, f.product_code as key, coalesce(max(p.title), max(f.product), f.product_code) as name, null as detail, sum(f.net_amount)::text as disbursed
           ${cas.replace('from cas_disbursed_amount_by_product f', 'from cas_disbursed_amount_by_product f left join sdds_product_current p on p.product_code = f.product_code')}
           group by f.product_code order by sum(f.net_amount) desc, key`, range)
      : [];
  return { metric: 'disbursements', totals, rows, source: 'cas' };
}
