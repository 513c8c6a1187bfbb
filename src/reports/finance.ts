/**
 * The two finance reports AWS retired for sellers, rebuilt from the SDDS billing event feed with
 * the columns and rules of AWS's reference queries (aws-samples/aws-marketplace-api-samples,
 * seller-data-feeds/queries, June 2026 generation; older feed rows by the 2025 generation's rules):
 *
 * - **billed revenue**: one row per invoice line item invoiced in the period: billed by category,
 *   collected, disbursed (paid out: positive) and what is still outstanding;
 * - **collections and disbursements**: one row per line item and disbursement made in the period,
 *   the amounts that disbursement paid out, in the currency it was paid in.
 *
 * A line item is the buyer invoice line (`buyer_invoice_id:buyer_line_item_id:recipient`), or
 * `NO_BUYER_INVOICE_FOR:invoice:line item:recipient`, or `BALANCE_ADJUSTMENT:recipient:time`; rows
 * delivered before the June 2026 columns group as the 2025 query did (buyer transaction reference,
 * agreement, end user, usage period); each per pricing currency. Every billing event except the
 * DISBURSEMENT rows falls in one bucket of its line: invoiced, collected, or the disbursement that
 * paid it out. Amounts are summed by category and rounded to cents (half away from zero).
 *
 * Where the output differs from AWS's on purpose (README, Finance reports, lists them all):
 * - the period is asked for (AWS: the last 90 days, open-ended); collections and disbursements
 *   selects payouts made in it (AWS: by payment due date), and takes the due date from the invoice;
 * - addresses are the revision in effect on the invoice date, like the accounts, products,
 *   agreements and offers they belong to (AWS: the latest address revision);
 * - rows are ordered (AWS: no order); dates are days (YYYY-MM-DD, UTC), not timestamps;
 * - a line paid out by a disbursement row not (yet) delivered counts as disbursed, not invoiced,
 *   and a billing row naming an agreement the agreement feed lacks is kept, not dropped;
 * - one row per line (AWS repeats a line whose rows disagree on attributes it expects constant);
 *   a product with several legacy IDs shows the smallest.
 */
import { costOfGoods } from '../datasets/billing.ts';
import { currentWhere, revisionAt } from '../datasets/history.ts';
import { lazyIterable, type Database, type Row } from '../db/client.ts';
import type { Period } from '../periods.ts';
import { refreshRollups } from '../rollups/refresh.ts';
import { agreementsSql, taxationSql, usageReportSql } from './feed-reports.ts';
import type { FinanceReport } from './names.ts';


const day = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD')`;
/** A timestamp as Athena writes it, for the keys AWS builds from it. */
const stamp = (col: string) => `(to_char(${col} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') || ' UTC')`;
/** The seller of record on rows without recipient_account_id (src/datasets/billing.ts). */
const SELLER = `(select min(account_id) from seller_account)`;

/**
 * [column, which rows it sums]: every amount column, in order. `lfc`: a listing-fee charge (a
 * LISTING_FEE invoice, or a PURCHASE invoice's LISTING_FEE charge; before June 2026, a seller
 * invoice: its buyer reference differs from its own); `res`: a RESALE (wholesale) invoice.
 */
const CATEGORIES: Array<[string, string]> = [
  ['gross_revenue', `transaction_type = 'SELLER_REV_SHARE' and not cogs`],
  ['gross_refund', `transaction_type in ('SELLER_REV_SHARE_REFUND', 'SELLER_REV_SHARE_CREDIT') and not cogs`],
  ['listing_fee', `transaction_type = 'AWS_REV_SHARE'`],
  ['listing_fee_refund', `transaction_type in ('AWS_REV_SHARE_REFUND', 'AWS_REV_SHARE_CREDIT')`],
  ['seller_tax_share', `transaction_type = 'SELLER_TAX_SHARE' and not res`],
  ['seller_tax_share_refund', `transaction_type = 'SELLER_TAX_SHARE_REFUND' and not res`],
  ['aws_tax_share', `transaction_type = 'AWS_TAX_SHARE' and not lfc and not res`],
  ['aws_tax_share_refund', `transaction_type = 'AWS_TAX_SHARE_REFUND' and not lfc and not res`],
  ['aws_tax_share_listing_fee', `transaction_type = 'AWS_TAX_SHARE' and lfc and not res`],
  ['aws_tax_share_refund_listing_fee', `transaction_type = 'AWS_TAX_SHARE_REFUND' and lfc and not res`],
  ['wholesale_cost', `transaction_type = 'SELLER_REV_SHARE' and cogs`],
  ['wholesale_cost_refund', `transaction_type in ('SELLER_REV_SHARE_REFUND', 'SELLER_REV_SHARE_CREDIT') and cogs`],
  ['wholesale_seller_tax_share', `transaction_type = 'SELLER_TAX_SHARE' and res`],
  ['wholesale_seller_tax_share_refund', `transaction_type = 'SELLER_TAX_SHARE_REFUND' and res`],
  ['wholesale_other_seller_tax_share', `transaction_type = 'OTHER_SELLER_TAX_SHARE' and res`],
  ['wholesale_other_seller_tax_share_refund', `transaction_type = 'OTHER_SELLER_TAX_SHARE_REFUND' and res`],
  ['wholesale_aws_tax_share', `transaction_type = 'AWS_TAX_SHARE' and res`],
  ['wholesale_aws_tax_share_refund', `transaction_type = 'AWS_TAX_SHARE_REFUND' and res`],
];

/**
 * What the seller is owed, as AWS's query adds it up: these types whatever their flag, and the
 * tax AWS remits only where it touches the seller's balance (flagged, or paid out). *_CREDIT tax
 * types belong to no category and never count, as in AWS's output.
 */
const NET = `(transaction_type in ('SELLER_REV_SHARE', 'SELLER_REV_SHARE_REFUND', 'SELLER_REV_SHARE_CREDIT', 'AWS_REV_SHARE', 'AWS_REV_SHARE_REFUND', 'AWS_REV_SHARE_CREDIT',
    'SELLER_TAX_SHARE', 'SELLER_TAX_SHARE_REFUND', 'OTHER_SELLER_TAX_SHARE', 'OTHER_SELLER_TAX_SHARE_REFUND', 'BALANCE_ADJUSTMENT', 'AWS_INFRA_SHARE', 'INFRA_FEE_PRETAX')
  or (transaction_type in ('AWS_TAX_SHARE', 'AWS_TAX_SHARE_REFUND') and (coalesce(balance_impacting, false) or action = 'DISBURSED')))`;

/** The line a row belongs to (without currency), by the rules of the feed generation that delivered it. */
const LINE_KEY = `
  case when transaction_type = 'BALANCE_ADJUSTMENT' or invoice_id is null
         then 'BALANCE_ADJUSTMENT:' || coalesce(recipient_account_id, ${SELLER}, to_account_id, '') || ':' || coalesce(${stamp('invoice_date')}, '')
       when buyer_invoice_id is not null then buyer_invoice_id || ':' || coalesce(buyer_line_item_id, '') || ':' || coalesce(recipient_account_id, '')
       when invoice_variant is not null then 'NO_BUYER_INVOICE_FOR:' || invoice_id || ':' || coalesce(line_item_id, '') || ':' || coalesce(recipient_account_id, '')
       else coalesce(buyer_transaction_reference_id, transaction_reference_id, '') || '-' || coalesce(agreement_id, ' ') || '-' || coalesce(end_user_account_id, ' ')
            || '-' || coalesce(${stamp('usage_period_start_date')}, ' ') || '-' || coalesce(${stamp('usage_period_end_date')}, ' ') end
  || '_PricingCurrency:' || coalesce(currency, '')`;

const money = (expr: string) => `round(coalesce(${expr}, 0), 2)`;
const OUT = `bucket not in ('<invoiced>', '<collected>')`;

/**
 * Every current line event, its flags and bucket, and per (line, bucket) the sums, in the pricing
 * currency (`…`) and in the currency it was paid out in (`d_…`); then per line.
 */
const LINES = `
  payouts as (
    select billing_event_id as payout_id, transaction_type as payout_type, invoice_date as payout_date,
           nullif(nullif(bank_trace_id, 'EMEA_MP_TEST_TRACE_ID'), 'testTraceId') as payout_trace, disbursement_reference_number as payout_reference
      from ${currentWhere('sdds_billing_event', `action = 'DISBURSED' and transaction_type in ('DISBURSEMENT', 'DISBURSEMENT_FAILURE')`)} d),
  ev as materialized (
    select b.*, ${costOfGoods('b')} as cogs,
           coalesce(case when b.invoice_variant is not null then b.invoice_variant = 'LISTING_FEE' or (b.invoice_variant = 'PURCHASE' and b.charge_variant = 'LISTING_FEE')
                         else b.buyer_transaction_reference_id <> b.transaction_reference_id end, false) as lfc,
           coalesce(b.invoice_variant = 'RESALE', false) as res,
           ${LINE_KEY} as line_key,
           case when b.action = 'DISBURSED' then coalesce(b.disbursement_billing_event_id, '<unknown disbursement>')
                when b.action = 'COLLECTED' then '<collected>' else '<invoiced>' end as bucket,
           coalesce(b.disbursement_amount, b.amount) as d_amount
      from ${currentWhere('sdds_billing_event', `transaction_type is distinct from 'DISBURSEMENT' and transaction_type is distinct from 'DISBURSEMENT_FAILURE'`)} b),
  buckets as (
    select e.line_key, e.bucket, ${CATEGORIES.map(([name, where]) => `sum(e.amount) filter (where ${where}) as ${name}, sum(e.d_amount) filter (where ${where}) as d_${name}`).join(', ')},
           coalesce(sum(e.amount) filter (where ${NET}), 0) as net, coalesce(sum(e.d_amount) filter (where ${NET}), 0) as d_net,
           bool_or(e.transaction_type like 'SELLER\\_REV\\_SHARE%' and e.charge_variant = 'RESALE' and e.charge_side = 'SELLING' and e.res) as isv_wholesale,
           min(e.catalog) as catalog, min(e.usage_period_start_date) as usage_start, max(e.usage_period_end_date) as usage_end,
           p.payout_type, p.payout_date, p.payout_trace, p.payout_reference
      from ev e left join payouts p on p.payout_id = e.bucket
     group by e.line_key, e.bucket, p.payout_type, p.payout_date, p.payout_trace, p.payout_reference),
  sums as (
    select line_key as summed_line,
           ${CATEGORIES.map(([name]) => `sum(${name}) filter (where bucket = '<invoiced>') as ${name}`).join(', ')},
           coalesce(sum(net) filter (where bucket = '<invoiced>'), 0) as seller_net,
           coalesce(sum(d_net) filter (where bucket = '<invoiced>'), 0) as d_seller_net,
           coalesce(sum(net) filter (where ${OUT}), 0) as disbursed_net,
           coalesce(sum(d_net) filter (where ${OUT}), 0) as d_disbursed_net,
           count(*) filter (where ${OUT}) as payouts,
           max(payout_date) as last_payout,
           min(catalog) filter (where bucket = '<invoiced>') as catalog,
           min(usage_start) filter (where bucket = '<invoiced>') as usage_start, max(usage_end) filter (where bucket = '<invoiced>') as usage_end
      from buckets group by line_key),
  collected as (
    select line_key as collected_line, sum(amount) as collected_net, max(action_date) as last_collection
      from ev where action = 'COLLECTED' group by line_key),
  trace_lists as (${firstSeen('payout_trace', 'traces')}),
  reference_lists as (${firstSeen('payout_reference', 'refs')}),
  invoice_lists as (
    select line_key as invoiced_line,
           ${capped('invoice_id', 9)} filter (where kind = 'listing fee') as listing_fee_invoice_id,
           ${capped('invoice_id', 9)} filter (where kind = 'wholesale') as wholesale_invoice_id,
           ${capped('invoice_id', 9)} filter (where kind = 'seller issued') as seller_issued_invoice_id,
           ${capped('variant', 9)} filter (where kind = 'seller issued') as seller_issued_invoice_variant
      from (select i.*, row_number() over (partition by line_key, kind order by first_date, invoice_id) as n
              from (select line_key, invoice_id, invoice_variant as variant, min(invoice_date) as first_date,
                           case when invoice_variant = 'LISTING_FEE' or (invoice_variant is null and bool_or(lfc)) then 'listing fee'
                                when invoice_variant = 'RESALE' then 'wholesale' when invoice_variant = 'TAX_VAT' then 'seller issued' end as kind
                      from ev where invoice_id is not null group by line_key, invoice_id, invoice_variant) i
             where i.kind is not null) k
     group by line_key),
  attrs as (
    select line_key,
           -- the buyer's invoice: PURCHASE rows, or the buyer invoice of a RESALE row (a reseller's
           -- sale seen by the manufacturer); before June 2026, rows that are not seller invoices.
           -- Any row of the line counts, so a payout delivered in a later file is still dated.
           max(case when invoice_variant = 'PURCHASE' or transaction_type = 'BALANCE_ADJUSTMENT' then invoice_date
                    when invoice_variant = 'RESALE' then buyer_invoice_date
                    when invoice_variant is null and not lfc then invoice_date end) as invoice_date,
           max(payment_due_date) filter (where bucket = '<invoiced>') as payment_due_date,
           max(case when invoice_variant = 'PURCHASE' then invoice_id when invoice_variant = 'RESALE' then buyer_invoice_id
                    when invoice_variant is null and not lfc then invoice_id end) as invoice_id,
           -- who pays: any row of the line but AWS's, the cost of goods and the wholesale tax
           max(case when transaction_type like 'AWS%' or cogs or (transaction_type like '%TAX%' and res) then null
                    when invoice_id is null then to_account_id else from_account_id end) as payer,
           max(billing_address_id) filter (where bucket = '<invoiced>') as billing_address_id,
           max(product_id) as product_id, max(agreement_id) as agreement_id, max(offer_id) as offer_id,
           max(nullif(broker_id, '')) as broker, max(recipient_account_id) as recipient,
           max(currency) as currency, max(disbursement_currency) as disbursement_currency,
           coalesce(max(buyer_transaction_reference_id) filter (where bucket = '<invoiced>'), max(transaction_reference_id) filter (where bucket = '<invoiced>')) as transaction_reference_id
      from ev group by line_key)`;

/** A comma list, in the order `n`, of the first `keep` values, then "..." for each further one (as AWS's lists). */
function capped(value: string, keep: number): string {
  return `string_agg(case when n <= ${keep} then ${value} else '...' end, ',' order by n)`;
}

/** Per line, the distinct values of a payout column, earliest payout first, at most 50 then "...". */
function firstSeen(column: string, as: string): string {
  return `select line_key as ${as}_line, ${capped('v', 50)} as ${as}
      from (select line_key, v, row_number() over (partition by line_key order by first_date, v) as n
              from (select line_key, ${column} as v, min(payout_date) as first_date from buckets where ${OUT} and ${column} is not null group by 1, 2) x) y
     group by line_key`;
}

/** The line's agreement, offer, parties and product, each as it was on the invoice date. */
const NAMED = `
  named as (
    select l.*, s.*, c.collected_net, c.last_collection, tl.traces, rl.refs, il.*,
           g.acceptor_account_id, g.proposer_account_id, g.start_time, g.acceptance_time, g.end_time, g.offer_set_id, g.valid_from as agreement_revision,
           coalesce(g.offer_id, l.offer_id) as wanted_offer,
           coalesce(l.recipient, ${SELLER}) as seller_account,
           sa.aws_account_id as subscriber_aws_account_id, sa.encrypted_account_id as subscriber_encrypted_account_id, sa.tax_legal_name as subscriber_legal_name,
           sta.company_name as subscriber_tax_company, sma.company_name as subscriber_mailing_company,
           coalesce(sta.address_id, sma.address_id) as subscriber_address_id, coalesce(sta.email_domain, sma.email_domain) as subscriber_email_domain,
           coalesce(sta.city, sma.city) as subscriber_city, coalesce(sta.state_or_region, sma.state_or_region) as subscriber_state_or_region,
           coalesce(sta.country_code, sma.country_code) as subscriber_country, coalesce(sta.postal_code, sma.postal_code) as subscriber_postal_code,
           pa.aws_account_id as payer_aws_account_id, pa.encrypted_account_id as payer_encrypted_account_id, pa.tax_legal_name as payer_legal_name,
           pta.company_name as payer_tax_company, pba.company_name as payer_billing_company, pma.company_name as payer_mailing_company,
           coalesce(pta.address_id, pba.address_id, pma.address_id) as payer_address_id,
           coalesce(pta.email_domain, pba.email_domain, pma.email_domain) as payer_email_domain, coalesce(pta.city, pba.city, pma.city) as payer_city,
           coalesce(pta.state_or_region, pba.state_or_region, pma.state_or_region) as payer_state, coalesce(pta.country_code, pba.country_code, pma.country_code) as payer_country,
           coalesce(pta.postal_code, pba.postal_code, pma.postal_code) as payer_postal_code,
           p.title as product_title, p.manufacturer_account_id,
           (select min(m.legacy_id) from sdds_legacy_id_mapping m where m.mapping_type = 'PRODUCT' and m.new_id = l.product_id) as legacy_product_id,
           o.offer_id as found_offer, o.offer_revision, o.name as offer_name, o.opportunity_id, o.opportunity_name, o.opportunity_description,
           o.seller_account_id as offer_seller, o.recipient_account_id as offer_recipient
      from attrs l
      join sums s on s.summed_line = l.line_key
      left join collected c on c.collected_line = l.line_key
      left join trace_lists tl on tl.traces_line = l.line_key
      left join reference_lists rl on rl.refs_line = l.line_key
      left join invoice_lists il on il.invoiced_line = l.line_key
      left join lateral ${revisionAt('sdds_agreement', 'l.agreement_id', 'l.invoice_date')} g on true
      left join lateral ${revisionAt('sdds_account', 'g.acceptor_account_id', 'l.invoice_date')} sa on true
      left join lateral ${revisionAt('sdds_address', 'sa.tax_address_id', 'l.invoice_date')} sta on true
      left join lateral ${revisionAt('sdds_address', 'sa.mailing_address_id', 'l.invoice_date')} sma on true
      left join lateral ${revisionAt('sdds_account', 'l.payer', 'l.invoice_date')} pa on true
      left join lateral ${revisionAt('sdds_address', 'pa.tax_address_id', 'l.invoice_date')} pta on true
      left join lateral ${revisionAt('sdds_address', 'l.billing_address_id', 'l.invoice_date')} pba on true
      left join lateral ${revisionAt('sdds_address', 'pa.mailing_address_id', 'l.invoice_date')} pma on true
      left join lateral ${revisionAt('sdds_product', 'l.product_id', 'l.invoice_date')} p on true
      left join lateral ${revisionAt('sdds_offer', 'coalesce(g.offer_id, l.offer_id)', 'l.invoice_date', { strict: true })} o on true),
  parties as (
    select n.*,
           -- a channel partner's sale seen by the manufacturer: the agreement was proposed by a reseller
           case when n.proposer_account_id is not null and n.proposer_account_id <> n.seller_account then n.proposer_account_id end as reseller,
           ${visibility('n')} as offer_visibility
      from named n)`;

/**
 * The offer's visibility as AWS labels it: Private for a channel partner offer (its seller is not
 * its recipient) or one targeting buyer accounts; else Program:<name>, GeoTargeted or Other
 * Targeting by its targets; Public without any. Billed revenue reads the targets of every revision
 * of the offer, collections and disbursements those of the revision in effect (as AWS's do).
 */
function visibility(n: string, revisionOnly = false): string {
  const label = `case t.target_type when 'BuyerAccounts' then 'Private' when 'ParticipatingPrograms' then 'Program:' || coalesce(t.value, '') when 'CountryCodes' then 'GeoTargeted' else 'Other Targeting' end`;
  const rank = `case t.target_type when 'BuyerAccounts' then 1 when 'ParticipatingPrograms' then 2 when 'CountryCodes' then 3 else 4 end`;
  return `case when ${n}.found_offer is null then case when ${n}.agreement_id is not null then 'Public' end
       when ${n}.offer_seller <> coalesce(${n}.offer_recipient, ${n}.seller_account) then 'Private'
       else coalesce((select min(x.label) from (select distinct on (t.offer_revision) ${label} as label from sdds_offer_target_current t
                       where t.offer_id = ${n}.found_offer${revisionOnly ? ` and t.offer_revision = ${n}.offer_revision` : ''}
                       order by t.offer_revision, ${rank}, ${label}) x), 'Public') end`;
}

const notAvailableWithoutAgreement = (expr: string) => `case when n.agreement_id is null then 'Not available' else ${expr} end`;
const providedOrNot = (expr: string) => notAvailableWithoutAgreement(`coalesce(${expr}, 'Not provided')`);
const AIQ = `coalesce(n.wanted_offer like 'aiqoffer-%', false)`;

/** The columns both reports share before the money, as [name, SQL over `n`]. */
function head(collections: boolean): Array<[string, string]> {
  return [
    ['invoice_date', day('n.invoice_date')],
    ['payment_due_date', day('n.payment_due_date')],
    // whole days elapsed between the two instants, as Athena's date_diff counts them
    ['payment_term', `case when n.payment_due_date is null or n.invoice_date is null then null
        when abs(trunc(extract(epoch from n.payment_due_date - n.invoice_date) / 86400)) > 180 then 'Net 180+ days'
        else 'Net ' || abs(trunc(extract(epoch from n.payment_due_date - n.invoice_date) / 86400))::int || ' days' end`],
    ['invoice_id', 'n.invoice_id'],
    ['listing_fee_invoice_id', `coalesce(n.listing_fee_invoice_id, 'Not applicable')`],
    ['wholesale_invoice_id', `coalesce(n.wholesale_invoice_id, 'Not applicable')`],
    ['seller_issued_invoice_id', `coalesce(n.seller_issued_invoice_id, 'Not applicable')`],
    ['seller_issued_invoice_variant', `coalesce(n.seller_issued_invoice_variant, 'Not applicable')`],
    ['subscriber_company_name', providedOrNot('coalesce(n.subscriber_legal_name, n.subscriber_tax_company, n.subscriber_mailing_company)')],
    ['subscriber_aws_account_id', notAvailableWithoutAgreement('n.subscriber_aws_account_id')],
    ['subscriber_encrypted_account_id', notAvailableWithoutAgreement('n.subscriber_encrypted_account_id')],
    ['subscriber_email_domain', providedOrNot('n.subscriber_email_domain')],
    ['subscriber_city', providedOrNot('n.subscriber_city')],
    ['subscriber_state_or_region', providedOrNot('n.subscriber_state_or_region')],
    ['subscriber_country', providedOrNot('n.subscriber_country')],
    ['subscriber_postal_code', providedOrNot('n.subscriber_postal_code')],
    ['subscriber_address_id', providedOrNot('n.subscriber_address_id')],
    ['product_title', `coalesce(n.product_title, 'Not provided')`],
    ['offer_name', `case when n.found_offer is null then 'Not available' when n.offer_name is null and n.offer_visibility = 'Public' then 'Not applicable' else n.offer_name end`],
    ['offer_id', `coalesce(n.found_offer, 'Not available')`],
    ['offer_set_id', notAvailableWithoutAgreement(`coalesce(n.offer_set_id, 'Not applicable')`)],
    ['offer_visibility', collections ? visibility('n', true) : 'n.offer_visibility'],
    ['agreement_id', `coalesce(n.agreement_id, 'Not available')`],
    ['agreement_start_date', `case when ${AIQ} then null else ${day('n.start_time')} end`],
    ['agreement_acceptance_date', `case when ${AIQ} then null else ${day('n.acceptance_time')} end`],
    ['agreement_end_date', `case when ${AIQ} then null else ${day('n.end_time')} end`],
  ];
}

/** The line's state of payout, from its totals in the pricing currency (AWS's 2026 rules). */
const LINE_STATUS = `
  case when n.payouts = 0 then 'Not disbursed'
       when n.seller_net + n.disbursed_net = 0 then 'Disbursed'
       when n.disbursed_net = 0 then 'Disbursement reversed'
       when n.seller_net + n.disbursed_net < 0 then 'Disbursed'
       else 'Partially disbursed' end`;

const notApplicableWithoutOpportunity = (col: string) =>
  `case when n.${col} is not null then n.${col} when n.offer_visibility = 'Public' or (n.offer_visibility is null and n.agreement_id is not null) then 'Not applicable' end`;

/** The columns after the money: seller of record, resale, payer, ISV, product. */
const TAIL: Array<[string, string]> = [
  ['currency', 'n.currency'],
  ['transaction_reference_id', 'n.transaction_reference_id'],
  ['aws_seller_of_record', 'n.broker'],
  ['resale_authorization_id', notApplicableWithoutOpportunity('opportunity_id')],
  ['resale_authorization_name', notApplicableWithoutOpportunity('opportunity_name')],
  ['resale_authorization_description', notApplicableWithoutOpportunity('opportunity_description')],
  [
    'reseller_company_name',
    `case when n.reseller is not null then coalesce(rma.company_name, ra.tax_legal_name, 'Not available')
          when n.opportunity_id is null or n.seller_account is distinct from n.manufacturer_account_id then 'Not applicable' end`,
  ],
  ['reseller_aws_account_id', `case when n.reseller is not null then ra.aws_account_id when n.opportunity_id is null or n.seller_account is distinct from n.manufacturer_account_id then 'Not applicable' end`],
  ['payer_company_name', `coalesce(n.payer_legal_name, n.payer_tax_company, n.payer_billing_company, n.payer_mailing_company, 'Not available')`],
  ['payer_aws_account_id', `coalesce(n.payer_aws_account_id, 'Not available')`],
  ['payer_encrypted_account_id', 'n.payer_encrypted_account_id'],
  ['payer_email_domain', `coalesce(n.payer_email_domain, 'Not available')`],
  ['payer_city', `coalesce(n.payer_city, 'Not available')`],
  ['payer_state', `coalesce(n.payer_state, 'Not available')`],
  ['payer_country', `coalesce(n.payer_country, 'Not available')`],
  ['payer_postal_code', `coalesce(n.payer_postal_code, 'Not available')`],
  ['payer_address_id', `coalesce(n.payer_address_id, 'Not available')`],
  ['isv_account_id', 'ia.aws_account_id'],
  ['isv_company_name', `coalesce(ima.company_name, ia.tax_legal_name, 'Not available')`],
  // AWS names a product by its legacy ID where the legacy mapping knows one
  ['product_id', `coalesce(n.legacy_product_id, n.product_id, 'Not provided')`],
];

const TAIL_JOINS = `
  left join lateral ${revisionAt('sdds_account', 'n.reseller', 'n.invoice_date')} ra on true
  left join lateral ${revisionAt('sdds_address', 'ra.mailing_address_id', 'n.invoice_date')} rma on true
  left join lateral ${revisionAt('sdds_account', 'n.manufacturer_account_id', 'n.invoice_date')} ia on true
  left join lateral ${revisionAt('sdds_address', 'ia.mailing_address_id', 'n.invoice_date')} ima on true`;

const select = (cols: Array<[string, string]>) => cols.map(([name, expr]) => `${expr} as ${name}`).join(',\n    ');

/** |(fee + fee refund) / (revenue + refund)|: truncated to 4 places in billed revenue, rounded to 6 in collections (AWS 2026). */
function listingFeePercentage(t: string, digits: 'trunc4' | 'round6', prefix = ''): string {
  const f = (name: string) => `coalesce(${t}.${prefix}${name}, 0)`;
  const ratio = `abs((${f('listing_fee')} + ${f('listing_fee_refund')}) / (${f('gross_revenue')} + ${f('gross_refund')}))`;
  return `case when ${f('gross_revenue')} + ${f('gross_refund')} <> 0 then ${digits === 'trunc4' ? `trunc(round(${ratio}, 6), 4)` : `round(${ratio}, 6)`} else 0 end`;
}

/** Billed revenue: lines invoiced in [$1, $2). */
export function billedRevenueSql(): string {
  const cols: Array<[string, string]> = [
    ...head(false),
    [
      'accepted_term_types',
      `(select string_agg(t.term_type, ',' order by t.term_type) from (select distinct on (term_id) term_type, delete_date from sdds_agreement_term
          where agreement_id = n.agreement_id and valid_from = n.agreement_revision order by term_id, update_date desc nulls last, _file_id desc) t where t.delete_date is null)`,
    ],
    ['catalog', 'n.catalog'],
    ['usage_period_start_date', `case when ${AIQ} then null else ${day('n.usage_start')} end`],
    ['usage_period_end_date', `case when ${AIQ} then null else ${day('n.usage_end')} end`],
    ['disbursement_status', LINE_STATUS],
    ['disbursement_date', day('n.last_payout')],
    ['disburse_bank_trace_id', `case when n.payouts = 0 then 'Not applicable' else coalesce(n.traces, 'Not available') end`],
    ['disbursement_reference_number', `case when n.payouts = 0 then 'Not applicable' else coalesce(n.refs, 'Not available') end`],
    ...CATEGORIES.slice(0, 4).map(([name]): [string, string] => [name, money(`n.${name}`)]),
    ['listing_fee_percentage', listingFeePercentage('n', 'trunc4')],
    ...CATEGORIES.slice(4).map(([name]): [string, string] => [name, money(`n.${name}`)]),
    ['seller_net_revenue', money('n.seller_net')],
    ['collected_net_revenue', money('n.collected_net')],
    ['uncollected_net_revenue', money('n.seller_net - coalesce(n.collected_net, 0)')],
    ['last_collection_date', day('n.last_collection')],
    ...TAIL,
    // paid out to the seller: positive (AWS negates the disbursed rows' sum)
    ['disbursed_net_revenue', `-${money('n.disbursed_net')}`],
    ['undisbursed_net_revenue', money('n.seller_net + n.disbursed_net')],
    ['silent_internal_report_transaction', `n.line_key || '_DisbursementCurrency:' || coalesce(n.disbursement_currency, '')`],
  ];
  return `with ${LINES}, ${NAMED}
  select ${select(cols)}
    from parties n ${TAIL_JOINS}
   where n.invoice_date >= $1 and n.invoice_date < $2
   order by n.invoice_date, n.invoice_id, n.line_key`;
}

/** The columns billed revenue has and collections and disbursements does not. */
const NOT_IN_COLLECTIONS = new Set(['aws_tax_share', 'aws_tax_share_refund']);

/** Collections and disbursements: each line's payouts made in [$1, $2), amounts as paid out, in the currency paid. */
export function collectionsSql(): string {
  // the payout's own bucket, negated: DISBURSED rows offset what was invoiced
  const paid = (name: string) => money(`-d.d_${name}`);
  const due = `(d.payout_date at time zone 'UTC')::date - (n.payment_due_date at time zone 'UTC')::date`;
  const cols: Array<[string, string]> = [
    ...head(true),
    ['catalog', 'd.catalog'],
    ['usage_period_start_date', `case when ${AIQ} then null else ${day('d.usage_start')} end`],
    ['usage_period_end_date', `case when ${AIQ} then null else ${day('d.usage_end')} end`],
    ['disbursement_status', `case when d.payout_type = 'DISBURSEMENT_FAILURE' then 'Failed' else ${LINE_STATUS} end`],
    ['disbursement_date', day('d.payout_date')],
    ['disbursement_time_in_days', due],
    ['disburse_bank_trace_id', `coalesce(d.payout_trace, 'Not available')`],
    ['disbursement_reference_number', `coalesce(d.payout_reference, 'Not available')`],
    ...CATEGORIES.slice(0, 4).map(([name]): [string, string] => [name, paid(name)]),
    ['listing_fee_percentage', listingFeePercentage('d', 'round6', 'd_')],
    ...CATEGORIES.slice(4)
      .filter(([name]) => !NOT_IN_COLLECTIONS.has(name))
      // the manufacturer's side of a wholesale sale carries no wholesale AWS tax (AWS's rule)
      .map(([name]): [string, string] => [name, name === 'wholesale_aws_tax_share' ? `case when coalesce(d.isv_wholesale, false) then 0 else ${paid(name)} end` : paid(name)]),
    ['seller_net_revenue', paid('net')],
    // where AWS puts it, after seller_net_revenue: the currency the payout was made in
    ['currency', `coalesce(n.disbursement_currency, n.currency)`],
    ...TAIL.filter(([name]) => name !== 'currency'),
    ['disbursed_net_revenue', paid('net')],
    ['undisbursed_net_revenue', money('n.d_seller_net + n.d_disbursed_net')],
    [
      'disbursement_period',
      `case when n.payment_due_date is null then null
            when ${due} <= 0 then 'Not due'
            when ${due} <= 30 then '1-30 days late'
            when ${due} <= 60 then '31-60 days late'
            when ${due} <= 90 then '61-90 days late'
            when ${due} <= 120 then '91-120 days late'
            else '121+ days late' end`,
    ],
  ];
  return `with ${LINES}, ${NAMED}
  select ${select(cols)}
    from buckets d join parties n on n.line_key = d.line_key ${TAIL_JOINS}
   where d.${OUT} and d.payout_date >= $1 and d.payout_date < $2
   order by d.payout_date, n.invoice_date, n.invoice_id, n.line_key`;
}

export function financeReportSql(report: FinanceReport): string {
  switch (report) {
    case 'billed_revenue':
      return billedRevenueSql();
    case 'collections_and_disbursements':
      return collectionsSql();
    case 'taxation':
      return taxationSql();
    case 'agreements':
      return agreementsSql();
    case 'usage_report':
      return usageReportSql();
  }
}

/** The period as each report's query takes it: instants, or days for usage (a date column). */
function reportParams(report: FinanceReport, period: Period): unknown[] {
  return report === 'usage_report' ? [period.startDate, period.endDate] : [period.start, period.end];
}

/** The report's rows in the period, as objects (tests, digests). */
export async function queryFinanceReport(db: Database, report: FinanceReport, period: Period): Promise<Row[]> {
  await refreshRollups(db);
  return db.query(financeReportSql(report), reportParams(report, period));
}

/** The report in the period as CSV chunks, header first. */
export function exportFinanceReport(db: Database, report: FinanceReport, period: Period): AsyncIterable<Uint8Array> {
  return lazyIterable(async () => {
    await refreshRollups(db);
    const iterator = db.copyOutCsv(financeReportSql(report), reportParams(report, period))[Symbol.asyncIterator]();
    return { iterator, close: async () => void (await iterator.return?.()) };
  });
}
