/**
 * Revenue and usage by the customer's country and state, and revenue by charge kind, on a
 * hand-built seller whose answers are worked out by hand below: a customer with a tax and a
 * mailing address, one with only a mailing address, one who moved abroad mid-month, an address
 * revised mid-month, two currencies, a contract fee, usage fees, an adjustment, and usage rows
 * whose payer is not their end user. October 2026 throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { answer } from '../../src/metrics/query.ts';
import { metricMessage } from '../../src/slack/render.ts';
import { parseRequest } from '../../src/slack/commands.ts';
import { ENGINES, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const NOW = new Date('2026-11-29T08:00:00Z');
const ARRIVED = { now: () => new Date('2026-11-28T06:00:00Z') };
const options = { now: NOW, timeZone: 'UTC', fiscalYearStartMonth: 1 };

/*
 * Accounts and where they are:
 *   acct-us  tax address addr-us-tax (US, CA until 2026-10-25, then revised to WA), mailing addr-us-mail (US, NY): the tax address wins
 *   acct-de  mailing address addr-de only (DE, no state)
 *   acct-mv  tax address addr-mv-1 (US, "Texas" written out) until 2026-10-16, then a new account revision naming addr-mv-2 (GB)
 * Agreements: agmt-c upfront only (contract), agmt-u usage only, agmt-m upfront and usage (decided by the usage period).
 */
const B = ['valid_from', 'update_date', 'billing_event_id', 'from_account_id', 'to_account_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'invoice_id', 'agreement_id', 'usage_period_start_date', 'usage_period_end_date'];

function ev(id: string, type: string, amount: string, o: { buyer: string; day: string; agreement: string; cur?: string; period?: [string, string]; bi?: string }): string[] {
  const ts = `${o.day}T00:00:00Z`;
  // the listing fee is the seller's payment to AWS, an adjustment AWS's to the seller; every other row the buyer's
  const [from, to] = type.startsWith('AWS_REV_SHARE') ? ['acct-seller', 'aws-marketplace'] : type === 'BALANCE_ADJUSTMENT' ? ['aws-marketplace', 'acct-seller'] : [o.buyer, type.startsWith('AWS_TAX') ? 'aws-marketplace' : 'acct-seller'];
  const invoice = type === 'BALANCE_ADJUSTMENT' ? '' : `inv-${id.slice(0, 2)}`;
  return [ts, `${o.day}T06:00:00Z`, id, from, to, o.buyer, 'prod-1', 'INVOICED', type, amount, o.cur ?? 'USD', o.bi ?? '1', ts, invoice, o.agreement, o.period?.[0] ?? '', o.period?.[1] ?? ''];
}

const CONTRACT_TERM: [string, string] = ['2026-10-03T00:00:00Z', '2027-10-02T23:59:59Z'];
const SEPTEMBER: [string, string] = ['2026-09-01T00:00:00Z', '2026-09-30T23:59:59Z'];

describe.each(ENGINES)('revenue and usage by place and by charge on %s', (engine, create) => {
  let t: TestDatabase;
  let root: string;
  const ingest = (key: string, content: string) => ingestContent(t.db, root, key, content, ARRIVED);

  beforeAll(async () => {
    t = await create();
    root = await tempDir();
    await ingest('AccountFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'account_id', 'aws_account_id', 'mailing_address_id', 'tax_address_id'],
      ['2026-01-01T00:00:00Z', 'acct-us', '111111111111', 'addr-us-mail', 'addr-us-tax'],
      ['2026-01-01T00:00:00Z', 'acct-de', '222222222222', 'addr-de', ''],
      ['2026-01-01T00:00:00Z', 'acct-mv', '333333333333', 'addr-mv-1', 'addr-mv-1'],
      ['2026-10-16T00:00:00Z', 'acct-mv', '333333333333', 'addr-mv-2', 'addr-mv-2'],
    ]));
    await ingest('AddressFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'address_id', 'company_name', 'country_code', 'state_or_region'],
      ['2026-01-01T00:00:00Z', 'addr-us-tax', 'Acme Corp', 'US', 'CA'],
      ['2026-10-25T00:00:00Z', 'addr-us-tax', 'Acme Corp', 'US', 'WA'],
      ['2026-01-01T00:00:00Z', 'addr-us-mail', 'Acme Corp', 'US', 'NY'],
      ['2026-01-01T00:00:00Z', 'addr-de', 'Beispiel GmbH', 'de', ''],
      ['2026-01-01T00:00:00Z', 'addr-mv-1', 'Mover Ltd', 'US', 'Texas'],
      ['2026-10-16T00:00:00Z', 'addr-mv-2', 'Mover Ltd', 'GB', ''],
    ]));
    await ingest('AgreementTermFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'agreement_id', 'term_id', 'term_type'],
      ['2026-01-01T00:00:00Z', 'agmt-c', 'term-c1', 'ConfigurableUpfrontPricingTerm'],
      ['2026-01-01T00:00:00Z', 'agmt-c', 'term-c2', 'LegalTerm'],
      ['2026-01-01T00:00:00Z', 'agmt-u', 'term-u1', 'UsageBasedPricingTerm'],
      ['2026-01-01T00:00:00Z', 'agmt-m', 'term-m1', 'ConfigurableUpfrontPricingTerm'],
      ['2026-01-01T00:00:00Z', 'agmt-m', 'term-m2', 'UsageBasedPricingTerm'],
    ]));
    await ingest('BillingEventFeed_V1/year=2026/month=10/data.csv', csv([
      B,
      // acct-us, a 12-month contract fee (US-CA on 10-03), with its listing fee and AWS-remitted tax (not balance-impacting)
      ev('c1-rev', 'SELLER_REV_SHARE', '1200.00', { buyer: 'acct-us', day: '2026-10-03', agreement: 'agmt-c', period: CONTRACT_TERM }),
      ev('c1-fee', 'AWS_REV_SHARE', '-36.00', { buyer: 'acct-us', day: '2026-10-03', agreement: 'agmt-c', period: CONTRACT_TERM }),
      ev('c1-tax', 'AWS_TAX_SHARE', '96.00', { buyer: 'acct-us', day: '2026-10-03', agreement: 'agmt-c', period: CONTRACT_TERM, bi: '0' }),
      // a partial refund of it on 10-28, after its tax address was revised to WA
      ev('r1-rev', 'SELLER_REV_SHARE_REFUND', '-200.00', { buyer: 'acct-us', day: '2026-10-28', agreement: 'agmt-c', period: CONTRACT_TERM }),
      ev('r1-fee', 'AWS_REV_SHARE_REFUND', '6.00', { buyer: 'acct-us', day: '2026-10-28', agreement: 'agmt-c', period: CONTRACT_TERM }),
      // acct-us, an older row with no agreement: September's usage billed in arrears (US-CA)
      ev('l1-rev', 'SELLER_REV_SHARE', '40.00', { buyer: 'acct-us', day: '2026-10-02', agreement: '', period: SEPTEMBER }),
      ev('l1-fee', 'AWS_REV_SHARE', '-1.20', { buyer: 'acct-us', day: '2026-10-02', agreement: '', period: SEPTEMBER }),
      // acct-de, EUR, September's metered usage (mailing address: DE)
      ev('u1-rev', 'SELLER_REV_SHARE', '300.00', { buyer: 'acct-de', day: '2026-10-02', cur: 'EUR', agreement: 'agmt-u', period: SEPTEMBER }),
      ev('u1-fee', 'AWS_REV_SHARE', '-9.00', { buyer: 'acct-de', day: '2026-10-02', cur: 'EUR', agreement: 'agmt-u', period: SEPTEMBER }),
      // acct-mv, contract with usage: the upfront fee on 10-05, billed in advance (contract; US-TX then)
      ev('m1-rev', 'SELLER_REV_SHARE', '500.00', { buyer: 'acct-mv', day: '2026-10-05', agreement: 'agmt-m', period: ['2026-10-05T00:00:00Z', '2027-10-04T23:59:59Z'] }),
      ev('m1-fee', 'AWS_REV_SHARE', '-15.00', { buyer: 'acct-mv', day: '2026-10-05', agreement: 'agmt-m', period: ['2026-10-05T00:00:00Z', '2027-10-04T23:59:59Z'] }),
      // ... and its usage of 10-01..10-15 billed in arrears on 10-20 (usage; GB by then)
      ev('m2-rev', 'SELLER_REV_SHARE', '80.00', { buyer: 'acct-mv', day: '2026-10-20', agreement: 'agmt-m', period: ['2026-10-01T00:00:00Z', '2026-10-15T23:59:59Z'] }),
      ev('m2-fee', 'AWS_REV_SHARE', '-2.40', { buyer: 'acct-mv', day: '2026-10-20', agreement: 'agmt-m', period: ['2026-10-01T00:00:00Z', '2026-10-15T23:59:59Z'] }),
      // an AWS balance adjustment: no customer, no agreement (other; unknown place)
      ev('a1-adj', 'BALANCE_ADJUSTMENT', '25.00', { buyer: '', day: '2026-10-15', agreement: '' }),
    ]));
    await ingest('DailyUsageFeed_V1/year=2026/month=10/data.csv', csv([
      ['valid_from', 'usage_feed_id', 'usage_date', 'product_id', 'agreement_id', 'end_user_account_id', 'payer_account_id', 'dimension_key', 'usage_unit', 'usage_quantity', 'pricing_currency', 'estimated_revenue_in_pricing_currency'],
      ['2026-10-11T00:00:00Z', 'u-1', '2026-10-10', 'prod-1', 'agmt-u', 'acct-de', 'acct-de', 'api_calls', 'Units', '1000', 'EUR', '10.00'],
      // acct-mv before and after its move
      ['2026-10-11T00:00:00Z', 'u-2', '2026-10-10', 'prod-1', 'agmt-m', 'acct-mv', 'acct-mv', 'api_calls', 'Units', '500', 'USD', '50.00'],
      ['2026-10-19T00:00:00Z', 'u-3', '2026-10-18', 'prod-1', 'agmt-m', 'acct-mv', 'acct-mv', 'api_calls', 'Units', '200', 'USD', '20.00'],
      // used by acct-us, paid for by acct-mv (GB on 10-20): the payer's place counts
      ['2026-10-21T00:00:00Z', 'u-4', '2026-10-20', 'prod-1', 'agmt-m', 'acct-us', 'acct-mv', 'api_calls', 'Units', '50', 'USD', '5.00'],
      // no payer named: the end user's place (acct-us, US-CA on 10-12)
      ['2026-10-13T00:00:00Z', 'u-5', '2026-10-12', 'prod-1', '', 'acct-us', '', 'api_calls', 'Units', '70', 'USD', '7.00'],
    ]));
  });
  afterAll(() => t?.drop());

  /*
   * USD lines (amount; kind; place at the invoice date):
   *   c1 1200 fee -36 tax 96 (not balance-impacting)  contract  US-CA
   *   r1 refund -200, fee refund +6                    contract  US-WA (address revised on 10-25)
   *   l1 40 fee -1.20                                   usage     US-CA (no agreement: September billed in arrears)
   *   m1 500 fee -15                                    contract  US-TX ("Texas")
   *   m2 80 fee -2.40                                   usage     GB (the account moved on 10-16)
   *   a1 adjustment 25                                  other     unknown
   * USD gross 1200 + 40 + 500 + 80 = 1820; refunds -200; fees -36 + 6 - 1.2 - 15 - 2.4 = -48.60;
   *   net 1164 - 194 + 38.8 + 485 + 77.6 + 25 = 1596.40.
   * EUR: u1 300 fee -9, usage, DE: gross 300, fees -9, net 291.
   */
  const USD_TOTALS = { currency: 'USD', gross_revenue: '1820.00', refunds: '-200.00', listing_fees: '-48.60', seller_tax_share: '0', wholesale_cost: '0', net_revenue: '1596.40' };
  const EUR_TOTALS = { currency: 'EUR', gross_revenue: '300.00', refunds: '0', listing_fees: '-9.00', seller_tax_share: '0', wholesale_cost: '0', net_revenue: '291.00' };
  const money = (r: Record<string, unknown>) => [r.currency, r.key, r.name, r.detail, r.gross_revenue, r.refunds, r.listing_fees, r.net_revenue];

  it('adds up October by country, each line placed as of its invoice date, totals as without a breakdown', async () => {
    const plain = await answer(t.db, 'revenue', '2026-10', undefined, options);
    expect(plain.totals).toEqual([EUR_TOTALS, USD_TOTALS]);
    const a = await answer(t.db, 'revenue', '2026-10', 'country', options);
    expect(a).toMatchObject({ metric: 'revenue', by: 'country', source: 'sdds' });
    // US: c1 + r1 + l1 + m1: gross 1740, refunds -200, fees -36 + 6 - 1.2 - 15 = -46.20, net 1164 - 194 + 38.8 + 485 = 1493.80
    // GB: m2 only (m1 was invoiced before the move): 80, -2.40, 77.60; unknown: the adjustment, net 25
    expect(a.rows.map(money)).toEqual([
      ['EUR', 'DE', 'Germany', 'DE', '300.00', '0', '-9.00', '291.00'],
      ['USD', 'US', 'United States', 'US', '1740.00', '-200.00', '-46.20', '1493.80'],
      ['USD', 'GB', 'United Kingdom', 'GB', '80.00', '0', '-2.40', '77.60'],
      ['USD', '', '(unknown)', null, '0', '0', '0', '25.00'],
    ]);
    // every line in exactly one country: the same totals as the plain answer and the customer breakdown
    expect(a.totals).toEqual(plain.totals);
    expect((await answer(t.db, 'revenue', '2026-10', 'customer', options)).totals).toEqual(plain.totals);
  });

  it('adds up October by state: the tax address before the mailing one, a state written out, a revised address', async () => {
    const a = await answer(t.db, 'revenue', '2026-10', 'state', options);
    // US-CA: c1 + l1 (addr-us-tax, not the NY mailing address): 1240, fees -37.20, net 1164 + 38.8 = 1202.80
    // US-TX: m1 ("Texas"): 500, -15, 485; US-WA: r1 after the revision: refunds -200, fee refund +6, net -194
    expect(a.rows.map(money)).toEqual([
      ['EUR', 'DE', 'Germany (no state)', 'Germany', '300.00', '0', '-9.00', '291.00'],
      ['USD', 'US-CA', 'California', 'United States', '1240.00', '0', '-37.20', '1202.80'],
      ['USD', 'US-TX', 'Texas', 'United States', '500.00', '0', '-15.00', '485.00'],
      ['USD', 'GB', 'United Kingdom (no state)', 'United Kingdom', '80.00', '0', '-2.40', '77.60'],
      ['USD', '', '(unknown)', null, '0', '0', '0', '25.00'],
      ['USD', 'US-WA', 'Washington', 'United States', '0', '-200.00', '6.00', '-194.00'],
    ]);
    expect(a.totals).toEqual([EUR_TOTALS, USD_TOTALS]);
  });

  it('splits October by charge: contract fees, usage fees, other', async () => {
    const a = await answer(t.db, 'revenue', '2026-10', 'charge', options);
    // contract: c1 + r1 (upfront-only agreement) + m1 (its period is the contract's, billed in advance):
    //   gross 1700, refunds -200, fees -36 + 6 - 15 = -45, net 1164 - 194 + 485 = 1455
    // usage: l1 (no agreement, a month billed in arrears) + m2 (a half month billed in arrears): 120, -3.60, 116.40
    // other: the balance adjustment, 25. EUR: u1, a usage-only agreement.
    expect(a.rows.map(money)).toEqual([
      ['EUR', 'usage', 'Usage fees', 'metered usage', '300.00', '0', '-9.00', '291.00'],
      ['USD', 'contract', 'Contract fees', 'upfront, payment schedule and recurring fees', '1700.00', '-200.00', '-45.00', '1455.00'],
      ['USD', 'usage', 'Usage fees', 'metered usage', '120.00', '0', '-3.60', '116.40'],
      ['USD', 'other', 'Other', 'adjustments and charges of no known kind', '0', '0', '0', '25.00'],
    ]);
    expect(a.totals).toEqual([EUR_TOTALS, USD_TOTALS]);
  });

  it('places usage at its payer (else its end user) as of the usage day', async () => {
    // USD 50 + 20 + 5 + 7 = 82.00; EUR 10.00
    const plain = await answer(t.db, 'usage', '2026-10', undefined, options);
    expect(plain.totals).toEqual([
      { currency: 'EUR', estimated_revenue: '10.00' },
      { currency: 'USD', estimated_revenue: '82.00' },
    ]);
    const byCountry = await answer(t.db, 'usage', '2026-10', 'country', options);
    // US: u-2 (acct-mv before its move) + u-5 (no payer: the end user acct-us) = 57.00, 570 units
    // GB: u-3 (acct-mv after) + u-4 (end user acct-us, payer acct-mv) = 25.00, 250 units
    expect(byCountry.rows.map((r) => [r.currency, r.key, r.name, r.detail, r.estimated_revenue, r.quantity])).toEqual([
      ['EUR', 'DE', 'Germany', 'DE', '10.00', '1000'],
      ['USD', 'US', 'United States', 'US', '57.00', '570'],
      ['USD', 'GB', 'United Kingdom', 'GB', '25.00', '250'],
    ]);
    expect(byCountry.totals).toEqual(plain.totals);
    const byState = await answer(t.db, 'usage', '2026-10', 'state', options);
    expect(byState.rows.map((r) => [r.currency, r.key, r.name, r.estimated_revenue, r.quantity])).toEqual([
      ['EUR', 'DE', 'Germany (no state)', '10.00', '1000'],
      ['USD', 'US-TX', 'Texas', '50.00', '500'],
      ['USD', 'GB', 'United Kingdom (no state)', '25.00', '250'],
      ['USD', 'US-CA', 'California', '7.00', '70'],
    ]);
  });

  it('places a period in which no place changes as of its start', async () => {
    // 10-16 to 10-24 (the move on its first day, the address revision the day after it): m2 only, GB
    const a = await answer(t.db, 'revenue', '2026-10-16..2026-10-24', 'country', options);
    expect(a.rows.map((r) => [r.currency, r.key, r.net_revenue])).toEqual([['USD', 'GB', '77.60']]);
  });

  it('answers older periods from the legacy reports’ own customer country and state', async () => {
    await ingest('cas/sales_compensation_billed_revenue_2019-04-15.csv', csv([
      ['Customer AWS Account Number', 'Country', 'State', 'Product Code', 'Gross Revenue', 'AWS Revenue Share', 'Net Revenue', 'Currency', 'AR Period'],
      ['012345678901', 'US', 'CA', 'pc-1', '400.00', '-12.00', '388.00', 'USD', '2019-03'],
      ['444455556666', 'DE', '', 'pc-1', '100.00', '-20.00', '80.00', 'USD', '2019-03'],
      ['555566667777', 'US', 'California', 'pc-1', '50.00', '-1.50', '48.50', 'USD', '2019-03'],
    ]));
    await ingest('cas/daily_business_usage_by_instance_type_2019-03-11.csv', csv([
      ['Customer Reference ID', 'Product Code', 'Instance Type', 'Offering Description', 'Usage Units', 'Estimated Revenue', 'Currency', 'Customer Country', 'Customer State'],
      ['c-1', 'pc-1', 'm5.large', 'Hourly', '10', '5.00', 'USD', 'US', 'WA'],
      ['c-2', 'pc-1', 'm5.large', 'Hourly', '4', '2.00', 'USD', 'JP', ''],
    ]));
    const byCountry = await answer(t.db, 'revenue', '2019-03', 'country', options);
    expect(byCountry.source).toBe('cas');
    expect(byCountry.rows.map((r) => [r.key, r.name, r.gross_revenue, r.net_revenue])).toEqual([
      ['US', 'United States', '450.00', '436.50'],
      ['DE', 'Germany', '100.00', '80.00'],
    ]);
    // "CA" and "California" are one state
    const byState = await answer(t.db, 'revenue', '2019-03', 'state', options);
    expect(byState.rows.map((r) => [r.key, r.name, r.gross_revenue])).toEqual([
      ['US-CA', 'California', '450.00'],
      ['DE', 'Germany (no state)', '100.00'],
    ]);
    await expect(answer(t.db, 'revenue', '2019-03', 'charge', options)).rejects.toThrow('does not tell contract fees from usage');
    const usage = await answer(t.db, 'usage', '2019-03', 'state', options);
    expect(usage.source).toBe('cas');
    expect(usage.rows.map((r) => [r.key, r.name, r.estimated_revenue, r.quantity])).toEqual([
      ['US-WA', 'Washington', '5.00', '10'],
      ['JP', 'Japan (no state)', '2.00', '4'],
    ]);
  });

  it.runIf(engine === 'postgres')('speaks JSON and CSV from the CLI and answers /marketplace revenue by country in Slack', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const env = { DATABASE_URL: t.url!, DATA_DIR: root };
    expect(await main(['query', 'revenue', '2026-10', '--by', 'country', '--format', 'csv'], io, env)).toBe(0);
    expect(out.pop()).toBe(
      'currency,key,name,detail,gross_revenue,refunds,listing_fees,seller_tax_share,wholesale_cost,net_revenue\n' +
        'EUR,DE,Germany,DE,300.00,0,-9.00,0,0,291.00\n' +
        'USD,US,United States,US,1740.00,-200.00,-46.20,0,0,1493.80\n' +
        'USD,GB,United Kingdom,GB,80.00,0,-2.40,0,0,77.60\n' +
        'USD,,(unknown),,0,0,0,0,0,25.00',
    );
    expect(await main(['query', 'revenue', '2026-10', '--by', 'charge', '--format', 'json'], io, env)).toBe(0);
    const json = JSON.parse(out.pop()!);
    expect(json).toMatchObject({ metric: 'revenue', by: 'charge', source: 'sdds' });
    expect(json.rows.map((r: { key: string }) => r.key)).toEqual(['usage', 'contract', 'usage', 'other']);
    expect(await main(['query', 'usage', '2026-10', '--by', 'region'], io, env)).toBe(2);
    expect(err.pop()).toContain('use --by product | customer | dimension | month | country | state');

    const request = parseRequest('revenue 2026-10 by state');
    expect(request).toMatchObject({ kind: 'metric', metric: 'revenue', by: 'state' });
    if (request.kind !== 'metric') throw new Error('not a metric request');
    const a = await answer(t.db, request.metric, request.period, request.by, options);
    const message = metricMessage(a, { previous: null, exportCommand: 'export revenue 2026-10 by state', quickChartUrl: 'http://quickchart.invalid', by: 'state' });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('California');
    expect(text).toContain('United Kingdom (no state)');
  });
});
