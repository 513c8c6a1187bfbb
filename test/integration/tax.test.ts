/**
 * Tax on a hand-built seller whose answers are worked out by hand below: US sales tax AWS remits
 * (state and county), seller-remitted use tax, a refund delivered negative and a TAXONLYREFUND
 * delivered positive, a jurisdiction where no tax was collected, a corrected and a soft-deleted
 * tax item, EUR VAT with a forgiven invoice, and the billing feed disagreeing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { answer, answerToCsv } from '../../src/metrics/query.ts';
import { presentAnswer } from '../../src/present/answer.ts';
import { parsePeriod } from '../../src/periods.ts';
import { parseRequest } from '../../src/slack/commands.ts';
import { metricMessage } from '../../src/slack/render.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const NOW = new Date('2026-11-29T08:00:00Z');
const ARRIVED = { now: () => new Date('2026-11-28T06:00:00Z') };
const options = { now: NOW, timeZone: 'UTC', fiscalYearStartMonth: 1 };

const TH = ['valid_from', 'insert_date', 'update_date', 'delete_date', 'tax_item_id', 'invoice_id', 'line_item_id', 'tax_liable_party', 'transaction_type_code', 'product_id', 'invoice_date',
  'taxed_customer_country', 'taxed_customer_state_or_region', 'tax_type_code', 'jurisdiction_level', 'taxed_jurisdiction', 'taxable_amount', 'tax_amount', 'tax_currency'];
function item(id: string, invoice: string, party: string, code: string, day: string, where: [string, string, string, string, string], amount: string, o: { cur?: string; updated?: string; deleted?: string } = {}): string[] {
  const [country, state, type, level, jurisdiction] = where;
  const ts = `${day}T00:00:00Z`;
  return [ts, ts, o.updated ?? ts, o.deleted ?? '', id, invoice, `line-${invoice}`, party, code, 'prod-1', ts, country, state, type, level, jurisdiction, '100.00', amount, o.cur ?? 'USD'];
}
const GA: [string, string, string, string, string] = ['US', 'GA', 'Sales', 'State', 'GA'];
const FULTON: [string, string, string, string, string] = ['US', 'GA', 'Sales', 'County', 'FULTON'];
const WA: [string, string, string, string, string] = ['US', 'WA', 'SellerUse', 'State', 'WA'];
const CA: [string, string, string, string, string] = ['US', 'CA', 'None', 'State', 'CA'];
const TX: [string, string, string, string, string] = ['US', 'TX', 'Sales', 'State', 'TX'];
const DE: [string, string, string, string, string] = ['DE', '', 'VAT', '', 'GERMANY'];

const BH = ['valid_from', 'update_date', 'billing_event_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'invoice_id'];
let n = 0;
const ev = (invoice: string, action: string, type: string, amount: string, day: string, cur = 'USD') => {
  const ts = `${day}T00:00:00Z`;
  return [ts, ts, `be-${++n}`, 'acct-a', 'prod-1', action, type, amount, cur, type.startsWith('AWS_TAX') ? '0' : '1', ts, invoice];
};

describe('tax', () => {
  let t: TestDatabase;
  let root: string;

  beforeAll(async () => {
    t = await createPostgresDatabase();
    root = await tempDir();
    await ingestContent(t.db, root, 'TaxItemFeed_V1/year=2026/month=10/data.csv', csv([
      TH,
      // inv-1: Georgia sales tax AWS remits, state and county; the state line first delivered as 45.00, corrected to 40.00
      item('t1', 'inv-1', 'AWS', 'AWS', '2026-10-05', GA, '45.00'),
      item('t1', 'inv-1', 'AWS', 'AWS', '2026-10-05', GA, '40.00', { updated: '2026-10-07T00:00:00Z' }),
      item('t2', 'inv-1', 'AWS', 'AWS', '2026-10-05', FULTON, '30.00'),
      // soft-deleted: ignored
      item('t-gone', 'inv-1', 'AWS', 'AWS', '2026-10-05', GA, '999.00', { updated: '2026-10-06T00:00:00Z', deleted: '2026-10-06T00:00:00Z' }),
      // inv-2: Washington use tax the seller remits
      item('t3', 'inv-2', 'Seller', 'AWS', '2026-10-10', WA, '25.00'),
      // a refund of part of inv-1's state tax, delivered negative; a tax-only refund on inv-2, delivered positive
      item('r1', 'inv-1', 'AWS', 'REFUND', '2026-10-20', GA, '-8.00'),
      item('r2', 'inv-2', 'Seller', 'TAXONLYREFUND', '2026-10-22', WA, '5.00'),
      // inv-3: no tax collected (blank liable party)
      item('t4', 'inv-3', '', 'AWS', '2026-10-15', CA, '0.00'),
      // inv-4: 12.50 in the tax feed, 12.00 in the billing feed
      item('t5', 'inv-4', 'AWS', 'AWS', '2026-10-25', TX, '12.50'),
      // EUR: German VAT AWS remits; inv-e2 forgiven, its VAT refunded
      item('e1', 'inv-e1', 'AWS', 'AWS', '2026-10-12', DE, '19.00', { cur: 'EUR' }),
      item('e2', 'inv-e2', 'AWS', 'AWS', '2026-10-14', DE, '10.00', { cur: 'EUR' }),
      item('e2r', 'inv-e2', 'AWS', 'REFUND', '2026-10-30', DE, '-10.00', { cur: 'EUR' }),
    ]), ARRIVED);
    await ingestContent(t.db, root, 'TaxItemFeed_V1/year=2026/month=11/data.csv', csv([TH, item('t6', 'inv-6', 'AWS', 'AWS', '2026-11-02', GA, '99.00')]), ARRIVED);
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=10/data.csv', csv([
      BH,
      ev('inv-1', 'INVOICED', 'SELLER_REV_SHARE', '1000.000000', '2026-10-05'),
      ev('inv-1', 'INVOICED', 'AWS_TAX_SHARE', '70.000000', '2026-10-05'),
      ev('inv-2', 'INVOICED', 'SELLER_REV_SHARE', '500.000000', '2026-10-10'),
      ev('inv-2', 'INVOICED', 'SELLER_TAX_SHARE', '25.000000', '2026-10-10'),
      ev('inv-1', 'INVOICED', 'AWS_TAX_SHARE_REFUND', '-8.000000', '2026-10-20'),
      ev('inv-2', 'INVOICED', 'SELLER_TAX_SHARE_REFUND', '-5.000000', '2026-10-22'),
      ev('inv-4', 'INVOICED', 'AWS_TAX_SHARE', '12.000000', '2026-10-25'),
      // seller tax with no tax item
      ev('inv-5', 'INVOICED', 'SELLER_TAX_SHARE', '3.000000', '2026-10-28'),
      // another seller's tax on a resale: not the seller's tax item, left out
      ev('inv-5', 'INVOICED', 'OTHER_SELLER_TAX_SHARE', '-2.000000', '2026-10-28'),
      ev('inv-e1', 'INVOICED', 'AWS_TAX_SHARE', '19.000000', '2026-10-12', 'EUR'),
      ev('inv-e2', 'INVOICED', 'AWS_TAX_SHARE', '10.000000', '2026-10-14', 'EUR'),
      ev('inv-e2', 'FORGIVEN', 'AWS_TAX_SHARE', '-10.000000', '2026-10-30', 'EUR'),
      // November: outside the period
      ev('inv-6', 'INVOICED', 'AWS_TAX_SHARE', '99.000000', '2026-11-02'),
    ]), ARRIVED);
  });
  afterAll(() => t?.drop());

  it('adds up October by hand: per currency, by who remits, against the billing feed', async () => {
    const a = await answer(t.db, 'tax', '2026-10', undefined, options);
    expect(a).toMatchObject({ metric: 'tax', source: 'sdds', rows: [] });
    // USD items: 40 + 30 (GA, FULTON) + 25 (WA) - 8 (refund) - 5 (tax-only refund, delivered as +5) + 0 (CA) + 12.50 (TX) = 94.50
    //   AWS remits 40 + 30 - 8 + 12.50 = 74.50; the seller 25 - 5 = 20.00; not collected 0.00
    // USD billing: AWS_TAX_SHARE* 70 - 8 + 12 = 74; SELLER_TAX_SHARE* 25 - 5 + 3 = 23 (OTHER_SELLER_TAX_SHARE and November left out)
    //   differences: 74.50 - 74 = 0.50 (inv-4); 20 - 23 = -3 (inv-5)
    // EUR items: 19 + 10 - 10 = 19, all AWS; billing 19 + 10 - 10 (forgiven) = 19: they agree
    expect(a.totals).toEqual([
      { currency: 'EUR', tax: '19.00', refunds: '-10.00', aws_remits: '19.00', seller_remits: '0', not_collected: '0', billing_aws_tax: '19.000000', billing_seller_tax: '0', aws_difference: '0.000000', seller_difference: '0' },
      { currency: 'USD', tax: '94.50', refunds: '-13.00', aws_remits: '74.50', seller_remits: '20.00', not_collected: '0.00', billing_aws_tax: '74.000000', billing_seller_tax: '23.000000', aws_difference: '0.500000', seller_difference: '-3.000000' },
    ]);
    expect(a.complete_through).not.toBeNull();
    expect(await answer(t.db, 'tax', '2026-09', undefined, options)).toMatchObject({ source: 'sdds', totals: [], rows: [] });
  });

  it('breaks down by jurisdiction and by tax type, largest first; the totals do not change', async () => {
    const byJurisdiction = await answer(t.db, 'tax', '2026-10', 'jurisdiction', options);
    expect(byJurisdiction.totals).toEqual((await answer(t.db, 'tax', '2026-10', undefined, options)).totals);
    expect(byJurisdiction.rows.map((r) => [r.currency, r.key, r.name, r.tax, r.refunds, r.aws_remits, r.seller_remits])).toEqual([
      ['EUR', 'DE//GERMANY//VAT', 'GERMANY', '19.00', '-10.00', '19.00', '0'],
      ['USD', 'US/GA/GA/State/Sales', 'GA (State)', '32.00', '-8.00', '32.00', '0'],
      ['USD', 'US/GA/FULTON/County/Sales', 'FULTON (County)', '30.00', '0', '30.00', '0'],
      ['USD', 'US/WA/WA/State/SellerUse', 'WA (State)', '20.00', '-5.00', '0', '20.00'],
      ['USD', 'US/TX/TX/State/Sales', 'TX (State)', '12.50', '0', '12.50', '0'],
      ['USD', 'US/CA/CA/State/None', 'CA (State)', '0.00', '0', '0', '0'],
    ]);
    expect(byJurisdiction.rows[1]).toMatchObject({ country: 'US', state: 'GA', jurisdiction: 'GA', level: 'State', tax_type: 'Sales', not_collected: '0' });
    const byType = await answer(t.db, 'tax', '2026-10', 'type', options);
    expect(byType.rows.map((r) => [r.currency, r.key, r.tax, r.aws_remits, r.seller_remits])).toEqual([
      ['EUR', 'VAT', '19.00', '19.00', '0'],
      ['USD', 'Sales', '74.50', '74.50', '0'],
      ['USD', 'SellerUse', '20.00', '0', '20.00'],
      ['USD', 'None', '0.00', '0', '0'],
    ]);
  });

  it('lists the invoices where the two feeds disagree, largest difference first', async () => {
    const a = await answer(t.db, 'tax', '2026-10', 'invoice', options);
    expect(a.rows).toEqual([
      { currency: 'USD', key: 'inv-5', name: 'inv-5', invoice_date: '2026-10-28', tax: '0', aws_remits: '0', billing_aws_tax: '0', aws_difference: '0', seller_remits: '0', billing_seller_tax: '3.000000', seller_difference: '-3.000000' },
      { currency: 'USD', key: 'inv-4', name: 'inv-4', invoice_date: '2026-10-25', tax: '12.50', aws_remits: '12.50', billing_aws_tax: '12.000000', aws_difference: '0.500000', seller_remits: '0', billing_seller_tax: '0', seller_difference: '0' },
    ]);
    expect(answerToCsv(a).split('\n')[0]).toBe('currency,key,name,invoice_date,tax,aws_remits,billing_aws_tax,aws_difference,seller_remits,billing_seller_tax,seller_difference');
  });

  it('answers from the CLI (JSON, CSV) and in Slack', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => {} };
    const env = { DATABASE_URL: t.url!, DATA_DIR: root };
    expect(await main(['query', 'tax', '2026-10', '--format', 'json'], io, env)).toBe(0);
    expect(JSON.parse(out.pop()!).totals[1]).toMatchObject({ currency: 'USD', tax: '94.50', aws_difference: '0.500000' });
    expect(await main(['query', 'tax', '2026-10', '--by', 'type', '--format', 'csv'], io, env)).toBe(0);
    expect(out.pop()!.split('\n')).toEqual([
      'currency,key,name,tax,refunds,aws_remits,seller_remits,not_collected',
      'EUR,VAT,VAT,19.00,-10.00,19.00,0,0',
      'USD,Sales,Sales,74.50,-8.00,74.50,0,0',
      'USD,SellerUse,SellerUse,20.00,-5.00,0,20.00,0',
      'USD,None,None,0.00,0,0,0,0.00',
    ]);

    // /marketplace tax 2026-10: the top jurisdictions, and the disagreement in the headline
    const request = parseRequest('tax 2026-10');
    expect(request).toEqual({ kind: 'metric', metric: 'tax', period: '2026-10', by: undefined, days: undefined });
    const p = await presentAnswer(t.db, 'tax', parsePeriod('2026-10', options), undefined, options);
    expect(p.by).toBe('jurisdiction');
    const message = metricMessage(p.answer, { previous: p.previous, exportCommand: 'export tax 2026-10 by jurisdiction', quickChartUrl: 'https://quickchart.io', by: p.by!, defaultBreakdown: { metric: 'tax', period: '2026-10', dimensions: p.dimensions } });
    const text = JSON.stringify(message.blocks);
    expect(message.text).toContain('Tax, October 2026: Tax billed $94.50');
    expect(text).toContain('*You remit* $20.00');
    expect(text).toContain('*Tax feed less billing feed, your tax* -$3.00');
    expect(text).toContain('GA (State), US-GA');
  });
});
