/**
 * AWS's report rules on hand-built feeds, each worked out by hand: the seller's own account, cost
 * of goods in both generations of the billing feed, and names and dates as of the event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSellerIdentity } from '../../src/datasets/status.ts';
import { findCustomers, getCustomerProfile } from '../../src/metrics/customer.ts';
import { answer } from '../../src/metrics/query.ts';
import { parsePeriod } from '../../src/periods.ts';
import { queryFinanceReport } from '../../src/reports/finance.ts';
import { refreshRollups } from '../../src/rollups/refresh.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const options = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };
const period = (p: string) => parsePeriod(p, options);

/** A channel partner private offer sold by a reseller: buyer pays 1,000, AWS takes 30, the manufacturer gets 700. */
function resale(month: string, generation: '2025' | '2026'): string {
  const day = `2026-${month}-10T00:00:00Z`;
  const old = ['valid_from', 'billing_event_id', 'from_account_id', 'to_account_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date', 'invoice_id', 'agreement_id'];
  const header = generation === '2025' ? old : [...old, 'recipient_account_id', 'charge_variant', 'charge_side', 'buyer_invoice_id', 'buyer_line_item_id', 'invoice_variant'];
  const row = (id: string, from: string, to: string, type: string, amount: string, invoice: string, extra: [string, string, string, string]) => {
    const base = [day, `${generation}-${id}`, from, to, 'acct-buyer', 'prod-1', 'INVOICED', type, amount, 'USD', '1', day, `2026-${month}-30T00:00:00Z`, `${invoice}-${generation}`, `agmt-${generation}`];
    return generation === '2025' ? base : [...base, 'acct-reseller', extra[0], extra[1], `buyer-inv-${generation}`, extra[2], extra[3]];
  };
  return csv([
    header,
    row('sale', 'acct-buyer', 'acct-reseller', 'SELLER_REV_SHARE', '1000.00', 'inv', ['RESALE', 'SELLING', 'line-1', 'PURCHASE']),
    row('fee', 'acct-reseller', 'aws', 'AWS_REV_SHARE', '-30.00', 'fee', ['LISTING_FEE', 'SELLING', 'line-1', 'LISTING_FEE']),
    row('cogs', 'acct-reseller', 'acct-isv', 'SELLER_REV_SHARE', '-700.00', 'whs', ['RESALE', 'BUYING', 'line-1', 'RESALE']),
  ]);
}

describe('cost of goods in both generations of the billing feed', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const root = await tempDir();
    // the same sale, delivered before the June 2026 columns (September) and with them (October)
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=09/data.csv', resale('09', '2025'));
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=10/data.csv', resale('10', '2026'));
  });
  afterAll(() => t?.drop());

  it('knows the seller of record from the listing fee it pays', async () => {
    await refreshRollups(t.db);
    const me = await getSellerIdentity(t.db);
    expect(me.accounts.map((a) => a.accountId)).toEqual(['acct-reseller']);
    expect(me.summary).toBe('Seller of record: acct-reseller, the payer of the listing fees in the billing events');
  });

  it('counts the payment to the manufacturer as cost of goods, not revenue, the same in both generations', async () => {
    const expected = [{ currency: 'USD', gross_revenue: '1000.00', refunds: '0', listing_fees: '-30.00', seller_tax_share: '0', wholesale_cost: '-700.00', net_revenue: '270.00' }];
    expect((await answer(t.db, 'revenue', '2026-09', undefined, options)).totals).toEqual(expected);
    expect((await answer(t.db, 'revenue', '2026-10', undefined, options)).totals).toEqual(expected);
    for (const month of ['2026-09', '2026-10']) {
      const rows = await queryFinanceReport(t.db, 'billed_revenue', period(month));
      const sum = (f: string) => rows.reduce((n, r) => n + Number(r[f]), 0).toFixed(2);
      expect([sum('gross_revenue'), sum('wholesale_cost'), sum('listing_fee'), sum('seller_net_revenue')], month).toEqual(['1000.00', '-700.00', '-30.00', '270.00']);
    }
  });

  it('says so when the listing fees name more than one seller, instead of guessing', async () => {
    const root = await tempDir();
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=08/data.csv', csv([
      ['valid_from', 'billing_event_id', 'from_account_id', 'to_account_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'invoice_id'],
      ['2026-08-01T00:00:00Z', 'other-fee', 'acct-someone-else', 'aws', 'INVOICED', 'AWS_REV_SHARE', '-5.00', 'USD', '1', '2026-08-01T00:00:00Z', 'inv-other'],
    ]));
    await refreshRollups(t.db);
    const me = await getSellerIdentity(t.db);
    expect(me.accounts).toHaveLength(2);
    expect(me.summary).toMatch(/^Seller of record: the billing events name 2 accounts as payers of listing fees \(acct-reseller, acct-someone-else\); one is expected, so these feeds mix sellers/);
  });
});

describe('names and dates as of the event', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const root = await tempDir();
    await ingestContent(t.db, root, 'AccountFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'account_id', 'aws_account_id', 'mailing_address_id'],
      ['2026-01-01T00:00:00Z', 'acct-seller', '111111111111', 'addr-seller'],
      ['2026-01-01T00:00:00Z', 'acct-buyer', '222222222222', 'addr-buyer'],
    ]));
    // the buyer renames itself on 15 November
    await ingestContent(t.db, root, 'AddressFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'address_id', 'company_name', 'country_code'],
      ['2026-01-01T00:00:00Z', 'addr-seller', 'Acme Seller Inc.', 'US'],
      ['2026-01-01T00:00:00Z', 'addr-buyer', 'Old Name Ltd', 'GB'],
      ['2026-11-15T00:00:00Z', 'addr-buyer', 'New Name Ltd', 'GB'],
    ]));
    await ingestContent(t.db, root, 'ProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,product_id,title\n2026-01-01T00:00:00Z,prod-1,Acme Analytics\n');
    await ingestContent(t.db, root, 'OfferFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,name\n2026-01-01T00:00:00Z,offer-1,1,Acme public offer\n');
    await ingestContent(t.db, root, 'OfferProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,product_id\n2026-01-01T00:00:00Z,offer-1,1,prod-1\n');
    // accepted 5 October for a year; cancelled 20 November (its end date moves to the cancellation)
    const A = ['valid_from', 'agreement_id', 'proposer_account_id', 'acceptor_account_id', 'offer_id', 'start_time', 'end_time', 'acceptance_time', 'status', 'intent', 'estimated_agreement_value', 'currency_code'];
    await ingestContent(t.db, root, 'AgreementFeed_V1/year=2026/month=10/data.csv', csv([
      A,
      ['2026-10-05T00:00:00Z', 'agmt-1', 'acct-seller', 'acct-buyer', 'offer-1', '2026-10-05T00:00:00Z', '2027-10-05T00:00:00Z', '2026-10-05T00:00:00Z', 'ACTIVE', 'NEW', '12000.00', 'USD'],
    ]));
    await ingestContent(t.db, root, 'AgreementFeed_V1/year=2026/month=11/data.csv', csv([
      A,
      ['2026-11-20T00:00:00Z', 'agmt-1', 'acct-seller', 'acct-buyer', 'offer-1', '2026-10-05T00:00:00Z', '2026-11-20T00:00:00Z', '2026-10-05T00:00:00Z', 'CANCELLED', 'NEW', '12000.00', 'USD'],
    ]));
    const H = ['valid_from', 'billing_event_id', 'from_account_id', 'to_account_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date', 'invoice_id', 'agreement_id'];
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=10/data.csv', csv([
      H,
      ['2026-10-10T00:00:00Z', 'e1', 'acct-buyer', 'acct-seller', 'acct-buyer', 'prod-1', 'INVOICED', 'SELLER_REV_SHARE', '1000.00', 'USD', '1', '2026-10-10T00:00:00Z', '2026-11-09T00:00:00Z', 'inv-1', 'agmt-1'],
      ['2026-10-10T00:00:00Z', 'e2', 'acct-seller', 'aws', 'acct-buyer', 'prod-1', 'INVOICED', 'AWS_REV_SHARE', '-30.00', 'USD', '1', '2026-10-10T00:00:00Z', '2026-11-09T00:00:00Z', 'inv-1', 'agmt-1'],
    ]));
  });
  afterAll(() => t?.drop());

  it('revenue and subscribers in October show the name the customer had then; the November cancellation the new one', async () => {
    const byCustomer = await answer(t.db, 'revenue', '2026-10', 'customer', options);
    expect(byCustomer.rows.map((r) => r.name)).toEqual(['Old Name Ltd']);
    const subscribers = await answer(t.db, 'subscribers', '2026-10', undefined, options);
    expect(subscribers.rows.map((r) => [r.company, r.status])).toEqual([['Old Name Ltd', 'ACTIVE']]);
    const cancellations = await answer(t.db, 'cancellations', '2026-11', undefined, options);
    expect(cancellations.rows.map((r) => [r.company, r.status])).toEqual([['New Name Ltd', 'CANCELLED']]);
  });

  it('the billed revenue report shows the October invoice with the name and agreement end date of October', async () => {
    const [line] = await queryFinanceReport(t.db, 'billed_revenue', period('2026-10'));
    expect(line).toMatchObject({ subscriber_company_name: 'Old Name Ltd', agreement_end_date: '2027-10-05', agreement_acceptance_date: '2026-10-05' });
  });

  it('`customer` finds it by its former name and shows both', async () => {
    const [match] = await findCustomers(t.db, 'Old Name');
    expect(match).toMatchObject({ awsAccountId: '222222222222', company: 'New Name Ltd' });
    const profile = await getCustomerProfile(t.db, match!, options);
    expect(profile.formerNames).toEqual(['Old Name Ltd']);
  });
});

describe('the finance reports, rule by rule', () => {
  let t: TestDatabase;
  const H = ['valid_from', 'billing_event_id', 'from_account_id', 'to_account_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date', 'invoice_id', 'agreement_id', 'disbursement_billing_event_id', 'buyer_invoice_id', 'buyer_line_item_id', 'invoice_variant', 'recipient_account_id', 'broker_id', 'bank_trace_id', 'disbursement_reference_number', 'buyer_invoice_date'];
  type R = Partial<Record<(typeof H)[number], string>>;
  const line = (r: R) => H.map((h) => r[h] ?? '');
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const root = await tempDir();
    await ingestContent(t.db, root, 'AccountFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'account_id', 'aws_account_id', 'mailing_address_id', 'tax_legal_name'],
      ['2026-01-01T00:00:00Z', 'acct-isv', '111111111111', 'addr-isv', ''],
      ['2026-01-01T00:00:00Z', 'acct-buyer', '222222222222', 'addr-buyer', 'Buyer Legal Name GmbH'],
      ['2026-01-01T00:00:00Z', 'acct-reseller', '333333333333', 'addr-reseller', ''],
    ]));
    await ingestContent(t.db, root, 'AddressFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'address_id', 'company_name', 'country_code', 'city'],
      ['2026-01-01T00:00:00Z', 'addr-isv', 'Acme ISV Inc.', 'US', 'Seattle'],
      ['2026-01-01T00:00:00Z', 'addr-buyer', 'Buyer Trading Name', 'DE', 'Berlin'],
      ['2026-01-01T00:00:00Z', 'addr-reseller', 'Channel Partner Ltd', 'GB', 'London'],
    ]));
    await ingestContent(t.db, root, 'ProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,product_id,manufacturer_account_id,title\n2026-01-01T00:00:00Z,prod-1,acct-isv,Acme Analytics\n');
    await ingestContent(t.db, root, 'LegacyIdMappingFeed_V1/year=2026/month=01/data.csv', 'valid_from,mapping_type,legacy_id,new_id\n2026-01-01T00:00:00Z,PRODUCT,4f2d0c1e-legacy-product,prod-1\n');
    await ingestContent(t.db, root, 'OfferFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'offer_id', 'offer_revision', 'name', 'seller_account_id', 'recipient_account_id', 'opportunity_id', 'opportunity_name'],
      ['2026-01-01T00:00:00Z', 'offer-cppo', '1', 'Partner offer', 'acct-reseller', 'acct-isv', 'opp-1', 'Deal with Buyer'],
      ['2026-01-01T00:00:00Z', 'offer-program', '1', 'Program offer', 'acct-isv', 'acct-isv', '', ''],
    ]));
    await ingestContent(t.db, root, 'OfferTargetFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'offer_target_id', 'offer_id', 'offer_revision', 'target_type', 'polarity', 'value'],
      ['2026-01-01T00:00:00Z', 't-1', 'offer-program', '1', 'ParticipatingPrograms', 'PositiveTargeting', 'EnterpriseContract'],
    ]));
    await ingestContent(t.db, root, 'AgreementFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'agreement_id', 'proposer_account_id', 'acceptor_account_id', 'offer_id', 'start_time', 'end_time', 'acceptance_time', 'status'],
      // the manufacturer's view of a reseller's deal: the reseller proposed it
      ['2026-01-01T00:00:00Z', 'agmt-cppo', 'acct-reseller', 'acct-buyer', 'offer-cppo', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'ACTIVE'],
      ['2026-01-01T00:00:00Z', 'agmt-program', 'acct-isv', 'acct-buyer', 'offer-program', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'ACTIVE'],
    ]));
    const sep = '2026-09-10T00:00:00Z';
    const common = { currency: 'USD', balance_impacting: '1', invoice_date: sep, payment_due_date: '2026-10-10T00:00:00Z', recipient_account_id: 'acct-isv', product_id: 'prod-1', end_user_account_id: 'acct-buyer' };
    // September: the manufacturer's side of a resale (a RESALE invoice for the buyer's invoice), and a program offer sale
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=09/data.csv', csv([
      H,
      line({ ...common, valid_from: sep, billing_event_id: 'r1', from_account_id: 'acct-reseller', to_account_id: 'acct-isv', action: 'INVOICED', transaction_type: 'SELLER_REV_SHARE', amount: '700.00', invoice_id: 'WHS-1', agreement_id: 'agmt-cppo', buyer_invoice_id: 'BUY-1', buyer_line_item_id: 'li-1', invoice_variant: 'RESALE', buyer_invoice_date: '2026-09-08T00:00:00Z' }),
      line({ ...common, valid_from: sep, billing_event_id: 'r2', from_account_id: 'acct-isv', to_account_id: 'aws', action: 'INVOICED', transaction_type: 'AWS_REV_SHARE', amount: '-21.00', invoice_id: 'LF-1', agreement_id: 'agmt-cppo', buyer_invoice_id: 'BUY-1', buyer_line_item_id: 'li-1', invoice_variant: 'LISTING_FEE' }),
      line({ ...common, valid_from: sep, billing_event_id: 'p1', from_account_id: 'acct-buyer', to_account_id: 'acct-isv', action: 'INVOICED', transaction_type: 'SELLER_REV_SHARE', amount: '100.00', invoice_id: 'INV-P', agreement_id: 'agmt-program', buyer_invoice_id: 'INV-P', buyer_line_item_id: 'li-1', invoice_variant: 'PURCHASE' }),
      // a line with no agreement at all
      line({ ...common, valid_from: sep, billing_event_id: 'n1', from_account_id: 'acct-buyer', to_account_id: 'acct-isv', action: 'INVOICED', transaction_type: 'SELLER_REV_SHARE', amount: '10.00', invoice_id: 'INV-N', buyer_invoice_id: 'INV-N', buyer_line_item_id: 'li-1', invoice_variant: 'PURCHASE' }),
    ]));
    // October, a month later in its own file: the resale line is paid out
    const oct = '2026-10-20T00:00:00Z';
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=10/data.csv', csv([
      H,
      line({ ...common, valid_from: oct, billing_event_id: 'r1-d', from_account_id: 'acct-reseller', to_account_id: 'acct-isv', action: 'DISBURSED', transaction_type: 'SELLER_REV_SHARE', amount: '-700.00', balance_impacting: '0', invoice_id: 'WHS-1', agreement_id: 'agmt-cppo', buyer_invoice_id: 'BUY-1', buyer_line_item_id: 'li-1', invoice_variant: 'RESALE', buyer_invoice_date: '2026-09-08T00:00:00Z', disbursement_billing_event_id: 'pay-1' }),
      line({ ...common, valid_from: oct, billing_event_id: 'r2-d', from_account_id: 'acct-isv', to_account_id: 'aws', action: 'DISBURSED', transaction_type: 'AWS_REV_SHARE', amount: '21.00', balance_impacting: '0', invoice_id: 'LF-1', agreement_id: 'agmt-cppo', buyer_invoice_id: 'BUY-1', buyer_line_item_id: 'li-1', invoice_variant: 'LISTING_FEE', disbursement_billing_event_id: 'pay-1' }),
      line({ valid_from: oct, billing_event_id: 'pay-1', action: 'DISBURSED', transaction_type: 'DISBURSEMENT', amount: '679.00', currency: 'USD', balance_impacting: '0', invoice_date: oct, recipient_account_id: 'acct-isv', bank_trace_id: '021000021234567', disbursement_reference_number: 'REF-1' }),
    ]));
  });
  afterAll(() => t?.drop());

  it('the manufacturer side of a resale: dated by the buyer invoice, the reseller named, the legacy product ID, paid out in a later file', async () => {
    const rows = await queryFinanceReport(t.db, 'billed_revenue', period('2026-09'));
    const resale = rows.find((r) => r.invoice_id === 'BUY-1')!;
    expect(resale).toMatchObject({
      // the buyer's invoice, not the wholesale one dated two days later
      invoice_date: '2026-09-08',
      wholesale_invoice_id: 'WHS-1',
      listing_fee_invoice_id: 'LF-1',
      offer_visibility: 'Private',
      resale_authorization_id: 'opp-1',
      resale_authorization_name: 'Deal with Buyer',
      reseller_company_name: 'Channel Partner Ltd',
      reseller_aws_account_id: '333333333333',
      // the reseller pays the manufacturer; the buyer is the subscriber, named by its legal name first
      payer_company_name: 'Channel Partner Ltd',
      subscriber_company_name: 'Buyer Legal Name GmbH',
      product_id: '4f2d0c1e-legacy-product',
      product_title: 'Acme Analytics',
      isv_company_name: 'Acme ISV Inc.',
      gross_revenue: '700.00',
      listing_fee: '-21.00',
      seller_net_revenue: '679.00',
      disbursement_status: 'Disbursed',
      disbursement_date: '2026-10-20',
      disburse_bank_trace_id: '021000021234567',
      disbursement_reference_number: 'REF-1',
      disbursed_net_revenue: '679.00',
      undisbursed_net_revenue: '0.00',
      silent_internal_report_transaction: 'BUY-1:li-1:acct-isv_PricingCurrency:USD_DisbursementCurrency:',
    });
    const [paid] = await queryFinanceReport(t.db, 'collections_and_disbursements', period('2026-10'));
    expect(paid).toMatchObject({ invoice_date: '2026-09-08', invoice_id: 'BUY-1', disbursement_date: '2026-10-20', gross_revenue: '700.00', listing_fee: '-21.00', seller_net_revenue: '679.00', disbursed_net_revenue: '679.00', reseller_company_name: 'Channel Partner Ltd' });
  });

  it("a program offer is labelled as AWS labels it; a line without an agreement says so where AWS does", async () => {
    const rows = await queryFinanceReport(t.db, 'billed_revenue', period('2026-09'));
    expect(rows.find((r) => r.invoice_id === 'INV-P')).toMatchObject({ offer_visibility: 'Program:EnterpriseContract', offer_name: 'Program offer', resale_authorization_id: null, reseller_company_name: 'Not applicable' });
    expect(rows.find((r) => r.invoice_id === 'INV-N')).toMatchObject({
      agreement_id: 'Not available', offer_id: 'Not available', offer_name: 'Not available', offer_set_id: 'Not available', offer_visibility: null,
      subscriber_company_name: 'Not available', subscriber_aws_account_id: 'Not available', subscriber_city: 'Not available',
      payer_company_name: 'Buyer Legal Name GmbH', payer_city: 'Berlin', disbursement_status: 'Not disbursed', disburse_bank_trace_id: 'Not applicable', disbursement_reference_number: 'Not applicable',
    });
  });
});
