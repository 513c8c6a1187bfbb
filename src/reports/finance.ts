/**
 * The two finance reports AWS retired for sellers, rebuilt from the SDDS billing event feed with
 * the columns of AWS's reference queries (cas-datasets.md §4.2) and their logic (sdds-feeds.md
 * §6.3):
 *
 * - **billed revenue**: one row per invoice line item invoiced in the period, with what was
 *   billed by category, collected, disbursed and what is still outstanding;
 * - **collections and disbursements**: one row per line item and disbursement made in the period,
 *   the amounts that disbursement paid out (positive = paid to the seller; a failed disbursement's
 *   reversal is negative).
 *
 * A line item is the buyer invoice line (`buyer_invoice_id`, `buyer_line_item_id`, recipient) on
 * 2026 feeds; older rows without a buyer invoice group by buyer transaction reference, agreement,
 * end user and usage period as AWS's 2024 query did; balance adjustments by recipient and day;
 * each per currency. Every billing event except the DISBURSEMENT rows themselves falls in one
 * bucket of its line: invoiced (INVOICED, FORGIVEN), collected (COLLECTED) or the disbursement it
 * was paid out in (DISBURSED, via `disbursement_billing_event_id`). Amounts are categorised by
 * transaction type, rounded to cents (half away from zero).
 *
 * Where this differs from AWS's samples, on purpose: names come from the account, address and
 * product revisions in effect on the invoice date (the earliest revision when none was yet);
 * collections and disbursements is filtered by disbursement date (AWS's sample filters by payment
 * due date), and its disbursement date is that row's own payout, not the line's latest.
 * `silent_internal_report_transaction` is kept for the column layout but left empty: no SDDS
 * column says what AWS marks with it.
 */
import { costOfGoods } from '../datasets/billing.ts';
import { currentWhere, revisionAt } from '../datasets/history.ts';
import { lazyIterable, type Database, type Row } from '../db/client.ts';
import type { Period } from '../periods.ts';
import { refreshRollups } from '../rollups/refresh.ts';

export const FINANCE_REPORTS = {
  billed_revenue: 'Billed revenue: one row per invoice line item invoiced in the period (AWS billed_revenue_report).',
  collections_and_disbursements: 'Collections and disbursements: one row per line item and disbursement paid out in the period (AWS collections_and_disbursements_report).',
} as const;
export type FinanceReport = keyof typeof FINANCE_REPORTS;

/** `billed-revenue`, `billed_revenue_report`, … → the report, or null. */
export function financeReport(name: string): FinanceReport | null {
  const n = name.toLowerCase().replace(/-/g, '_').replace(/_report$/, '');
  return n in FINANCE_REPORTS ? (n as FinanceReport) : null;
}

const day = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD')`;
const AWS_TAX = `transaction_type like 'AWS\\_TAX\\_SHARE%'`;
const isRefund = `(transaction_type like '%\\_REFUND' or transaction_type like '%\\_CREDIT')`;

/** [column, which rows it sums]: every amount column of the billed revenue report, in order. */
const CATEGORIES: Array<[string, string]> = [
  ['gross_revenue', `transaction_type = 'SELLER_REV_SHARE' and not cogs`],
  ['gross_refund', `transaction_type in ('SELLER_REV_SHARE_REFUND', 'SELLER_REV_SHARE_CREDIT') and not cogs`],
  ['listing_fee', `transaction_type = 'AWS_REV_SHARE'`],
  ['listing_fee_refund', `transaction_type in ('AWS_REV_SHARE_REFUND', 'AWS_REV_SHARE_CREDIT')`],
  ['seller_tax_share', `transaction_type = 'SELLER_TAX_SHARE' and not cogs`],
  ['seller_tax_share_refund', `transaction_type in ('SELLER_TAX_SHARE_REFUND', 'SELLER_TAX_SHARE_CREDIT') and not cogs`],
  ['aws_tax_share', `${AWS_TAX} and not ${isRefund} and not cogs and coalesce(invoice_variant, 'PURCHASE') not in ('LISTING_FEE', 'RESALE')`],
  ['aws_tax_share_refund', `${AWS_TAX} and ${isRefund} and not cogs and coalesce(invoice_variant, 'PURCHASE') not in ('LISTING_FEE', 'RESALE')`],
  ['aws_tax_share_listing_fee', `${AWS_TAX} and not ${isRefund} and invoice_variant = 'LISTING_FEE'`],
  ['aws_tax_share_refund_listing_fee', `${AWS_TAX} and ${isRefund} and invoice_variant = 'LISTING_FEE'`],
  ['wholesale_cost', `transaction_type = 'SELLER_REV_SHARE' and cogs`],
  ['wholesale_cost_refund', `transaction_type in ('SELLER_REV_SHARE_REFUND', 'SELLER_REV_SHARE_CREDIT') and cogs`],
  ['wholesale_seller_tax_share', `transaction_type = 'SELLER_TAX_SHARE' and cogs`],
  ['wholesale_seller_tax_share_refund', `transaction_type in ('SELLER_TAX_SHARE_REFUND', 'SELLER_TAX_SHARE_CREDIT') and cogs`],
  ['wholesale_other_seller_tax_share', `transaction_type = 'OTHER_SELLER_TAX_SHARE' and cogs`],
  ['wholesale_other_seller_tax_share_refund', `transaction_type in ('OTHER_SELLER_TAX_SHARE_REFUND', 'OTHER_SELLER_TAX_SHARE_CREDIT') and cogs`],
  ['wholesale_aws_tax_share', `${AWS_TAX} and not ${isRefund} and (cogs or invoice_variant = 'RESALE')`],
  ['wholesale_aws_tax_share_refund', `${AWS_TAX} and ${isRefund} and (cogs or invoice_variant = 'RESALE')`],
];

/**
 * What the seller is owed: on invoiced rows, those AWS flags balance-impacting (its Ex4 query);
 * on collected and disbursed rows (always flagged 0), the same categories by type.
 */
const NET = `case when action in ('INVOICED', 'FORGIVEN') then coalesce(balance_impacting, false)
  else transaction_type like 'SELLER\\_%' or transaction_type like 'AWS\\_REV\\_SHARE%' or transaction_type like 'OTHER\\_SELLER\\_TAX\\_SHARE%'
    or transaction_type in ('BALANCE_ADJUSTMENT', 'AWS_INFRA_SHARE', 'INFRA_FEE_PRETAX')
    or (${AWS_TAX} and invoice_variant = 'LISTING_FEE') end`;

const LINE_KEY = `
  case when invoice_id is null then 'BALANCE_ADJUSTMENT:' || coalesce(recipient_account_id, to_account_id, '') || ':' || ${day('invoice_date')}
       when buyer_invoice_id is not null then buyer_invoice_id || ':' || coalesce(buyer_line_item_id, '') || ':' || coalesce(recipient_account_id, '')
       else concat_ws('-', coalesce(buyer_transaction_reference_id, transaction_reference_id, ''), coalesce(agreement_id, ''), coalesce(end_user_account_id, ''),
                      coalesce(${day('usage_period_start_date')}, ''), coalesce(${day('usage_period_end_date')}, '')) end || ':' || currency`;

const money = (expr: string) => `round(coalesce(${expr}, 0), 2)`;

/** Every current line event in its bucket, and per (line, bucket) the sums; then per line. */
const LINES = `
  ev as materialized (
    select b.*, ${costOfGoods('b')} as cogs, ${LINE_KEY} as line_key,
           case when b.action = 'DISBURSED' then coalesce(b.disbursement_billing_event_id, '<unknown disbursement>')
                when b.action = 'COLLECTED' then '<collected>' else '<invoiced>' end as bucket
      from ${currentWhere('sdds_billing_event', `transaction_type not like 'DISBURSEMENT%'`)} b),
  payouts as (
    select billing_event_id as payout_id, transaction_type as payout_type, invoice_date as payout_date,
           nullif(nullif(bank_trace_id, 'EMEA_MP_TEST_TRACE_ID'), 'testTraceId') as payout_trace, disbursement_reference_number as payout_reference
      from ${currentWhere('sdds_billing_event', `action = 'DISBURSED' and transaction_type in ('DISBURSEMENT', 'DISBURSEMENT_FAILURE')`)} d),
  buckets as (
    select e.line_key, e.bucket, ${CATEGORIES.map(([name, where]) => `sum(e.amount) filter (where ${where}) as ${name}`).join(', ')},
           coalesce(sum(e.amount) filter (where ${NET}), 0) as net,
           max(coalesce(e.action_date, e.valid_from)) filter (where e.action = 'COLLECTED') as collected_at,
           p.payout_type, p.payout_date, p.payout_trace, p.payout_reference
      from ev e left join payouts p on p.payout_id = e.bucket
     group by e.line_key, e.bucket, p.payout_type, p.payout_date, p.payout_trace, p.payout_reference),
  sums as (
    select line_key as summed_line,
           ${CATEGORIES.map(([name]) => `sum(${name}) filter (where bucket = '<invoiced>') as ${name}`).join(', ')},
           coalesce(sum(net) filter (where bucket = '<invoiced>'), 0) as seller_net,
           coalesce(sum(net) filter (where bucket = '<collected>'), 0) as collected_net,
           max(collected_at) as last_collection,
           coalesce(sum(net) filter (where bucket not in ('<invoiced>', '<collected>')), 0) as disbursed_net,
           count(*) filter (where bucket not in ('<invoiced>', '<collected>')) as payouts,
           bool_or(payout_type = 'DISBURSEMENT_FAILURE') as failed,
           max(payout_date) as last_payout,
           (array_agg(payout_trace order by payout_date desc nulls last) filter (where bucket not in ('<invoiced>', '<collected>')))[1] as last_trace,
           (array_agg(payout_reference order by payout_date desc nulls last) filter (where bucket not in ('<invoiced>', '<collected>')))[1] as last_reference
      from buckets group by line_key),
  attrs as (
    select line_key,
           min(invoice_date) filter (where action = 'INVOICED') as invoice_date,
           max(payment_due_date) filter (where action = 'INVOICED') as payment_due_date,
           coalesce(max(buyer_invoice_id), max(invoice_id) filter (where action = 'INVOICED' and coalesce(invoice_variant, 'PURCHASE') = 'PURCHASE'), max(invoice_id)) as invoice_id,
           string_agg(distinct invoice_id, ',') filter (where invoice_variant = 'LISTING_FEE') as listing_fee_invoice_id,
           string_agg(distinct invoice_id, ',') filter (where invoice_variant = 'RESALE') as wholesale_invoice_id,
           string_agg(distinct invoice_id, ',') filter (where invoice_variant = 'TAX_VAT') as seller_issued_invoice_id,
           max(end_user_account_id) as end_user,
           max(from_account_id) filter (where action = 'INVOICED' and invoice_id is not null and transaction_type like 'SELLER\\_%' and not cogs) as payer,
           max(billing_address_id) as billing_address_id,
           max(product_id) as product_id, max(agreement_id) as agreement_id, max(offer_id) as offer_id, max(catalog) as catalog,
           coalesce(nullif(max(broker_id), ''), 'AWS_INC') as broker,
           min(usage_period_start_date) as usage_start, max(usage_period_end_date) as usage_end,
           max(currency) as currency, coalesce(max(buyer_transaction_reference_id), max(transaction_reference_id)) as transaction_reference_id
      from ev group by line_key)`;

/** Names and agreement details of the lines in `attrs` as `l` (columns prefixed by their role). */
const NAMED = `
  named as (
    select l.*, s.*, g.acceptor_account_id, g.start_time, g.acceptance_time, g.end_time, g.offer_set_id, g.proposer_account_id,
           coalesce(l.offer_id, g.offer_id) as the_offer,
           sa.aws_account_id as subscriber_aws_account_id, sa.encrypted_account_id as subscriber_encrypted_account_id, sad.*,
           pa.aws_account_id as payer_aws_account_id, pa.encrypted_account_id as payer_encrypted_account_id,
           pad.address_id as payer_address_id, pad.company_name as payer_company_name, pad.email_domain as payer_email_domain, pad.city as payer_city,
           pad.state_or_region as payer_state, pad.country_code as payer_country, pad.postal_code as payer_postal_code,
           p.title as product_title, p.manufacturer_account_id,
           o.name as offer_name, o.opportunity_id, o.opportunity_name, o.opportunity_description, o.seller_account_id as offer_seller, o.recipient_account_id as offer_recipient,
           case when coalesce(l.offer_id, g.offer_id) is null then null
                when o.seller_account_id is not null and o.recipient_account_id is not null and o.seller_account_id <> o.recipient_account_id then 'Private'
                when exists (select 1 from sdds_offer_target_current t where t.offer_id = coalesce(l.offer_id, g.offer_id) and t.target_type = 'BuyerAccounts') then 'Private'
                else 'Public' end as offer_visibility,
           (select string_agg(distinct t.term_type, ',' order by t.term_type) from sdds_agreement_term_current t where t.agreement_id = l.agreement_id) as accepted_term_types
      from attrs l
      join sums s on s.summed_line = l.line_key
      left join lateral ${revisionAt('sdds_agreement', 'l.agreement_id', 'l.invoice_date')} g on true
      left join lateral ${revisionAt('sdds_account', 'coalesce(g.acceptor_account_id, l.end_user)', 'l.invoice_date')} sa on true
      left join lateral (select ad.address_id as subscriber_address_id, ad.company_name as subscriber_company_name, ad.email_domain as subscriber_email_domain,
                                ad.city as subscriber_city, ad.state_or_region as subscriber_state_or_region, ad.country_code as subscriber_country, ad.postal_code as subscriber_postal_code
                           from ${revisionAt('sdds_address', 'coalesce(sa.tax_address_id, sa.mailing_address_id)', 'l.invoice_date')} ad) sad on true
      left join lateral ${revisionAt('sdds_account', 'l.payer', 'l.invoice_date')} pa on true
      left join lateral ${revisionAt('sdds_address', 'coalesce(pa.tax_address_id, l.billing_address_id, pa.mailing_address_id)', 'l.invoice_date')} pad on true
      left join lateral ${revisionAt('sdds_product', 'l.product_id', 'l.invoice_date')} p on true
      left join lateral ${revisionAt('sdds_offer', 'coalesce(l.offer_id, g.offer_id)', 'l.invoice_date')} o on true),
  parties as (
    select n.*,
           case when n.offer_seller is not null and n.offer_recipient is not null and n.offer_seller <> n.offer_recipient then n.offer_seller end as reseller
      from named n)`;

/** The columns both reports share before the money, as [name, SQL over `n`]. */
const HEAD: Array<[string, string]> = [
  ['invoice_date', day('n.invoice_date')],
  ['payment_due_date', day('n.payment_due_date')],
  ['payment_term', `case when n.payment_due_date is null then null when abs(n.payment_due_date::date - n.invoice_date::date) > 180 then 'Net 180+ days' else 'Net ' || abs(n.payment_due_date::date - n.invoice_date::date) || ' days' end`],
  ['invoice_id', 'n.invoice_id'],
  ['listing_fee_invoice_id', `coalesce(n.listing_fee_invoice_id, 'Not applicable')`],
  ['wholesale_invoice_id', `coalesce(n.wholesale_invoice_id, 'Not applicable')`],
  ['seller_issued_invoice_id', `coalesce(n.seller_issued_invoice_id, 'Not applicable')`],
  ['seller_issued_invoice_variant', `case when n.seller_issued_invoice_id is not null then 'TAX_VAT' else 'Not applicable' end`],
  ['subscriber_company_name', `coalesce(n.subscriber_company_name, 'Not available')`],
  ['subscriber_aws_account_id', 'n.subscriber_aws_account_id'],
  ['subscriber_encrypted_account_id', 'n.subscriber_encrypted_account_id'],
  ['subscriber_email_domain', 'n.subscriber_email_domain'],
  ['subscriber_city', 'n.subscriber_city'],
  ['subscriber_state_or_region', 'n.subscriber_state_or_region'],
  ['subscriber_country', 'n.subscriber_country'],
  ['subscriber_postal_code', 'n.subscriber_postal_code'],
  ['subscriber_address_id', 'n.subscriber_address_id'],
  ['product_title', `coalesce(n.product_title, n.product_id, 'Not provided')`],
  ['offer_name', `coalesce(n.offer_name, case when n.offer_visibility = 'Public' then 'Not applicable' end, 'Not available')`],
  ['offer_id', 'n.the_offer'],
  ['offer_set_id', 'n.offer_set_id'],
  ['offer_visibility', 'n.offer_visibility'],
  ['agreement_id', 'n.agreement_id'],
  ['agreement_start_date', day('n.start_time')],
  ['agreement_acceptance_date', day('n.acceptance_time')],
  ['agreement_end_date', day('n.end_time')],
];

const DISBURSEMENT_STATUS = `
  case when coalesce(n.failed, false) and n.disbursed_net = 0 then 'Failed'
       when n.payouts = 0 then 'Not disbursed'
       when n.seller_net + n.disbursed_net = 0 or sign(n.seller_net + n.disbursed_net) = sign(n.disbursed_net) then 'Disbursed'
       when n.disbursed_net = 0 then 'Disbursement reversed'
       else 'Partially disbursed' end`;

/** The columns after the money: seller of record, resale, payer, ISV, product. */
const TAIL: Array<[string, string]> = [
  ['currency', 'n.currency'],
  ['transaction_reference_id', 'n.transaction_reference_id'],
  ['aws_seller_of_record', 'n.broker'],
  ['resale_authorization_id', `coalesce(n.opportunity_id, 'Not applicable')`],
  ['resale_authorization_name', `coalesce(nullif(n.opportunity_name, ''), case when n.opportunity_id is null then 'Not applicable' end)`],
  ['resale_authorization_description', `coalesce(nullif(n.opportunity_description, ''), case when n.opportunity_id is null then 'Not applicable' end)`],
  ['reseller_company_name', `case when n.reseller is null then 'Not applicable' else coalesce(rad.company_name, ra.tax_legal_name, 'Not available') end`],
  ['reseller_aws_account_id', `case when n.reseller is null then 'Not applicable' else ra.aws_account_id end`],
  ['payer_company_name', `coalesce(n.payer_company_name, 'Not available')`],
  ['payer_aws_account_id', 'n.payer_aws_account_id'],
  ['payer_encrypted_account_id', 'n.payer_encrypted_account_id'],
  ['payer_email_domain', 'n.payer_email_domain'],
  ['payer_city', 'n.payer_city'],
  ['payer_state', 'n.payer_state'],
  ['payer_country', 'n.payer_country'],
  ['payer_postal_code', 'n.payer_postal_code'],
  ['payer_address_id', 'n.payer_address_id'],
  ['isv_account_id', 'ia.aws_account_id'],
  ['isv_company_name', `coalesce(iad.company_name, ia.tax_legal_name, 'Not available')`],
  ['product_id', 'n.product_id'],
];

const TAIL_JOINS = `
  left join sdds_account_current ra on ra.account_id = n.reseller
  left join sdds_address_current rad on rad.address_id = coalesce(ra.mailing_address_id, ra.tax_address_id)
  left join sdds_account_current ia on ia.account_id = n.manufacturer_account_id
  left join sdds_address_current iad on iad.address_id = coalesce(ia.tax_address_id, ia.mailing_address_id)`;

const select = (cols: Array<[string, string]>) => cols.map(([name, expr]) => `${expr} as ${name}`).join(',\n    ');

/** Billed revenue: lines invoiced in [$1, $2). */
export function billedRevenueSql(): string {
  const cols: Array<[string, string]> = [
    ...HEAD,
    ['accepted_term_types', 'n.accepted_term_types'],
    ['catalog', 'n.catalog'],
    ['usage_period_start_date', day('n.usage_start')],
    ['usage_period_end_date', day('n.usage_end')],
    ['disbursement_status', DISBURSEMENT_STATUS],
    ['disbursement_date', day('n.last_payout')],
    ['disburse_bank_trace_id', `case when n.payouts = 0 then 'Not applicable' else coalesce(n.last_trace, 'Not available') end`],
    ['disbursement_reference_number', 'n.last_reference'],
    ...CATEGORIES.slice(0, 4).map(([name]): [string, string] => [name, money(`n.${name}`)]),
    ['listing_fee_percentage', LISTING_FEE_PERCENTAGE('n')],
    ...CATEGORIES.slice(4).map(([name]): [string, string] => [name, money(`n.${name}`)]),
    ['seller_net_revenue', money('n.seller_net')],
    ['collected_net_revenue', money('n.collected_net')],
    ['uncollected_net_revenue', money('n.seller_net - n.collected_net')],
    ['last_collection_date', day('n.last_collection')],
    ...TAIL,
    ['disbursed_net_revenue', money('n.disbursed_net')],
    ['undisbursed_net_revenue', money('n.seller_net + n.disbursed_net')],
    ['silent_internal_report_transaction', 'null::text'],
  ];
  return `with ${LINES}, ${NAMED}
  select ${select(cols)}
    from parties n ${TAIL_JOINS}
   where n.invoice_date >= $1 and n.invoice_date < $2
   order by n.invoice_date, n.invoice_id, n.line_key`;
}

const LISTING_FEE_PERCENTAGE = (t: string) => `
  case when coalesce(${t}.gross_revenue, 0) <> 0 then trunc(abs(coalesce(${t}.listing_fee, 0) / ${t}.gross_revenue), 4)
       when coalesce(${t}.gross_refund, 0) <> 0 then trunc(abs(coalesce(${t}.listing_fee_refund, 0) / ${t}.gross_refund), 4)
       else 0 end`;

/** The columns billed revenue has and collections and disbursements does not (§4.2). */
const NOT_IN_COLLECTIONS = new Set(['accepted_term_types', 'aws_tax_share', 'aws_tax_share_refund', 'collected_net_revenue', 'uncollected_net_revenue', 'last_collection_date', 'silent_internal_report_transaction']);

/** Collections and disbursements: each line's payouts made in [$1, $2), amounts as paid out. */
export function collectionsSql(): string {
  // the payout's own bucket, negated: DISBURSED rows offset what was invoiced
  const paid = (name: string) => money(`-d.${name}`);
  const cols: Array<[string, string]> = [
    ...HEAD,
    ['catalog', 'n.catalog'],
    ['usage_period_start_date', day('n.usage_start')],
    ['usage_period_end_date', day('n.usage_end')],
    ['disbursement_status', `case when d.payout_type = 'DISBURSEMENT_FAILURE' then 'Failed' else ${DISBURSEMENT_STATUS} end`],
    ['disbursement_date', day('d.payout_date')],
    ['disbursement_time_in_days', `d.payout_date::date - n.payment_due_date::date`],
    ['disburse_bank_trace_id', `coalesce(d.payout_trace, 'Not available')`],
    ['disbursement_reference_number', 'd.payout_reference'],
    ...CATEGORIES.slice(0, 4).map(([name]): [string, string] => [name, paid(name)]),
    ['listing_fee_percentage', LISTING_FEE_PERCENTAGE('d')],
    ...CATEGORIES.slice(4).filter(([name]) => !NOT_IN_COLLECTIONS.has(name)).map(([name]): [string, string] => [name, paid(name)]),
    ['seller_net_revenue', paid('net')],
    ...TAIL,
    ['disbursed_net_revenue', paid('net')],
    ['undisbursed_net_revenue', money('n.seller_net + n.disbursed_net')],
    [
      'disbursement_period',
      `case when n.payment_due_date is null then null
            when d.payout_date::date - n.payment_due_date::date <= 0 then 'Not due'
            when d.payout_date::date - n.payment_due_date::date <= 30 then '1-30 days late'
            when d.payout_date::date - n.payment_due_date::date <= 60 then '31-60 days late'
            when d.payout_date::date - n.payment_due_date::date <= 90 then '61-90 days late'
            when d.payout_date::date - n.payment_due_date::date <= 120 then '91-120 days late'
            else '121+ days late' end`,
    ],
  ];
  return `with ${LINES}, ${NAMED}
  select ${select(cols)}
    from buckets d join parties n on n.line_key = d.line_key ${TAIL_JOINS}
   where d.bucket not in ('<invoiced>', '<collected>') and d.payout_date >= $1 and d.payout_date < $2
   order by d.payout_date, n.invoice_date, n.invoice_id, n.line_key`;
}

export function financeReportSql(report: FinanceReport): string {
  return report === 'billed_revenue' ? billedRevenueSql() : collectionsSql();
}

/** The report's rows in the period, as objects (tests, digests). */
export async function queryFinanceReport(db: Database, report: FinanceReport, period: Period): Promise<Row[]> {
  await refreshRollups(db);
  return db.query(financeReportSql(report), [period.start, period.end]);
}

/** The report in the period as CSV chunks, header first. */
export function exportFinanceReport(db: Database, report: FinanceReport, period: Period): AsyncIterable<Uint8Array> {
  return lazyIterable(async () => {
    await refreshRollups(db);
    const iterator = db.copyOutCsv(financeReportSql(report), [period.start, period.end])[Symbol.asyncIterator]();
    return { iterator, close: async () => void (await iterator.return?.()) };
  });
}
