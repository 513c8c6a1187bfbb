/**
 * One answer by email, on demand (`marketplace-pulse send`, `/marketplace email`): a metric with its
 * headline figures, top rows and chart, every row attached as CSV; or a dataset or finance report
 * as a CSV attachment.
 */
import { exportDataset } from '../datasets/export.ts';
import { AppError } from '../errors.ts';
import { sendOnce, type SendDeps } from './send.ts';
import type { Database } from '../db/client.ts';
import { answer, answerToCsv, METRICS } from '../metrics/query.ts';
import { parsePeriod, type PeriodOptions } from '../periods.ts';
import { chartUrl, formatCount, formatMoney, metricTitle } from '../slack/render.ts';
import { renderEmail, type EmailSection, type RenderedEmail } from './render.ts';

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const MONEY_FIELDS = ['gross_revenue', 'net_revenue', 'estimated_revenue', 'collected', 'disbursed', 'total', 'owed', 'contract_value', 'listing_fees', 'refunds'];

/** Largest attachment we mail; bigger exports are for the CLI's --out. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

export async function buildAnswerEmail(db: Database, what: string, periodText: string, by: string | undefined, options: PeriodOptions & { quickChartUrl: string }): Promise<RenderedEmail> {
  const period = parsePeriod(periodText, options);
  if (METRICS.some((m) => m.name === what)) {
    const a = await answer(db, what, periodText, by, options);
    const totals = (Array.isArray(a.totals) ? a.totals : [a.totals]) as Row[];
    const figures = totals.map((t) =>
      Object.entries(t)
        .filter(([k, v]) => k !== 'currency' && (typeof v === 'string' || typeof v === 'number'))
        .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${MONEY_FIELDS.includes(k) && t.currency ? formatMoney(str(v), str(t.currency)) : formatCount(str(v))}`)
        .join(' · '),
    );
    const header = Object.keys(a.rows[0] ?? {}).filter((k) => !['key', 'detail', 'customer', 'agreement_id'].includes(k)).slice(0, 5);
    const chart = a.source === 'none' ? null : chartUrl(a, options.quickChartUrl);
    const section: EmailSection = {
      title: `${metricTitle(what)}${by ? ` by ${by}` : ''}`,
      figures: figures.length ? figures : ['No data for this period.'],
      lines: [`Source: ${a.source === 'sdds' ? 'Seller Data Feeds' : a.source === 'cas' ? 'legacy Commerce Analytics reports' : 'no data'}; data complete through ${a.complete_through ?? 'nothing yet'}.${a.rows.length > 20 ? ` The first 20 of ${a.rows.length} rows are shown; all are attached.` : ''}`],
      table: { header, rows: a.rows.slice(0, 20).map((r) => header.map((h) => (MONEY_FIELDS.includes(h) && r.currency ? formatMoney(str(r[h]), str(r.currency)) : str(r[h])))) },
      ...(chart ? { chart: { url: chart, alt: `${metricTitle(what)} chart; the numbers are in the table` } } : {}),
      csv: { filename: `${what}${by ? `-by-${by}` : ''}-${period.startDate}.csv`, content: answerToCsv(a) },
    };
    return renderEmail({ subject: `${metricTitle(what)}${by ? ` by ${by}` : ''}: ${period.label}`, title: metricTitle(what), subtitle: period.label, preheader: figures[0] ?? '', warnings: [], sections: [section], freshness: `Data complete through ${a.complete_through ?? 'nothing yet'}.` }, { attachCsv: true });
  }
  let size = 0;
  const chunks: string[] = [];
  for await (const chunk of exportDataset(db, what, period)) {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    size += Buffer.byteLength(text);
    if (size > MAX_ATTACHMENT_BYTES) throw new AppError('usage', `${what} for ${period.label} is larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB; use: marketplace-pulse export ${what} ${periodText} --out file.csv`);
    chunks.push(text);
  }
  const csv = chunks.join('');
  const rows = Math.max(0, csv.split('\n').filter(Boolean).length - 1);
  return renderEmail(
    { subject: `${what}: ${period.label}`, title: what, subtitle: period.label, preheader: `${rows} rows attached`, warnings: [], sections: [{ title: what, lines: [`${rows.toLocaleString('en-US')} rows, attached as CSV with AWS's column names.`], csv: { filename: `${what}-${period.startDate}.csv`, content: csv } }], freshness: '' },
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
}

/**
 * Builds the answer's email and sends it now, recorded in the email history like the digests.
 * A question that cannot be answered fails before anything is recorded; a failed send is recorded
 * (not retried: the person asking is told) and thrown with its reason.
 */
export async function sendAnswer(d: SendDeps, q: AnswerRequest): Promise<void> {
  const now = d.now();
  const options = { now, timeZone: d.config.reportTimeZone, fiscalYearStartMonth: d.config.fiscalYearStartMonth, quickChartUrl: d.config.quickChartUrl };
  const email = await buildAnswerEmail(d.db, q.what, q.period, q.by, options);
  const periodKey = `${q.what} ${q.period}${q.by ? ` by ${q.by}` : ''}${q.requester ? ` for ${q.requester}` : ''} @ ${now.toISOString()}`;
  let failure = '';
  const outcome = await sendOnce({ ...d, log: (l) => ((failure = l), d.log(l)) }, { digest: 'on-demand', periodKey, recipients: q.to }, async () => ({ email, late: [] }), { retry: false });
  if (outcome !== 'sent') throw new AppError('email', failure.replace(/^email: /, '') || `sending ${q.what} failed`);
}

