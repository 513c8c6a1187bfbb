/**
 * The one entry point every surface uses: a metric name, a period as people type it, a dimension.
 * Returns the documented JSON shape `{ metric, period, totals, rows, source, complete_through }`.
 */
import type { Database } from '../db/client.ts';
import { completeThrough } from '../deliveries/freshness.ts';
import { AppError } from '../errors.ts';
import { parsePeriod, type Period, type PeriodOptions } from '../periods.ts';
import { getActive, getCancellations, getSubscribers } from './agreements.ts';
import { MONEY_FLOW_DIMENSIONS, USAGE_DIMENSIONS, getCollections, getDisbursements, getUsage, type FlowDimension } from './flows.ts';
import { getPastDue } from './past-due.ts';
import { getReconciliation } from './reconcile.ts';
import { refreshRollups } from '../rollups/refresh.ts';
import { REVENUE_DIMENSIONS, getRevenue, type RevenueDimension } from './revenue.ts';

type Cell = string | number | null;
export type Totals = Record<string, Cell> | Array<Record<string, Cell>>;

export interface MetricAnswer {
  metric: string;
  period: { start: string; end: string; label: string };
  /** Money metrics: one entry per currency; counts: a single object. */
  totals: Totals;
  rows: Array<Record<string, Cell>>;
  source: 'sdds' | 'cas' | 'none';
  /** Last day (inclusive) the answering dataset is complete through, or null if nothing arrived. */
  complete_through: string | null;
}

interface RunArgs {
  period: Period;
  now: Date;
  /** active: the renewal-watch window. */
  days?: number;
  by: string | undefined;
  timeZone: string;
}

export interface MetricDefinition {
  name: string;
  summary: string;
  dimensions: readonly string[];
  /** The dataset whose freshness the answer carries, per source. */
  datasets: { sdds: string; cas: string };
  run(db: Database, args: RunArgs): Promise<{ metric: string; totals: unknown; rows: unknown[]; source: MetricAnswer['source'] }>;
}

export const METRICS: MetricDefinition[] = [
  {
    name: 'revenue',
    summary: 'billed revenue by invoice date: gross, refunds and credits, AWS listing fees, seller tax share, net (per currency)',
    dimensions: REVENUE_DIMENSIONS,
    datasets: { sdds: 'sdds_billing_event', cas: 'cas_sales_compensation_billed_revenue' },
    run: (db, a) => getRevenue(db, { period: a.period, timeZone: a.timeZone, ...(a.by ? { by: a.by as RevenueDimension } : {}) }),
  },
  {
    name: 'subscribers',
    summary: 'new subscribers: agreements accepted in the period (renewals excluded), with company, product, offer and contract value',
    dimensions: [],
    datasets: { sdds: 'sdds_agreement', cas: 'cas_daily_business_new_product_subscribers' },
    run: (db, a) => getSubscribers(db, a.period),
  },
  {
    name: 'active',
    summary: 'agreements active at the end of the period, fee-based and usage-based, and those ending within --days (default 90)',
    dimensions: [],
    datasets: { sdds: 'sdds_agreement', cas: 'sdds_agreement' },
    run: (db, a) => getActive(db, a.period, a.now, a.days ?? 90),
  },
  {
    name: 'usage',
    summary: 'metered usage by usage date: estimated revenue per pricing currency (and quantity by product, customer, dimension or month)',
    dimensions: USAGE_DIMENSIONS,
    datasets: { sdds: 'sdds_daily_usage', cas: 'cas_daily_business_usage_by_instance_type' },
    run: (db, a) => getUsage(db, a.period, a.by as FlowDimension | undefined),
  },
  {
    name: 'collections',
    summary: 'buyer payments collected in the period (COLLECTED events), per currency',
    dimensions: MONEY_FLOW_DIMENSIONS,
    datasets: { sdds: 'sdds_billing_event', cas: 'sdds_billing_event' },
    run: (db, a) => getCollections(db, a.period, a.timeZone, a.by as FlowDimension | undefined),
  },
  {
    name: 'disbursements',
    summary: 'payouts to you in the period, net of failed ones: each payout, or what was paid by product, customer or month',
    dimensions: MONEY_FLOW_DIMENSIONS,
    datasets: { sdds: 'sdds_billing_event', cas: 'cas_disbursed_amount_by_product' },
    run: (db, a) => getDisbursements(db, a.period, a.timeZone, a.by as FlowDimension | undefined),
  },
  {
    name: 'past-due',
    summary: 'invoices not collected after their payment due date, as of the period end (or now): total, aging buckets 1-30 ... 121+ days, and the customers owing most',
    dimensions: [],
    datasets: { sdds: 'sdds_billing_event', cas: 'cas_disbursed_amount_by_age_of_past_due_funds' },
    run: (db, a) => getPastDue(db, a.period, a.now),
  },
  {
    name: 'reconcile',
    summary: 'per invoice month: billed net vs collected vs disbursed, and legacy CAS gross against SDDS where both cover a month; --by invoice lists invoices not fully disbursed',
    dimensions: ['invoice'],
    datasets: { sdds: 'sdds_billing_event', cas: 'cas_sales_compensation_billed_revenue' },
    run: (db, a) => getReconciliation(db, a.period, a.timeZone, a.by === 'invoice'),
  },
  {
    name: 'cancellations',
    summary: 'agreements cancelled, terminated, or expired without renewal in the period',
    dimensions: [],
    datasets: { sdds: 'sdds_agreement', cas: 'cas_daily_business_canceled_product_subscribers' },
    run: (db, a) => getCancellations(db, a.period),
  },
];

export async function answer(db: Database, metric: string, periodText: string, by: string | undefined, options: PeriodOptions & { days?: number }): Promise<MetricAnswer> {
  checkQuestion(metric, by);
  return answerFor(db, metric, parsePeriod(periodText, options), by, options);
}

/** The metric's definition, or a usage error naming what is wrong and what is accepted. */
export function checkQuestion(metric: string, by: string | undefined): MetricDefinition {
  const def = METRICS.find((m) => m.name === metric);
  if (!def) throw new AppError('usage', `"${metric}" is not a metric; metrics: ${METRICS.map((m) => m.name).join(', ')}`);
  if (by !== undefined && !def.dimensions.includes(by)) {
    throw new AppError('usage', def.dimensions.length ? `${metric} cannot be broken down by "${by}"; use --by ${def.dimensions.join(' | ')}` : `${metric} has no breakdowns; drop --by`);
  }
  return def;
}

/** As `answer`, for a period already resolved (a comparison period, a digest's day). */
export async function answerFor(db: Database, metric: string, period: Period, by: string | undefined, options: PeriodOptions & { days?: number }): Promise<MetricAnswer> {
  const def = checkQuestion(metric, by);
  await refreshRollups(db);
  const result = await def.run(db, { period, by, timeZone: options.timeZone, now: options.now, ...(options.days === undefined ? {} : { days: options.days }) });
  const dataset = result.source === 'cas' ? def.datasets.cas : def.datasets.sdds;
  return {
    metric: result.metric,
    period: { start: period.start, end: period.end, label: period.label },
    totals: result.totals as Totals,
    rows: result.rows as MetricAnswer['rows'],
    source: result.source,
    complete_through: await completeThrough(db, dataset, options.now),
  };
}

/** The answer's rows (or its totals when it has none) as RFC 4180 CSV, columns as in the JSON. */
export function answerToCsv(a: MetricAnswer): string {
  const records = a.rows.length > 0 ? a.rows : Array.isArray(a.totals) ? a.totals : [a.totals];
  const header = Object.keys(records[0] ?? {});
  const q = (v: Cell | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header.join(','), ...records.map((r) => header.map((h) => q(r[h])).join(','))].join('\n') + '\n';
}
