/**
 * Money over time other than billing: metered usage (estimated revenue), collections (buyers'
 * payments) and disbursements (payouts to the seller), per currency and optionally by product,
 * customer or month (usage also by dimension). SDDS answers; CAS answers older usage and
 * disbursement periods.
 */
import { currentWhere } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import type { Period } from '../periods.ts';

export type FlowDimension = 'product' | 'customer' | 'month' | 'dimension';
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

/** Joins that name a product (`p`) and a customer (`a`, `ad`) from ids in `f`. */
const names = (product: string, customer: string) => `
  left join sdds_product_current p on p.product_id = ${product}
  left join sdds_account_current a on a.account_id = ${customer}
  left join sdds_address_current ad on ad.address_id = coalesce(a.tax_address_id, a.mailing_address_id)`;

function group(by: Dim | undefined, o: { product: string; customer: string; date: string; dimension?: string; unit?: string }): { select: string; groupBy: string } {
  switch (by) {
    case undefined:
      return { select: '', groupBy: '' };
    case 'product':
      return { select: `, coalesce(${o.product}, '(none)') as key, coalesce(p.title, ${o.product}, '(none)') as name, null as detail`, groupBy: `, ${o.product}, p.title` };
    case 'customer':
      return { select: `, coalesce(${o.customer}, '(none)') as key, coalesce(ad.company_name, a.aws_account_id, ${o.customer}, '(none)') as name, a.aws_account_id as detail`, groupBy: `, ${o.customer}, ad.company_name, a.aws_account_id` };
    case 'month':
      return { select: `, to_char(${o.date}, 'YYYY-MM') as key, to_char(${o.date}, 'FMMonth YYYY') as name, null as detail`, groupBy: `, 2, 3` };
    case 'dimension':
      return { select: `, ${o.dimension} as key, ${o.dimension} as name, ${o.unit} as detail`, groupBy: `, ${o.dimension}, ${o.unit}` };
  }
}

function ordered(sql: string, by: Dim | undefined, amount: string): string {
  return `select * from (${sql}) g order by currency${by === 'month' ? ', key' : by ? `, ${amount}::numeric desc, key` : ''}`;
}

async function has(db: Database, sql: string, params: unknown[]): Promise<boolean> {
  return Boolean((await db.query<{ ok: boolean }>(`select exists (${sql}) as ok`, params))[0]?.ok);
}

export const USAGE_DIMENSIONS = ['product', 'customer', 'dimension', 'month'] as const;

/** Metered usage by usage date: quantity (per unit) and estimated revenue in the pricing currency. */
export async function getUsage(db: Database, period: Period, by?: Dim): Promise<FlowAnswer> {
  const range = [period.startDate, period.endDate];
  if (await has(db, `select 1 from sdds_daily_usage where usage_date >= $1::date and usage_date < $2::date`, range)) {
    const q = (b: Dim | undefined) => {
      const g = group(b, { product: 'f.product_id', customer: 'f.end_user_account_id', date: 'f.usage_date', dimension: 'f.dimension_key', unit: 'f.usage_unit' });
      return ordered(
        `select f.pricing_currency as currency${g.select}, coalesce(sum(f.estimated_revenue_in_pricing_currency), 0)::text as estimated_revenue${b ? ', sum(f.usage_quantity)::text as quantity' : ''}
           from ${currentWhere('sdds_daily_usage', 'usage_date >= $1::date and usage_date < $2::date')} f ${names('f.product_id', 'f.end_user_account_id')}
          group by f.pricing_currency${g.groupBy}`,
        b,
        'estimated_revenue',
      );
    };
    return { metric: 'usage', totals: await db.query(q(undefined), range), rows: by ? await db.query<FlowRow>(q(by), range) : [], source: 'sdds' };
  }
  const q = (b: Dim | undefined) => {
    const g = group(b === 'customer' ? undefined : b, { product: 'p.product_id', customer: '', date: 'f._period_start', dimension: 'f.instance_type', unit: 'f.usage_unit_type' });
    const product = b === 'product' ? { select: `, f.product_code as key, coalesce(p.title, f.product_title, f.product_code) as name, null as detail`, groupBy: ', f.product_code, p.title, f.product_title' } : g;
    return ordered(
      `select f.currency${product.select}, coalesce(sum(f.estimated_revenue), 0)::text as estimated_revenue${b ? ', sum(f.usage_units)::text as quantity' : ''}
         from cas_daily_business_usage_by_instance_type f left join sdds_product_current p on p.product_code = f.product_code
        where f._period_start >= $1::date and f._period_start < $2::date group by f.currency${product.groupBy}`,
      b,
      'estimated_revenue',
    );
  };
  const totals = await db.query<Record<string, string>>(q(undefined), range);
  if (totals.length === 0) return { metric: 'usage', totals: [], rows: [], source: 'none' };
  return { metric: 'usage', totals, rows: by && by !== 'customer' ? await db.query<FlowRow>(q(by), range) : [], source: 'cas' };
}

export const MONEY_FLOW_DIMENSIONS = ['product', 'customer', 'month'] as const;

/** Buyers' payments by the day they were collected (COLLECTED events, 2026 feeds on). */
export async function getCollections(db: Database, period: Period, timeZone: string, by?: Dim): Promise<FlowAnswer> {
  const params = [period.start, period.end, timeZone];
  const when = `coalesce(f.action_date, f.valid_from)`;
  const q = (b: Dim | undefined) => {
    const g = group(b, { product: 'f.product_id', customer: 'f.end_user_account_id', date: `(${when} at time zone $3)` });
    return ordered(
      `select f.currency${g.select}, sum(f.amount)::text as collected
         from ${currentWhere('sdds_billing_event', `action = 'COLLECTED' and coalesce(action_date, valid_from) >= $1 and coalesce(action_date, valid_from) < $2`)} f ${names('f.product_id', 'f.end_user_account_id')}
        where $3::text is not null group by f.currency${g.groupBy}`,
      b,
      'collected',
    );
  };
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
      const g = group(by, { product: 'f.product_id', customer: 'f.end_user_account_id', date: '(d.invoice_date at time zone $3)' });
      rows = await db.query<FlowRow>(
        ordered(
          `select f.currency${g.select}, (-sum(f.amount))::text as disbursed
             from ${currentWhere('sdds_billing_event', `action = 'DISBURSED' and transaction_type not like 'DISBURSEMENT%' and disbursement_billing_event_id in (select billing_event_id from sdds_billing_event where transaction_type = 'DISBURSEMENT' and invoice_date >= $1 and invoice_date < $2)`)} f
             join ${currentWhere('sdds_billing_event', `transaction_type = 'DISBURSEMENT' and invoice_date >= $1 and invoice_date < $2`)} d on d.billing_event_id = f.disbursement_billing_event_id
             ${names('f.product_id', 'f.end_user_account_id')}
            where $3::text is not null group by f.currency${g.groupBy}`,
          by,
          'disbursed',
        ),
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
