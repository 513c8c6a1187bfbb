/**
 * One answer by email, on demand (`marketplace-pulse send`, `/marketplace email`): a metric with its
 * headline figures, top rows and chart, every row attached as CSV; or a dataset or finance report
 * as a CSV attachment.
 */
import { addDays } from '../datasets/catalog.ts';
import { exportDataset } from '../datasets/export.ts';
import { AppError } from '../errors.ts';
import { sendOnce, type SendDeps } from './send.ts';
import type { Database } from '../db/client.ts';
import { answerToCsv, METRICS } from '../metrics/query.ts';
import { parsePeriod, type Period, type PeriodOptions } from '../periods.ts';
import { presentAnswer, type PresentedAnswer } from '../present/answer.ts';
import { metricCharts } from '../present/charts.ts';
import { currenciesBySize, describeChange, formatCount, formatMoney } from '../present/format.ts';
import { formatFigure, str, totalsList, viewOf } from '../present/views.ts';
import { metricTable } from './digests.ts';
import { renderEmail, type EmailSection, type HeadlineTile, type RenderedEmail } from './render.ts';

/** Largest attachment we mail; bigger exports are for the CLI's --out. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
/** Rows listed in the email; all of them are attached. */
const EMAIL_ROWS = 20;

export async function buildAnswerEmail(
  db: Database,
  what: string,
  periodText: string,
  by: string | undefined,
  options: PeriodOptions & { quickChartUrl: string; withoutPersonal?: boolean },
): Promise<RenderedEmail> {
  const period = parsePeriod(periodText, options);
  if (METRICS.some((m) => m.name === what)) {
    const p = await presentAnswer(db, what, period, by, options);
    const a = p.answer;
    const view = viewOf(what);
    const title = `${view.title}${by ? ` by ${by}` : ''}`;
    const headline = answerTiles(p);
    const shown = a.rows.length ? metricTable(a, headline.main, EMAIL_ROWS, p.by) : null;
    const section: EmailSection = {
      title: p.by ? `By ${p.by}` : view.title,
      empty: a.source === 'none' ? `No data for ${a.period.label} yet.` : `Nothing in ${a.period.label}.`,
      ...(shown ?? {}),
      charts: metricCharts(a, p.by, options.quickChartUrl).map((c) => ({ url: c.url, alt: c.alt })),
      ...(p.defaulted ? { lines: [`The top ${p.by}s are shown; ${p.dimensions.filter((d) => d !== p.by).map((d) => `by ${d}`).join(', ')} also answer: marketplace-pulse send ${what} ${periodText} --by <one of them>.`] } : {}),
      csv: { filename: `${what}${p.by ? `-by-${p.by}` : ''}-${fileSpan(period)}.csv`, content: answerToCsv(a) },
    };
    const source = a.source === 'sdds' ? 'Seller Data Feeds' : a.source === 'cas' ? 'legacy Commerce Analytics reports' : 'no data';
    return renderEmail(
      {
        subject: `${title}, ${a.period.label}: ${headline.tiles.map((t) => `${t.label.toLowerCase()} ${t.value}`).slice(0, 2).join(', ') || 'no data'}`,
        title,
        subtitle: a.period.label,
        preheader: headline.tiles.map((t) => `${t.label} ${t.value}${t.change ? ` (${t.change.text})` : ''}`).join('; '),
        headline: headline.tiles,
        warnings: [],
        sections: [section],
        freshness: `Source: ${source}; data complete through ${a.complete_through ?? 'nothing yet'}.${p.previous ? ` Compared with ${p.previous.period.label}.` : ''}`,
      },
      { attachCsv: true },
    );
  }
  let size = 0;
  const chunks: string[] = [];
  const exported = exportDataset(db, what, period, { withoutPersonal: options.withoutPersonal !== false });
  for await (const chunk of exported) {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    size += Buffer.byteLength(text);
    if (size > MAX_ATTACHMENT_BYTES) throw new AppError('usage', `${what} for ${period.label} is larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB; use: marketplace-pulse export ${what} ${periodText} --out file.csv`);
    chunks.push(text);
  }
  const csv = chunks.join('');
  const rows = Math.max(0, csv.split('\n').filter(Boolean).length - 1);
  const personal = exported.personalColumns.length === 0 ? [] : exported.personalLeftOut ? [`Personal data (${exported.personalColumns.join(', ')}) is left out.`] : [`It holds personal data (${exported.personalColumns.join(', ')}): do not forward it.`];
  return renderEmail(
    { subject: `${what}: ${period.label}`, title: what, subtitle: period.label, preheader: `${rows} rows attached`, warnings: [], sections: [{ title: what, lines: [`${rows.toLocaleString('en-US')} rows, attached as CSV with AWS's column names.`, ...personal], csv: { filename: `${what}-${fileSpan(period)}.csv`, content: csv } }], freshness: '' },
    { attachCsv: true },
  );
}

export interface AnswerRequest {
  what: string;
  period: string;
  by: string | undefined;
  to: string[];
  /** Who asked (a Slack user), for the history. */
  requester?: string;
  /** Include addresses, email domains and legal names (datasets/personal.ts); left out unless true. */
  withPersonal?: boolean;
}

/**
 * Builds the answer's email and sends it now, recorded in the email history like the digests.
 * A question that cannot be answered fails before anything is recorded; a failed send is recorded
 * (not retried: the person asking is told) and thrown with its reason.
 */
export async function sendAnswer(d: SendDeps, q: AnswerRequest): Promise<void> {
  const now = d.now();
  const options = { now, timeZone: d.config.reportTimeZone, fiscalYearStartMonth: d.config.fiscalYearStartMonth, quickChartUrl: d.config.quickChartUrl };
  const email = await buildAnswerEmail(d.db, q.what, q.period, q.by, { ...options, withoutPersonal: q.withPersonal !== true });
  const periodKey = `${q.what} ${q.period}${q.by ? ` by ${q.by}` : ''}${q.requester ? ` for ${q.requester}` : ''} @ ${now.toISOString()}`;
  let failure = '';
  const outcome = await sendOnce({ ...d, log: (m, f) => ((failure = m), d.log(m, f)) }, { digest: 'on-demand', periodKey, recipients: q.to }, async () => ({ email, late: [] }), { retry: false });
  if (outcome !== 'sent') throw new AppError('email', failure.replace(/^email: /, '') || `sending ${q.what} failed`);
}


/** "2025-10-01_to_2025-10-31": the days a file covers, the last one included. */
export function fileSpan(period: Period): string {
  const last = addDays(period.endDate, -1);
  return period.startDate === last ? period.startDate : `${period.startDate}_to_${last}`;
}

/** The answer's headline: its money figures in its largest currency (others beneath), or its count, with the change. */
function answerTiles(p: PresentedAnswer): { tiles: HeadlineTile[]; main: string | null } {
  const a = p.answer;
  const view = viewOf(a.metric);
  if (a.source === 'none') return { tiles: [], main: null };
  const label = p.previous ? p.previous.period.label : '';
  if (view.money) {
    const totals = totalsList(a);
    const [, firstField] = view.money[0]!;
    const currencies = currenciesBySize(totals, (t) => Number(t[firstField]));
    const main = currencies[0] ?? null;
    if (!main) return { tiles: [], main: null };
    const lead = totals.find((t) => str(t.currency) === main)!;
    const before = p.previous ? totalsList(p.previous).find((t) => str(t.currency) === main) : undefined;
    const tiles = view.money
      .filter(([, field, , kind]) => lead[field] !== undefined && !(kind === 'optional' && Number(lead[field]) === 0))
      .map(([name, field, better, kind], i) => {
        const others = currencies.slice(1).map((c) => formatFigure(totals.find((t) => str(t.currency) === c)![field], c, kind));
        const change = i < 2 && p.previous ? describeChange(Number(lead[field]), before ? Number(before[field]) : 0, label, better) : null;
        return { label: name, value: formatFigure(lead[field], main, kind), ...(change ? { change } : {}), ...(others.length ? { others } : {}) };
      });
    return { tiles, main };
  }
  if (view.count) {
    const [name, field, better] = view.count;
    const n = Number((totalsList(a)[0] ?? {})[field] ?? 0);
    const before = p.previous ? Number((totalsList(p.previous)[0] ?? {})[field] ?? 0) : null;
    return { tiles: [{ label: name, value: formatCount(n), change: describeChange(n, before, label, better) }], main: null };
  }
  return { tiles: [], main: null };
}
