/**
 * How each metric is shown, wherever it is shown: its title, its headline figures (with the
 * direction that is good news), the columns of its rows with human headers, the one column kept
 * on a phone, what is charted, and the breakdown a plain question is answered with.
 */
import type { MetricAnswer } from '../metrics/query.ts';
import { formatCount, formatMoney, formatPercent, type Better } from './format.ts';

export type Row = Record<string, unknown>;
export const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
export const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface Column {
  header: string;
  value: (r: Row) => string;
  /** Right-aligned, never wrapped. */
  numeric?: boolean;
}

export interface MetricView {
  title: string;
  /**
   * Headline figures per currency: [label, totals field, which way is good news, and 'optional'
   * (shown only when not zero) or 'percent' (a fraction, shown as a percentage)].
   */
  money?: Array<[string, string, Better, ('optional' | 'percent')?]>;
  /** A line under a currency's headline figures, from its totals (next-payout: the date and the schedule). */
  moneyDetail?: (totals: Row) => string;
  /** Headline count: the totals field, its label, which way is good news. */
  count?: [string, string, Better];
  /** Words after the headline count: the other totals that explain it (trials: conversions, rate). */
  countDetail?: (totals: Row) => string;
  columns: Column[];
  /** Other columns for a breakdown whose rows are of another kind (retention by cohort). */
  columnsBy?: Record<string, Column[]>;
  /** The column kept when a table must be narrow (a phone): its index in `columns`. */
  keyColumn: number;
  /** The row amount charted. */
  chart?: (r: Row) => number;
  /** The row amount that orders currencies (largest first) where nothing is charted. */
  rank?: (r: Row) => number;
  /** The breakdown a question without one is answered with, for its top rows. */
  defaultBy?: string;
  /** Which way is good news for this metric's main figure. */
  better: Better;
}

const money = (field: string) => (r: Row) => formatMoney(str(r[field]), str(r.currency));
export const nameOf = (r: Row) => str(r.name ?? r.company ?? r.key ?? r.customer) || '(unknown)';
const company = (r: Row) => str(r.company ?? r.aws_account_id) || '(unknown)';

export const VIEWS: Record<string, MetricView> = {
  revenue: {
    title: 'Billed revenue',
    money: [['Gross revenue', 'gross_revenue', 'up'], ['Net revenue', 'net_revenue', 'up'], ['Refunds', 'refunds', 'down'], ['Listing fees', 'listing_fees', 'down'], ['Cost of goods (resale)', 'wholesale_cost', 'down', 'optional']],
    columns: [{ header: '', value: nameOf }, { header: 'Gross', value: money('gross_revenue'), numeric: true }, { header: 'Net', value: money('net_revenue'), numeric: true }],
    keyColumn: 1,
    chart: (r) => Number(r.gross_revenue),
    defaultBy: 'product',
    better: 'up',
  },
  usage: {
    title: 'Metered usage',
    money: [['Estimated revenue', 'estimated_revenue', 'up']],
    columns: [
      { header: '', value: (r) => `${nameOf(r)}${r.detail && r.name === r.key ? ` (${str(r.detail)})` : ''}` },
      { header: 'Quantity', value: (r) => formatCount(str(r.quantity)), numeric: true },
      { header: 'Est. revenue', value: money('estimated_revenue'), numeric: true },
    ],
    keyColumn: 2,
    chart: (r) => Number(r.estimated_revenue),
    defaultBy: 'product',
    better: 'up',
  },
  collections: {
    title: 'Collections',
    money: [['Collected', 'collected', 'up']],
    columns: [{ header: '', value: nameOf }, { header: 'Collected', value: money('collected'), numeric: true }],
    keyColumn: 1,
    chart: (r) => Number(r.collected),
    defaultBy: 'product',
    better: 'up',
  },
  disbursements: {
    title: 'Disbursements',
    money: [['Disbursed', 'disbursed', 'up']],
    columns: [{ header: '', value: (r) => (r.status ? `${str(r.name)} ${str(r.status)}` : nameOf(r)) }, { header: 'Disbursed', value: money('disbursed'), numeric: true }],
    keyColumn: 1,
    chart: (r) => Number(r.disbursed),
    defaultBy: 'product',
    better: 'up',
  },
  'past-due': {
    title: 'Past-due funds',
    money: [['Past due', 'total', 'down']],
    columns: [
      { header: 'Customer', value: (r) => str(r.company ?? r.aws_account_id ?? r.customer) },
      { header: 'Owed', value: money('owed'), numeric: true },
      { header: 'Invoices', value: (r) => str(r.invoices), numeric: true },
      { header: 'Days late', value: (r) => str(r.days_past_due), numeric: true },
    ],
    keyColumn: 1,
    rank: (r) => Number(r.owed),
    better: 'down',
  },
  'next-payout': {
    title: 'Next disbursement',
    money: [['Collected, to be paid out', 'collected', 'up'], ['Could join if paid when due', 'could_join', 'up', 'optional']],
    moneyDetail: (t) =>
      t.next_disbursement_date ? `Expected on ${str(t.next_disbursement_date)}; schedule ${str(t.schedule_basis)}` : `Date unknown: ${str(t.schedule_basis)}`,
    columns: [
      { header: 'Date', value: (r) => str(r.disbursement_date) || 'unknown' },
      { header: 'Collected', value: money('collected'), numeric: true },
      { header: 'Could join', value: money('could_join'), numeric: true },
    ],
    keyColumn: 1,
    better: 'up',
  },
  tax: {
    title: 'Tax',
    money: [
      ['Tax billed', 'tax', 'up'],
      ['AWS remits', 'aws_remits', 'up', 'optional'],
      ['You remit', 'seller_remits', 'up', 'optional'],
      ['Refunded', 'refunds', 'down', 'optional'],
      ['Not collected', 'not_collected', 'up', 'optional'],
      ['Tax feed less billing feed, AWS tax', 'aws_difference', 'down', 'optional'],
      ['Tax feed less billing feed, your tax', 'seller_difference', 'down', 'optional'],
    ],
    columns: [{ header: '', value: nameOf }, { header: 'Tax', value: money('tax'), numeric: true }, { header: 'You remit', value: money('seller_remits'), numeric: true }],
    columnsBy: {
      jurisdiction: [
        { header: 'Jurisdiction', value: (r) => [nameOf(r), [r.country, r.state].filter(Boolean).map(str).join('-')].filter(Boolean).join(', ') },
        { header: 'Tax', value: money('tax'), numeric: true },
        { header: 'You remit', value: money('seller_remits'), numeric: true },
        { header: 'Type', value: (r) => str(r.tax_type) },
      ],
      invoice: [
        { header: 'Invoice', value: (r) => str(r.key) },
        { header: 'AWS tax diff', value: money('aws_difference'), numeric: true },
        { header: 'Your tax diff', value: money('seller_difference'), numeric: true },
        { header: 'Invoiced', value: (r) => str(r.invoice_date) },
      ],
    },
    keyColumn: 1,
    chart: (r) => Number(r.tax),
    defaultBy: 'jurisdiction',
    better: 'up',
  },
  mrr: {
    title: 'Monthly recurring revenue',
    // read on a phone: the bridge's parts are in the rows, the CSV and `query mrr`
    money: [['MRR', 'total_mrr', 'up'], ['ARR', 'arr', 'up'], ['Net new MRR', 'net_new', 'up'], ['Churned MRR', 'churned', 'down', 'optional']],
    columns: [{ header: '', value: nameOf }, { header: 'MRR', value: money('total_mrr'), numeric: true }, { header: 'Net new', value: money('net_new'), numeric: true }],
    keyColumn: 1,
    chart: (r) => Number(r.total_mrr),
    defaultBy: 'product',
    better: 'up',
  },
  arr: {
    title: 'Annual recurring revenue',
    money: [['ARR', 'arr', 'up'], ['MRR', 'total_mrr', 'up'], ['Net new MRR', 'net_new', 'up'], ['Churned MRR', 'churned', 'down', 'optional']],
    columns: [{ header: '', value: nameOf }, { header: 'ARR', value: money('arr'), numeric: true }, { header: 'Net new MRR', value: money('net_new'), numeric: true }],
    keyColumn: 1,
    chart: (r) => Number(r.arr),
    defaultBy: 'product',
    better: 'up',
  },
  retention: {
    title: 'Retention',
    money: [['Net revenue retention', 'net_revenue_retention', 'up', 'percent'], ['Gross revenue retention', 'gross_revenue_retention', 'up', 'percent'], ['Logo churn', 'logo_churn_rate', 'down', 'percent']],
    columns: [
      { header: '', value: nameOf },
      { header: 'NRR', value: (r) => formatPercent(str(r.net_revenue_retention)), numeric: true },
      { header: 'GRR', value: (r) => formatPercent(str(r.gross_revenue_retention)), numeric: true },
    ],
    columnsBy: {
      cohort: [
        { header: 'Cohort', value: (r) => str(r.cohort) },
        { header: 'Customers', value: (r) => formatCount(str(r.customers)), numeric: true },
        { header: 'Month 1', value: (r) => formatPercent(str(r.month_1)), numeric: true },
        { header: 'Month 3', value: (r) => formatPercent(str(r.month_3)), numeric: true },
        { header: 'Month 12', value: (r) => formatPercent(str(r.month_12)), numeric: true },
      ],
    },
    keyColumn: 1,
    rank: (r) => Number(r.start_mrr),
    better: 'up',
  },
  subscribers: {
    title: 'New subscribers',
    count: ['New subscribers', 'count', 'up'],
    columns: [{ header: 'Company', value: company }, { header: 'Product', value: (r) => str(r.product) }, { header: 'Contract', value: (r) => formatMoney(str(r.contract_value), str(r.currency)), numeric: true }],
    keyColumn: 1,
    better: 'up',
  },
  cancellations: {
    title: 'Cancellations',
    count: ['Cancelled', 'count', 'down'],
    columns: [{ header: 'Company', value: company }, { header: 'Product', value: (r) => str(r.product) }, { header: 'Status', value: (r) => str(r.status) }],
    keyColumn: 1,
    better: 'down',
  },
  trials: {
    title: 'Free trials',
    count: ['Trials started', 'started', 'up'],
    countDetail: (t) =>
      ` (converted ${formatCount(str(t.converted))}, expired ${formatCount(str(t.expired))}, conversion rate ${formatPercent(str(t.conversion_rate))}; ${formatCount(str(t.active_at_end))} running at the end)`,
    columns: [
      { header: 'Company', value: company },
      { header: 'Product', value: (r) => str(r.product) },
      { header: 'Outcome', value: (r) => str(r.outcome) },
      { header: 'Ends', value: (r) => str(r.ends).slice(0, 10), numeric: true },
    ],
    columnsBy: {
      product: [
        { header: 'Product', value: nameOf },
        { header: 'Started', value: (r) => formatCount(str(r.started)), numeric: true },
        { header: 'Converted', value: (r) => formatCount(str(r.converted)), numeric: true },
        { header: 'Expired', value: (r) => formatCount(str(r.expired)), numeric: true },
        { header: 'Rate', value: (r) => formatPercent(str(r.conversion_rate)), numeric: true },
      ],
    },
    keyColumn: 2,
    better: 'up',
  },
  active: {
    title: 'Active subscriptions',
    count: ['Active', 'count', 'up'],
    columns: [
      { header: 'Company', value: company },
      { header: 'Product', value: (r) => str(r.product) },
      { header: 'Pricing', value: (r) => str(r.pricing) },
      { header: 'Ends', value: (r) => str(r.end_time).slice(0, 10), numeric: true },
    ],
    keyColumn: 3,
    better: 'up',
  },
  reconcile: {
    title: 'Reconciliation',
    columns: [
      { header: 'Month', value: (r) => str(r.month ?? r.invoice_id) },
      { header: 'Billed', value: (r) => formatMoney(str(r.sdds_gross ?? r.billed_gross), str(r.currency)), numeric: true },
      { header: 'Collected', value: money('collected'), numeric: true },
      { header: 'Disbursed', value: money('disbursed'), numeric: true },
      { header: 'CAS diff', value: (r) => (r.gross_difference === undefined || r.gross_difference === null ? '' : formatMoney(str(r.gross_difference), str(r.currency))), numeric: true },
    ],
    keyColumn: 3,
    better: 'up',
  },
};

/** A headline figure as people read it: money in its currency, or a fraction as a percentage. */
export function formatFigure(value: unknown, currency: string, kind?: 'optional' | 'percent'): string {
  return kind === 'percent' ? formatPercent(str(value)) : formatMoney(str(value), currency);
}

/** The columns of a metric's rows for this breakdown. */
export function columnsOf(view: MetricView, by: string | undefined): Column[] {
  return (by && view.columnsBy?.[by]) || view.columns;
}

export function viewOf(metric: string): MetricView {
  return VIEWS[metric] ?? { title: metric, columns: [{ header: '', value: nameOf }], keyColumn: 0, better: 'up' };
}

export function metricTitle(metric: string): string {
  return viewOf(metric).title;
}

export function totalsList(a: MetricAnswer): Row[] {
  return Array.isArray(a.totals) ? (a.totals as Row[]) : [a.totals as Row];
}

/** Whether the answer's rows name customers (and so must not leave for a public chart server). */
export function rowsNameCustomers(metric: string, by: string | undefined): boolean {
  return by === 'customer' || ['past-due', 'subscribers', 'cancellations', 'active'].includes(metric) || (metric === 'reconcile' && by === 'invoice') || (metric === 'trials' && by === undefined);
}
