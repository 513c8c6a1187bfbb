/**
 * The /marketplace grammar, the same as the CLI's so one habit serves both:
 * `<metric> [period] [by <dimension>] [days <n>]`, plus customer, freshness, export, snooze,
 * unsnooze and help. Help and error examples are generated from these definitions.
 */
import { DATASETS, getDataset } from '../datasets/catalog.ts';
import { AppError, closest } from '../errors.ts';
import { METRICS } from '../metrics/query.ts';
import { FINANCE_REPORTS, financeReport, reportCommandName, type FinanceReport } from '../reports/names.ts';

/** The reports as they are typed: billed-revenue, usage-report. */
const REPORT_COMMANDS = (Object.keys(FINANCE_REPORTS) as FinanceReport[]).map(reportCommandName);

export type Request =
  | { kind: 'metric'; metric: string; period: string; by: string | undefined; days: number | undefined }
  | { kind: 'customer'; query: string }
  | { kind: 'freshness' }
  | { kind: 'export'; what: string; period: string; by: string | undefined }
  | { kind: 'email'; what: string; period: string; by: string | undefined }
  | { kind: 'snooze'; target: string; hours: number; duration: string }
  | { kind: 'unsnooze'; target: string }
  | { kind: 'help' };

export interface Subcommand {
  name: string;
  usage: string;
  summary: string;
  examples: string[];
}

/** The period a metric answers when none is given: a point in time for balances, last month otherwise. */
export function defaultPeriod(metric: string): string {
  if (metric === 'past-due' || metric === 'active' || metric === 'next-payout') return 'today';
  // retention is read over a year
  return metric === 'retention' ? 'last-12-months' : 'last-month';
}

const METRIC_EXAMPLES: Record<string, string[]> = {
  revenue: ['revenue last-month', 'revenue 2026-Q3 by product'],
  subscribers: ['subscribers this-week'],
  cancellations: ['cancellations 2026-10'],
  active: ['active today days 30'],
  usage: ['usage mtd by dimension'],
  collections: ['collections last-month by customer'],
  disbursements: ['disbursements last-quarter'],
  'past-due': ['past-due'],
  'next-payout': ['next-payout'],
  tax: ['tax last-month', 'tax last-quarter by jurisdiction', 'tax 2026-10 by invoice'],
  reconcile: ['reconcile 2026-09 by invoice'],
  mrr: ['mrr last-month', 'mrr last-quarter by product'],
  arr: ['arr last-month by customer'],
  retention: ['retention last-12-months', 'retention 2026 by cohort'],
};

export const ALERT_TARGETS = ['late', 'rejected', 'subscribers', 'cancellations'] as const;

export const SUBCOMMANDS: Subcommand[] = [
  ...METRICS.map((m) => ({
    name: m.name,
    usage: `${m.name} [period]${m.dimensions.length ? ` [by ${m.dimensions.join('|')}]` : ''}${m.name === 'active' ? ' [days N]' : ''}`,
    summary: `${m.summary} (default period: ${defaultPeriod(m.name)})`,
    examples: METRIC_EXAMPLES[m.name] ?? [`${m.name} last-month`],
  })),
  { name: 'customer', usage: 'customer <company name or AWS account ID>', summary: 'one customer: agreements, revenue over the last 12 months, usage over the last 30 days, open invoices', examples: ['customer Example Corp', 'customer 123456789012'] },
  { name: 'freshness', usage: 'freshness', summary: 'which datasets are on time, late or missing, and what the data is complete through', examples: ['freshness'] },
  {
    name: 'export',
    usage: 'export <metric|dataset|report> [period] [by <dimension>]',
    summary: `the rows behind an answer, any dataset, or a report (${REPORT_COMMANDS.join(', ')}), as a CSV file`,
    examples: ['export revenue last-month by customer', 'export billed-revenue 2026-10', 'export taxation last-quarter', 'export sdds_agreement'],
  },
  {
    name: 'email',
    usage: 'email <metric|dataset|report> [period] [by <dimension>]',
    summary: 'the same as export, mailed to the address on your Slack profile',
    examples: ['email revenue last-month by product', 'email billed-revenue 2026-10'],
  },
  { name: 'snooze', usage: `snooze <dataset|${ALERT_TARGETS.join('|')}> <duration: 30m, 4h, 2d, 1w>`, summary: 'mute an alert until the duration passes', examples: ['snooze sdds_daily_usage 2d', 'snooze rejected 4h'] },
  { name: 'unsnooze', usage: `unsnooze <dataset|${ALERT_TARGETS.join('|')}>`, summary: 'unmute it', examples: ['unsnooze sdds_daily_usage'] },
  { name: 'help', usage: 'help', summary: 'this list', examples: ['help'] },
];

/** Two or three valid examples, for error messages. */
export function examplesFor(name?: string): string[] {
  const own = SUBCOMMANDS.find((s) => s.name === name)?.examples ?? [];
  return [...new Set([...own, 'revenue last-month', 'past-due', 'help'])].slice(0, 3);
}

/** A request we cannot answer as typed: what was wrong, and examples that would work. */
export class RequestError extends AppError {
  readonly examples: string[];
  constructor(message: string, examples: string[]) {
    super('usage', message);
    this.examples = examples;
  }
}

function usage(message: string, subcommand?: string): RequestError {
  return new RequestError(message, examplesFor(subcommand));
}

/** Reads `by X`/`--by X` and `days N`/`--days N` out of the words; the rest stays in order. */
function options(words: string[], subcommand: string): { rest: string[]; by: string | undefined; days: number | undefined } {
  const rest: string[] = [];
  let by: string | undefined;
  let days: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.toLowerCase();
    if (w === 'by' || w === '--by') {
      by = words[++i]?.toLowerCase();
      if (!by) throw usage(`"by" needs a breakdown, e.g. \`${subcommand} last-month by product\``, subcommand);
    } else if (w === 'days' || w === '--days') {
      const n = Number(words[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 3650) throw usage(`"days" needs a whole number of days, e.g. \`active today days 30\``, subcommand);
      days = n;
    } else rest.push(words[i]!);
  }
  return { rest, by, days };
}

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|h|d|w)$/i.exec(text);
  if (!m) throw usage(`"${text}" is not a duration; use minutes, hours, days or weeks: 30m, 4h, 2d, 1w`, 'snooze');
  const hours = Number(m[1]) * { m: 1 / 60, h: 1, d: 24, w: 168 }[m[2]!.toLowerCase() as 'm' | 'h' | 'd' | 'w'];
  if (hours <= 0 || hours > 24 * 90) throw usage(`snooze for at most 90 days (${text} is too long)`, 'snooze');
  return hours;
}

function snoozeTarget(text: string | undefined, sub: string): string {
  if (!text) throw usage(`${sub} needs what to mute: a dataset (e.g. sdds_daily_usage) or one of ${ALERT_TARGETS.join(', ')}`, sub);
  const t = text.toLowerCase();
  if ((ALERT_TARGETS as readonly string[]).includes(t)) return t;
  const def = getDataset(t);
  if (!def) throw usage(`"${text}" is neither a dataset nor one of ${ALERT_TARGETS.join(', ')}`, sub);
  return def.name;
}

/** What a person typed after /marketplace, understood or refused with the reason and examples. */
export function parseRequest(text: string): Request {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...more] = words;
  const name = first?.toLowerCase();
  if (!name || name === 'help' || name === '?') return { kind: 'help' };
  if (name === 'freshness') return { kind: 'freshness' };
  if (name === 'customer') {
    const query = more.join(' ').trim();
    if (!query) throw usage('customer needs a company name or an AWS account ID', 'customer');
    return { kind: 'customer', query };
  }
  if (name === 'snooze') {
    const target = snoozeTarget(more[0], 'snooze');
    if (!more[1]) throw usage('snooze needs a duration: 30m, 4h, 2d or 1w', 'snooze');
    return { kind: 'snooze', target, hours: parseDuration(more[1]), duration: more[1].toLowerCase() };
  }
  if (name === 'unsnooze') return { kind: 'unsnooze', target: snoozeTarget(more[0], 'unsnooze') };
  if (name === 'export' || name === 'email') {
    const { rest, by } = options(more, name);
    const what = rest[0]?.toLowerCase();
    if (!what) throw usage(`${name} needs what to ${name === 'export' ? 'export' : 'send'}: a metric, a dataset or a report`, name);
    const metric = METRICS.find((m) => m.name === what);
    if (!metric && !getDataset(what) && !financeReport(what)) {
      const near = closest(what, [...METRICS.map((m) => m.name), ...DATASETS.map((d) => d.name), ...REPORT_COMMANDS]);
      throw usage(
        `"${rest[0]}" is not a metric, dataset or report${near ? `; did you mean ${near}?` : ''} Metrics: ${METRICS.map((m) => m.name).join(', ')}. Reports: ${REPORT_COMMANDS.join(', ')}. Datasets: ${DATASETS.map((d) => d.name).join(', ')}.`,
        name,
      );
    }
    if (rest.length > 2) throw usage(`I did not understand "${rest.slice(2).join(' ')}"`, name);
    return { kind: name, what, period: rest[1] ?? (metric ? defaultPeriod(metric.name) : 'last-month'), by };
  }
  const metric = METRICS.find((m) => m.name === name);
  if (!metric) {
    throw usage(`"${first}" is not something I answer; try ${SUBCOMMANDS.map((s) => s.name).join(', ')}`);
  }
  const { rest, by, days } = options(more, metric.name);
  if (by !== undefined && !metric.dimensions.includes(by)) {
    throw usage(metric.dimensions.length ? `${metric.name} can be broken down by ${metric.dimensions.join(', ')}, not "${by}"` : `${metric.name} has no breakdowns`, metric.name);
  }
  if (rest.length > 1) throw usage(`I did not understand "${rest.slice(1).join(' ')}"; a period is one word, e.g. last-month or 2026-10-01..2026-10-15`, metric.name);
  return { kind: 'metric', metric: metric.name, period: rest[0] ?? defaultPeriod(metric.name), by, days };
}
