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
import { PAYOUT_ROW_COLUMNS, PAYOUT_TOTAL_COLUMNS, getNextPayout } from './payout.ts';
import { getReconciliation } from './reconcile.ts';
import { TAX_DIMENSIONS, TAX_ROW_COLUMNS, TAX_TOTAL_COLUMNS, getTax, type TaxDimension } from './tax.ts';
import { refreshRollups } from '../rollups/refresh.ts';
import { telemetry } from '../telemetry.ts';
import { MRR_DIMENSIONS, RETENTION_DIMENSIONS, COHORT_MONTHS, getMrr, getRetention, type RecurringDimension, type RetentionDimension } from './recurring.ts';
import { REVENUE_DIMENSIONS, getRevenue, type RevenueDimension } from './revenue.ts';
import { TRIAL_DIMENSIONS, getTrials, type TrialDimension } from './trials.ts';
import { safeCell } from '../spreadsheet-safe.ts';

type Cell = string | number | null;
export type Totals = Record<string, Cell> | Array<Record<string, Cell>>;

export interface MetricAnswer {
  metric: string;
  /** The breakdown of its rows, if one was asked for. */
  by?: string;
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
  /** The columns of its rows (for a breakdown, or none): a CSV of no rows still has its header. */
  columns(by: string | undefined): readonly string[];
  /** The columns of one entry of its totals. */
  totalColumns: readonly string[];
  run(db: Database, args: RunArgs): Promise<{ metric: string; totals: unknown; rows: unknown[]; source: MetricAnswer['source'] }>;
}

const BREAKDOWN = ['currency', 'key', 'name', 'detail'] as const;
const AGREEMENT = ['agreement_id', 'company', 'aws_account_id', 'product', 'offer', 'status', 'at', 'contract_value', 'currency'] as const;
const TOTALS_ONLY: readonly string[] = [];
const MRR_COLUMNS = ['currency', 'mrr', 'usage_mrr', 'total_mrr', 'arr', 'start_mrr', 'new', 'expansion', 'contraction', 'churned', 'reactivation', 'net_new'] as const;
const RETENTION_COLUMNS = ['currency', 'start_mrr', 'retained_mrr', 'end_mrr', 'gross_revenue_retention', 'net_revenue_retention', 'customers_at_start', 'customers_churned', 'logo_churn_rate'] as const;

export const METRICS: MetricDefinition[] = [
  {
    name: 'revenue',
    summary: 'billed revenue by invoice date: gross, refunds and credits, AWS listing fees, seller tax share, cost of goods (resale), net (per currency)',
    dimensions: REVENUE_DIMENSIONS,
    datasets: { sdds: 'sdds_billing_event', cas: 'cas_sales_compensation_billed_revenue' },
    totalColumns: ['currency', 'gross_revenue', 'refunds', 'listing_fees', 'seller_tax_share', 'wholesale_cost', 'net_revenue'],
    columns: (by) => (by ? [...BREAKDOWN, 'gross_revenue', 'refunds', 'listing_fees', 'seller_tax_share', 'wholesale_cost', 'net_revenue'] : TOTALS_ONLY),
    run: (db, a) => getRevenue(db, { period: a.period, timeZone: a.timeZone, ...(a.by ? { by: a.by as RevenueDimension } : {}) }),
  },
  {
    name: 'subscribers',
    summary: 'new subscribers: agreements accepted in the period (renewals excluded), with company, product, offer and contract value',
    dimensions: [],
    datasets: { sdds: 'sdds_agreement', cas: 'cas_daily_business_new_product_subscribers' },
    columns: () => AGREEMENT,
    totalColumns: ['count'],
    run: (db, a) => getSubscribers(db, a.period),
  },
  {
    name: 'active',
    summary: 'agreements active at the end of the period, fee-based and usage-based, and those ending within --days (default 90)',
    dimensions: [],
    datasets: { sdds: 'sdds_agreement', cas: 'sdds_agreement' },
    totalColumns: ['count', 'fee_based', 'usage_based', 'expiring', 'expiring_within_days'],
    columns: () => ['agreement_id', 'company', 'aws_account_id', 'product', 'offer', 'status', 'contract_value', 'currency', 'at', 'pricing', 'end_time', 'days_to_end'],
    run: (db, a) => getActive(db, a.period, a.now, a.days ?? 90),
  },
  {
    name: 'usage',
    summary: 'metered usage by usage date: estimated revenue per pricing currency (and quantity by product, customer, dimension, month, or the payer\'s country or state)',
    dimensions: USAGE_DIMENSIONS,
    datasets: { sdds: 'sdds_daily_usage', cas: 'cas_daily_business_usage_by_instance_type' },
    totalColumns: ['currency', 'estimated_revenue'],
    columns: (by) => (by ? [...BREAKDOWN, 'estimated_revenue', 'quantity'] : TOTALS_ONLY),
    run: (db, a) => getUsage(db, a.period, a.by as FlowDimension | undefined),
  },
  {
    name: 'collections',
    summary: 'buyer payments collected in the period (COLLECTED events), per currency',
    dimensions: MONEY_FLOW_DIMENSIONS,
    datasets: { sdds: 'sdds_billing_event', cas: 'sdds_billing_event' },
    totalColumns: ['currency', 'collected'],
    columns: (by) => (by ? [...BREAKDOWN, 'collected'] : TOTALS_ONLY),
    run: (db, a) => getCollections(db, a.period, a.timeZone, a.by as FlowDimension | undefined),
  },
  {
    name: 'disbursements',
    summary: 'payouts to you in the period, net of failed ones: each payout, or what was paid by product, customer or month',
    dimensions: MONEY_FLOW_DIMENSIONS,
    datasets: { sdds: 'sdds_billing_event', cas: 'cas_disbursed_amount_by_product' },
    totalColumns: ['currency', 'disbursed'],
    columns: (by) => (by ? [...BREAKDOWN, 'disbursed'] : [...BREAKDOWN, 'disbursed', 'status']),
    run: (db, a) => getDisbursements(db, a.period, a.timeZone, a.by as FlowDimension | undefined),
  },
  {
    name: 'past-due',
    summary: 'invoices not collected after their payment due date, as of the period end (or now): total, aging buckets 1-30 ... 121+ days, and the customers owing most',
    dimensions: [],
    datasets: { sdds: 'sdds_billing_event', cas: 'cas_disbursed_amount_by_age_of_past_due_funds' },
    totalColumns: ['currency', 'total', 'buckets'],
    columns: () => ['customer', 'company', 'aws_account_id', 'currency', 'owed', 'invoices', 'oldest_due_date', 'days_past_due'],
    run: (db, a) => getPastDue(db, a.period, a.now),
  },
  {
    name: 'next-payout',
    summary: 'what AWS disburses next and when, as of the period end (or now): collected funds not yet paid out, on the next date of your disbursement schedule (inferred from past payouts), and what could join it if paid when due; per currency',
    dimensions: [],
    datasets: { sdds: 'sdds_billing_event', cas: 'sdds_billing_event' },
    totalColumns: PAYOUT_TOTAL_COLUMNS,
    columns: () => PAYOUT_ROW_COLUMNS,
    run: (db, a) => getNextPayout(db, a.period, a.now),
  },
  {
    name: 'tax',
    summary: 'tax billed on invoices dated in the period, from the tax item feed: net of refunds, what AWS remits and what you remit, against the billing feed\'s tax events (per currency); by jurisdiction, tax type, or the invoices where the two feeds disagree',
    dimensions: TAX_DIMENSIONS,
    datasets: { sdds: 'sdds_tax_item', cas: 'sdds_tax_item' },
    totalColumns: TAX_TOTAL_COLUMNS,
    columns: (by) => (by ? TAX_ROW_COLUMNS[by as TaxDimension] : TOTALS_ONLY),
    run: (db, a) => getTax(db, { period: a.period, timeZone: a.timeZone, ...(a.by ? { by: a.by as TaxDimension } : {}) }),
  },
  {
    name: 'reconcile',
    summary: 'per invoice month: billed net vs collected vs disbursed, and legacy CAS gross against SDDS where both cover a month; --by invoice lists invoices not fully disbursed',
    dimensions: ['invoice'],
    datasets: { sdds: 'sdds_billing_event', cas: 'cas_sales_compensation_billed_revenue' },
    totalColumns: ['currency', 'billed_gross', 'collected', 'uncollected', 'billed_net', 'disbursed', 'undisbursed', 'invoices_not_fully_disbursed'],
    columns: (by) =>
      by === 'invoice'
        ? ['invoice_id', 'currency', 'invoice_date', 'billed_gross', 'collected', 'billed_net', 'disbursed', 'undisbursed']
        : ['month', 'currency', 'sdds_gross', 'collected', 'billed_net', 'disbursed', 'undisbursed', 'invoices_not_fully_disbursed', 'cas_gross', 'gross_difference'],
    run: (db, a) => getReconciliation(db, a.period, a.timeZone, a.by === 'invoice'),
  },
  {
    name: 'cancellations',
    summary: 'agreements cancelled, terminated, or expired without renewal in the period',
    dimensions: [],
    datasets: { sdds: 'sdds_agreement', cas: 'cas_daily_business_canceled_product_subscribers' },
    columns: () => AGREEMENT,
    totalColumns: ['count'],
    run: (db, a) => getCancellations(db, a.period),
  },
  {
    name: 'trials',
    summary: 'free trials started, converted to paid and expired in the period, running at its end, and the conversion rate (converted / (converted + expired))',
    dimensions: TRIAL_DIMENSIONS,
    datasets: { sdds: 'sdds_agreement', cas: 'cas_daily_business_free_trial_conversions' },
    totalColumns: ['started', 'converted', 'expired', 'active_at_end', 'conversion_rate'],
    columns: (by) =>
      by === 'product'
        ? ['key', 'name', 'started', 'converted', 'expired', 'active_at_end', 'conversion_rate']
        : ['agreement_id', 'company', 'aws_account_id', 'product', 'offer', 'started', 'ends', 'outcome', 'outcome_at', 'conversion', 'paid_agreement_id'],
    run: (db, a) => getTrials(db, { period: a.period, now: a.now, ...(a.by ? { by: a.by as TrialDimension } : {}) }),
  },
  {
    name: 'mrr',
    summary: 'monthly recurring revenue at the end of the period (contracts over their term, usage-only agreements by their last three months) and the MRR bridge: new, expansion, contraction, churned, reactivation (per currency)',
    dimensions: MRR_DIMENSIONS,
    datasets: { sdds: 'sdds_agreement', cas: 'sdds_agreement' },
    totalColumns: MRR_COLUMNS,
    columns: (by) => (by ? [...BREAKDOWN, ...MRR_COLUMNS.slice(1)] : TOTALS_ONLY),
    run: (db, a) => getMrr(db, a.period, a.now, a.by as RecurringDimension | undefined),
  },
  {
    name: 'arr',
    summary: 'annual recurring revenue: MRR at the end of the period times twelve, with the same bridge',
    dimensions: MRR_DIMENSIONS,
    datasets: { sdds: 'sdds_agreement', cas: 'sdds_agreement' },
    totalColumns: MRR_COLUMNS,
    columns: (by) => (by ? [...BREAKDOWN, ...MRR_COLUMNS.slice(1)] : TOTALS_ONLY),
    run: async (db, a) => ({ ...(await getMrr(db, a.period, a.now, a.by as RecurringDimension | undefined)), metric: 'arr' }),
  },
  {
    name: 'retention',
    summary: 'gross and net revenue retention and logo churn over the period among customers with MRR at its start; --by cohort: customers by first month and the share still active each month after',
    dimensions: RETENTION_DIMENSIONS,
    datasets: { sdds: 'sdds_agreement', cas: 'sdds_agreement' },
    totalColumns: RETENTION_COLUMNS,
    columns: (by) => (by === 'cohort' ? ['cohort', 'customers', ...Array.from({ length: COHORT_MONTHS }, (_, i) => `month_${i + 1}`)] : by ? [...BREAKDOWN, ...RETENTION_COLUMNS.slice(1)] : TOTALS_ONLY),
    run: (db, a) => getRetention(db, a.period, a.now, a.timeZone, a.by as RetentionDimension | undefined),
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
  const started = performance.now();
  await refreshRollups(db);
  const result = await def.run(db, { period, by, timeZone: options.timeZone, now: options.now, ...(options.days === undefined ? {} : { days: options.days }) });
  const dataset = result.source === 'cas' ? def.datasets.cas : def.datasets.sdds;
  const through = await completeThrough(db, dataset, options.now);
  telemetry.metricQuery(metric, (performance.now() - started) / 1000);
  return {
    metric: result.metric,
    ...(by ? { by } : {}),
    period: { start: period.start, end: period.end, label: period.label },
    totals: result.totals as Totals,
    rows: result.rows as MetricAnswer['rows'],
    source: result.source,
    complete_through: through,
  };
}

/**
 * The answer as RFC 4180 CSV, columns as in the JSON: its rows, with their header even when there
 * are none; an answer that has no rows by nature (revenue without a breakdown) gives its totals.
 * Text a spreadsheet would run as a formula is neutralised (src/present/spreadsheet-safe.ts).
 */
export function answerToCsv(a: MetricAnswer): string {
  const def = METRICS.find((m) => m.name === a.metric);
  const columns = def?.columns(a.by) ?? [];
  const totalsOnly = a.rows.length === 0 && columns.length === 0;
  const records = totalsOnly ? (Array.isArray(a.totals) ? a.totals : [a.totals]) : a.rows;
  const header = totalsOnly || records.length > 0 ? Object.keys(records[0] ?? {}) : [...columns];
  if (totalsOnly && header.length === 0) header.push(...(def?.totalColumns ?? []));
  const q = (v: Cell | undefined) => {
    const s = safeCell(v === null || v === undefined ? '' : String(v));
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header.join(','), ...records.map((r) => header.map((h) => q(r[h])).join(','))].join('\n') + '\n';
}
