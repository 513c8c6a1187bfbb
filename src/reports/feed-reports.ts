/**
 * The other three reports AWS publishes as SQL over the data feeds, rebuilt with their columns and
 * rules (aws-samples/aws-marketplace-api-samples, seller-data-feeds/queries): taxation (2024),
 * agreements (2024) and usage (June 2026). Names are as they were at each row's date (invoice,
 * acceptance, usage day), addresses too (AWS: the latest address revision).
 *
 * Where the output differs from AWS's on purpose (README, Finance reports):
 * - the period is asked for (AWS: the last 90 days, open-ended): tax items by invoice date,
 *   agreements by start date, usage by usage day; rows are ordered (AWS: no order);
 * - one row per tax item and per usage line, their current state (AWS repeats an item with two
 *   revisions); one row per product of a multi-product offer (AWS keeps one arbitrary product);
 * - dates are days (YYYY-MM-DD, UTC), not timestamps; lists (next agreements) are in acceptance
 *   order (AWS: undefined).
 */
import { revisionAt, currentWhere } from '../datasets/history.ts';

const day = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD')`;
const LEGACY = (productSql: string) => `(select min(m.legacy_id) from sdds_legacy_id_mapping m where m.mapping_type = 'PRODUCT' and m.new_id = ${productSql})`;

/** The label AWS gives an offer revision's targeting (Private, Program:<name>, GeoTargeted, Other Targeting), or null without targets. */
function targetLabel(offerSql: string, revisionSql: string): string {
  return `(select substring(min(case t.target_type when 'BuyerAccounts' then '1Private' when 'ParticipatingPrograms' then '2Program:' || coalesce(t.value, '')
                                                 when 'CountryCodes' then '3GeoTargeted' else '4Other Targeting' end) from 2)
             from sdds_offer_target_current t where t.offer_id = ${offerSql} and t.offer_revision = ${revisionSql})`;
}

/** A party's name and address as AWS's usage report reads them: legal name, else the tax, else the mailing address's company. */
function party(alias: string, accountSql: string, at: string): string {
  return `left join lateral ${revisionAt('sdds_account', accountSql, at)} ${alias} on true
  left join lateral ${revisionAt('sdds_address', `coalesce(${alias}.tax_address_id, ${alias}.mailing_address_id)`, at)} ${alias}_ad on true
  left join lateral ${revisionAt('sdds_address', `${alias}.tax_address_id`, at)} ${alias}_tax on true
  left join lateral ${revisionAt('sdds_address', `${alias}.mailing_address_id`, at)} ${alias}_mail on true`;
}
const partyName = (alias: string) => `coalesce(${alias}.tax_legal_name, ${alias}_tax.company_name, ${alias}_mail.company_name)`;
const mailingName = (alias: string) => `coalesce(${alias}_mail.company_name, ${alias}.tax_legal_name)`;

/** Tax items invoiced in [$1, $2): AWS's taxation_report, 28 columns. */
export function taxationSql(): string {
  const exempt = (col: string) => `coalesce(nullif(t.${col}, ''), 'Not exempt') as ${col}`;
  return `with t as (select * from ${currentWhere('sdds_tax_item', `invoice_date >= $1 and invoice_date < $2`)} x)
  select t.invoice_id, t.line_item_id, t.customer_bill_id, t.tax_liable_party, t.transaction_type_code, t.product_id, p.title as product_title, t.product_tax_code,
         ${day('t.invoice_date')} as invoice_date, a.aws_account_id as taxed_customer_account_id,
         t.taxed_customer_country, t.taxed_customer_state_or_region, t.taxed_customer_city, t.taxed_customer_postal_code,
         t.tax_type_code as tax_type, t.jurisdiction_level, t.taxed_jurisdiction, t.display_price_taxability_type, t.tax_jurisdiction_rate,
         t.tax_amount, t.tax_currency, t.tax_calculation_reason_code, ${day('t.date_used_for_tax_calculation')} as date_used_for_tax_calculation,
         ${exempt('customer_exemption_certificate_id')}, ${exempt('customer_exemption_certificate_id_domain')}, ${exempt('customer_exemption_certificate_level')},
         ${exempt('customer_exemption_code')}, t.transaction_reference_id
    from t
    left join lateral ${revisionAt('sdds_product', 't.product_id', 't.invoice_date')} p on true
    left join lateral ${revisionAt('sdds_account', 't.taxed_customer_account_id', 't.invoice_date')} a on true
   order by t.invoice_date, t.invoice_id, t.line_item_id, t.jurisdiction_level, t.taxed_jurisdiction, t.tax_item_id`;
}

/**
 * Agreements that started in [$1, $2): AWS's agreement_report, 43 columns in its order. Each
 * agreement at the revision AWS picks (the latest in effect, else the latest rolled back, else
 * the latest superseded); its offer, products and parties as at acceptance.
 */
export function agreementsSql(): string {
  const P = (value: string) => `coalesce(${value}, case when g.intent is null or g.intent = 'NEW' then 'Not applicable' else 'Not available' end)`;
  const R = (value: string) => `case when ${value} is not null then ${value} when vis.raw = 'Public' or vis.raw is null then 'Not applicable' end`;
  return `with revisions as (
      select * from (select distinct on (agreement_id, valid_from) * from sdds_agreement order by agreement_id, valid_from, update_date desc nulls last, _file_id desc) r
       where delete_date is null),
    chosen as materialized (
      select distinct on (agreement_id) * from revisions
       order by agreement_id, case status when 'SUPERSEDED' then 2 when 'ROLLED_BACK' then 1 else 0 end, valid_from desc),
    g as (select * from chosen where start_time >= $1 and start_time < $2)
  select g.agreement_id,
         ${P('nx.accepted')} as next_agreement_acceptance_date,
         ${P('pv.offer_id')} as previous_offer_id,
         coalesce(sa_ad.email_domain, 'Not provided') as subscriber_email_domain,
         case when res.reseller and pa.aws_account_id is not null then coalesce(${mailingName('pa')}, 'Not available') else 'Not applicable' end as reseller_company_name,
         case when res.reseller then pa.encrypted_account_id end as reseller_encrypted_account_id,
         ma.aws_account_id as isv_aws_account_id,
         coalesce(p.product_code, 'Not provided') as product_code,
         coalesce(sa_ad.country_code, 'Not provided') as subscriber_country,
         g.currency_code,
         ${P('g.preceding_agreement_id')} as previous_agreement_id,
         'PurchaseAgreement' as agreement_type,
         ${R('o.opportunity_description')} as resale_authorization_description,
         case when o.opportunity_id is not null then 'Y' when ma.aws_account_id <> pa.aws_account_id then 'Y' else 'N' end as cppo_flag,
         coalesce(${LEGACY('op.product_id')}, op.product_id, 'Not provided') as product_id,
         pa.encrypted_account_id as proposer_encrypted_account_id,
         coalesce(nullif(${mailingName('ma')}, ''), 'Not available') as isv_company_name,
         ${R('o.opportunity_id')} as resale_authorization_id,
         ${P('nx.offers')} as next_offer_id,
         g.estimated_agreement_value as total_contract_value,
         ${LEGACY('op.product_id')} as legacy_product_id,
         ${day('g.acceptance_time')} as agreement_acceptance_date,
         null::text as isv_encrypted_account_id,
         sa.aws_account_id as subscriber_aws_account_id,
         case when res.reseller and pa.aws_account_id is not null then pa.aws_account_id else 'Not applicable' end as reseller_aws_account_id,
         coalesce(p.title, 'Not provided') as product_title,
         case when o.name is null and vis.raw = 'Public' then 'Not applicable' else o.name end as offer_name,
         g.offer_id,
         ${day('g.end_time')} as agreement_end_date,
         ${R('o.opportunity_name')} as resale_authorization_name,
         pa.aws_account_id as proposer_aws_account_id,
         ${day('g.start_time')} as agreement_start_date,
         g.intent as agreement_intent,
         null::text as product_type,
         coalesce(${mailingName('pa')}, 'Not available') as proposer_company_name,
         coalesce(sa_ad.postal_code, 'Not provided') as subscriber_postal_code,
         coalesce(${mailingName('sa')}, 'Not provided') as subscriber_company_name,
         coalesce(sa_ad.city, 'Not provided') as subscriber_city,
         ${P('nx.ids')} as next_agreement_id,
         coalesce(sa_ad.state_or_region, 'Not provided') as subscriber_state_or_region,
         sa.encrypted_account_id as subscriber_encrypted_account_id,
         coalesce(vis.raw, 'Public') as offer_visibility,
         g.status
    from g
    left join lateral (
      select string_agg(n.agreement_id, ',' order by n.acceptance_time, n.agreement_id) as ids,
             string_agg(n.offer_id, ',' order by n.acceptance_time, n.agreement_id) as offers,
             string_agg(${day('n.acceptance_time')}, ',' order by n.acceptance_time, n.agreement_id) as accepted
        from chosen n where n.preceding_agreement_id = g.agreement_id) nx on true
    left join chosen pv on pv.agreement_id = g.preceding_agreement_id
    left join lateral ${revisionAt('sdds_offer', 'g.offer_id', 'g.acceptance_time', { strict: true })} o on g.acceptance_time is not null
    left join sdds_offer_product_current op on op.offer_id = o.offer_id and op.offer_revision = o.offer_revision
    left join lateral ${revisionAt('sdds_product', 'op.product_id', 'g.acceptance_time')} p on g.acceptance_time is not null
    left join lateral ${revisionAt('sdds_account', 'g.proposer_account_id', 'g.acceptance_time')} pa on g.acceptance_time is not null
    left join lateral ${revisionAt('sdds_address', 'pa.mailing_address_id', 'g.acceptance_time')} pa_mail on true
    left join lateral ${revisionAt('sdds_account', 'g.acceptor_account_id', 'g.acceptance_time')} sa on g.acceptance_time is not null
    left join lateral ${revisionAt('sdds_address', 'sa.mailing_address_id', 'g.acceptance_time')} sa_mail on true
    left join lateral ${revisionAt('sdds_address', 'coalesce(sa.tax_address_id, sa.mailing_address_id)', 'g.acceptance_time')} sa_ad on true
    left join lateral ${revisionAt('sdds_account', 'p.manufacturer_account_id', 'g.acceptance_time')} ma on g.acceptance_time is not null
    left join lateral ${revisionAt('sdds_address', 'ma.mailing_address_id', 'g.acceptance_time')} ma_mail on true
    cross join lateral (select coalesce(g.proposer_account_id <> p.manufacturer_account_id, false) as reseller) res
    cross join lateral (select case when res.reseller then 'Private' when o.offer_id is null then null
                                    else coalesce(${targetLabel('o.offer_id', 'o.offer_revision')}, 'Public') end as raw) vis
   order by g.start_time, g.agreement_id, op.product_id`;
}

/**
 * Metered usage on the days [$1, $2): AWS's usage_report (June 2026), 56 columns: each usage line
 * with its end user, payer and subscriber, product, offer and agreement as at the usage day.
 */
export function usageReportSql(): string {
  const noAgreement = `u.agreement_id is null`;
  const subscriber = (value: string, provided = true) => `case when ${noAgreement} then 'Not available' else ${provided ? `coalesce(${value}, 'Not provided')` : value} end`;
  const aiq = `coalesce(g.offer_id like 'aiqoffer-%', false)`;
  const agreementDate = (col: string) => `case when ${noAgreement} or ${aiq} then null else ${day(`g.${col}`)} end`;
  const resale = (col: string) => `case when o.${col} is not null then o.${col} when vis.raw = 'Public' or (vis.raw is null and not ${noAgreement}) then 'Not applicable' end`;
  return `with u as (
      select x.*, (x.usage_date::timestamp at time zone 'UTC') as at
        from ${currentWhere('sdds_daily_usage', `usage_date >= $1::date and usage_date < $2::date`)} x)
  select u.usage_feed_id as internal_usage_line_item_id, to_char(u.usage_date, 'YYYY-MM-DD') as usage_date, ${day('coalesce(u.update_date, u.insert_date, u.valid_from)')} as usage_reported_date,
         coalesce(${partyName('ea')}, 'Not available') as end_user_company_name, ea.aws_account_id as end_user_aws_account_id, ea.encrypted_account_id as end_user_encrypted_account_id,
         ea_ad.email_domain as end_user_email_domain, ea_ad.city as end_user_city, ea_ad.state_or_region as end_user_state_or_region, ea_ad.country_code as end_user_country, ea_ad.postal_code as end_user_postal_code,
         coalesce(p.title, 'Not provided') as product_title, coalesce(${LEGACY('u.product_id')}, u.product_id, 'Not provided') as product_id, coalesce(p.product_code, 'Not provided') as product_code,
         coalesce(offer.key, 'Not available') as offer_id,
         case when ${noAgreement} then 'Not available' else coalesce(g.offer_set_id, 'Not applicable') end as offer_set_id,
         case when offer.key is null then 'Not available' when o.name is null and vis.raw = 'Public' then 'Not applicable' else o.name end as offer_name,
         case when offer.key is null then 'Not available' else vis.raw end as offer_visibility,
         coalesce(u.agreement_id, 'Not available') as agreement_id,
         ${agreementDate('acceptance_time')} as agreement_acceptance_date, ${agreementDate('start_time')} as agreement_start_date, ${agreementDate('end_time')} as agreement_end_date,
         (select string_agg(t.term_type, ',' order by t.term_type) from (select distinct on (term_id) term_type, delete_date from sdds_agreement_term
             where agreement_id = u.agreement_id and valid_from = g.valid_from order by term_id, update_date desc nulls last, _file_id desc) t where t.delete_date is null) as accepted_term_types,
         u.catalog, u.dimension_key, u.region, u.usage_quantity as estimated_usage_units, u.usage_unit as usage_unit_types, u.charge_item_description,
         u.usage_rate_per_unit_in_pricing_currency as usage_rate_per_unit, u.estimated_revenue_in_pricing_currency as estimated_revenue, u.pricing_currency as currency,
         ${subscriber(partyName('sa'))} as subscriber_company_name, ${subscriber('sa.aws_account_id', false)} as subscriber_aws_account_id,
         ${subscriber('sa.encrypted_account_id', false)} as subscriber_encrypted_account_id, ${subscriber('sa_ad.email_domain')} as subscriber_email_domain,
         ${subscriber('sa_ad.city')} as subscriber_city, ${subscriber('sa_ad.state_or_region')} as subscriber_state_or_region,
         ${subscriber('sa_ad.country_code')} as subscriber_country, ${subscriber('sa_ad.postal_code')} as subscriber_postal_code,
         coalesce(${partyName('pa')}, 'Not available') as payer_company_name, pa.aws_account_id as payer_aws_account_id, pa.encrypted_account_id as payer_encrypted_account_id,
         pa_ad.email_domain as payer_email_domain, pa_ad.city as payer_city, pa_ad.state_or_region as payer_state_or_region, pa_ad.country_code as payer_country, pa_ad.postal_code as payer_postal_code,
         case when rs.aws_id is not null and rs.name is null then 'Not available'
              when rs.aws_id is null and o.opportunity_id is null then 'Not applicable'
              when rs.aws_id is null and u.recipient_account_id is distinct from p.manufacturer_account_id then 'Not applicable'
              else rs.name end as reseller_company_name,
         case when rs.aws_id is null and o.opportunity_id is null then 'Not applicable'
              when rs.aws_id is null and u.recipient_account_id is distinct from p.manufacturer_account_id then 'Not applicable'
              else rs.aws_id end as reseller_aws_account_id,
         ${resale('opportunity_id')} as resale_authorization_id, ${resale('opportunity_name')} as resale_authorization_name, o.opportunity_description as resale_authorization_description,
         case when o.offer_id is null then null when o.seller_account_id <> o.recipient_account_id then 'Y' else 'N' end as cppo_flag,
         ma.aws_account_id as isv_aws_account_id, coalesce(${mailingName('ma')}, 'Not available') as isv_company_name
    from u
    left join lateral ${revisionAt('sdds_agreement', 'u.agreement_id', 'u.at')} g on true
    cross join lateral (select coalesce(g.offer_id, u.offer_id) as key) offer
    left join lateral ${revisionAt('sdds_offer', 'offer.key', 'u.at')} o on true
    left join lateral ${revisionAt('sdds_product', 'u.product_id', 'u.at')} p on true
    ${party('ea', 'u.end_user_account_id', 'u.at')}
    ${party('pa', 'u.payer_account_id', 'u.at')}
    ${party('sa', 'g.acceptor_account_id', 'u.at')}
    left join lateral ${revisionAt('sdds_account', 'g.proposer_account_id', 'u.at')} ra on true
    left join lateral ${revisionAt('sdds_address', 'ra.mailing_address_id', 'u.at')} ra_mail on true
    left join lateral ${revisionAt('sdds_account', 'p.manufacturer_account_id', 'u.at')} ma on true
    left join lateral ${revisionAt('sdds_address', 'ma.mailing_address_id', 'u.at')} ma_mail on true
    cross join lateral (select case when o.offer_id is null then null when o.seller_account_id <> o.recipient_account_id then 'Private'
                                    else coalesce(${targetLabel('o.offer_id', 'o.offer_revision')}, 'Public') end as raw) vis
    cross join lateral (select case when g.proposer_account_id is not distinct from u.recipient_account_id then null else ra.aws_account_id end as aws_id,
                               case when g.proposer_account_id is not distinct from u.recipient_account_id then null else ${mailingName('ra')} end as name) rs
   order by u.usage_date, u.usage_feed_id`;
}
