/**
 * The daily and monthly digests as view models, from the same metric functions every other surface
 * uses. Daily: yesterday's new subscribers and cancellations, usage revenue yesterday and month to
 * date against the same point last month, past-due aging with the customers owing most. Monthly:
 * last month's billed revenue by product (month over month, year over year), the revenue trend,
 * collections and disbursements, new against churned customers, top customers, renewals due in
 * 90 days, past-due aging and reconciliation flags.
 */
import type { Database } from '../db/client.ts';
import { addDays, addMonths } from '../datasets/catalog.ts';
import type { Freshness } from '../deliveries/freshness.ts';
import { answerFor, answerToCsv, type MetricAnswer } from '../metrics/query.ts';
import { comparablePeriods, parsePeriod, type Period, type PeriodOptions } from '../periods.ts';
import { chartUrl, change, formatCount, formatMoney, metricTitle } from '../slack/render.ts';
import type { EmailModel, EmailSection } from './render.ts';

export type DigestKind = 'daily' | 'monthly';

/** Which datasets a digest's numbers come from: late ones are named in it. */
export const DIGEST_DATASETS: Record<DigestKind, string[]> = {
  daily: ['sdds_agreement', 'sdds_daily_usage', 'sdds_billing_event'],
  monthly: ['sdds_billing_event', 'sdds_agreement', 'sdds_daily_usage'],
};

export interface DigestOptions extends PeriodOptions {
  quickChartUrl: string;
  /** Datasets late for this digest's period (from delivery tracking). */
  late: Freshness[];
}

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const totals = (a: MetricAnswer): Row[] => (Array.isArray(a.totals) ? (a.totals as Row[]) : [a.totals as Row]);
const moneyLines = (a: MetricAnswer, field: string, label: string, prev?: MetricAnswer, prevLabel?: string) =>
  totals(a).length === 0
    ? [`${label}: none`]
    : totals(a).map((t) => {
        const p = prev ? totals(prev).find((x) => x.currency === t.currency) : undefined;
        const delta = prev ? change(Number(t[field]), p ? Number(p[field]) : 0, prevLabel ?? prev.period.label) : '';
        return `${label}: ${formatMoney(str(t[field]), str(t.currency))}${delta ? ` (${delta})` : ''}`;
      });
const csvOf = (a: MetricAnswer, name: string) => ({ filename: `${name}.csv`, content: answerToCsv(a) });

/** The period a digest covers: the day before `day` for daily, the month before for monthly. */
export function digestPeriod(kind: DigestKind, sendDate: string, timeZone: string): Period {
  const options = { now: new Date(`${sendDate}T12:00:00Z`), timeZone, fiscalYearStartMonth: 1 };
  if (kind === 'daily') {
    const day = addDays(sendDate, -1);
    return parsePeriod(`${day}..${day}`, options);
  }
  const month = addMonths(`${sendDate.slice(0, 7)}-01`, -1);
  return parsePeriod(month.slice(0, 7), options);
}

function pastDueSection(a: MetricAnswer, quickChartUrl: string): EmailSection {
  const lines = totals(a).map((t) => {
    const b = t.buckets as Record<string, string>;
    return `Aging (${str(t.currency)}): ${Object.entries(b).map(([k, v]) => `${k} days ${formatMoney(v, str(t.currency))}`).join(', ')}`;
  });
  const chart = a.source === 'none' ? null : chartUrl(a, quickChartUrl);
  return {
    title: 'Past-due funds',
    figures: totals(a).length ? totals(a).map((t) => `${formatMoney(str(t.total), str(t.currency))} past due`) : ['Nothing past due'],
    lines,
    table: { header: ['Customer', 'Owed', 'Invoices', 'Days late'], rows: a.rows.slice(0, 5).map((r) => [str(r.company ?? r.aws_account_id ?? r.customer), formatMoney(str(r.owed), str(r.currency)), str(r.invoices), str(r.days_past_due)]), numeric: [1, 2, 3] },
    ...(chart ? { chart: { url: chart, alt: `Past-due aging: ${lines.join('; ')}` } } : {}),
    csv: csvOf(a, 'past-due'),
  };
}

function agreementsSection(title: string, a: MetricAnswer, name: string): EmailSection {
  const n = Number((a.totals as Row).count ?? 0);
  return {
    title,
    figures: [`${formatCount(n)}`],
    table: { header: ['Company', 'Product', name === 'subscribers' ? 'Contract' : 'Status'], rows: a.rows.slice(0, 10).map((r) => [str(r.company ?? r.aws_account_id), str(r.product), name === 'subscribers' ? formatMoney(str(r.contract_value), str(r.currency)) : str(r.status)]), numeric: name === 'subscribers' ? [2] : [] },
    ...(a.rows.length > 10 ? { lines: [`…and ${a.rows.length - 10} more (attached)`] } : {}),
    csv: csvOf(a, name),
  };
}

function lateWarnings(late: Freshness[]): string[] {
  return late.map((f) => `${f.title} is ${f.status} (${f.summary}); the figures below may be low until it arrives.`);
}

function freshnessLine(a: MetricAnswer): string {
  return a.complete_through ? `Data complete through ${a.complete_through}.` : 'No data delivered yet.';
}

export async function buildDailyDigest(db: Database, period: Period, o: DigestOptions): Promise<EmailModel> {
  const subscribers = await answerFor(db, 'subscribers', period, undefined, o);
  const cancellations = await answerFor(db, 'cancellations', period, undefined, o);
  const usageDay = await answerFor(db, 'usage', period, undefined, o);
  // month to date through the digest's day, against the same point last month
  const monthStart = `${period.startDate.slice(0, 7)}-01`;
  const mtd = parsePeriod(`${monthStart}..${period.startDate}`, o);
  const { previous } = comparablePeriods(parsePeriod(monthStart.slice(0, 7), o), new Date(Date.parse(period.end) - 1), o.timeZone);
  const usageMtd = await answerFor(db, 'usage', mtd, undefined, o);
  const usagePrev = await answerFor(db, 'usage', previous, undefined, o);
  const pastDue = await answerFor(db, 'past-due', period, undefined, o);
  const label = period.label.replace(/^.*\(|\)$/g, '');
  return {
    subject: `marketplace-pulse daily: ${label} (${formatCount((subscribers.totals as Row).count as number)} new, ${formatCount((cancellations.totals as Row).count as number)} cancelled)`,
    title: 'Daily digest',
    subtitle: period.label,
    preheader: `${formatCount((subscribers.totals as Row).count as number)} new subscribers, ${formatCount((cancellations.totals as Row).count as number)} cancellations; ${moneyLines(usageMtd, 'estimated_revenue', 'usage month to date').join(', ')}`,
    warnings: lateWarnings(o.late),
    sections: [
      agreementsSection('New subscribers', subscribers, 'subscribers'),
      agreementsSection('Cancellations', cancellations, 'cancellations'),
      {
        title: 'Usage revenue (estimated)',
        figures: [...moneyLines(usageDay, 'estimated_revenue', 'Yesterday'), ...moneyLines(usageMtd, 'estimated_revenue', 'Month to date', usagePrev, `the same point last month (${previous.label.replace(/^.*\(|\)$/g, '')})`)],
        csv: csvOf(usageMtd, 'usage-month-to-date'),
      },
      pastDueSection(pastDue, o.quickChartUrl),
    ],
    freshness: freshnessLine(subscribers),
  };
}

export async function buildMonthlyDigest(db: Database, period: Period, o: DigestOptions): Promise<EmailModel> {
  const prevMonth = parsePeriod(addMonths(period.startDate, -1).slice(0, 7), o);
  const lastYear = parsePeriod(addMonths(period.startDate, -12).slice(0, 7), o);
  const revenue = await answerFor(db, 'revenue', period, 'product', o);
  const revenuePrev = await answerFor(db, 'revenue', prevMonth, undefined, o);
  const revenueYear = await answerFor(db, 'revenue', lastYear, undefined, o);
  const trend = await answerFor(db, 'revenue', parsePeriod(`${addMonths(period.startDate, -11)}..${addDays(period.endDate, -1)}`, o), 'month', o);
  const collections = await answerFor(db, 'collections', period, undefined, o);
  const disbursements = await answerFor(db, 'disbursements', period, undefined, o);
  const subscribers = await answerFor(db, 'subscribers', period, undefined, o);
  const cancellations = await answerFor(db, 'cancellations', period, undefined, o);
  const customers = await answerFor(db, 'revenue', period, 'customer', o);
  const renewals = await answerFor(db, 'active', parsePeriod('today', o), undefined, { ...o, days: 90 });
  const pastDue = await answerFor(db, 'past-due', period, undefined, o);
  const reconcile = await answerFor(db, 'reconcile', period, undefined, o);
  const gained = Number((subscribers.totals as Row).count ?? 0);
  const lost = Number((cancellations.totals as Row).count ?? 0);
  const trendChart = trend.rows.length >= 2 ? chartUrl({ ...trend, metric: 'revenue' }, o.quickChartUrl) : null;
  const expiring = renewals.rows.filter((r) => r.days_to_end !== null && Number(r.days_to_end) <= 90);
  const flags = reconcile.rows.filter((r) => (r.gross_difference !== null && Number(r.gross_difference) !== 0) || Number(r.invoices_not_fully_disbursed ?? 0) > 0);
  return {
    subject: `marketplace-pulse monthly: ${period.label}`,
    title: 'Monthly digest',
    subtitle: period.label,
    preheader: `${moneyLines(revenue, 'gross_revenue', 'Gross revenue').join(', ')}; ${gained} new, ${lost} churned`,
    warnings: lateWarnings(o.late),
    sections: [
      {
        title: `${metricTitle('revenue')}`,
        figures: [
          ...moneyLines(revenue, 'gross_revenue', 'Gross revenue', revenuePrev, prevMonth.label),
          ...totals(revenue).map((t) => {
            const before = totals(revenueYear).find((x) => x.currency === t.currency);
            return `Year over year (${str(t.currency)}): ${change(Number(t.gross_revenue), before ? Number(before.gross_revenue) : 0, lastYear.label)}${before ? `, from ${formatMoney(str(before.gross_revenue), str(t.currency))}` : ''}`;
          }),
        ],
        lines: totals(revenue).map((t) => `Listing fees ${formatMoney(str(t.listing_fees), str(t.currency))} · refunds ${formatMoney(str(t.refunds), str(t.currency))} · net ${formatMoney(str(t.net_revenue), str(t.currency))}`),
        table: { header: ['Product', 'Gross', 'Fees', 'Refunds', 'Net'], rows: revenue.rows.map((r) => [str(r.name), formatMoney(str(r.gross_revenue), str(r.currency)), formatMoney(str(r.listing_fees), str(r.currency)), formatMoney(str(r.refunds), str(r.currency)), formatMoney(str(r.net_revenue), str(r.currency))]), numeric: [1, 2, 3, 4] },
        csv: csvOf(revenue, 'revenue-by-product'),
      },
      {
        title: 'Revenue, last 12 months',
        lines: trend.rows.map((r) => `${str(r.name)}: ${formatMoney(str(r.gross_revenue), str(r.currency))}`),
        ...(trendChart ? { chart: { url: trendChart, alt: 'Gross revenue by month' } } : {}),
        csv: csvOf(trend, 'revenue-by-month'),
      },
      { title: 'Collections and disbursements', figures: [...moneyLines(collections, 'collected', 'Collected'), ...moneyLines(disbursements, 'disbursed', 'Disbursed')], csv: csvOf(disbursements, 'disbursements') },
      { title: 'Customers', figures: [`${gained} new, ${lost} churned, net ${gained - lost >= 0 ? '+' : ''}${gained - lost}`], csv: { filename: 'new-subscribers.csv', content: answerToCsv(subscribers) } },
      {
        title: 'Top customers',
        table: { header: ['Customer', 'Gross', 'Net'], rows: customers.rows.slice(0, 5).map((r) => [str(r.name), formatMoney(str(r.gross_revenue), str(r.currency)), formatMoney(str(r.net_revenue), str(r.currency))]), numeric: [1, 2] },
        csv: csvOf(customers, 'revenue-by-customer'),
      },
      {
        title: 'Renewals due in the next 90 days',
        figures: [`${expiring.length}`],
        table: { header: ['Company', 'Product', 'Ends'], rows: expiring.slice(0, 10).map((r) => [str(r.company ?? r.aws_account_id), str(r.product), str(r.end_time).slice(0, 10)]) },
        csv: csvOf(renewals, 'active-agreements'),
      },
      pastDueSection(pastDue, o.quickChartUrl),
      {
        title: 'Reconciliation',
        lines: flags.length === 0 ? ['Billed, collected and disbursed add up; no differences with the legacy reports.'] : flags.map((r) => `${str(r.month)} ${str(r.currency)}: ${Number(r.invoices_not_fully_disbursed ?? 0)} invoices not fully disbursed${r.gross_difference !== null && Number(r.gross_difference) !== 0 ? `; legacy report differs by ${formatMoney(str(r.gross_difference), str(r.currency))}` : ''}`),
        csv: csvOf(reconcile, 'reconcile'),
      },
    ],
    freshness: freshnessLine(revenue),
  };
}
