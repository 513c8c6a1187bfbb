/**
 * The taxation, agreements and usage reports on hand-built feeds, each value worked out by hand from
 * AWS's queries (taxation_report.sql, agreement_report.sql, usage_report.sql): columns in AWS's
 * order, placeholders where AWS writes them, names as of each row's date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDataset } from '../../src/datasets/export.ts';
import { parsePeriod } from '../../src/periods.ts';
import { queryFinanceReport } from '../../src/reports/finance.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const options = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };
const period = (p: string) => parsePeriod(p, options);

const TAXATION_COLUMNS = 'invoice_id, line_item_id, customer_bill_id, tax_liable_party, transaction_type_code, product_id, product_title, product_tax_code, invoice_date, taxed_customer_account_id, taxed_customer_country, taxed_customer_state_or_region, taxed_customer_city, taxed_customer_postal_code, tax_type, jurisdiction_level, taxed_jurisdiction, display_price_taxability_type, tax_jurisdiction_rate, tax_amount, tax_currency, tax_calculation_reason_code, date_used_for_tax_calculation, customer_exemption_certificate_id, customer_exemption_certificate_id_domain, customer_exemption_certificate_level, customer_exemption_code, transaction_reference_id'.split(', ');
const AGREEMENT_COLUMNS = 'agreement_id, next_agreement_acceptance_date, previous_offer_id, subscriber_email_domain, reseller_company_name, reseller_encrypted_account_id, isv_aws_account_id, product_code, subscriber_country, currency_code, previous_agreement_id, agreement_type, resale_authorization_description, cppo_flag, product_id, proposer_encrypted_account_id, isv_company_name, resale_authorization_id, next_offer_id, total_contract_value, legacy_product_id, agreement_acceptance_date, isv_encrypted_account_id, subscriber_aws_account_id, reseller_aws_account_id, product_title, offer_name, offer_id, agreement_end_date, resale_authorization_name, proposer_aws_account_id, agreement_start_date, agreement_intent, product_type, proposer_company_name, subscriber_postal_code, subscriber_company_name, subscriber_city, next_agreement_id, subscriber_state_or_region, subscriber_encrypted_account_id, offer_visibility, status'.split(', ');
const USAGE_COLUMNS = 'internal_usage_line_item_id, usage_date, usage_reported_date, end_user_company_name, end_user_aws_account_id, end_user_encrypted_account_id, end_user_email_domain, end_user_city, end_user_state_or_region, end_user_country, end_user_postal_code, product_title, product_id, product_code, offer_id, offer_set_id, offer_name, offer_visibility, agreement_id, agreement_acceptance_date, agreement_start_date, agreement_end_date, accepted_term_types, catalog, dimension_key, region, estimated_usage_units, usage_unit_types, charge_item_description, usage_rate_per_unit, estimated_revenue, currency, subscriber_company_name, subscriber_aws_account_id, subscriber_encrypted_account_id, subscriber_email_domain, subscriber_city, subscriber_state_or_region, subscriber_country, subscriber_postal_code, payer_company_name, payer_aws_account_id, payer_encrypted_account_id, payer_email_domain, payer_city, payer_state_or_region, payer_country, payer_postal_code, reseller_company_name, reseller_aws_account_id, resale_authorization_id, resale_authorization_name, resale_authorization_description, cppo_flag, isv_aws_account_id, isv_company_name'.split(', ');

describe('taxation, agreements and usage reports', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const root = await tempDir();
    await ingestContent(t.db, root, 'AccountFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'account_id', 'aws_account_id', 'encrypted_account_id', 'mailing_address_id', 'tax_address_id'],
      ['2026-01-01T00:00:00Z', 'acct-isv', '111111111111', 'enc-isv', 'addr-isv', ''],
      ['2026-01-01T00:00:00Z', 'acct-buyer', '222222222222', 'enc-buyer', 'addr-buyer', ''],
    ]));
    await ingestContent(t.db, root, 'AddressFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'address_id', 'company_name', 'email_domain', 'country_code', 'state_or_region', 'city', 'postal_code'],
      ['2026-01-01T00:00:00Z', 'addr-isv', 'Acme ISV Inc.', 'acme.test', 'US', 'WA', 'Seattle', '98101'],
      ['2026-01-01T00:00:00Z', 'addr-buyer', 'Example GmbH', 'example.de', 'DE', 'BE', 'Berlin', '10115'],
    ]));
    await ingestContent(t.db, root, 'ProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,product_id,manufacturer_account_id,product_code,title\n2026-01-01T00:00:00Z,prod-1,acct-isv,pc-1,Acme Analytics\n');
    await ingestContent(t.db, root, 'LegacyIdMappingFeed_V1/year=2026/month=01/data.csv', 'valid_from,mapping_type,legacy_id,new_id\n2026-01-01T00:00:00Z,PRODUCT,legacy-prod-1,prod-1\n');
    await ingestContent(t.db, root, 'OfferFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'offer_id', 'offer_revision', 'name', 'seller_account_id', 'recipient_account_id'],
      ['2026-01-01T00:00:00Z', 'offer-1', '1', '', 'acct-isv', 'acct-isv'],
      ['2026-01-01T00:00:00Z', 'offer-2', '1', 'Renewal offer', 'acct-isv', 'acct-isv'],
    ]));
    await ingestContent(t.db, root, 'OfferProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,product_id\n2026-01-01T00:00:00Z,offer-1,1,prod-1\n2026-01-01T00:00:00Z,offer-2,1,prod-1\n');
    await ingestContent(t.db, root, 'OfferTargetFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_target_id,offer_id,offer_revision,target_type,polarity,value\n2026-01-01T00:00:00Z,t-2,offer-2,1,CountryCodes,PositiveTargeting,DE\n');
    const A = ['valid_from', 'agreement_id', 'proposer_account_id', 'acceptor_account_id', 'offer_id', 'start_time', 'end_time', 'acceptance_time', 'status', 'intent', 'preceding_agreement_id', 'estimated_agreement_value', 'currency_code'];
    await ingestContent(t.db, root, 'AgreementFeed_V1/year=2026/month=10/data.csv', csv([
      A,
      ['2026-10-05T00:00:00Z', 'agmt-1', 'acct-isv', 'acct-buyer', 'offer-1', '2026-10-05T00:00:00Z', '2027-10-05T00:00:00Z', '2026-10-05T00:00:00Z', 'ACTIVE', 'NEW', '', '12000.000000', 'USD'],
      // a renewal accepted later, and a change to agmt-1 that AWS rolled back: the report keeps the effective revision
      ['2026-10-20T00:00:00Z', 'agmt-2', 'acct-isv', 'acct-buyer', 'offer-2', '2027-10-05T00:00:00Z', '2028-10-05T00:00:00Z', '2026-10-20T00:00:00Z', 'ACTIVE', 'RENEW', 'agmt-1', '13000.000000', 'USD'],
      ['2026-10-25T00:00:00Z', 'agmt-1', 'acct-isv', 'acct-buyer', 'offer-1', '2026-10-05T00:00:00Z', '2026-12-31T00:00:00Z', '2026-10-05T00:00:00Z', 'ROLLED_BACK', 'NEW', '', '6000.000000', 'USD'],
    ]));
    await ingestContent(t.db, root, 'TaxItemFeed_V1/year=2026/month=10/data.csv', csv([
      ['valid_from', 'tax_item_id', 'invoice_id', 'line_item_id', 'customer_bill_id', 'tax_liable_party', 'transaction_type_code', 'product_id', 'product_tax_code', 'invoice_date', 'taxed_customer_account_id', 'taxed_customer_country', 'taxed_customer_state_or_region', 'taxed_customer_city', 'taxed_customer_postal_code', 'tax_type_code', 'jurisdiction_level', 'taxed_jurisdiction', 'display_price_taxability_type', 'tax_jurisdiction_rate', 'tax_amount', 'tax_currency', 'tax_calculation_reason_code', 'date_used_for_tax_calculation', 'customer_exemption_certificate_id', 'transaction_reference_id'],
      ['2026-10-10T00:00:00Z', 'tax-1', 'inv-1', 'li-1', 'bill-1', 'AWS', 'AWS', 'prod-1', 'ASP_SAAS', '2026-10-10T00:00:00Z', 'acct-buyer', 'DE', 'BE', 'Berlin', '10115', 'Vat', 'Country', 'DE', 'Exclusive', '0.190000', '190.000000', 'USD', 'Taxable', '2026-10-10T00:00:00Z', '', 'ref-1'],
    ]));
    await ingestContent(t.db, root, 'DailyUsageFeed_V1/year=2026/month=10/data.csv', csv([
      ['valid_from', 'update_date', 'usage_feed_id', 'usage_date', 'product_id', 'agreement_id', 'end_user_account_id', 'payer_account_id', 'region', 'dimension_key', 'usage_unit', 'usage_quantity', 'pricing_currency', 'estimated_revenue_in_pricing_currency', 'recipient_account_id', 'offer_id', 'usage_rate_per_unit_in_pricing_currency', 'charge_item_description', 'catalog'],
      ['2026-10-12T00:00:00Z', '2026-10-13T02:00:00Z', 'use-1', '2026-10-12', 'prod-1', 'agmt-1', 'acct-buyer', 'acct-buyer', 'eu-central-1', 'api_calls', 'Requests', '1000', 'USD', '10.000000', 'acct-isv', 'offer-1', '0.010000', 'API calls', 'AWSMarketplace'],
      // usage with no agreement named
      ['2026-10-12T00:00:00Z', '2026-10-13T02:00:00Z', 'use-2', '2026-10-12', 'prod-1', '', 'acct-buyer', 'acct-buyer', 'eu-central-1', 'api_calls', 'Requests', '5', 'USD', '0.050000', 'acct-isv', '', '0.010000', 'API calls', 'AWSMarketplace'],
    ]));
  });
  afterAll(() => t?.drop());

  it('taxation: each tax item invoiced in the period, the customer by AWS account, "Not exempt" where no exemption', async () => {
    const [row, ...more] = await queryFinanceReport(t.db, 'taxation', period('2026-10'));
    expect(more).toEqual([]);
    expect(Object.keys(row!)).toEqual(TAXATION_COLUMNS);
    expect(row).toMatchObject({
      invoice_id: 'inv-1', product_id: 'prod-1', product_title: 'Acme Analytics', invoice_date: '2026-10-10', taxed_customer_account_id: '222222222222',
      tax_type: 'Vat', tax_jurisdiction_rate: '0.190000', tax_amount: '190.000000', date_used_for_tax_calculation: '2026-10-10',
      customer_exemption_certificate_id: 'Not exempt', customer_exemption_certificate_id_domain: 'Not exempt', customer_exemption_certificate_level: 'Not exempt', customer_exemption_code: 'Not exempt',
    });
  });

  it('agreements: the effective revision, renewals both ways, names as at acceptance, in AWS column order', async () => {
    // like AWS, an agreement belongs to the period it starts in: the renewal starts a year later
    expect((await queryFinanceReport(t.db, 'agreements', period('2026-10'))).map((r) => r.agreement_id)).toEqual(['agmt-1']);
    const rows = await queryFinanceReport(t.db, 'agreements', period('2026-10-01..2027-12-31'));
    expect(rows.map((r) => r.agreement_id)).toEqual(['agmt-1', 'agmt-2']);
    const [first, renewal] = rows;
    expect(Object.keys(first!)).toEqual(AGREEMENT_COLUMNS);
    expect(first).toMatchObject({
      status: 'ACTIVE', agreement_end_date: '2027-10-05', total_contract_value: '12000.000000',
      next_agreement_id: 'agmt-2', next_offer_id: 'offer-2', next_agreement_acceptance_date: '2026-10-20',
      previous_agreement_id: 'Not applicable', previous_offer_id: 'Not applicable',
      product_id: 'legacy-prod-1', legacy_product_id: 'legacy-prod-1', product_title: 'Acme Analytics', product_code: 'pc-1',
      offer_name: 'Not applicable', offer_visibility: 'Public', cppo_flag: 'N', resale_authorization_id: 'Not applicable',
      reseller_company_name: 'Not applicable', reseller_aws_account_id: 'Not applicable',
      proposer_company_name: 'Acme ISV Inc.', subscriber_company_name: 'Example GmbH', subscriber_city: 'Berlin', isv_company_name: 'Acme ISV Inc.', isv_aws_account_id: '111111111111',
      agreement_type: 'PurchaseAgreement', isv_encrypted_account_id: null, product_type: null,
    });
    expect(renewal).toMatchObject({ agreement_intent: 'RENEW', previous_agreement_id: 'agmt-1', previous_offer_id: 'offer-1', next_agreement_id: 'Not available', offer_name: 'Renewal offer', offer_visibility: 'GeoTargeted' });
  });

  it('usage: each usage line with its parties, offer and agreement as of its day; a line without an agreement says so', async () => {
    const rows = await queryFinanceReport(t.db, 'usage_report', period('2026-10'));
    expect(rows.map((r) => r.internal_usage_line_item_id)).toEqual(['use-1', 'use-2']);
    const [withAgreement, without] = rows;
    expect(Object.keys(withAgreement!)).toEqual(USAGE_COLUMNS);
    expect(withAgreement).toMatchObject({
      usage_date: '2026-10-12', usage_reported_date: '2026-10-13', product_id: 'legacy-prod-1', offer_id: 'offer-1', offer_visibility: 'Public', offer_name: 'Not applicable',
      agreement_id: 'agmt-1', agreement_acceptance_date: '2026-10-05', estimated_usage_units: '1000', usage_rate_per_unit: '0.010000', estimated_revenue: '10.000000',
      subscriber_company_name: 'Example GmbH', payer_company_name: 'Example GmbH', end_user_company_name: 'Example GmbH', reseller_company_name: 'Not applicable', cppo_flag: 'N',
      isv_company_name: 'Acme ISV Inc.',
    });
    expect(without).toMatchObject({
      agreement_id: 'Not available', offer_id: 'Not available', offer_name: 'Not available', offer_visibility: 'Not available', offer_set_id: 'Not available',
      subscriber_company_name: 'Not available', subscriber_aws_account_id: 'Not available', agreement_acceptance_date: null,
    });
  });

  it('are exported under the names people type', async () => {
    for (const name of ['taxation', 'agreements', 'usage-report']) {
      let text = '';
      for await (const chunk of exportDataset(t.db, name, period('2026-10'))) text += Buffer.from(chunk).toString('utf8');
      expect(text.split('\n')[0], name).toBe({ taxation: TAXATION_COLUMNS, agreements: AGREEMENT_COLUMNS, 'usage-report': USAGE_COLUMNS }[name]!.join(','));
    }
  });
});
