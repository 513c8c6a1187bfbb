/**
 * Billed revenue by invoice date (sdds-feeds.md §6.2-6.3): gross revenue, refunds and credits, AWS
 * listing fees, seller tax share and net revenue, per currency, optionally by product, customer,
 * offer, month, the customer's country or state (src/metrics/geography.ts) or charge kind
 * (contract, usage, other: src/metrics/charges.ts). Amounts are categorised by transaction type
 * as AWS's billed revenue report does (src/reports/finance.ts rebuilds it): an invoice AWS
 * forgives is netted out of gross revenue, not counted as a refund. SDDS billing events answer;
 * for periods SDDS does not cover, the legacy CAS sales compensation report does. Sums are done
 * in SQL on numeric: money never becomes a float.
 */
import { costOfGoods } from '../datasets/billing.ts';
import { currentWhere, revisionAt } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import { CHARGE_ORDER, chargesSql } from './charges.ts';
import { addDecimals } from './decimal.ts';
import { countPlaceChanges, isPlaceDimension, namePlaces, placedSql, stateKey, subdivisionJoin, type PlaceColumns } from './geography.ts';
import { AppError } from '../errors.ts';
import type { Period } from '../periods.ts';

export type RevenueDimension = 'product' | 'customer' | 'offer' | 'month' | 'country' | 'state' | 'charge';
export const REVENUE_DIMENSIONS: RevenueDimension[] = ['product', 'customer', 'offer', 'month', 'country', 'state', 'charge'];

export interface RevenueAmounts {
  currency: string;
  gross_revenue: string;
  refunds: string;
  listing_fees: string;
  seller_tax_share: string;
  /** What a reseller paid manufacturers (channel partner offers), net of refunds; negative, in net revenue already. */
  wholesale_cost: string;
  net_revenue: string;
}

export interface RevenueRow extends RevenueAmounts {
  /** The group: product ID, customer account, offer ID, month (YYYY-MM), country (US), state (US-CA) or charge kind. */
  key: string;
  /** Product title, company name, offer name, the month's, country's or state's name, or the charge kind's. */
  name: string;
  /** Customer rows: the 12-digit AWS account; offer rows: Public / Private; country rows: the code; state rows: the country. */
  detail: string | null;
}

export interface RevenueResult {
  metric: 'revenue';
  totals: RevenueAmounts[];
  rows: RevenueRow[];
  source: 'sdds' | 'cas' | 'none';
}

export interface RevenueParams {
  period: Period;
  by?: RevenueDimension;
  /** For --by month: months in this zone. */
  timeZone: string;
}

/** [amount, which lines it sums]: every amount column, in order. */
const CATEGORIES: Array<[string, string]> = [
  ['gross_revenue', `transaction_type = 'SELLER_REV_SHARE' and not cogs`],
  ['refunds', `transaction_type in ('SELLER_REV_SHARE_REFUND', 'SELLER_REV_SHARE_CREDIT') and not cogs`],
  ['listing_fees', `transaction_type like 'AWS\\_REV\\_SHARE%'`],
  ['seller_tax_share', `transaction_type like 'SELLER\\_TAX\\_SHARE%'`],
  ['wholesale_cost', `cogs and transaction_type like 'SELLER\\_REV\\_SHARE%'`],
  ['net_revenue', 'balance_impacting'],
];

const AMOUNTS = CATEGORIES.map(([name, where]) => `coalesce(sum(amount) filter (where ${where}), 0) as ${name}`).join(',\n  ');

/** The amounts of already summed groups `s`, summed again and as text. */
const RESUMMED = ['gross_revenue', 'refunds', 'listing_fees', 'seller_tax_share', 'wholesale_cost', 'net_revenue'].map((m) => `sum(s.${m})::text as ${m}`).join(', ');
const AS_TEXT = ['gross_revenue', 'refunds', 'listing_fees', 'seller_tax_share', 'wholesale_cost', 'net_revenue'].map((m) => `s.${m}::text`).join(', ');

/**
 * SDDS: the current revision of each billing event invoiced (or forgiven) in the period. Lines are
 * summed per group id first and named after: a million lines need no name lookups. By country or
 * state, `slots`: countPlaceChanges for the period.
 */
function sddsSql(by: RevenueDimension | undefined, slots = 0): string {
  const lines = `
    with lines as (
      select b.*, ${costOfGoods('b')} as cogs
        from ${currentWhere('sdds_billing_event', `action in ('INVOICED', 'FORGIVEN') and invoice_date >= $1 and invoice_date < $2 and transaction_type not like 'DISBURSEMENT%'`)} b)`;
  // names as they were at the group's last invoice in the period (AWS's reports name each line as of its invoice date)
  const sums = (groupBy: string) => `${lines}, s as (select currency, ${groupBy}, max(invoice_date) as named_at, ${AMOUNTS} from lines group by currency, ${groupBy})`;
  switch (by) {
    case undefined:
      return `${lines}, s as (select currency, ${AMOUNTS} from lines group by currency) select s.currency, ${AS_TEXT} from s`;
    case 'product':
      return `${sums('product_id')}
        select s.currency, coalesce(s.product_id, '(no product)') as key, coalesce(p.title, s.product_id, 'Balance adjustments') as name, null as detail, ${AS_TEXT}
          from s left join lateral ${revisionAt('sdds_product', 's.product_id', 's.named_at')} p on true`;
    case 'customer':
      // the subscriber of the line; company name from the account's tax, else mailing, address
      return `${sums('end_user_account_id')}
        select s.currency, coalesce(s.end_user_account_id, '(none)') as key,
               coalesce(ad.company_name, a.aws_account_id, s.end_user_account_id, 'Balance adjustments') as name, a.aws_account_id as detail, ${AS_TEXT}
          from s
          left join lateral ${revisionAt('sdds_account', 's.end_user_account_id', 's.named_at')} a on true
          left join lateral ${revisionAt('sdds_address', 'coalesce(a.tax_address_id, a.mailing_address_id)', 's.named_at')} ad on true`;
    case 'offer':
      // older lines name no offer: their agreement's offer answers
      return `${sums('offer_id, agreement_id')}, offered as (
          select s.currency, coalesce(s.offer_id, g.offer_id) as the_offer, max(s.named_at) as named_at, ${RESUMMED}
            from s left join sdds_agreement_current g on g.agreement_id = s.agreement_id group by 1, 2)
        select s.currency, coalesce(s.the_offer, '(no offer)') as key, coalesce(o.name, s.the_offer, '(no offer)') as name,
               case when s.the_offer is null then null
                    when exists (select 1 from sdds_offer_target_current t where t.offer_id = s.the_offer and t.target_type = 'BuyerAccounts') then 'Private'
                    else 'Public' end as detail, ${AS_TEXT}
          from offered s left join lateral ${revisionAt('sdds_offer', 's.the_offer', 's.named_at')} o on true`;
    case 'month':
      return `${lines}, s as (select currency, to_char(invoice_date at time zone $3, 'YYYY-MM') as key, to_char(invoice_date at time zone $3, 'FMMonth YYYY') as name, ${AMOUNTS} from lines group by 1, 2, 3)
        select s.currency, s.key, s.name, null as detail, ${AS_TEXT} from s`;
    case 'country':
    case 'state':
      // the customer as the customer breakdown has it (so both add up alike), placed as of the invoice date
      return `${lines}, ${placedSql(
        { from: 'from lines', currency: 'currency', party: 'end_user_account_id', at: 'invoice_date', start: '$1::timestamptz', end: '$2::timestamptz', sums: CATEGORIES.map(([name, where]) => ({ name, value: 'amount', where })) },
        slots,
        by,
      )}`;
    case 'charge':
      return chargesSql(lines, AMOUNTS, RESUMMED);
  }
}

/** CAS sales compensation (previous calendar month per file; AR Period is the billing month). */
function casSql(by: RevenueDimension | undefined): string {
  const money = `
    coalesce(sum(gross_revenue), 0)::text as gross_revenue,
    coalesce(sum(gross_refunds), 0)::text as refunds,
    coalesce(sum(coalesce(aws_revenue_share, 0) + coalesce(aws_refunds_share, 0)), 0)::text as listing_fees,
    '0' as seller_tax_share,
    '0' as wholesale_cost,
    coalesce(sum(net_revenue), 0)::text as net_revenue`;
  const rows = `with rows as (select * from cas_sales_compensation_billed_revenue where ar_period >= $1::date and ar_period < $2::date)`;
  switch (by) {
    case undefined:
      return `${rows} select currency, ${money} from rows group by currency`;
    case 'product':
      return `${rows}
        select r.currency, coalesce(p.product_id, r.product_code) as key, coalesce(p.title, r.product_title, r.product_code) as name, null as detail, ${money}
          from rows r left join sdds_product_current p on p.product_code = r.product_code
         group by r.currency, coalesce(p.product_id, r.product_code), coalesce(p.title, r.product_title, r.product_code)`;
    case 'customer':
      return `${rows}
        select r.currency, r.customer_aws_account_number as key, coalesce(ad.company_name, r.customer_aws_account_number) as name, r.customer_aws_account_number as detail, ${money}
          from rows r
          left join sdds_account_current a on a.aws_account_id = r.customer_aws_account_number
          left join sdds_address_current ad on ad.address_id = coalesce(a.tax_address_id, a.mailing_address_id)
         group by r.currency, r.customer_aws_account_number, ad.company_name`;
    case 'offer':
      throw new AppError('usage', 'the legacy CAS report that answers this period has no offers; try --by product or customer');
    case 'charge':
      throw new AppError('usage', 'the legacy CAS report that answers this period does not tell contract fees from usage; try --by product or customer');
    case 'country':
      // the report's own payer country and state
      return `${rows}
        select currency, coalesce(upper(nullif(trim(country), '')), '') as key, upper(nullif(trim(country), '')) as country, null::text as region, ${money}
          from rows group by currency, upper(nullif(trim(country), ''))`;
    case 'state':
      return `${rows}
        select r.currency, ${stateKey('r.the_country', 'r.the_region')} as key, r.the_country as country, min(r.the_region) as region, ${money}
          from (select *, upper(nullif(trim(country), '')) as the_country, nullif(trim(state), '') as the_region from rows) r ${subdivisionJoin('r.the_country', 'r.the_region')}
         group by 1, 2, 3`;
    case 'month':
      return `${rows}
        select currency, to_char(ar_period, 'YYYY-MM') as key, to_char(ar_period, 'FMMonth YYYY') as name, null as detail, ${money}
          from rows group by currency, ar_period`;
  }
}

/** Largest first (months in order), per currency. */
function sorted(sql: string, by: RevenueDimension | undefined): string {
  return `select * from (${sql}) g order by currency${by === 'month' ? ', key' : by === 'charge' ? `, ${CHARGE_ORDER}` : by ? ', gross_revenue::numeric desc, key' : ''}`;
}

const MONEY = ['gross_revenue', 'refunds', 'listing_fees', 'seller_tax_share', 'wholesale_cost', 'net_revenue'] as const;

function totalsFromRows(rows: RevenueRow[]): RevenueAmounts[] {
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  return currencies.map((currency) => {
    const mine = rows.filter((r) => r.currency === currency);
    const t = { currency } as RevenueAmounts;
    for (const m of MONEY) t[m] = addDecimals(mine.map((r) => r[m]));
    return t;
  });
}

function totalsOf(rows: RevenueAmounts[]): RevenueAmounts[] {
  return rows.map((r) => ({ currency: r.currency, gross_revenue: r.gross_revenue, refunds: r.refunds, listing_fees: r.listing_fees, seller_tax_share: r.seller_tax_share, wholesale_cost: r.wholesale_cost, net_revenue: r.net_revenue }));
}

/** The breakdown's rows; by country or state they come from the SQL unnamed (src/metrics/geography.ts). */
async function breakdownRows(db: Database, sql: string, by: RevenueDimension, params: unknown[]): Promise<RevenueRow[]> {
  return isPlaceDimension(by) ? namePlaces(await db.query<PlaceColumns & RevenueAmounts>(sql, params), by) : db.query<RevenueRow>(sql, params);
}

/** Does SDDS cover the period? Any billing event invoiced in it, or the feed delivered beyond it. */
async function sddsCovers(db: Database, period: Period): Promise<boolean> {
  const r = await db.query<{ covered: boolean }>(
    `select exists (select 1 from sdds_billing_event where invoice_date >= $1 and invoice_date < $2)
         or exists (select 1 from ingest_file where dataset = 'sdds_billing_event' and status in ('loaded', 'no-data') and period_end > $1::date and period_start < $2::date) as covered`,
    [period.start, period.end],
  );
  return Boolean(r[0]?.covered);
}

export async function getRevenue(db: Database, params: RevenueParams): Promise<RevenueResult> {
  const { period, by } = params;
  if (await sddsCovers(db, period)) {
    if (!by) {
      const totals = await db.query<RevenueAmounts>(sorted(sddsSql(undefined), undefined), [period.start, period.end]);
      return { metric: 'revenue', totals: totalsOf(totals), rows: [], source: 'sdds' };
    }
    // one pass: every line is in exactly one group, so the groups add up to the totals
    const range = [period.start, period.end];
    const slots = isPlaceDimension(by) ? await countPlaceChanges(db, '$1::timestamptz', '$2::timestamptz', range) : 0;
    const rows = await breakdownRows(db, sorted(sddsSql(by, slots), by), by, by === 'month' ? [...range, params.timeZone] : range);
    return { metric: 'revenue', totals: totalsFromRows(rows), rows, source: 'sdds' };
  }
  // CAS months are calendar months: a period answers from the AR periods it contains
  const casRange = [period.startDate, period.endDate];
  const totals = await db.query<RevenueAmounts>(sorted(casSql(undefined), undefined), casRange);
  if (totals.length === 0) return { metric: 'revenue', totals: [], rows: [], source: 'none' };
  const rows = by ? await breakdownRows(db, sorted(casSql(by), by), by, casRange) : [];
  return { metric: 'revenue', totals: totalsOf(totals), rows, source: 'cas' };
}
