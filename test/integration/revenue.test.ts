/**
 * Revenue on hand-built data whose right answer is worked out by hand below: refunds, credits, a
 * forgiven invoice, a reseller's cost of goods, AWS-remitted tax, multi-currency, a corrected and a
 * soft-deleted event, a revised product title, and the legacy CAS fallback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { answer } from '../../src/metrics/query.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const H = ['valid_from', 'insert_date', 'update_date', 'delete_date', 'billing_event_id', 'from_account_id', 'to_account_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'agreement_id', 'charge_variant', 'charge_side'];
const NOW = new Date('2026-11-29T08:00:00Z');
// files arrive before the pinned clock, whatever the wall clock says when the test runs
const ARRIVED = { now: () => new Date('2026-11-28T06:00:00Z') };
const options = { now: NOW, timeZone: 'UTC', fiscalYearStartMonth: 1 };

function ev(id: string, action: string, type: string, amount: string, opts: { cur?: string; day?: string; bi?: string; buyer?: string; product?: string; updated?: string; deleted?: string; variant?: string; side?: string } = {}): string[] {
  const day = opts.day ?? '2026-10-05';
  const ts = `${day}T00:00:00Z`;
  const upd = opts.updated ?? `${day}T06:00:00Z`;
  // the listing fee is the seller's payment to AWS (AWS derives the seller's own account from it); the rest is the buyer's
  const [from, to] = type.startsWith('AWS_REV_SHARE') ? ['acct-seller', 'aws-marketplace'] : [opts.buyer ?? 'acct-a', 'acct-seller'];
  return [ts, `${day}T06:00:00Z`, upd, opts.deleted ?? '', id, from, to, opts.buyer ?? 'acct-a', opts.product ?? 'prod-1', action, type, amount, opts.cur ?? 'USD', opts.bi ?? '1', ts, 'agmt-1', opts.variant ?? '', opts.side ?? ''];
}

describe('revenue', () => {
  let t: TestDatabase;
  let root: string;

  const ingest = (key: string, content: string) => ingestContent(t.db, root, key, content, ARRIVED);

  beforeAll(async () => {
    t = await createPostgresDatabase();
    root = await tempDir();
    await ingest('ProductFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'insert_date', 'update_date', 'delete_date', 'product_id', 'product_code', 'title'],
      ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '', 'prod-1', 'pc-1', 'Acme Analytics (SaaS)'],
      ['2026-09-01T00:00:00Z', '2026-09-01T00:00:00Z', '2026-09-01T00:00:00Z', '', 'prod-1', 'pc-1', 'Acme Analytics Platform'],
      ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '', 'prod-2', 'pc-2', 'Acme Gateway'],
    ]));
    await ingest('AccountFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'account_id', 'aws_account_id', 'mailing_address_id', 'tax_address_id'],
      ['2026-01-01T00:00:00Z', 'acct-a', '012345678901', 'addr-a', ''],
      ['2026-01-01T00:00:00Z', 'acct-b', '444455556666', 'addr-b1', 'addr-b2'],
    ]));
    await ingest('AddressFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'address_id', 'company_name', 'country_code'],
      ['2026-01-01T00:00:00Z', 'addr-a', 'Example, Inc.', 'US'],
      ['2026-01-01T00:00:00Z', 'addr-b1', 'Beispiel (mailing)', 'DE'],
      ['2026-01-01T00:00:00Z', 'addr-b2', 'Beispiel GmbH', 'DE'],
    ]));
    await ingest('BillingEventFeed_V1/year=2026/month=10/data.csv', csv([
      H,
      // invoice 1: 1,000.00 with a 3% fee and AWS-remitted tax (not the seller's money)
      ev('i1-rev', 'INVOICED', 'SELLER_REV_SHARE', '1000.000000'),
      ev('i1-fee', 'INVOICED', 'AWS_REV_SHARE', '-30.000000'),
      ev('i1-tax', 'INVOICED', 'AWS_TAX_SHARE', '80.000000', { bi: '0' }),
      // a partial refund of it, fee given back
      ev('r1-rev', 'INVOICED', 'SELLER_REV_SHARE_REFUND', '-250.000000', { day: '2026-10-20' }),
      ev('r1-fee', 'INVOICED', 'AWS_REV_SHARE_REFUND', '7.500000', { day: '2026-10-20' }),
      // seller-remitted tax
      ev('i1-stax', 'INVOICED', 'SELLER_TAX_SHARE', '50.000000'),
      // invoice 2 (product 2) forgiven by AWS in the same month
      ev('i2-rev', 'INVOICED', 'SELLER_REV_SHARE', '200.000000', { product: 'prod-2' }),
      ev('i2-fee', 'INVOICED', 'AWS_REV_SHARE', '-6.000000', { product: 'prod-2' }),
      ev('f2-rev', 'FORGIVEN', 'SELLER_REV_SHARE', '-200.000000', { product: 'prod-2' }),
      ev('f2-fee', 'FORGIVEN', 'AWS_REV_SHARE', '6.000000', { product: 'prod-2' }),
      // a credit AWS issued to the buyer
      ev('c1-rev', 'INVOICED', 'SELLER_REV_SHARE_CREDIT', '-10.000000'),
      // a reseller's cost of goods: not gross revenue, still in net
      ev('cogs', 'INVOICED', 'SELLER_REV_SHARE', '-100.000000', { variant: 'RESALE', side: 'BUYING' }),
      // EUR customer B
      ev('e1-rev', 'INVOICED', 'SELLER_REV_SHARE', '500.000000', { cur: 'EUR', buyer: 'acct-b' }),
      ev('e1-fee', 'INVOICED', 'AWS_REV_SHARE', '-15.000000', { cur: 'EUR', buyer: 'acct-b' }),
      // revised: first delivered as 70.00, corrected to 75.00 (same valid_from, later update_date)
      ev('i3-rev', 'INVOICED', 'SELLER_REV_SHARE', '70.000000', { day: '2026-10-31' }),
      ev('i3-rev', 'INVOICED', 'SELLER_REV_SHARE', '75.000000', { day: '2026-10-31', updated: '2026-11-02T06:00:00Z' }),
      // soft-deleted: ignored
      ev('gone', 'INVOICED', 'SELLER_REV_SHARE', '999.000000', { updated: '2026-10-06T06:00:00Z', deleted: '2026-10-06T06:00:00Z' }),
      // outside the period, and a payout: ignored
      ev('nov', 'INVOICED', 'SELLER_REV_SHARE', '333.000000', { day: '2026-11-01' }),
      ev('d1', 'DISBURSED', 'SELLER_REV_SHARE', '-1000.000000', { bi: '0' }),
    ]));
    await ingest('cas/sales_compensation_billed_revenue_2019-04-15.csv', csv([
      ['Customer AWS Account Number', 'Product Code', 'Product Title', 'Gross Revenue', 'AWS Revenue Share', 'Gross Refunds', 'AWS Refunds Share', 'Net Revenue', 'Currency', 'AR Period'],
      ['0123-4567-8901', 'pc-1', 'Acme Analytics (SaaS)', '400.00', '-12.00', '-40.00', '1.20', '349.20', 'USD', '2019-03'],
      ['444455556666', 'pc-2', 'Acme Gateway', '100.00', '-20.00', '0.00', '0.00', '80.00', 'USD', '2019-03'],
    ]));
  });
  afterAll(() => t?.drop());

  it('adds up October by hand, per currency', async () => {
    const a = await answer(t.db, 'revenue', '2026-10', undefined, options);
    // USD gross 1000 + 200 - 200 (forgiven) + 75 = 1075; refunds -250 - 10 = -260; fees -30 + 7.5 - 6 + 6 = -22.5
    // net = all balance-impacting: 1000 - 30 - 250 + 7.5 + 50 + 200 - 6 - 200 + 6 - 10 - 100 + 75 = 742.5
    expect(a).toMatchObject({ metric: 'revenue', source: 'sdds', period: { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z', label: 'October 2026' } });
    expect(a.totals).toEqual([
      { currency: 'EUR', gross_revenue: '500.000000', refunds: '0', listing_fees: '-15.000000', seller_tax_share: '0', wholesale_cost: '0', net_revenue: '485.000000' },
      { currency: 'USD', gross_revenue: '1075.000000', refunds: '-260.000000', listing_fees: '-22.500000', seller_tax_share: '50.000000', wholesale_cost: '-100.000000', net_revenue: '742.500000' },
    ]);
  });

  it('breaks down by product (current titles) and by customer (company names, account numbers)', async () => {
    const byProduct = await answer(t.db, 'revenue', '2026-10', 'product', options);
    // the breakdown's totals are the same as the plain answer's, to the digit
    expect(byProduct.totals).toEqual((await answer(t.db, 'revenue', '2026-10', undefined, options)).totals);
    expect(byProduct.rows.map((r) => [r.currency, r.name, r.gross_revenue, r.net_revenue])).toEqual([
      ['EUR', 'Acme Analytics Platform', '500.000000', '485.000000'],
      ['USD', 'Acme Analytics Platform', '1075.000000', '742.500000'],
      ['USD', 'Acme Gateway', '0.000000', '0.000000'],
    ]);
    const byCustomer = await answer(t.db, 'revenue', '2026-10', 'customer', options);
    expect(byCustomer.rows.map((r) => [r.currency, r.name, r.detail, r.gross_revenue])).toEqual([
      ['EUR', 'Beispiel GmbH', '444455556666', '500.000000'],
      ['USD', 'Example, Inc.', '012345678901', '1075.000000'],
    ]);
    const byMonth = await answer(t.db, 'revenue', '2026-10-01..2026-11-30', 'month', options);
    expect(byMonth.rows.filter((r) => r.currency === 'USD').map((r) => [r.key, r.name, r.gross_revenue])).toEqual([
      ['2026-10', 'October 2026', '1075.000000'],
      ['2026-11', 'November 2026', '333.000000'],
    ]);
  });

  it('answers a period SDDS does not cover from the legacy CAS report, and says so', async () => {
    const a = await answer(t.db, 'revenue', '2019-03', 'customer', options);
    expect(a.source).toBe('cas');
    expect(a.totals).toEqual([{ currency: 'USD', gross_revenue: '500.00', refunds: '-40.00', listing_fees: '-30.80', seller_tax_share: '0', wholesale_cost: '0', net_revenue: '429.20' }]);
    expect(a.rows.map((r) => [r.name, r.detail])).toEqual([
      ['Example, Inc.', '012345678901'],
      ['Beispiel GmbH', '444455556666'],
    ]);
    expect(a.complete_through).toBe('2019-03-31');
    expect(await answer(t.db, 'revenue', '2015-01', undefined, options)).toMatchObject({ source: 'none', totals: [], rows: [] });
  });

  it('speaks the documented JSON and CSV from the CLI, and refuses bad input clearly', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const env = { DATABASE_URL: t.url!, DATA_DIR: root };
    expect(await main(['query', 'revenue', '2026-10', '--format', 'json'], io, env)).toBe(0);
    const json = JSON.parse(out.pop()!);
    expect(Object.keys(json)).toEqual(['metric', 'period', 'totals', 'rows', 'source', 'complete_through']);
    // the October month file: complete through its last day
    expect(json.complete_through).toBe('2026-10-31');
    expect(await main(['query', 'revenue', '2026-10', '--by', 'customer', '--format', 'csv'], io, env)).toBe(0);
    expect(out.pop()).toBe(
      'currency,key,name,detail,gross_revenue,refunds,listing_fees,seller_tax_share,wholesale_cost,net_revenue\n' +
        'EUR,acct-b,Beispiel GmbH,444455556666,500.000000,0,-15.000000,0,0,485.000000\n' +
        'USD,acct-a,"Example, Inc.",012345678901,1075.000000,-260.000000,-22.500000,50.000000,-100.000000,742.500000',
    );
    expect(await main(['query', 'revenue', 'last-fortnight'], io, env)).toBe(2);
    expect(err.pop()).toContain('Try one of: today, yesterday');
    expect(await main(['query', 'profit', '2026-10'], io, env)).toBe(2);
    expect(err.pop()).toContain('"profit" is not a metric; metrics: revenue');
    expect(await main(['query', 'revenue', '2026-10', '--by', 'region'], io, env)).toBe(2);
    expect(err.pop()).toContain('use --by product | customer | offer | month');
  });
});
