/**
 * The rebuilt billed revenue and collections and disbursements reports: hand-built line items
 * worked out by hand, the CSV export, and the metrics answering the demo seller's months exactly
 * as the reports add up, row for row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoData } from '../../src/demo/generate.ts';
import { exportDataset } from '../../src/datasets/export.ts';
import { ingestPaths } from '../../src/ingest/run.ts';
import { answer } from '../../src/metrics/query.ts';
import { parsePeriod } from '../../src/periods.ts';
import { queryFinanceReport } from '../../src/reports/finance.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const NOW = new Date('2026-11-29T08:00:00Z');
const options = { now: NOW, timeZone: 'UTC', fiscalYearStartMonth: 1 };
const period = (text: string) => parsePeriod(text, options);

/** cas-datasets.md §4.2: AWS's billed revenue report columns, in order. */
const BILLED_COLUMNS = [
  'invoice_date', 'payment_due_date', 'payment_term', 'invoice_id', 'listing_fee_invoice_id', 'wholesale_invoice_id', 'seller_issued_invoice_id',
  'seller_issued_invoice_variant', 'subscriber_company_name', 'subscriber_aws_account_id', 'subscriber_encrypted_account_id',
  'subscriber_email_domain', 'subscriber_city', 'subscriber_state_or_region', 'subscriber_country', 'subscriber_postal_code',
  'subscriber_address_id', 'product_title', 'offer_name', 'offer_id', 'offer_set_id', 'offer_visibility', 'agreement_id', 'agreement_start_date',
  'agreement_acceptance_date', 'agreement_end_date', 'accepted_term_types', 'catalog', 'usage_period_start_date', 'usage_period_end_date',
  'disbursement_status', 'disbursement_date', 'disburse_bank_trace_id', 'disbursement_reference_number', 'gross_revenue', 'gross_refund',
  'listing_fee', 'listing_fee_refund', 'listing_fee_percentage', 'seller_tax_share', 'seller_tax_share_refund', 'aws_tax_share',
  'aws_tax_share_refund', 'aws_tax_share_listing_fee', 'aws_tax_share_refund_listing_fee', 'wholesale_cost', 'wholesale_cost_refund',
  'wholesale_seller_tax_share', 'wholesale_seller_tax_share_refund', 'wholesale_other_seller_tax_share', 'wholesale_other_seller_tax_share_refund',
  'wholesale_aws_tax_share', 'wholesale_aws_tax_share_refund', 'seller_net_revenue', 'collected_net_revenue', 'uncollected_net_revenue',
  'last_collection_date', 'currency', 'transaction_reference_id', 'aws_seller_of_record', 'resale_authorization_id', 'resale_authorization_name',
  'resale_authorization_description', 'reseller_company_name', 'reseller_aws_account_id', 'payer_company_name', 'payer_aws_account_id',
  'payer_encrypted_account_id', 'payer_email_domain', 'payer_city', 'payer_state', 'payer_country', 'payer_postal_code', 'payer_address_id',
  'isv_account_id', 'isv_company_name', 'product_id', 'disbursed_net_revenue', 'undisbursed_net_revenue', 'silent_internal_report_transaction',
];
const COLLECTIONS_COLUMNS = BILLED_COLUMNS.filter(
  (c) => !['accepted_term_types', 'aws_tax_share', 'aws_tax_share_refund', 'collected_net_revenue', 'uncollected_net_revenue', 'last_collection_date', 'silent_internal_report_transaction'].includes(c),
).flatMap((c) => (c === 'disbursement_date' ? [c, 'disbursement_time_in_days'] : [c]));
COLLECTIONS_COLUMNS.push('disbursement_period');

const H = ['valid_from', 'update_date', 'billing_event_id', 'from_account_id', 'to_account_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'parent_billing_event_id', 'disbursement_billing_event_id', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date', 'invoice_id', 'buyer_invoice_id', 'invoice_variant', 'agreement_id', 'offer_id', 'recipient_account_id', 'bank_trace_id', 'broker_id', 'action_date', 'billing_address_id'];
interface Ev { id: string; action: string; type: string; amount: string; day: string; line: string; invoice?: string; variant?: string; due?: string; bi?: string; payout?: string; parent?: string; trace?: string; from?: string }
/** A line's collected and disbursed rows carry its invoice date, as AWS documents; a payout's own row, the payout date. */
const INVOICED: Record<string, string> = { 'INV-1': '2026-09-01', 'INV-2': '2026-09-15', 'INV-3': '2026-09-02' };
const row = (e: Ev) => [
  `${e.day}T00:00:00Z`, `${e.day}T00:00:00Z`, e.id, e.from ?? 'acct-buyer', 'seller', e.type.startsWith('DISBURSEMENT') ? '' : 'acct-buyer', e.type.startsWith('DISBURSEMENT') ? '' : 'prod-1',
  e.action, e.type, e.parent ?? '', e.payout ?? '', e.amount, 'USD', e.bi ?? '1', `${INVOICED[e.line] ?? e.day}T00:00:00Z`, e.due ? `${e.due}T00:00:00Z` : '',
  e.type.startsWith('DISBURSEMENT') ? '' : (e.invoice ?? e.line), e.type.startsWith('DISBURSEMENT') ? '' : e.line, e.variant ?? (e.type.startsWith('DISBURSEMENT') ? '' : 'PURCHASE'),
  e.type.startsWith('DISBURSEMENT') ? '' : 'agmt-1', e.type.startsWith('DISBURSEMENT') ? '' : 'offer-1', 'seller', e.trace ?? '', 'AWS_INC', e.action === 'COLLECTED' ? `${e.day} 12:00:00` : '', '',
];

describe('finance reports', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const root = await tempDir();
    const at = { now: () => NOW };
    await ingestContent(t.db, root, 'AccountFeed_V1/year=2026/month=09/data.csv', csv([
      ['valid_from', 'account_id', 'aws_account_id', 'encrypted_account_id', 'mailing_address_id', 'tax_address_id'],
      ['2026-01-01T00:00:00Z', 'acct-buyer', '012345678901', 'enc-buyer', 'addr-old', ''],
      // the buyer moved after the September invoices: they keep the name they had then
      ['2026-10-15T00:00:00Z', 'acct-buyer', '012345678901', 'enc-buyer', 'addr-new', ''],
      ['2026-01-01T00:00:00Z', 'seller', '999988887777', '', 'addr-seller', ''],
    ]), at);
    await ingestContent(t.db, root, 'AddressFeed_V1/year=2026/month=09/data.csv', csv([
      ['valid_from', 'address_id', 'company_name', 'email_domain', 'country_code', 'state_or_region', 'city', 'postal_code'],
      ['2026-01-01T00:00:00Z', 'addr-old', 'Example, Inc.', 'example.com', 'US', 'WA', 'Seattle', '98101'],
      ['2026-10-15T00:00:00Z', 'addr-new', 'Example Holdings', 'example.com', 'US', 'NY', 'New York', '10001'],
      ['2026-01-01T00:00:00Z', 'addr-seller', 'Acme Software', 'acme.test', 'US', 'WA', 'Seattle', '98101'],
    ]), at);
    await ingestContent(t.db, root, 'ProductFeed_V1/year=2026/month=09/data.csv', 'valid_from,product_id,manufacturer_account_id,product_code,title\n2026-01-01T00:00:00Z,prod-1,seller,pc-1,Acme Analytics\n', at);
    await ingestContent(t.db, root, 'OfferFeed_V1/year=2026/month=09/data.csv', 'valid_from,offer_id,offer_revision,name,seller_account_id,recipient_account_id\n2026-01-01T00:00:00Z,offer-1,1,Acme Analytics public offer,seller,seller\n', at);
    await ingestContent(t.db, root, 'AgreementFeed_V1/year=2026/month=09/data.csv', csv([
      ['valid_from', 'agreement_id', 'acceptor_account_id', 'proposer_account_id', 'offer_id', 'start_time', 'end_time', 'acceptance_time', 'status'],
      ['2026-01-01T00:00:00Z', 'agmt-1', 'acct-buyer', 'seller', 'offer-1', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'ACTIVE'],
    ]), at);
    const events: Ev[] = [
      // L1: invoiced 1 September, paid in full on the 20th, disbursed on 8 October
      { id: 'l1-rev', line: 'INV-1', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '1000.000000', day: '2026-09-01', due: '2026-10-01' },
      { id: 'l1-fee', line: 'INV-1', invoice: 'LF-1', variant: 'LISTING_FEE', action: 'INVOICED', type: 'AWS_REV_SHARE', amount: '-30.000000', day: '2026-09-01', due: '2026-10-01', from: 'seller' },
      { id: 'l1-tax', line: 'INV-1', action: 'INVOICED', type: 'AWS_TAX_SHARE', amount: '80.000000', day: '2026-09-01', due: '2026-10-01', bi: '0' },
      { id: 'l1-stax', line: 'INV-1', action: 'INVOICED', type: 'SELLER_TAX_SHARE', amount: '50.000000', day: '2026-09-01', due: '2026-10-01' },
      { id: 'l1-c1', line: 'INV-1', action: 'COLLECTED', type: 'SELLER_REV_SHARE', amount: '1000.000000', day: '2026-09-20', bi: '0' },
      { id: 'l1-c2', line: 'INV-1', invoice: 'LF-1', variant: 'LISTING_FEE', action: 'COLLECTED', type: 'AWS_REV_SHARE', amount: '-30.000000', day: '2026-09-20', bi: '0', from: 'seller' },
      { id: 'l1-c3', line: 'INV-1', action: 'COLLECTED', type: 'SELLER_TAX_SHARE', amount: '50.000000', day: '2026-09-20', bi: '0' },
      { id: 'l1-d1', line: 'INV-1', action: 'DISBURSED', type: 'SELLER_REV_SHARE', amount: '-1000.000000', day: '2026-10-08', bi: '0', payout: 'pay-1', parent: 'l1-rev' },
      { id: 'l1-d2', line: 'INV-1', invoice: 'LF-1', variant: 'LISTING_FEE', action: 'DISBURSED', type: 'AWS_REV_SHARE', amount: '30.000000', day: '2026-10-08', bi: '0', payout: 'pay-1', parent: 'l1-fee', from: 'seller' },
      { id: 'l1-d3', line: 'INV-1', action: 'DISBURSED', type: 'SELLER_TAX_SHARE', amount: '-50.000000', day: '2026-10-08', bi: '0', payout: 'pay-1', parent: 'l1-stax' },
      // L2: invoiced 15 September, nothing paid
      { id: 'l2-rev', line: 'INV-2', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '500.000000', day: '2026-09-15', due: '2026-10-15' },
      { id: 'l2-fee', line: 'INV-2', action: 'INVOICED', type: 'AWS_REV_SHARE', amount: '-15.000000', day: '2026-09-15', due: '2026-10-15', from: 'seller' },
      // L3: paid out on 8 October, the payout failed on the 12th
      { id: 'l3-rev', line: 'INV-3', action: 'INVOICED', type: 'SELLER_REV_SHARE', amount: '200.000000', day: '2026-09-02', due: '2026-09-02' },
      { id: 'l3-d1', line: 'INV-3', action: 'DISBURSED', type: 'SELLER_REV_SHARE', amount: '-200.000000', day: '2026-10-08', bi: '0', payout: 'pay-1', parent: 'l3-rev' },
      { id: 'l3-d2', line: 'INV-3', action: 'DISBURSED', type: 'SELLER_REV_SHARE', amount: '200.000000', day: '2026-10-12', bi: '0', payout: 'fail-1', parent: 'l3-rev' },
      // the payout and its failure
      { id: 'pay-1', line: '', action: 'DISBURSED', type: 'DISBURSEMENT', amount: '1220.000000', day: '2026-10-08', bi: '0', trace: '021000021234567' },
      { id: 'fail-1', line: '', action: 'DISBURSED', type: 'DISBURSEMENT_FAILURE', amount: '-200.000000', day: '2026-10-12', bi: '0', parent: 'pay-1' },
    ];
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=10/data.csv', csv([H, ...events.map(row)]), at);
  }, 60_000);
  afterAll(() => t?.drop());

  it('rebuilds billed revenue: one row per line item, billed by category, collected, disbursed, named as of the invoice', async () => {
    const rows = await queryFinanceReport(t.db, 'billed_revenue', period('2026-09'));
    expect(rows.map((r) => r.invoice_id)).toEqual(['INV-1', 'INV-3', 'INV-2']);
    const [l1, l3, l2] = rows;
    expect(l1).toMatchObject({
      invoice_date: '2026-09-01', payment_due_date: '2026-10-01', payment_term: 'Net 30 days', listing_fee_invoice_id: 'LF-1', wholesale_invoice_id: 'Not applicable',
      subscriber_company_name: 'Example, Inc.', subscriber_aws_account_id: '012345678901', subscriber_city: 'Seattle', subscriber_address_id: 'addr-old',
      product_title: 'Acme Analytics', offer_name: 'Acme Analytics public offer', offer_visibility: 'Public', agreement_start_date: '2026-01-01',
      gross_revenue: '1000.00', gross_refund: '0.00', listing_fee: '-30.00', listing_fee_percentage: '0.0300', seller_tax_share: '50.00', aws_tax_share: '80.00',
      seller_net_revenue: '1020.00', collected_net_revenue: '1020.00', uncollected_net_revenue: '0.00', last_collection_date: '2026-09-20',
      disbursement_status: 'Disbursed', disbursement_date: '2026-10-08', disburse_bank_trace_id: '021000021234567',
      // paid out to the seller is positive, as AWS writes it
      disbursed_net_revenue: '1020.00', undisbursed_net_revenue: '0.00', currency: 'USD', aws_seller_of_record: 'AWS_INC',
      payer_company_name: 'Example, Inc.', payer_aws_account_id: '012345678901', isv_account_id: '999988887777', isv_company_name: 'Acme Software', reseller_company_name: 'Not applicable',
    });
    expect(l2).toMatchObject({ gross_revenue: '500.00', listing_fee: '-15.00', seller_net_revenue: '485.00', uncollected_net_revenue: '485.00', disbursement_status: 'Not disbursed', disburse_bank_trace_id: 'Not applicable', disbursement_date: null, listing_fee_invoice_id: 'Not applicable' });
    // a payout that failed leaves the line "Disbursement reversed" in AWS's billed revenue (it never says Failed there)
    expect(l3).toMatchObject({ payment_term: 'Net 0 days', seller_net_revenue: '200.00', disbursed_net_revenue: '0.00', undisbursed_net_revenue: '200.00', disbursement_status: 'Disbursement reversed' });
    expect(Object.keys(l1!)).toEqual(BILLED_COLUMNS);
  });

  it('rebuilds collections and disbursements: one row per line item and payout, as paid out', async () => {
    const rows = await queryFinanceReport(t.db, 'collections_and_disbursements', period('2026-10'));
    expect(rows.map((r) => [r.invoice_id, r.disbursement_date, r.disbursement_status, r.gross_revenue, r.listing_fee, r.seller_net_revenue, r.disbursement_time_in_days, r.disbursement_period])).toEqual([
      ['INV-1', '2026-10-08', 'Disbursed', '1000.00', '-30.00', '1020.00', 7, '1-30 days late'],
      // only the failure's own row says Failed; the payout it reversed, the line's state
      ['INV-3', '2026-10-08', 'Disbursement reversed', '200.00', '0.00', '200.00', 36, '31-60 days late'],
      ['INV-3', '2026-10-12', 'Failed', '-200.00', '0.00', '-200.00', 40, '31-60 days late'],
    ]);
    expect(Object.keys(rows[0]!)).toEqual(COLLECTIONS_COLUMNS);
    expect(await queryFinanceReport(t.db, 'collections_and_disbursements', period('2026-09'))).toEqual([]);
  });

  it('exports either report as CSV under its name, with the AWS column names', async () => {
    let text = '';
    for await (const chunk of exportDataset(t.db, 'billed-revenue', period('2026-09'))) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(BILLED_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('2026-09-01,2026-10-01,Net 30 days,INV-1,LF-1,');
    expect(() => exportDataset(t.db, 'billed-revenu', period('2026-09'))).toThrow(/not a dataset or report\. Did you mean billed-revenue\? Reports: billed-revenue, collections-and-disbursements, taxation, agreements, usage-report/);
  });
});

describe('metrics against the reports on the demo seller', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const dir = await tempDir('mp-demo-');
    await writeDemoData(dir, { seed: 7, through: '2026-10-31' });
    await ingestPaths(t.db, [dir], { now: () => NOW });
  }, 120_000);
  afterAll(() => t?.drop());

  const cents = (v: unknown) => Math.round(Number(v) * 100);
  /** Report rows summed per group into the metric's amounts, in cents. */
  function sumBy(rows: Array<Record<string, unknown>>, key: (r: Record<string, unknown>) => string, amounts: Record<string, (r: Record<string, unknown>) => number>) {
    const out = new Map<string, Record<string, number>>();
    for (const r of rows) {
      const k = key(r);
      const acc = out.get(k) ?? Object.fromEntries(Object.keys(amounts).map((a) => [a, 0]));
      for (const [a, f] of Object.entries(amounts)) acc[a]! += f(r);
      out.set(k, acc);
    }
    return Object.fromEntries([...out].sort(([a], [b]) => a.localeCompare(b)));
  }
  const REVENUE = {
    gross_revenue: (r: Record<string, unknown>) => cents(r.gross_revenue),
    refunds: (r: Record<string, unknown>) => cents(r.gross_refund),
    listing_fees: (r: Record<string, unknown>) => cents(r.listing_fee) + cents(r.listing_fee_refund),
    seller_tax_share: (r: Record<string, unknown>) => cents(r.seller_tax_share) + cents(r.seller_tax_share_refund),
    net_revenue: (r: Record<string, unknown>) => cents(r.seller_net_revenue),
  };
  const metricRows = (rows: Array<Record<string, unknown>>, key: (r: Record<string, unknown>) => string, names: string[]) =>
    Object.fromEntries(rows.map((r) => [key(r), Object.fromEntries(names.map((n) => [n, cents(r[n])]))] as const).sort(([a], [b]) => a.localeCompare(b)));

  /** The report names a product by its legacy ID where one is mapped (as AWS's 2026 report does); the metrics by its ID. */
  const asReported = async () => {
    const mapped = await t.db.query<{ new_id: string; legacy_id: string }>(`select new_id, min(legacy_id) as legacy_id from sdds_legacy_id_mapping where mapping_type = 'PRODUCT' group by new_id`);
    const byId = new Map(mapped.map((m) => [m.new_id, m.legacy_id]));
    return (id: unknown) => byId.get(String(id)) ?? String(id);
  };

  it('revenue by product and by customer, month by month, is the billed revenue report summed', async () => {
    const reported = await asReported();
    let lines = 0;
    for (const month of ['2026-03', '2026-06', '2026-08', '2026-09', '2026-10']) {
      const report = await queryFinanceReport(t.db, 'billed_revenue', period(month));
      lines += report.length;
      const byProduct = await answer(t.db, 'revenue', month, 'product', options);
      expect(metricRows(byProduct.rows, (r) => `${r.currency} ${reported(r.key)}`, Object.keys(REVENUE)), month).toEqual(sumBy(report, (r) => `${r.currency} ${r.product_id}`, REVENUE));
      const byCustomer = await answer(t.db, 'revenue', month, 'customer', options);
      expect(metricRows(byCustomer.rows, (r) => `${r.currency} ${r.detail}`, Object.keys(REVENUE)), month).toEqual(sumBy(report, (r) => `${r.currency} ${r.subscriber_aws_account_id}`, REVENUE));
    }
    expect(lines).toBeGreaterThan(100);
  });

  it('disbursements by product are the collections and disbursements report summed; collections are its collected net', async () => {
    const reported = await asReported();
    for (const month of ['2026-05', '2026-09', '2026-10']) {
      const report = await queryFinanceReport(t.db, 'collections_and_disbursements', period(month));
      expect(report.length, month).toBeGreaterThan(5);
      const byProduct = await answer(t.db, 'disbursements', month, 'product', options);
      expect(metricRows(byProduct.rows, (r) => `${r.currency} ${reported(r.key)}`, ['disbursed']), month).toEqual(sumBy(report, (r) => `${r.currency} ${r.product_id}`, { disbursed: (r) => cents(r.seller_net_revenue) }));
    }
    const everything = '2020-01-01..2026-11-28';
    const billed = await queryFinanceReport(t.db, 'billed_revenue', period(everything));
    const collections = await answer(t.db, 'collections', everything, 'customer', options);
    expect(metricRows(collections.rows, (r) => `${r.currency} ${r.detail}`, ['collected'])).toEqual(
      Object.fromEntries(Object.entries(sumBy(billed, (r) => `${r.currency} ${r.subscriber_aws_account_id}`, { collected: (r) => cents(r.collected_net_revenue) })).filter(([, v]) => v.collected !== 0)),
    );
  });
});
