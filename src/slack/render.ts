/**
 * Block Kit for every answer: a headline with the change against the previous comparable period,
 * a compact table of the top rows by name, a chart (QuickChart URL), and a context line with the
 * source and what the data is complete through. Pure functions of the answers, so the JSON they
 * produce is tested as it is.
 */
import type { Freshness } from '../deliveries/freshness.ts';
import type { MetricAnswer } from '../metrics/query.ts';
import type { CustomerProfile } from '../metrics/customer.ts';
import { metricCharts } from '../present/charts.ts';
import { currenciesBySize, describeChange, formatCount, formatMoney, type Change } from '../present/format.ts';
import { columnsOf, cut, formatFigure, str, totalsList, viewOf, type Row } from '../present/views.ts';
import { SUBCOMMANDS } from './commands.ts';
import { codeText, mrkdwnText } from './mrkdwn.ts';

export { change, formatCount, formatMoney } from '../present/format.ts';
export { metricTitle } from '../present/views.ts';

export type Block = Record<string, unknown>;
export interface Message {
  text: string;
  blocks: Block[];
}

/** Rows shown in a table before "…and N more"; a plain question shows its top five. */
export const TOP_ROWS = 10;
export const TOP_ROWS_DEFAULT = 5;

const NUMERIC = /^(–|[-+]?[^\d\s]{0,3}[\d.,]+(\s?[A-Z]{3})?|\d+ days late|not due)$/u;

/** A monospace table in a code block: numbers and money right-aligned, text left-aligned; cells from the data made inert. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows].map((r) => r.map((c, i) => (i === 0 ? cut(c, 32) : cut(c, 20))));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const right = header.map((_, i) => i > 0 && rows.length > 0 && rows.every((r) => r[i] === '' || NUMERIC.test(r[i]!)));
  const line = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return '```\n' + [line(all[0]!), ...all.slice(1).map(line)].map(codeText).join('\n') + '\n```';
}

/** A change for Slack: coloured by meaning, since Slack has no colour for text (up is not always good). */
function slackChange(c: Change | null): string {
  if (!c) return '';
  const icon = c.tone === 'good' ? ':large_green_circle:' : c.tone === 'bad' ? ':red_circle:' : ':white_circle:';
  return `${icon} _${c.text}_`;
}

export interface MetricMessageOptions {
  /** The same question for the previous comparable period, when there is one. */
  previous: MetricAnswer | null;
  /** The command that would export the rows ("export revenue last-month by product"). */
  exportCommand: string;
  quickChartUrl: string;
  /** The breakdown the rows are by; when the person asked for none, the metric's default one. */
  by?: string;
  /** The person asked for no breakdown: the rows are the top few of the default one, with a hint to the others. */
  defaultBreakdown?: { metric: string; period: string; dimensions: readonly string[] };
}

/** The answer to `/marketplace <metric> <period>`. */
export function metricMessage(a: MetricAnswer, o: MetricMessageOptions): Message {
  const view = viewOf(a.metric);
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: cut(`${view.title} · ${a.period.label}`, 150) } }];
  const headline: string[] = [];
  /** The notification text: the first figure in every currency (or the count), with its change. */
  let summary = '';
  const previousLabel = o.previous?.period.label ?? '';
  if (a.source === 'none') {
    headline.push(`No data for ${a.period.label} yet.`);
  } else if (view.money) {
    const totals = totalsList(a);
    const prevTotals = o.previous ? totalsList(o.previous) : [];
    const [firstLabel, firstField] = view.money[0]!;
    // the largest currency first, every currency in the notification text
    for (const currency of currenciesBySize(totals, (t) => Number(t[firstField]))) {
      const t = totals.find((x) => str(x.currency) === currency)!;
      const prev = prevTotals.find((p) => str(p.currency) === currency);
      const parts = view.money
        .filter(([, field, , kind]) => t[field] !== undefined && !(kind === 'optional' && Number(t[field]) === 0))
        .map(([label, field, better, kind], i) => {
          const figure = mrkdwnText(formatFigure(t[field], currency, kind));
          const text = `*${label}* ${figure}`;
          // the change is shown for the first figure, the one people compare
          const delta = i === 0 && o.previous ? describeChange(Number(t[field]), prev ? Number(prev[field]) : 0, previousLabel, better) : null;
          if (i === 0) summary += `${summary ? ' · ' : `${firstLabel} `}${figure}${delta ? ` (${delta.text.replace(/ vs .*/, '')})` : ''}`;
          return delta ? `${text}  ${slackChange(delta)}` : text;
        });
      headline.push([...parts, ...(view.moneyDetail ? [`_${mrkdwnText(view.moneyDetail(t))}_`] : [])].join('\n'));
    }
    if (totals.length === 0) headline.push(`Nothing in ${a.period.label}.`);
  } else if (view.count) {
    const t = totalsList(a)[0] ?? {};
    const [label, field, better] = view.count;
    const n = Number(t[field] ?? 0);
    const prevN = o.previous ? Number(totalsList(o.previous)[0]?.[field] ?? 0) : null;
    const delta = prevN === null ? null : describeChange(n, prevN, previousLabel, better);
    const extra = view.countDetail ? mrkdwnText(view.countDetail(t)) : a.metric === 'active' ? ` (fee-based ${formatCount(str(t.fee_based))}, usage-based ${formatCount(str(t.usage_based))}; ${formatCount(str(t.expiring))} ending within ${str(t.expiring_within_days)} days)` : '';
    headline.push(`*${label}* ${formatCount(n)}${extra}${delta ? `  ${slackChange(delta)}` : ''}`);
    summary = `${label} ${formatCount(n)}${delta ? ` (${delta.text.replace(/ vs .*/, '')})` : ''}`;
  } else if (a.metric === 'reconcile') {
    for (const t of totalsList(a)) {
      headline.push(
        `*${mrkdwnText(str(t.currency))}* ` +
          mrkdwnText(
            `billed ${formatMoney(str(t.billed_gross), str(t.currency))}, collected ${formatMoney(str(t.collected), str(t.currency))}, ` +
              `disbursed ${formatMoney(str(t.disbursed), str(t.currency))} of ${formatMoney(str(t.billed_net), str(t.currency))} net; ${str(t.invoices_not_fully_disbursed)} invoices not fully disbursed`,
          ),
      );
    }
    summary = headline.map((h) => h.replace(/\*/g, '')).join('; ');
  }
  if (a.metric === 'past-due') {
    const totals = totalsList(a);
    for (const currency of currenciesBySize(totals, (t) => Number(t.total))) {
      const b = totals.find((t) => str(t.currency) === currency)!.buckets as Record<string, string>;
      headline.push(mrkdwnText(`Aging (${currency}): ${Object.entries(b).map(([k, v]) => `${k} days ${formatMoney(v, currency)}`).join(' · ')}`));
    }
  }
  for (const h of headline) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(h, 2900) } });

  if (a.rows.length > 0) {
    const limit = o.defaultBreakdown ? TOP_ROWS_DEFAULT : TOP_ROWS;
    const rows = orderRows(a, view.chart ?? view.rank);
    const shown = rows.slice(0, limit);
    const columns = columnsOf(view, o.by).map((c, i) => (i === 0 && c.header === '' && o.by ? { ...c, header: o.by[0]!.toUpperCase() + o.by.slice(1) } : c));
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: table(columns.map((c) => c.header), shown.map((r) => columns.map((c) => c.value(r)))) } });
    if (a.rows.length > limit) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${a.rows.length - limit} more. All of them as CSV: \`/marketplace ${o.exportCommand}\`` }] });
    }
  }
  // Slack's servers fetch the image: a chart server on plain http (inside the seller's network,
  // as in compose.yaml) cannot be reached, and a message with an image Slack cannot fetch fails
  if (new URL(o.quickChartUrl).protocol === 'https:') {
    for (const chart of metricCharts(a, o.by, o.quickChartUrl)) blocks.push({ type: 'image', image_url: chart.url, alt_text: cut(chart.alt, 1990) });
  }
  if (o.defaultBreakdown && o.defaultBreakdown.dimensions.length > 0) {
    const d = o.defaultBreakdown;
    const others = d.dimensions.filter((x) => x !== o.by);
    const hint = others.map((x) => `\`/marketplace ${d.metric} ${d.period} by ${x}\``).join(' · ');
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Top ${o.by ? `${o.by}s` : 'rows'} above. Break it down: ${hint}` }] });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: contextLine(a, o.previous) }] });
  const text = `${view.title}, ${a.period.label}: ${summary || (headline[0]?.replace(/[*_]/g, '') ?? '')}`;
  return { text: text.slice(0, 3000), blocks };
}

/** Rows of several currencies: the largest currency's first, each in its own order. */
function orderRows(a: MetricAnswer, amount: ((r: Row) => number) | undefined): Row[] {
  if (!amount) return a.rows;
  const currencies = currenciesBySize(a.rows, amount);
  if (currencies.length < 2) return a.rows;
  return currencies.flatMap((c) => a.rows.filter((r) => str(r.currency) === c));
}

function contextLine(a: MetricAnswer, previous: MetricAnswer | null): string {
  const source = a.source === 'sdds' ? 'Seller Data Feeds' : a.source === 'cas' ? 'legacy Commerce Analytics reports' : 'no data';
  const through = a.complete_through ? `data complete through ${a.complete_through}` : 'nothing delivered yet';
  return mrkdwnText(`Source: ${source} · ${through}${previous ? ` · compared with ${previous.period.label}` : ''}`);
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
  const text = `${mrkdwnText(problem)}\nTry: ${examples.map((e) => `\`/marketplace ${codeText(e)}\``).join(' · ')}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${mrkdwnText(problem)}` } }, { type: 'context', elements: [{ type: 'mrkdwn', text: `Try ${examples.map((e) => `\`/marketplace ${codeText(e)}\``).join(' · ')}` }] }] };
}

export function apologyMessage(errorId: string): Message {
  const text = `Sorry, something went wrong on our side answering that. It is logged as error ${errorId}; please try again, or give that id to whoever runs marketplace-pulse.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:x: ${text}` } }] };
}

export function refusalMessage(): Message {
  const text = "Sorry, these numbers are confidential and you don't have access to them here. Ask whoever looks after marketplace-pulse in your company to give you (or this channel) access.";
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:lock: ${text}` } }] };
}

export function workingMessage(what: string): Message {
  return { text: `Working on ${mrkdwnText(what)}…`, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: `:hourglass_flowing_sand: Working on \`${codeText(what)}\`…` }] }] };
}

const STATUS_ICON: Record<string, string> = { 'on time': ':large_green_circle:', late: ':large_yellow_circle:', missing: ':red_circle:', 'not expected': ':white_circle:', retired: ':white_circle:', 'no schedule': ':white_circle:' };

export function freshnessMessage(list: Freshness[]): Message {
  const relevant = list.filter((f) => f.status !== 'retired' && f.status !== 'not expected');
  const behind = relevant.filter((f) => f.status === 'late' || f.status === 'missing');
  const headline = behind.length === 0 ? 'Every expected dataset is on time.' : `${behind.length} dataset${behind.length === 1 ? ' is' : 's are'} late or missing.`;
  const lines = relevant
    .sort((a, b) => (a.status === b.status ? a.dataset.localeCompare(b.dataset) : a.status === 'on time' ? 1 : b.status === 'on time' ? -1 : a.status.localeCompare(b.status)))
    .map((f) => `${STATUS_ICON[f.status] ?? ''} *${mrkdwnText(f.title)}* (\`${codeText(f.dataset)}\`): ${mrkdwnText(f.summary)}`);
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
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `AWS account *${mrkdwnText(c.awsAccountId ?? 'unknown')}*${c.company ? ` · ${mrkdwnText(c.company)}` : ''}${c.formerNames.length ? `\nFormerly ${c.formerNames.map(mrkdwnText).join(', ')}` : ''}` } });
  if (pii && c.address) {
    const a = c.address;
    const where = [a.lines.join(', '), [a.city, a.state, a.postalCode].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:house: ${mrkdwnText(where)}${a.emailDomain ? `\n:email: @${mrkdwnText(a.emailDomain)}` : ''}` } });
  }
  const agreementRows = c.agreements.slice(0, TOP_ROWS).map((g) => [`${g.product ?? ''}${g.reseller ? ` (via ${g.reseller})` : ''}`, g.status ?? '', (g.end ?? '').slice(0, 10), formatMoney(g.value, g.currency)]);
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: c.agreements.length ? `*Agreements*\n${table(['Product', 'Status', 'Ends', 'Value'], agreementRows)}` : '*Agreements*: none' } });
  const revenue = mrkdwnText(c.revenue.map((r) => `${formatMoney(r.gross_revenue, r.currency)} gross, ${formatMoney(r.net_revenue, r.currency)} net`).join('; '));
  const usage = mrkdwnText(c.usage.map((u) => formatMoney(u.estimated_revenue, u.currency)).join('; '));
  blocks.push({
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Revenue, last 12 months*\n${revenue || 'none'}` },
      { type: 'mrkdwn', text: `*Usage, last 30 days (est.)*\n${usage || 'none'}` },
    ],
  });
  const open = c.openInvoices.slice(0, TOP_ROWS).map((i) => [i.invoiceId, (i.due ?? '').slice(0, 10), formatMoney(i.outstanding, i.currency), i.daysPastDue > 0 ? `${i.daysPastDue} days late` : 'not due']);
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: c.openInvoices.length ? `*Open invoices*\n${table(['Invoice', 'Due', 'Outstanding', ''], open)}` : '*Open invoices*: none' } });
  return { text: mrkdwnText(`${c.company ?? c.awsAccountId}: ${c.agreements.length} agreements, ${c.openInvoices.length} open invoices`), blocks };
}

/** Several customers matched: say which, so the next try can be exact. */
export function customerChoiceMessage(query: string, matches: Array<{ company: string | null; awsAccountId: string | null }>): Message {
  const list = matches.map((m) => `• ${mrkdwnText(m.company ?? '(no name)')} — \`${codeText(m.awsAccountId ?? '?')}\``).join('\n');
  const text = `${mrkdwnText(`"${query}" matches ${matches.length} customers; ask again with the AWS account ID:`)}\n${list}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
