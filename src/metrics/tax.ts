/**
 * Tax billed to buyers on invoices dated in the period, from the tax item feed (sdds-feeds.md
 * §4.9): per tax currency, split by who remits it (`tax_liable_party`: AWS, the seller, or blank =
 * no tax collected), and by jurisdiction (country, state, taxed jurisdiction, level, tax type), by
 * tax type, or by invoice. Checked against the billing event feed's tax rows (§4.8): the
 * `AWS_TAX_SHARE*` and `SELLER_TAX_SHARE*` events (refunds and credits included) invoiced or
 * forgiven on invoices dated in the same period, summed per currency; AWS-liable tax items should
 * add up to the first, seller-liable ones to the second, and any difference is shown.
 *
 * Sums: tax items are summed on their own (per currency and group), billing tax rows on their own
 * (per currency), and the two joined per currency (per invoice and currency for `--by invoice`); no
 * row of one is joined to a row of the other, so an item without an event (or the reverse) still
 * counts on its side. Both are the current revision of each row (sdds-feeds.md §3). Never summed
 * across currencies.
 *
 * Uncertain in the spec, and decided here:
 * - The sign of refund items (`transaction_type_code` REFUND, TAXONLYREFUND) is undocumented; a
 *   refund item always reduces tax (its amount's magnitude is subtracted) whichever sign it has.
 *   Other items keep their sign.
 * - The tax item ↔ billing event join is only a documented hint ((invoice_id, product_id) ↔ tax
 *   rows); here the feeds meet per invoice and currency (`tax_currency` = billing `currency`), which
 *   needs neither product nor line ids. `OTHER_SELLER_TAX_SHARE*` (tax another seller remits on a
 *   resale) is not the seller's tax item and is left out of the billing side.
 * - "Every AWS_TAX_SHARE and SELLER_TAX_SHARE billing event is expected to have a tax item record"
 *   (since 2021-08-05): older periods may differ for that reason alone, and a feed delivered a day
 *   after the other differs until it catches up. Whether the tax item feed also carries the tax on
 *   AWS's own listing fee (an AWS_TAX_SHARE row on a LISTING_FEE invoice) is not documented; the
 *   billing side counts it like any AWS_TAX_SHARE row.
 * - A liable party other than AWS or Seller (none is documented) counts as not collected.
 */
import { currentWhere } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import type { Period } from '../periods.ts';

export type TaxDimension = 'jurisdiction' | 'type' | 'invoice';
export const TAX_DIMENSIONS: TaxDimension[] = ['jurisdiction', 'type', 'invoice'];

/** Tax items, per currency: net of refunds, and by who remits it. */
export const TAX_AMOUNTS = ['tax', 'refunds', 'aws_remits', 'seller_remits', 'not_collected'] as const;
export const TAX_TOTAL_COLUMNS = ['currency', ...TAX_AMOUNTS, 'billing_aws_tax', 'billing_seller_tax', 'aws_difference', 'seller_difference'] as const;
export const TAX_ROW_COLUMNS: Record<TaxDimension, readonly string[]> = {
  jurisdiction: ['currency', 'key', 'name', 'country', 'state', 'jurisdiction', 'level', 'tax_type', ...TAX_AMOUNTS],
  type: ['currency', 'key', 'name', ...TAX_AMOUNTS],
  invoice: ['currency', 'key', 'name', 'invoice_date', 'tax', 'aws_remits', 'billing_aws_tax', 'aws_difference', 'seller_remits', 'billing_seller_tax', 'seller_difference'],
};

type Amounts = Record<(typeof TAX_AMOUNTS)[number], string>;

export interface TaxTotals extends Amounts {
  currency: string;
  /** The billing feed's AWS_TAX_SHARE* and SELLER_TAX_SHARE* events, INVOICED or FORGIVEN. */
  billing_aws_tax: string;
  billing_seller_tax: string;
  /** Tax items less billing events: 0 when the feeds agree. */
  aws_difference: string;
  seller_difference: string;
}

export interface TaxAnswer {
  metric: 'tax';
  totals: TaxTotals[];
  rows: Array<Record<string, string | null>>;
  source: 'sdds' | 'none';
}

export interface TaxParams {
  period: Period;
  by?: TaxDimension;
  /** Invoice dates in rows are days in this zone. */
  timeZone: string;
}

/** A difference smaller than half a cent is rounding between the feeds, not a disagreement. */
export const TAX_TOLERANCE = '0.005';

const REFUND = `upper(t.transaction_type_code) in ('REFUND', 'TAXONLYREFUND')`;

/** The period's tax items, signed, with their liable party as aws | seller | none. */
const ITEMS = `
  items as (
    select t.tax_currency as currency, t.invoice_id, t.invoice_date,
           case when ${REFUND} then -abs(coalesce(t.tax_amount, 0)) else coalesce(t.tax_amount, 0) end as amount,
           ${REFUND} as refund,
           case lower(btrim(t.tax_liable_party)) when 'aws' then 'aws' when 'seller' then 'seller' else 'none' end as party,
           nullif(btrim(t.taxed_customer_country), '') as country, nullif(btrim(t.taxed_customer_state_or_region), '') as state,
           nullif(btrim(t.taxed_jurisdiction), '') as jurisdiction, nullif(btrim(t.jurisdiction_level), '') as level,
           nullif(btrim(t.tax_type_code), '') as tax_type
      from ${currentWhere('sdds_tax_item', 'invoice_date >= $1 and invoice_date < $2')} t
     -- a line without a currency carries no tax (no liable party): nothing to add up
     where t.tax_currency is not null or coalesce(t.tax_amount, 0) <> 0)`;

/** The period's tax rows of the billing feed (invoice_date index, then only the tax types). */
const BILLING = `
  billing as (
    select b.currency, b.invoice_id, b.invoice_date,
           case when b.transaction_type like 'AWS\\_TAX\\_SHARE%' then 'aws' else 'seller' end as party, b.amount
      from ${currentWhere(
        'sdds_billing_event',
        `action in ('INVOICED', 'FORGIVEN') and invoice_date >= $1 and invoice_date < $2 and (transaction_type like 'AWS\\_TAX\\_SHARE%' or transaction_type like 'SELLER\\_TAX\\_SHARE%')`,
        ['action', 'invoice_date', 'transaction_type', 'currency', 'amount', 'invoice_id'],
      )} b)`;

const SUMS = `
  coalesce(sum(amount), 0) as tax,
  coalesce(sum(amount) filter (where refund), 0) as refunds,
  coalesce(sum(amount) filter (where party = 'aws'), 0) as aws_remits,
  coalesce(sum(amount) filter (where party = 'seller'), 0) as seller_remits,
  coalesce(sum(amount) filter (where party = 'none'), 0) as not_collected`;
const BILLING_SUMS = `
  coalesce(sum(amount) filter (where party = 'aws'), 0) as billing_aws_tax,
  coalesce(sum(amount) filter (where party = 'seller'), 0) as billing_seller_tax`;
const AS_TEXT = TAX_AMOUNTS.map((m) => `s.${m}::text as ${m}`).join(', ');

/** Items and billing rows each summed per currency (or per invoice too), then side by side. */
function compared(per: 'currency' | 'invoice'): string {
  const key = per === 'invoice' ? 'currency, invoice_id' : 'currency';
  const on = per === 'invoice' ? 'b.currency = i.currency and b.invoice_id = i.invoice_id' : 'b.currency = i.currency';
  return `
    i as (select ${key}, min(invoice_date) as invoice_date, ${SUMS} from items group by ${key}),
    b as (select ${key}, min(invoice_date) as invoice_date, ${BILLING_SUMS} from billing group by ${key}),
    c as (
      select coalesce(i.currency, b.currency) as currency, ${per === 'invoice' ? 'coalesce(i.invoice_id, b.invoice_id) as invoice_id,' : ''}
             least(i.invoice_date, b.invoice_date) as invoice_date,
             ${TAX_AMOUNTS.map((m) => `coalesce(i.${m}, 0) as ${m}`).join(', ')},
             coalesce(b.billing_aws_tax, 0) as billing_aws_tax, coalesce(b.billing_seller_tax, 0) as billing_seller_tax
        from i full join b on ${on})`;
}

function rowsSql(by: TaxDimension): string {
  switch (by) {
    case 'jurisdiction':
      return `with ${ITEMS},
        s as (select currency, country, state, jurisdiction, level, tax_type, ${SUMS} from items group by 1, 2, 3, 4, 5, 6)
        select s.currency, concat_ws('/', coalesce(s.country, ''), coalesce(s.state, ''), coalesce(s.jurisdiction, ''), coalesce(s.level, ''), coalesce(s.tax_type, '')) as key,
               coalesce(s.jurisdiction, s.state, s.country, '(none)') || coalesce(' (' || s.level || ')', '') as name,
               s.country, s.state, s.jurisdiction, s.level, s.tax_type, ${AS_TEXT}
          from s order by s.currency, s.tax desc, key`;
    case 'type':
      return `with ${ITEMS},
        s as (select currency, tax_type, ${SUMS} from items group by 1, 2)
        select s.currency, coalesce(s.tax_type, '(none)') as key, coalesce(s.tax_type, '(none)') as name, ${AS_TEXT}
          from s order by s.currency, s.tax desc, key`;
    case 'invoice':
      // the invoices whose feeds disagree, largest difference first
      return `with ${ITEMS}, ${BILLING}, ${compared('invoice')}
        select currency, invoice_id as key, invoice_id as name, to_char(invoice_date at time zone $3, 'YYYY-MM-DD') as invoice_date, tax::text,
               aws_remits::text, billing_aws_tax::text, (aws_remits - billing_aws_tax)::text as aws_difference,
               seller_remits::text, billing_seller_tax::text, (seller_remits - billing_seller_tax)::text as seller_difference
          from c
         where abs(aws_remits - billing_aws_tax) >= ${TAX_TOLERANCE} or abs(seller_remits - billing_seller_tax) >= ${TAX_TOLERANCE}
         order by currency, greatest(abs(aws_remits - billing_aws_tax), abs(seller_remits - billing_seller_tax)) desc, key`;
  }
}

export async function getTax(db: Database, params: TaxParams): Promise<TaxAnswer> {
  const sqlParams = [params.period.start, params.period.end, params.timeZone];
  const totals = await db.query<TaxTotals>(
    `with ${ITEMS}, ${BILLING}, ${compared('currency')}
     select currency, ${TAX_AMOUNTS.map((m) => `${m}::text`).join(', ')}, billing_aws_tax::text, billing_seller_tax::text,
            (aws_remits - billing_aws_tax)::text as aws_difference, (seller_remits - billing_seller_tax)::text as seller_difference
       from c where $3::text is not null order by currency`,
    sqlParams,
  );
  // only the invoice rows show dates
  const rows = params.by ? await db.query<Record<string, string | null>>(rowsSql(params.by), params.by === 'invoice' ? sqlParams : sqlParams.slice(0, 2)) : [];
  const source = totals.length > 0 || (await db.query<{ ok: boolean }>(`select exists (select 1 from sdds_tax_item) as ok`))[0]?.ok ? 'sdds' : 'none';
  return { metric: 'tax', totals, rows, source };
}
