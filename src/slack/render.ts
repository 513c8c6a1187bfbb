/**
 * Block Kit for every answer: a headline with the change against the previous comparable period,
 * a compact table of the top rows by name, a chart (QuickChart URL), and a context line with the
 * source and what the data is complete through. Pure functions of the answers, so the JSON they
 * produce is tested as it is.
 */
import QuickChartModule from 'quickchart-js';
import type { Freshness } from '../deliveries/freshness.ts';
import type { MetricAnswer } from '../metrics/query.ts';
import type { CustomerProfile } from '../metrics/customer.ts';
import { SUBCOMMANDS } from './commands.ts';

// quickchart-js ships CJS typings with `export default`; at runtime the ESM default is the class
const QuickChart = ((QuickChartModule as unknown as { default?: unknown }).default ?? QuickChartModule) as unknown as typeof QuickChartModule.default;

export type Block = Record<string, unknown>;
export interface Message {
  text: string;
  blocks: Block[];
}

/** Rows shown in a table before "…and N more". */
export const TOP_ROWS = 10;

export function formatMoney(amount: string | number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '–';
  const n = Number(amount);
  if (!currency) return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(n);
  } catch {
    return `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
  }
}

export function formatCount(n: number | string | null | undefined): string {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US');
}

/** "▲ 12.5% vs September 2026", "▼ $1,200.00", "new", "no change". */
export function change(current: number, previous: number | null, label: string): string {
  if (previous === null) return '';
  if (current === previous) return `no change vs ${label}`;
  if (previous === 0) return `new vs ${label} (nothing then)`;
  const pct = ((current - previous) / Math.abs(previous)) * 100;
  return `${current > previous ? '▲' : '▼'} ${Math.abs(pct).toFixed(1)}% vs ${label}`;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const NUMERIC = /^(–|[-+]?[^\d\s]{0,3}[\d.,]+(\s?[A-Z]{3})?|\d+ days late|not due)$/u;

/** A monospace table in a code block: numbers and money right-aligned, text left-aligned. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows].map((r) => r.map((c, i) => (i === 0 ? cut(c, 32) : cut(c, 20))));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const right = header.map((_, i) => i > 0 && rows.length > 0 && rows.every((r) => r[i] === '' || NUMERIC.test(r[i]!)));
  const line = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return '```\n' + [line(all[0]!), ...all.slice(1).map(line)].join('\n') + '\n```';
}

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

interface MetricView {
  title: string;
  /** Headline amounts per currency (money metrics) — [label, totals field]. */
  money?: Array<[string, string]>;
  /** Headline count: the totals field and its label. */
  count?: [string, string];
  columns: Array<[string, (r: Row) => string]>;
  /** The row amount charted, and its currency. */
  chart?: (r: Row) => number;
}

const money = (field: string) => (r: Row) => formatMoney(str(r[field]), str(r.currency));
const nameOf = (r: Row) => str(r.name ?? r.company ?? r.key ?? r.customer) || '(unknown)';

const VIEWS: Record<string, MetricView> = {
  revenue: {
    title: 'Billed revenue',
    money: [['Gross revenue', 'gross_revenue'], ['Net revenue', 'net_revenue'], ['Refunds', 'refunds'], ['Listing fees', 'listing_fees']],
    columns: [['', nameOf], ['Gross', money('gross_revenue')], ['Net', money('net_revenue')]],
    chart: (r) => Number(r.gross_revenue),
  },
  usage: {
    title: 'Metered usage',
    money: [['Estimated revenue', 'estimated_revenue']],
    columns: [['', (r) => `${nameOf(r)}${r.detail && r.name === r.key ? ` (${str(r.detail)})` : ''}`], ['Quantity', (r) => formatCount(str(r.quantity))], ['Est. revenue', money('estimated_revenue')]],
    chart: (r) => Number(r.estimated_revenue),
  },
  collections: { title: 'Collections', money: [['Collected', 'collected']], columns: [['', nameOf], ['Collected', money('collected')]], chart: (r) => Number(r.collected) },
  disbursements: {
    title: 'Disbursements',
    money: [['Disbursed', 'disbursed']],
    columns: [['', (r) => (r.status ? `${str(r.name)} ${str(r.status)}` : nameOf(r))], ['Disbursed', money('disbursed')]],
    chart: (r) => Number(r.disbursed),
  },
  'past-due': {
    title: 'Past-due funds',
    money: [['Past due', 'total']],
    columns: [['Customer', (r) => str(r.company ?? r.aws_account_id ?? r.customer)], ['Owed', money('owed')], ['Invoices', (r) => str(r.invoices)], ['Days', (r) => str(r.days_past_due)]],
  },
  subscribers: {
    title: 'New subscribers',
    count: ['New subscribers', 'count'],
    columns: [['Company', (r) => str(r.company ?? r.aws_account_id)], ['Product', (r) => str(r.product)], ['Contract', (r) => formatMoney(str(r.contract_value), str(r.currency))]],
  },
  cancellations: {
    title: 'Cancellations',
    count: ['Cancelled', 'count'],
    columns: [['Company', (r) => str(r.company ?? r.aws_account_id)], ['Product', (r) => str(r.product)], ['Status', (r) => str(r.status)]],
  },
  active: {
    title: 'Active subscriptions',
    count: ['Active', 'count'],
    columns: [['Company', (r) => str(r.company ?? r.aws_account_id)], ['Product', (r) => str(r.product)], ['Pricing', (r) => str(r.pricing)], ['Ends', (r) => str(r.end_time).slice(0, 10)]],
  },
  reconcile: {
    title: 'Reconciliation',
    columns: [
      ['Month', (r) => str(r.month ?? r.invoice_id)],
      ['Billed', (r) => formatMoney(str(r.sdds_gross ?? r.billed_gross), str(r.currency))],
      ['Collected', money('collected')],
      ['Disbursed', money('disbursed')],
      ['CAS diff', (r) => (r.gross_difference === undefined || r.gross_difference === null ? '' : formatMoney(str(r.gross_difference), str(r.currency)))],
    ],
  },
};

export function metricTitle(metric: string): string {
  return VIEWS[metric]?.title ?? metric;
}

function totalsList(a: MetricAnswer): Row[] {
  return Array.isArray(a.totals) ? (a.totals as Row[]) : [a.totals as Row];
}

/** A bar chart of the top rows (or past-due's aging buckets), as a QuickChart image URL. */
export function chartUrl(a: MetricAnswer, quickChartUrl: string): string | null {
  const view = VIEWS[a.metric];
  let labels: string[];
  let values: number[];
  let label: string;
  if (a.metric === 'past-due') {
    const t = totalsList(a)[0];
    if (!t) return null;
    const buckets = t.buckets as Record<string, string>;
    labels = Object.keys(buckets).map((b) => `${b} days`);
    values = Object.values(buckets).map(Number);
    label = `Past due (${str(t.currency)})`;
  } else {
    if (!view?.chart || a.rows.length < 2) return null;
    const currency = str(a.rows[0]!.currency);
    const rows = a.rows.filter((r) => str(r.currency) === currency).slice(0, TOP_ROWS);
    labels = rows.map((r) => cut(nameOf(r), 24));
    values = rows.map(view.chart);
    label = `${view.title}${currency ? ` (${currency})` : ''}`;
  }
  const url = new URL(quickChartUrl);
  const chart = new QuickChart();
  chart
    .setVersion('4')
    .setConfig({ type: 'bar', data: { labels, datasets: [{ label, data: values, backgroundColor: '#2f6fdf' }] }, options: { plugins: { legend: { display: false }, title: { display: true, text: label } } } })
    .setWidth(600)
    .setHeight(300)
    .setBackgroundColor('white')
    .setScheme(url.protocol.replace(':', ''))
    .setHost(url.host);
  return chart.getUrl();
}

export interface MetricMessageOptions {
  /** The same question for the previous comparable period, when there is one. */
  previous: MetricAnswer | null;
  /** The command that would export the rows ("export revenue last-month by product"). */
  exportCommand: string;
  quickChartUrl: string;
}

/** The answer to `/marketplace <metric> <period>`. */
export function metricMessage(a: MetricAnswer, o: MetricMessageOptions): Message {
  const view = VIEWS[a.metric] ?? { title: a.metric, columns: [['', nameOf]] };
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: cut(`${view.title} · ${a.period.label}`, 150) } }];
  const headline: string[] = [];
  const previousLabel = o.previous?.period.label ?? '';
  if (a.source === 'none') {
    headline.push(`No data for ${a.period.label} yet.`);
  } else if (view.money) {
    const prevTotals = o.previous ? totalsList(o.previous) : [];
    for (const t of totalsList(a)) {
      const prev = prevTotals.find((p) => p.currency === t.currency);
      const parts = view.money
        .filter(([, field]) => t[field] !== undefined)
        .map(([label, field], i) => {
          const text = `*${label}* ${formatMoney(str(t[field]), str(t.currency))}`;
          // the change is shown for the first figure, the one people compare
          const delta = i === 0 && o.previous ? change(Number(t[field]), prev ? Number(prev[field]) : 0, previousLabel) : '';
          return delta ? `${text}  _${delta}_` : text;
        });
      headline.push(parts.join('\n'));
    }
    if (totalsList(a).length === 0) headline.push(`Nothing in ${a.period.label}.`);
  } else if (view.count) {
    const t = totalsList(a)[0] ?? {};
    const n = Number(t[view.count[1]] ?? 0);
    const prevN = o.previous ? Number(totalsList(o.previous)[0]?.[view.count[1]] ?? 0) : null;
    const delta = prevN === null ? '' : change(n, prevN, previousLabel);
    const extra = a.metric === 'active' ? ` (fee-based ${formatCount(str(t.fee_based))}, usage-based ${formatCount(str(t.usage_based))}; ${formatCount(str(t.expiring))} ending within ${str(t.expiring_within_days)} days)` : '';
    headline.push(`*${view.count[0]}* ${formatCount(n)}${extra}${delta ? `  _${delta}_` : ''}`);
  } else if (a.metric === 'reconcile') {
    for (const t of totalsList(a)) {
      headline.push(
        `*${str(t.currency)}* billed ${formatMoney(str(t.billed_gross), str(t.currency))}, collected ${formatMoney(str(t.collected), str(t.currency))}, ` +
          `disbursed ${formatMoney(str(t.disbursed), str(t.currency))} of ${formatMoney(str(t.billed_net), str(t.currency))} net; ${str(t.invoices_not_fully_disbursed)} invoices not fully disbursed`,
      );
    }
  }
  if (a.metric === 'past-due') {
    for (const t of totalsList(a)) {
      const b = t.buckets as Record<string, string>;
      headline.push(`Aging (${str(t.currency)}): ${Object.entries(b).map(([k, v]) => `${k} days ${formatMoney(v, str(t.currency))}`).join(' · ')}`);
    }
  }
  for (const h of headline) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(h, 2900) } });

  if (a.rows.length > 0) {
    const shown = a.rows.slice(0, TOP_ROWS);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: table(view.columns.map(([h]) => h), shown.map((r) => view.columns.map(([, f]) => f(r)))) } });
    if (a.rows.length > TOP_ROWS) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${a.rows.length - TOP_ROWS} more. All of them as CSV: \`/marketplace ${o.exportCommand}\`` }] });
    }
  }
  const chart = a.source === 'none' ? null : chartUrl(a, o.quickChartUrl);
  if (chart) blocks.push({ type: 'image', image_url: chart, alt_text: `${view.title}, ${a.period.label}` });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: contextLine(a, o.previous) }] });
  const first = headline[0]?.replace(/[*_]/g, '') ?? '';
  return { text: `${view.title}, ${a.period.label}: ${first}`.slice(0, 3000), blocks };
}

function contextLine(a: MetricAnswer, previous: MetricAnswer | null): string {
  const source = a.source === 'sdds' ? 'Seller Data Feeds' : a.source === 'cas' ? 'legacy Commerce Analytics reports' : 'no data';
  const through = a.complete_through ? `data complete through ${a.complete_through}` : 'nothing delivered yet';
  return `Source: ${source} · ${through}${previous ? ` · compared with ${previous.period.label}` : ''}`;
}

/** Help, generated from the command definitions. */
export function helpMessage(): Message {
  const lines = SUBCOMMANDS.map((s) => `\`/marketplace ${s.usage}\`\n${s.summary}. _e.g._ ${s.examples.map((e) => `\`${e}\``).join(', ')}`);
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: 'marketplace-pulse: your AWS Marketplace numbers' } }];
  // a section holds at most 3000 characters
  let chunk = '';
  for (const line of lines) {
    if (chunk.length + line.length + 2 > 2900) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.trim() } });
      chunk = '';
    }
    chunk += `${line}\n\n`;
  }
  if (chunk) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.trim() } });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'Periods: today, yesterday, last-7-days, last-30-days, this-week, last-week, this-month (mtd), last-month, this-quarter, last-quarter, ytd, last-12-months, 2026-10, 2026-Q3, 2026, 2026-10-01..2026-10-15' }],
  });
  return { text: 'marketplace-pulse commands', blocks };
}

/** Something the person typed that we cannot answer: what was wrong, and examples that work. */
export function errorMessage(problem: string, examples: string[]): Message {
  const text = `${problem}\nTry: ${examples.map((e) => `\`/marketplace ${e}\``).join(' · ')}`;
  return { text: escape(text), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escape(problem)}` } }, { type: 'context', elements: [{ type: 'mrkdwn', text: `Try ${examples.map((e) => `\`/marketplace ${e}\``).join(' · ')}` }] }] };
}

export function apologyMessage(errorId: string): Message {
  const text = `Sorry, something went wrong on our side answering that. It is logged as error ${errorId}; please try again, or give that id to whoever runs marketplace-pulse.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:x: ${text}` } }] };
}

export function refusalMessage(): Message {
  const text = 'Sorry, marketplace revenue is confidential and you are not on the list of people who may see it here. Ask whoever runs marketplace-pulse to add you (SLACK_ALLOWED_USERS) or this channel (SLACK_ALLOWED_CHANNELS), or ask me in a direct message if you are a workspace admin.';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:lock: ${text}` } }] };
}

export function workingMessage(what: string): Message {
  return { text: `Working on ${what}…`, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: `:hourglass_flowing_sand: Working on \`${escape(what)}\`…` }] }] };
}

const STATUS_ICON: Record<string, string> = { 'on time': ':large_green_circle:', late: ':large_yellow_circle:', missing: ':red_circle:', 'not expected': ':white_circle:', retired: ':white_circle:', 'no schedule': ':white_circle:' };

export function freshnessMessage(list: Freshness[]): Message {
  const relevant = list.filter((f) => f.status !== 'retired' && f.status !== 'not expected');
  const behind = relevant.filter((f) => f.status === 'late' || f.status === 'missing');
  const headline = behind.length === 0 ? 'Every expected dataset is on time.' : `${behind.length} dataset${behind.length === 1 ? ' is' : 's are'} late or missing.`;
  const lines = relevant
    .sort((a, b) => (a.status === b.status ? a.dataset.localeCompare(b.dataset) : a.status === 'on time' ? 1 : b.status === 'on time' ? -1 : a.status.localeCompare(b.status)))
    .map((f) => `${STATUS_ICON[f.status] ?? ''} *${escape(f.title)}* (\`${f.dataset}\`): ${escape(f.summary)}`);
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: 'Data freshness' } }, { type: 'section', text: { type: 'mrkdwn', text: headline } }];
  let chunk = '';
  for (const line of lines) {
    if (chunk.length + line.length > 2900) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.trim() } });
      chunk = '';
    }
    chunk += `${line}\n`;
  }
  if (chunk) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.trim() } });
  return { text: `Data freshness: ${headline}`, blocks };
}

/** One customer; address and contact details only when `pii`. */
export function customerMessage(c: CustomerProfile, pii: boolean): Message {
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: cut(c.company ?? `AWS account ${c.awsAccountId ?? c.accountId}`, 150) } }];
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `AWS account *${c.awsAccountId ?? 'unknown'}*${c.company ? ` · ${escape(c.company)}` : ''}` } });
  if (pii && c.address) {
    const a = c.address;
    const where = [a.lines.join(', '), [a.city, a.state, a.postalCode].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:house: ${escape(where)}${a.emailDomain ? `\n:email: @${escape(a.emailDomain)}` : ''}` } });
  }
  const agreementRows = c.agreements.slice(0, TOP_ROWS).map((g) => [g.product ?? '', g.status ?? '', (g.end ?? '').slice(0, 10), formatMoney(g.value, g.currency)]);
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: c.agreements.length ? `*Agreements*\n${table(['Product', 'Status', 'Ends', 'Value'], agreementRows)}` : '*Agreements*: none' } });
  const revenue = c.revenue.map((r) => `${formatMoney(r.gross_revenue, r.currency)} gross, ${formatMoney(r.net_revenue, r.currency)} net`).join('; ');
  const usage = c.usage.map((u) => formatMoney(u.estimated_revenue, u.currency)).join('; ');
  blocks.push({
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Revenue, last 12 months*\n${revenue || 'none'}` },
      { type: 'mrkdwn', text: `*Usage, last 30 days (est.)*\n${usage || 'none'}` },
    ],
  });
  const open = c.openInvoices.slice(0, TOP_ROWS).map((i) => [i.invoiceId, (i.due ?? '').slice(0, 10), formatMoney(i.outstanding, i.currency), i.daysPastDue > 0 ? `${i.daysPastDue} days late` : 'not due']);
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: c.openInvoices.length ? `*Open invoices*\n${table(['Invoice', 'Due', 'Outstanding', ''], open)}` : '*Open invoices*: none' } });
  return { text: `${c.company ?? c.awsAccountId}: ${c.agreements.length} agreements, ${c.openInvoices.length} open invoices`, blocks };
}

/** Several customers matched: say which, so the next try can be exact. */
export function customerChoiceMessage(query: string, matches: Array<{ company: string | null; awsAccountId: string | null }>): Message {
  const list = matches.map((m) => `• ${escape(m.company ?? '(no name)')} — \`${m.awsAccountId ?? '?'}\``).join('\n');
  const text = `"${query}" matches ${matches.length} customers; ask again with the AWS account ID:\n${list}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escape(`"${query}" matches ${matches.length} customers; ask again with the AWS account ID:`) + `\n${list}` } }] };
}
