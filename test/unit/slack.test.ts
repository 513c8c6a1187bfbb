/** The /marketplace grammar, the Block Kit of each answer type, and the app manifest, without a network. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { MetricAnswer } from '../../src/metrics/query.ts';
import { comparablePeriods, parsePeriod } from '../../src/periods.ts';
import { parseRequest, RequestError, SUBCOMMANDS } from '../../src/slack/commands.ts';
import { slackManifest } from '../../src/slack/manifest.ts';
import { change, errorMessage, formatMoney, helpMessage, metricMessage, table } from '../../src/slack/render.ts';

const period = { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z', label: 'October 2026' };
const answer = (metric: string, totals: unknown, rows: Array<Record<string, unknown>> = []): MetricAnswer => ({ metric, period, totals: totals as MetricAnswer['totals'], rows: rows as MetricAnswer['rows'], source: 'sdds', complete_through: '2026-11-27' });
const previous = (metric: string, totals: unknown): MetricAnswer => ({ ...answer(metric, totals), period: { ...period, label: 'September 2026' } });
const opts = (prev: MetricAnswer | null = null) => ({ previous: prev, exportCommand: 'export x last-month', quickChartUrl: 'https://quickchart.io' });

describe('the /marketplace grammar', () => {
  it('reads metrics, periods, breakdowns and days as the CLI does', () => {
    expect(parseRequest('revenue last-month')).toEqual({ kind: 'metric', metric: 'revenue', period: 'last-month', by: undefined, days: undefined });
    expect(parseRequest('  Usage   MTD  by  Dimension ')).toEqual({ kind: 'metric', metric: 'usage', period: 'MTD', by: 'dimension', days: undefined });
    expect(parseRequest('revenue 2026-Q3 --by product')).toMatchObject({ by: 'product', period: '2026-Q3' });
    expect(parseRequest('active days 30')).toEqual({ kind: 'metric', metric: 'active', period: 'today', by: undefined, days: 30 });
    expect(parseRequest('past-due')).toMatchObject({ period: 'today' });
    expect(parseRequest('subscribers')).toMatchObject({ period: 'last-month' });
    expect(parseRequest('')).toEqual({ kind: 'help' });
    expect(parseRequest('customer Example Corp')).toEqual({ kind: 'customer', query: 'Example Corp' });
    expect(parseRequest('export billed-revenue 2026-10')).toEqual({ kind: 'export', what: 'billed-revenue', period: '2026-10', by: undefined });
    expect(parseRequest('snooze SDDS_DAILY_USAGE 36h')).toEqual({ kind: 'snooze', target: 'sdds_daily_usage', hours: 36, duration: '36h' });
    expect(parseRequest('snooze rejected 1w')).toMatchObject({ target: 'rejected', hours: 168 });
    expect(parseRequest('unsnooze late')).toEqual({ kind: 'unsnooze', target: 'late' });
  });

  it('refuses what it cannot answer, saying why and with examples', () => {
    const refusal = (text: string) => {
      try {
        parseRequest(text);
      } catch (error) {
        expect(error).toBeInstanceOf(RequestError);
        return { message: (error as RequestError).message, examples: (error as RequestError).examples };
      }
      throw new Error(`"${text}" was accepted`);
    };
    expect(refusal('revenue last-month by')).toMatchObject({ message: '"by" needs a breakdown, e.g. `revenue last-month by product`' });
    expect(refusal('subscribers last-month by product').message).toBe('subscribers has no breakdowns');
    expect(refusal('revenue last month').message).toContain('I did not understand "month"');
    expect(refusal('export nonsense').message).toContain('"nonsense" is not a metric, dataset or report');
    // a near miss is named, and every valid name is listed
    const typo = refusal('export sdds_biling_event').message;
    expect(typo).toContain('did you mean sdds_billing_event?');
    for (const name of ['revenue', 'billed-revenue', 'sdds_agreement', 'cas_daily_business_fees']) expect(typo).toContain(name);
    expect(refusal('snooze everything 2d').message).toContain('"everything" is neither a dataset nor one of late, rejected, subscribers, cancellations');
    expect(refusal('snooze late 100d').message).toContain('at most 90 days');
    expect(refusal('customer').examples).toEqual(['customer Example Corp', 'customer 123456789012', 'revenue last-month']);
    expect(refusal('dance').examples).toHaveLength(3);
  });
});

describe('comparable periods', () => {
  const at = new Date('2026-11-29T08:00:00Z');
  it('compares whole months with the months before, and periods under way to date', () => {
    const lastMonth = comparablePeriods(parsePeriod('last-month', { now: at, timeZone: 'UTC', fiscalYearStartMonth: 1 }), at, 'UTC');
    expect([lastMonth.previous.startDate, lastMonth.previous.endDate, lastMonth.previous.label]).toEqual(['2026-09-01', '2026-10-01', 'September 2026']);
    const quarter = comparablePeriods(parsePeriod('2026-Q3', { now: at, timeZone: 'UTC', fiscalYearStartMonth: 1 }), at, 'UTC');
    expect([quarter.previous.startDate, quarter.previous.endDate]).toEqual(['2026-04-01', '2026-07-01']);
    const mtd = comparablePeriods(parsePeriod('mtd', { now: at, timeZone: 'UTC', fiscalYearStartMonth: 1 }), at, 'UTC');
    expect([mtd.current.startDate, mtd.current.endDate]).toEqual(['2026-11-01', '2026-11-30']);
    expect([mtd.previous.startDate, mtd.previous.endDate]).toEqual(['2026-10-01', '2026-10-30']);
    const week = comparablePeriods(parsePeriod('last-7-days', { now: at, timeZone: 'UTC', fiscalYearStartMonth: 1 }), at, 'UTC');
    expect([week.previous.startDate, week.previous.endDate]).toEqual(['2026-11-15', '2026-11-22']);
    // 2024 was a leap year: March against February is whole months, whatever their length
    const march = comparablePeriods(parsePeriod('2024-03', { now: at, timeZone: 'UTC', fiscalYearStartMonth: 1 }), at, 'UTC');
    expect([march.previous.startDate, march.previous.endDate]).toEqual(['2024-02-01', '2024-03-01']);
  });
});

describe('Block Kit answers', () => {
  it('formats money per currency and changes against the previous period', () => {
    expect(formatMoney('1234.5', 'USD')).toBe('$1,234.50');
    expect(formatMoney('-30', 'EUR')).toBe('-€30.00');
    expect(formatMoney('99', 'XYZ1')).toBe('99.00 XYZ1');
    expect(change(150, 100, 'September 2026')).toBe('▲ 50.0% vs September 2026');
    expect(change(50, 100, 'September 2026')).toBe('▼ 50.0% vs September 2026');
    expect(change(5, 0, 'September 2026')).toBe('new vs September 2026 (nothing then)');
    expect(table(['', 'Gross'], [['Example', '$1.00'], ['A much longer name', '$1,000.00']])).toBe('```\n                        Gross\nExample                 $1.00\nA much longer name  $1,000.00\n```');
  });

  it('renders a count answer exactly', () => {
    const m = metricMessage(
      answer('subscribers', { count: 2 }, [
        { agreement_id: 'agmt-1', company: 'Example Corp', aws_account_id: '012345678901', product: 'Acme Analytics', contract_value: '12000.00', currency: 'USD' },
        { agreement_id: 'agmt-2', company: null, aws_account_id: '444455556666', product: 'Acme Gateway', contract_value: null, currency: null },
      ]),
      opts(previous('subscribers', { count: 1 })),
    );
    expect(m.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'New subscribers · October 2026' } },
      { type: 'section', text: { type: 'mrkdwn', text: '*New subscribers* 2  :large_green_circle: _▲ 100.0% vs September 2026_' } },
      { type: 'section', text: { type: 'mrkdwn', text: '```\nCompany       Product           Contract\nExample Corp  Acme Analytics  $12,000.00\n444455556666  Acme Gateway             –\n```' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Source: Seller Data Feeds · data complete through 2026-11-27 · compared with September 2026' }] },
    ]);
    expect(m.text).toBe('New subscribers, October 2026: New subscribers 2 (▲ 100.0%)');
  });

  it('renders past-due with its aging buckets and chart, money per currency, and an empty answer', () => {
    const m = metricMessage(
      answer('past-due', [{ currency: 'USD', total: '850.00', buckets: { '1-30': '250.00', '31-60': '500.00', '61-90': '0', '91-120': '0', '121+': '100.00' } }], [
        { customer: 'acct-a', company: 'Example Corp', aws_account_id: '012345678901', currency: 'USD', owed: '750.00', invoices: 2, oldest_due_date: '2026-10-15', days_past_due: 45 },
      ]),
      opts(),
    );
    expect(m.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*Past due* $850.00' } });
    expect(m.blocks[2]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'Aging (USD): 1-30 days $250.00 · 31-60 days $500.00 · 61-90 days $0.00 · 91-120 days $0.00 · 121+ days $100.00' } });
    expect(m.blocks[3]!.text).toEqual({ type: 'mrkdwn', text: '```\nCustomer         Owed  Invoices  Days late\nExample Corp  $750.00         2         45\n```' });
    expect(m.blocks[4]).toMatchObject({ type: 'image', alt_text: 'Past due by age (USD): 1-30 days $250, 31-60 days $500, 61-90 days $0, 91-120 days $0, 121+ days $100', image_url: expect.stringMatching(/^https:\/\/quickchart\.io\/chart\?c=/) });

    const revenue = metricMessage(answer('revenue', [{ currency: 'EUR', gross_revenue: '500', refunds: '0', listing_fees: '-15', seller_tax_share: '0', net_revenue: '485' }, { currency: 'USD', gross_revenue: '10', refunds: '0', listing_fees: '0', seller_tax_share: '0', net_revenue: '10' }]), opts());
    // the largest currency first, whatever the alphabet says; every currency in the notification text
    expect(revenue.blocks.slice(1, 3).map((b) => (b.text as { text: string }).text)).toEqual([
      '*Gross revenue* €500.00\n*Net revenue* €485.00\n*Refunds* €0.00\n*Listing fees* -€15.00',
      '*Gross revenue* $10.00\n*Net revenue* $10.00\n*Refunds* $0.00\n*Listing fees* $0.00',
    ]);
    const twoCurrencies = metricMessage(answer('revenue', [{ currency: 'EUR', gross_revenue: '167.04', refunds: '0', listing_fees: '0', seller_tax_share: '0', net_revenue: '167.04' }, { currency: 'USD', gross_revenue: '210011.67', refunds: '0', listing_fees: '0', seller_tax_share: '0', net_revenue: '210011.67' }]), opts());
    expect(twoCurrencies.text).toBe('Billed revenue, October 2026: Gross revenue $210,011.67 · €167.04');
    expect((twoCurrencies.blocks[1]!.text as { text: string }).text).toMatch(/^\*Gross revenue\* \$210,011\.67/);

    const none = metricMessage({ ...answer('usage', []), source: 'none', complete_through: null }, opts());
    expect(none.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Metered usage · October 2026' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'No data for October 2026 yet.' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Source: no data · nothing delivered yet' }] },
    ]);
  });

  it('colours a change by what it means: more revenue is good news, more past due is bad', () => {
    const pd = (total: string) => [{ currency: 'USD', total, buckets: { '1-30': total, '31-60': '0', '61-90': '0', '91-120': '0', '121+': '0' } }];
    const worse = metricMessage(answer('past-due', pd('900.00')), opts(previous('past-due', pd('600.00'))));
    expect((worse.blocks[1]!.text as { text: string }).text).toBe('*Past due* $900.00  :red_circle: _▲ 50.0% vs September 2026_');
    const better = metricMessage(answer('past-due', pd('300.00')), opts(previous('past-due', pd('600.00'))));
    expect((better.blocks[1]!.text as { text: string }).text).toBe('*Past due* $300.00  :large_green_circle: _▼ 50.0% vs September 2026_');
    const churn = metricMessage(answer('cancellations', { count: 3 }), opts(previous('cancellations', { count: 1 })));
    expect((churn.blocks[1]!.text as { text: string }).text).toBe('*Cancelled* 3  :red_circle: _▲ 200.0% vs September 2026_');
  });

  it('sends no customer to the public chart server; a self-hosted one draws them', () => {
    const byCustomer = { ...answer('revenue', [{ currency: 'USD', gross_revenue: '30', net_revenue: '30', refunds: '0', listing_fees: '0', seller_tax_share: '0' }], [
      { currency: 'USD', key: 'a', name: 'Example Corp', detail: '012345678901', gross_revenue: '20', net_revenue: '20' },
      { currency: 'USD', key: 'b', name: 'Other Inc', detail: '444455556666', gross_revenue: '10', net_revenue: '10' },
    ]), by: 'customer' };
    expect(metricMessage(byCustomer, { ...opts(), by: 'customer' }).blocks.filter((b) => b.type === 'image')).toEqual([]);
    const selfHosted = metricMessage(byCustomer, { ...opts(), by: 'customer', quickChartUrl: 'https://charts.internal.example' });
    expect(selfHosted.blocks.filter((b) => b.type === 'image')).toHaveLength(1);
    // one Slack cannot reach (plain http inside the network, as compose runs it): no image block
    expect(metricMessage(byCustomer, { ...opts(), by: 'customer', quickChartUrl: 'http://quickchart:3400' }).blocks.filter((b) => b.type === 'image')).toEqual([]);
    const byProduct = { ...byCustomer, by: 'product', rows: byCustomer.rows.map((r, i) => ({ ...r, name: `Product ${i}`, detail: null })) };
    expect(metricMessage(byProduct, { ...opts(), by: 'product' }).blocks.filter((b) => b.type === 'image')).toHaveLength(1);
  });

  it('builds help from the command list and errors with examples', () => {
    const help = JSON.stringify(helpMessage().blocks);
    for (const s of SUBCOMMANDS) expect(help).toContain(s.usage.replace(/"/g, '\\"'));
    expect(errorMessage('"x" is not a period <I> know', ['revenue last-month', 'help'])).toEqual({
      text: '"x" is not a period &lt;I&gt; know\nTry: `/marketplace revenue last-month` · `/marketplace help`',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: ':warning: "x" is not a period &lt;I&gt; know' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Try `/marketplace revenue last-month` · `/marketplace help`' }] },
      ],
    });
  });
});

describe('the Slack app manifest', () => {
  it('in the repository is the one the code builds, within Slack limits', async () => {
    const file = JSON.parse(await readFile(new URL('../../slack-app-manifest.json', import.meta.url), 'utf8'));
    expect(file).toEqual(slackManifest());
    const command = (file.features.slash_commands as Array<{ url: string; usage_hint: string; description: string }>)[0]!;
    expect(command.url).toBe('https://YOUR-HOST/slack/events');
    expect(command.usage_hint.length).toBeLessThanOrEqual(1000);
    expect(file.display_information.description.length).toBeLessThanOrEqual(139);
    expect(slackManifest({ socketMode: true })).toMatchObject({ settings: { socket_mode_enabled: true } });
  });
});
