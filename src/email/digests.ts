/**
 * The daily and monthly digests as view models, from the same metric functions every other surface
 * uses: the story first (a headline of the numbers that matter, coloured by meaning, in the
 * seller's main currency), the detail after. Daily: yesterday's new subscribers and cancellations,
 * usage revenue month to date, past-due funds. Monthly: net and gross revenue, new and churned
 * customers, past due, disbursed; then revenue by product, the 12-month trend, collections and
 * disbursements, top customers, renewals, past-due aging and what does not add up.
 */
import type { Database } from '../db/client.ts';
import { addDays, addMonths } from '../datasets/catalog.ts';
import type { Freshness } from '../deliveries/freshness.ts';
import { answerFor, answerToCsv, type MetricAnswer } from '../metrics/query.ts';
import { getOverduePayouts, PAYOUT_WINDOW_DAYS } from '../metrics/reconcile.ts';
import { localDate, comparablePeriods, parsePeriod, type Period, type PeriodOptions } from '../periods.ts';
import { barChartUrl, metricCharts } from '../present/charts.ts';
import { compactMoney, currenciesBySize, describeChange, describePointChange, formatCount, formatDay, formatMoney, formatPercent, type Better } from '../present/format.ts';
import { columnsOf, str, totalsList, viewOf, type Row } from '../present/views.ts';
import type { EmailModel, EmailSection, EmailTable, HeadlineTile } from './render.ts';

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

/** Rows listed in a digest table; the rest are in the CSV. */
const TABLE_ROWS = 10;

const csvOf = (a: MetricAnswer, name: string) => ({ filename: `${name}.csv`, content: answerToCsv(a) });
const shortLabel = (p: { label: string }) => p.label.replace(/^.*\(|\)$/g, '');

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

/** The currency the seller earns most in (over the 12 months to the period's end); its figures lead. */
async function mainCurrency(db: Database, period: Period, o: DigestOptions): Promise<string | null> {
  const year = parsePeriod(`${addMonths(period.endDate, -12)}..${addDays(period.endDate, -1)}`, o);
  const revenue = await answerFor(db, 'revenue', year, undefined, o);
  return currenciesBySize(totalsList(revenue), (t) => Number(t.gross_revenue))[0] ?? null;
}

/** Currencies of `totals` with the main one first, then by the size of `field` (or of `amount`). */
function ordered(totals: Row[], field: string | ((r: Row) => number), main: string | null): string[] {
  const bySize = currenciesBySize(totals, typeof field === 'string' ? (t) => Number(t[field]) : field);
  return main && bySize.includes(main) ? [main, ...bySize.filter((c) => c !== main)] : bySize;
}

/** A money tile: the main currency's figure and change, the others beneath. */
function moneyTile(label: string, a: MetricAnswer, field: string, main: string | null, better: Better, previous?: MetricAnswer, previousLabel?: string): HeadlineTile {
  const totals = totalsList(a);
  const currencies = ordered(totals, field, main);
  const lead = currencies[0] ?? main;
  if (!lead) return { label, value: formatMoney(0, main ?? 'USD') };
  const t = totals.find((x) => str(x.currency) === lead);
  const amount = t ? Number(t[field]) : 0;
  const before = previous ? totalsList(previous).find((x) => str(x.currency) === lead) : undefined;
  const changeOf = previous ? describeChange(amount, before ? Number(before[field]) : 0, previousLabel ?? shortLabel(previous.period), better) : null;
  const others = currencies.slice(1).map((c) => formatMoney(str(totals.find((x) => str(x.currency) === c)![field]), c));
  return { label, value: formatMoney(amount, lead), ...(changeOf ? { change: changeOf } : {}), ...(others.length ? { others } : {}) };
}

/** A rate tile (retention): the main currency's percentage and its change in points. */
function percentTile(label: string, a: MetricAnswer, field: string, main: string | null, better: Better, previous: MetricAnswer, previousLabel: string): HeadlineTile {
  const totals = totalsList(a);
  const currencies = ordered(totals, 'start_mrr', main);
  const lead = currencies[0];
  const t = lead ? totals.find((x) => str(x.currency) === lead) : undefined;
  if (!t || t[field] === null || t[field] === undefined) return { label, value: '–' };
  const before = totalsList(previous).find((x) => str(x.currency) === lead);
  const changeOf = before && before[field] !== null && before[field] !== undefined ? describePointChange(Number(t[field]), Number(before[field]), previousLabel, better) : null;
  const others = currencies.slice(1).map((c) => `${formatPercent(str(totals.find((x) => str(x.currency) === c)![field]))} ${c}`);
  return { label, value: formatPercent(str(t[field])), ...(changeOf ? { change: changeOf } : {}), ...(others.length ? { others } : {}) };
}

/** The next payout in the main currency, with its expected date. */
function payoutTile(payout: MetricAnswer, main: string | null): HeadlineTile {
  const totals = totalsList(payout);
  const currencies = ordered(totals, 'collected', main);
  const lead = currencies[0] ?? main;
  const t = lead ? totals.find((x) => str(x.currency) === lead) : undefined;
  if (!t || !lead) return { label: 'Next payout', value: formatMoney(0, main ?? 'USD') };
  const when = t.next_disbursement_date ? `on ${formatDay(str(t.next_disbursement_date))}` : 'date not known yet';
  return {
    label: 'Next payout',
    value: formatMoney(str(t.collected), lead),
    change: { text: when, tone: 'neutral', direction: 'flat' },
    ...(currencies.length > 1 ? { others: currencies.slice(1).map((c) => formatMoney(str(totals.find((x) => str(x.currency) === c)!.collected), c)) } : {}),
  };
}

/** What AWS will pay out next, when, and what could still join it. */
function payoutSection(payout: MetricAnswer, main: string | null): EmailSection {
  const totals = totalsList(payout);
  return {
    title: 'Next payout',
    empty: 'Nothing collected is waiting to be paid out.',
    lines: ordered(totals, 'collected', main).flatMap((c) => {
      const t = totals.find((x) => str(x.currency) === c)!;
      if (Number(t.collected) === 0 && !Number(t.could_join)) return [];
      const when = t.next_disbursement_date ? `expected on ${formatDay(str(t.next_disbursement_date))} (${str(t.schedule)} payouts)` : 'no payout date known yet';
      const more = Number(t.could_join) > 0 ? `; up to ${formatMoney(str(t.could_join), c)} more if invoices due before then are paid` : '';
      return [`${formatMoney(str(t.collected), c)} collected, ${when}${more}`];
    }),
    csv: csvOf(payout, 'next-payout'),
  };
}

/** Free trials started, converted and expired, in a line. */
function trialsSection(trials: MetricAnswer, when: string): EmailSection {
  const t = totalsList(trials)[0] ?? {};
  const started = Number(t.started ?? 0);
  const converted = Number(t.converted ?? 0);
  const expired = Number(t.expired ?? 0);
  const rate = t.conversion_rate === null || t.conversion_rate === undefined ? '' : `; ${formatPercent(str(t.conversion_rate))} of the trials that ended converted`;
  return {
    title: 'Free trials',
    empty: `No free trial started, converted or ended ${when}.`,
    lines: started + converted + expired > 0 ? [`${formatCount(started)} started, ${formatCount(converted)} converted to paid, ${formatCount(expired)} expired ${when}${rate}`] : [],
    csv: csvOf(trials, 'trials'),
  };
}

/** The MRR bridge of the main currency as a small table: start, each movement, end. */
function bridgeSection(mrr: MetricAnswer, main: string | null, month: string): EmailSection {
  const totals = totalsList(mrr);
  const currencies = ordered(totals, 'total_mrr', main);
  const lead = currencies[0];
  const t = lead ? totals.find((x) => str(x.currency) === lead) : undefined;
  const m = (field: string, sign = '') => `${sign}${formatMoney(str(t?.[field]), lead ?? 'USD')}`;
  return {
    title: 'Recurring revenue',
    empty: `No recurring revenue in ${month}.`,
    lines: currencies.map((c) => {
      const x = totals.find((y) => str(y.currency) === c)!;
      const usage = Number(x.usage_mrr) === 0 ? '' : Number(x.usage_mrr) === Number(x.total_mrr) ? ' (all of it usage)' : ` (${formatMoney(str(x.usage_mrr), c)} of it usage)`;
      return `MRR ${formatMoney(str(x.total_mrr), c)}${usage}, ARR ${formatMoney(str(x.arr), c)}`;
    }),
    ...(t && Number(t.start_mrr) + Number(t.total_mrr) !== 0
      ? {
          table: {
            header: [`MRR bridge (${lead})`, month],
            rows: [
              ['Start of month', m('start_mrr')],
              ['New', m('new', '+')],
              ['Expansion', m('expansion', '+')],
              ['Reactivation', m('reactivation', '+')],
              ['Contraction', m('contraction', '−')],
              ['Churned', m('churned', '−')],
              ['End of month', m('total_mrr')],
            ],
            numeric: [1],
            keep: [0, 1],
          },
        }
      : {}),
    csv: csvOf(mrr, 'mrr'),
  };
}

function countTile(label: string, a: MetricAnswer, better: Better, previous: MetricAnswer, previousLabel: string): HeadlineTile {
  const n = Number((a.totals as Row).count ?? 0);
  const before = Number((previous.totals as Row).count ?? 0);
  return { label, value: formatCount(n), change: describeChange(n, before, previousLabel, better) };
}

/** A metric's rows as a digest table: human headers, the main currency's rows first, a phone keeps the name and the key column. */
export function metricTable(a: MetricAnswer, main: string | null, limit = TABLE_ROWS, by?: string): { table: EmailTable; more?: string } {
  const view = viewOf(a.metric);
  const amount = view.chart ?? view.rank ?? (() => 1);
  const currencies = a.rows.some((r) => r.currency) ? ordered(a.rows, amount, main) : [];
  const rows = currencies.length > 1 ? currencies.flatMap((c) => a.rows.filter((r) => str(r.currency) === c).sort((x, y) => amount(y) - amount(x))) : a.rows;
  const columns = columnsOf(view, by).map((c, i) => (i === 0 && c.header === '' ? { ...c, header: by ? by[0]!.toUpperCase() + by.slice(1) : '' } : c));
  const table: EmailTable = {
    header: columns.map((c) => c.header),
    rows: rows.slice(0, limit).map((r) => columns.map((c) => c.value(r))),
    numeric: columns.flatMap((c, i) => (c.numeric ? [i] : [])),
    keep: [0, view.keyColumn],
  };
  return { table, ...(rows.length > limit ? { more: `…and ${rows.length - limit} more, in the attached CSV.` } : {}) };
}

function pastDueSection(a: MetricAnswer, main: string | null, quickChartUrl: string): EmailSection {
  const totals = totalsList(a);
  const lines = ordered(totals, 'total', main)
    .filter((c) => Number(totals.find((t) => str(t.currency) === c)!.total) !== 0)
    .map((c) => {
      const t = totals.find((x) => str(x.currency) === c)!;
      const b = t.buckets as Record<string, string>;
      return `${formatMoney(str(t.total), c)} past due: ${Object.entries(b)
        .filter(([, v]) => Number(v) !== 0)
        .map(([k, v]) => `${k} days ${formatMoney(v, c)}`)
        .join(', ')}`;
    });
  const charts = metricCharts(a, undefined, quickChartUrl).map((c) => ({ url: c.url, alt: c.alt }));
  return {
    title: 'Past-due funds',
    empty: 'Nothing is past due.',
    lines,
    ...(a.rows.length ? metricTable(a, main, 5) : {}),
    charts,
    csv: csvOf(a, 'past-due'),
  };
}

function agreementsSection(title: string, a: MetricAnswer, csvName: string, empty: string, main: string | null): EmailSection {
  return { title, empty, ...(a.rows.length ? metricTable(a, main) : {}), csv: csvOf(a, csvName) };
}

/** "Billing events: nothing since 2 Nov (28 days)", or "never delivered". */
export function lateLine(f: Freshness, now: Date, timeZone: string): string {
  const today = localDate(now, timeZone);
  if (!f.completeThrough) return `${f.title}: nothing delivered yet`;
  const days = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${f.completeThrough}T00:00:00Z`)) / 86_400_000);
  return `${f.title}: nothing since ${formatDay(f.completeThrough, today.slice(0, 4))} (${days} day${days === 1 ? '' : 's'})`;
}

function lateWarnings(o: DigestOptions): string[] {
  if (o.late.length === 0) return [];
  return [...o.late.map((f) => lateLine(f, o.now, o.timeZone)), 'Figures that depend on late data may be low until it arrives.'];
}

function freshnessLine(a: MetricAnswer): string {
  return a.complete_through ? `Data complete through ${a.complete_through}.` : 'No data delivered yet.';
}

const lateSuffix = (o: DigestOptions) => (o.late.length ? ' · data late' : '');

export async function buildDailyDigest(db: Database, period: Period, o: DigestOptions): Promise<EmailModel> {
  const dayBefore = parsePeriod(`${addDays(period.startDate, -1)}..${addDays(period.startDate, -1)}`, o);
  const main = await mainCurrency(db, period, o);
  const subscribers = await answerFor(db, 'subscribers', period, undefined, o);
  const subscribersBefore = await answerFor(db, 'subscribers', dayBefore, undefined, o);
  const cancellations = await answerFor(db, 'cancellations', period, undefined, o);
  const cancellationsBefore = await answerFor(db, 'cancellations', dayBefore, undefined, o);
  const usageDay = await answerFor(db, 'usage', period, undefined, o);
  // month to date through the digest's day, against the same point last month
  const monthStart = `${period.startDate.slice(0, 7)}-01`;
  const mtd = parsePeriod(`${monthStart}..${period.startDate}`, o);
  const { previous } = comparablePeriods(parsePeriod(monthStart.slice(0, 7), o), new Date(Date.parse(period.end) - 1), o.timeZone);
  const usageMtd = await answerFor(db, 'usage', mtd, 'product', o);
  const usagePrev = await answerFor(db, 'usage', previous, undefined, o);
  const pastDue = await answerFor(db, 'past-due', period, undefined, o);
  const pastDueBefore = await answerFor(db, 'past-due', dayBefore, undefined, o);
  const trials = await answerFor(db, 'trials', period, undefined, o);
  const payout = await answerFor(db, 'next-payout', period, undefined, o);
  const day = formatDay(period.startDate);
  const gained = Number((subscribers.totals as Row).count ?? 0);
  const lost = Number((cancellations.totals as Row).count ?? 0);
  const headline = [
    countTile('New subscribers', subscribers, 'up', subscribersBefore, formatDay(dayBefore.startDate)),
    countTile('Cancellations', cancellations, 'down', cancellationsBefore, formatDay(dayBefore.startDate)),
    moneyTile('Usage, month to date', usageMtd, 'estimated_revenue', main, 'up', usagePrev, `the same point last month`),
    moneyTile('Past due', pastDue, 'total', main, 'down', pastDueBefore, formatDay(dayBefore.startDate)),
    payoutTile(payout, main),
  ];
  const usageLines = ordered(totalsList(usageMtd), 'estimated_revenue', main).map((c) => {
    const dayTotal = totalsList(usageDay).find((t) => str(t.currency) === c);
    const mtdTotal = totalsList(usageMtd).find((t) => str(t.currency) === c)!;
    return `${formatMoney(str(dayTotal?.estimated_revenue ?? 0), c)} on ${day}; ${formatMoney(str(mtdTotal.estimated_revenue), c)} month to date`;
  });
  return {
    subject: `AWS Marketplace daily · ${formatDay(period.startDate, '')}: ${formatCount(gained)} new, ${formatCount(lost)} cancelled, ${headline[3]!.value} past due${lateSuffix(o)}`,
    title: 'Daily digest',
    subtitle: period.label,
    preheader: `${formatCount(gained)} new subscribers, ${formatCount(lost)} cancellations; usage ${headline[2]!.value} month to date; ${headline[3]!.value} past due; next payout ${headline[4]!.value}`,
    headline,
    warnings: lateWarnings(o),
    sections: [
      agreementsSection('New subscribers', subscribers, 'new-subscribers', `No new subscribers on ${day}.`, main),
      agreementsSection('Cancellations', cancellations, 'cancellations', `No cancellations on ${day}.`, main),
      {
        title: 'Usage revenue (estimated)',
        empty: `No metered usage this month through ${day}.`,
        lines: usageLines,
        ...(usageMtd.rows.length ? metricTable(usageMtd, main, 5, 'product') : {}),
        csv: csvOf(usageMtd, 'usage-month-to-date'),
      },
      trialsSection(trials, `on ${day}`),
      payoutSection(payout, main),
      pastDueSection(pastDue, main, o.quickChartUrl),
    ],
    freshness: freshnessLine(subscribers),
  };
}

/** The 12-month trend per currency: one compact line each, "Nov 25 $41.6K · Dec 25 $44.3K · …". */
function trendLines(trend: MetricAnswer, currencies: string[]): string[] {
  return currencies.map((c) => {
    const months = trend.rows.filter((r) => str(r.currency) === c);
    return `${c}: ${months.map((r) => `${monthShort(str(r.key ?? r.name))} ${compactMoney(str(r.gross_revenue), c)}`).join(' · ')}`;
  });
}

function monthShort(month: string): string {
  const m = /^(\d{4})-(\d{2})/.exec(month);
  if (!m) return month;
  return `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m[2]) - 1]} ${m[1]!.slice(2)}`;
}

export async function buildMonthlyDigest(db: Database, period: Period, o: DigestOptions): Promise<EmailModel> {
  const prevMonth = parsePeriod(addMonths(period.startDate, -1).slice(0, 7), o);
  const lastYear = parsePeriod(addMonths(period.startDate, -12).slice(0, 7), o);
  const main = await mainCurrency(db, period, o);
  const revenue = await answerFor(db, 'revenue', period, 'product', o);
  const revenuePrev = await answerFor(db, 'revenue', prevMonth, undefined, o);
  const revenueYear = await answerFor(db, 'revenue', lastYear, undefined, o);
  const trend = await answerFor(db, 'revenue', parsePeriod(`${addMonths(period.startDate, -11)}..${addDays(period.endDate, -1)}`, o), 'month', o);
  const collections = await answerFor(db, 'collections', period, undefined, o);
  const disbursements = await answerFor(db, 'disbursements', period, undefined, o);
  const subscribers = await answerFor(db, 'subscribers', period, undefined, o);
  const subscribersPrev = await answerFor(db, 'subscribers', prevMonth, undefined, o);
  const cancellations = await answerFor(db, 'cancellations', period, undefined, o);
  const cancellationsPrev = await answerFor(db, 'cancellations', prevMonth, undefined, o);
  const customers = await answerFor(db, 'revenue', period, 'customer', o);
  const renewals = await answerFor(db, 'active', parsePeriod('today', o), undefined, { ...o, days: 90 });
  const pastDue = await answerFor(db, 'past-due', period, undefined, o);
  const pastDuePrev = await answerFor(db, 'past-due', prevMonth, undefined, o);
  const reconcile = await answerFor(db, 'reconcile', period, undefined, o);
  const trials = await answerFor(db, 'trials', period, undefined, o);
  const countries = await answerFor(db, 'revenue', period, 'country', o);
  const mrr = await answerFor(db, 'mrr', period, undefined, o);
  const mrrPrev = await answerFor(db, 'mrr', prevMonth, undefined, o);
  // net revenue retention over the twelve months to the month's end, and to the month before's
  const retention = await answerFor(db, 'retention', parsePeriod(`${addMonths(period.startDate, -11)}..${addDays(period.endDate, -1)}`, o), undefined, o);
  const retentionPrev = await answerFor(db, 'retention', parsePeriod(`${addMonths(period.startDate, -12)}..${addDays(period.startDate, -1)}`, o), undefined, o);
  const overdue = await getOverduePayouts(db, new Date(Math.min(o.now.getTime(), Date.parse(period.end) + 31 * 86_400_000)));
  const month = shortLabel(period);
  // tiles are narrow on a phone: "vs Sep", not "vs September 2026"
  const prevLabel = monthShort(prevMonth.startDate).replace(/ \d{2}$/, '');

  const headline = [
    moneyTile('Net revenue', revenue, 'net_revenue', main, 'up', revenuePrev, prevLabel),
    moneyTile('ARR', mrr, 'arr', main, 'up', mrrPrev, `end of ${prevLabel}`),
    percentTile('Net revenue retention', retention, 'net_revenue_retention', main, 'up', retentionPrev, prevLabel),
    countTile('New customers', subscribers, 'up', subscribersPrev, prevLabel),
    countTile('Churned customers', cancellations, 'down', cancellationsPrev, prevLabel),
    moneyTile('Past due', pastDue, 'total', main, 'down', pastDuePrev, `end of ${prevLabel}`),
  ];

  const revenueCurrencies = ordered(totalsList(revenue), 'gross_revenue', main);
  const yoy = revenueCurrencies.map((c) => {
    const t = totalsList(revenue).find((x) => str(x.currency) === c)!;
    const before = totalsList(revenueYear).find((x) => str(x.currency) === c);
    const growth = before && Number(before.gross_revenue) !== 0 ? describeChange(Number(t.gross_revenue), Number(before.gross_revenue), shortLabel(lastYear)) : null;
    const refunds = Number(t.refunds) !== 0 ? `, ${formatMoney(str(t.refunds), c)} refunds` : '';
    return `${formatMoney(str(t.net_revenue), c)} net after ${formatMoney(str(-Number(t.listing_fees)), c)} listing fees${refunds}; ${growth ? `gross ${growth.text.replace(/ vs .*/, '')} on ${shortLabel(lastYear)}` : `nothing in ${c} in ${shortLabel(lastYear)}`}`;
  });
  const trendCurrencies = ordered(
    currenciesBySize(trend.rows, (r) => Number(r.gross_revenue)).map((currency) => ({ currency, gross_revenue: trend.rows.filter((r) => str(r.currency) === currency).reduce((n, r) => n + Number(r.gross_revenue), 0) })),
    'gross_revenue',
    main,
  );
  const trendCharts = trendCurrencies.flatMap((c) => {
    const months = trend.rows.filter((r) => str(r.currency) === c);
    if (months.length < 2) return [];
    const title = `Gross revenue by month (${c})`;
    return [{ url: barChartUrl(o.quickChartUrl, title, months.map((r) => monthShort(str(r.key ?? r.name))), months.map((r) => Number(r.gross_revenue))), alt: `${title}: ${trendLines(trend, [c])[0]}` }];
  });
  const gained = Number((subscribers.totals as Row).count ?? 0);
  const lost = Number((cancellations.totals as Row).count ?? 0);
  const expiring = renewals.rows.filter((r) => r.days_to_end !== null && Number(r.days_to_end) <= 90);
  const casDiffs = reconcile.rows.filter((r) => r.gross_difference !== null && r.gross_difference !== undefined && Number(r.gross_difference) !== 0);
  const flagLines = [
    ...overdue.totals.map((t) => `${t.invoices} invoice${t.invoices === 1 ? '' : 's'} collected more than ${PAYOUT_WINDOW_DAYS} days ago and not paid out: ${formatMoney(t.undisbursed, t.currency)} (AWS disburses collected funds monthly at the latest; ask AWS Marketplace seller support about them)`),
    ...casDiffs.map((r) => `${str(r.month)} ${str(r.currency)}: the legacy billed revenue report differs from the data feeds by ${formatMoney(str(r.gross_difference), str(r.currency))}`),
  ];
  const overdueTable: EmailTable | undefined = overdue.rows.length
    ? { header: ['Invoice', 'Collected by', 'Expected by', 'Not paid out'], rows: overdue.rows.slice(0, TABLE_ROWS).map((r) => [r.invoice_id, r.collected_by, r.expected_by, formatMoney(r.undisbursed, r.currency)]), numeric: [1, 2, 3], keep: [0, 3] }
    : undefined;

  return {
    subject: `AWS Marketplace monthly · ${month}: net revenue ${headline[0]!.value}${headline[0]!.change ? ` (${headline[0]!.change.text.replace(/ vs .*/, '')})` : ''}, ARR ${headline[1]!.value}, ${gained} new, ${lost} churned${lateSuffix(o)}`,
    title: 'Monthly digest',
    subtitle: period.label,
    preheader: `Net revenue ${headline[0]!.value}, ARR ${headline[1]!.value}, net revenue retention ${headline[2]!.value}; ${gained} new, ${lost} churned; ${headline[5]!.value} past due`,
    headline,
    warnings: lateWarnings(o),
    sections: [
      {
        title: 'Revenue by product',
        empty: `No revenue was billed in ${month}.`,
        lines: yoy,
        ...(revenue.rows.length ? metricTable(revenue, main, TABLE_ROWS, 'product') : {}),
        charts: metricCharts(revenue, 'product', o.quickChartUrl).map((c) => ({ url: c.url, alt: c.alt })),
        csv: csvOf(revenue, 'revenue-by-product'),
      },
      bridgeSection(mrr, main, month),
      {
        title: 'Revenue, last 12 months',
        empty: 'No revenue in the last 12 months.',
        charts: trendCharts,
        lines: trendLines(trend, trendCurrencies),
        csv: csvOf(trend, 'revenue-by-month'),
      },
      {
        title: 'Collections and disbursements',
        empty: `Nothing was collected or paid out in ${month}.`,
        lines: [
          ...ordered(totalsList(collections), 'collected', main).map((c) => `Collected ${formatMoney(str(totalsList(collections).find((t) => str(t.currency) === c)!.collected), c)}`),
          ...ordered(totalsList(disbursements), 'disbursed', main).map((c) => `Disbursed ${formatMoney(str(totalsList(disbursements).find((t) => str(t.currency) === c)!.disbursed), c)}`),
        ],
        csv: csvOf(disbursements, 'disbursements'),
      },
      trialsSection(trials, `in ${month}`),
      {
        title: 'Top countries',
        empty: `No revenue by country in ${month}.`,
        ...(countries.rows.length ? metricTable(countries, main, 5, 'country') : {}),
        csv: csvOf(countries, 'revenue-by-country'),
      },
      agreementsSection('New customers', subscribers, 'new-subscribers', `No new customers in ${month}.`, main),
      agreementsSection('Churned customers', cancellations, 'cancellations', `No customer churned in ${month}.`, main),
      {
        title: 'Top customers',
        empty: `No revenue from customers in ${month}.`,
        ...(customers.rows.length ? metricTable(customers, main, 5, 'customer') : {}),
        csv: csvOf(customers, 'revenue-by-customer'),
      },
      {
        title: 'Renewals due in the next 90 days',
        empty: 'No agreement ends in the next 90 days.',
        ...(expiring.length ? { table: { header: ['Company', 'Product', 'Ends'], rows: expiring.slice(0, TABLE_ROWS).map((r) => [str(r.company ?? r.aws_account_id), str(r.product), str(r.end_time).slice(0, 10)]), numeric: [2], keep: [0, 2] } } : {}),
        ...(expiring.length > TABLE_ROWS ? { more: `…and ${expiring.length - TABLE_ROWS} more, in the attached CSV.` } : {}),
        csv: csvOf(renewals, 'active-agreements'),
      },
      pastDueSection(pastDue, main, o.quickChartUrl),
      {
        title: 'What does not add up',
        empty: `Everything collected has been paid out on AWS's schedule (within ${PAYOUT_WINDOW_DAYS} days of collection), and the legacy reports agree with the data feeds.`,
        lines: flagLines,
        ...(overdueTable ? { table: overdueTable } : {}),
        csv: csvOf(reconcile, 'reconcile'),
      },
    ],
    freshness: freshnessLine(revenue),
  };
}
