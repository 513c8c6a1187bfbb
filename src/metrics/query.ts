/**
 * The one entry point every surface uses: a metric name, a period as people type it, a dimension.
 * Returns the documented JSON shape `{ metric, period, totals, rows, source, complete_through }`.
 */
import type { Database } from '../db/client.ts';
import { completeThrough } from '../deliveries/freshness.ts';
import { AppError } from '../errors.ts';
import { parsePeriod, type PeriodOptions } from '../periods.ts';
import { REVENUE_DIMENSIONS, getRevenue, type RevenueAmounts, type RevenueDimension, type RevenueRow } from './revenue.ts';

export interface MetricAnswer {
  metric: string;
  period: { start: string; end: string; label: string };
  totals: RevenueAmounts[];
  rows: RevenueRow[];
  source: 'sdds' | 'cas' | 'none';
  /** Last day (inclusive) the answering dataset is complete through, or null if nothing arrived. */
  complete_through: string | null;
}

export interface MetricDefinition {
  name: string;
  summary: string;
  dimensions: readonly string[];
  /** The dataset whose freshness the answer carries, per source. */
  datasets: { sdds: string; cas: string };
  run(db: Database, args: { period: ReturnType<typeof parsePeriod>; by: string | undefined; timeZone: string }): Promise<Omit<MetricAnswer, 'period' | 'complete_through'>>;
}

export const METRICS: MetricDefinition[] = [
  {
    name: 'revenue',
    summary: 'Billed revenue by invoice date: gross, refunds and credits, AWS listing fees, seller tax share, net (per currency)',
    dimensions: REVENUE_DIMENSIONS,
    datasets: { sdds: 'sdds_billing_event', cas: 'cas_sales_compensation_billed_revenue' },
    run: (db, a) => getRevenue(db, { period: a.period, timeZone: a.timeZone, ...(a.by ? { by: a.by as RevenueDimension } : {}) }),
  },
];

export async function answer(db: Database, metric: string, periodText: string, by: string | undefined, options: PeriodOptions): Promise<MetricAnswer> {
  const def = METRICS.find((m) => m.name === metric);
  if (!def) throw new AppError('usage', `"${metric}" is not a metric; metrics: ${METRICS.map((m) => m.name).join(', ')}`);
  if (by !== undefined && !def.dimensions.includes(by)) {
    throw new AppError('usage', `${metric} cannot be broken down by "${by}"; use --by ${def.dimensions.join(' | ')}`);
  }
  const period = parsePeriod(periodText, options);
  const result = await def.run(db, { period, by, timeZone: options.timeZone });
  const dataset = result.source === 'cas' ? def.datasets.cas : def.datasets.sdds;
  return {
    metric: result.metric,
    period: { start: period.start, end: period.end, label: period.label },
    totals: result.totals,
    rows: result.rows,
    source: result.source,
    complete_through: await completeThrough(db, dataset, options.now),
  };
}

const MONEY_COLUMNS = ['gross_revenue', 'refunds', 'listing_fees', 'seller_tax_share', 'net_revenue'] as const;

/** CSV of the rows (or the totals when not broken down), RFC 4180. */
export function answerToCsv(a: MetricAnswer): string {
  const q = (v: string | null) => (v === null ? '' : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  if (a.rows.length > 0) {
    const header = ['currency', 'key', 'name', 'detail', ...MONEY_COLUMNS];
    return [header.join(','), ...a.rows.map((r) => [r.currency, r.key, r.name, r.detail, ...MONEY_COLUMNS.map((c) => r[c])].map(q).join(','))].join('\n') + '\n';
  }
  const header = ['currency', ...MONEY_COLUMNS];
  return [header.join(','), ...a.totals.map((t) => [t.currency, ...MONEY_COLUMNS.map((c) => t[c])].map(q).join(','))].join('\n') + '\n';
}

export { MONEY_COLUMNS };
