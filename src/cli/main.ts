/**
 * `marketplace-pulse <command>`: each command is a definition (usage, options, run); help and the
 * README's command table come from these definitions.
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { DataDirHeld, SessionHandler } from '../db/data-dir-host.ts';
import { AppError, describeError } from '../errors.ts';
import type { FileResult, FileStatus } from '../ingest/load.ts';
import { METRICS as METRIC_NAMES, type MetricAnswer } from '../metrics/query.ts';
import { MAX_YEAR, MIN_YEAR, parsePeriod } from '../periods.ts';
import { FINANCE_REPORTS } from '../reports/names.ts';
import { formatTable } from './format.ts';

// Commands load what they use when they run: `help` or `query` must not pay for the AWS SDK,
// Slack, MJML or the embedded database at start-up (bench:cli).

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Raw output, streamed (large exports); standard output when not given. */
  stream?: NodeJS.WritableStream;
}

interface Context {
  config: Config;
  io: Io;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The caller's working folder: relative paths in arguments are relative to it. */
  cwd: string;
  /** Aborted when the person asks the command to stop (Ctrl-C, SIGTERM): long commands stop between files. */
  interrupt: AbortSignal;
  /** The settings this command runs with: what it hands on to commands other processes forward to it. */
  env: NodeJS.ProcessEnv;
  withDb<T>(fn: (db: Database) => Promise<T>): Promise<T>;
}

/** How a command runs inside the process holding the embedded database for another one. */
export interface RunOptions {
  db?: Database;
  cwd?: string;
  interrupt?: AbortSignal;
}

export interface Command {
  name: string;
  /** Stops between files when interrupted (Ctrl-C once); others end at once. */
  interruptible?: boolean;
  args: string;
  summary: string;
  options: Options;
  optionHelp: Record<string, string>;
  run(ctx: Context): Promise<number>;
}

const JSON_OPTION = { json: { type: 'boolean' } } as const satisfies Options;

export const COMMANDS: Command[] = [
  {
    name: 'serve',
    args: '',
    summary: 'Run the service: migrate, load demo data on a first embedded start, then ingest files dropped into DATA_DIR/inbox.',
    options: {},
    optionHelp: {},
    run: async ({ config, io, env }) => {
      const [{ runService }, { createServiceLog }] = await Promise.all([import('../service.ts'), import('../log.ts')]);
      const log = await createServiceLog({ format: config.logFormat ?? (process.stderr.isTTY ? 'pretty' : 'json'), level: config.logLevel, write: io.err });
      await runService(config, { log, hostCommands: (db) => runForwarded(db, env, 'serve') });
      return 0;
    },
  },
  {
    name: 'ingest',
    interruptible: true,
    args: '<file-or-dir>...',
    summary: 'Load delivered files; a directory is a local copy of a bucket (paths below it are S3 keys). Exit 1 if any file is rejected.',
    options: JSON_OPTION,
    optionHelp: { json: 'print one JSON result per file' },
    run: async ({ positionals, values, io, withDb, cwd, interrupt }) => {
      if (positionals.length === 0) throw new AppError('usage', 'ingest needs at least one file or directory');
      const { ingestPaths } = await import('../ingest/run.ts');
      return withDb(async (db) => {
        const stop = stopNote(interrupt, io);
        const summary = await ingestPaths(db, positionals, {
          cwd,
          signal: interrupt,
          onResult: (r) => io.out(values.json ? JSON.stringify(r) : describeResult(r)),
          onSkipped: (note) => io.err(note),
        });
        stop();
        if (!values.json) {
          io.out(
            `${summary.interrupted ? 'interrupted after ' : ''}${summary.results.length} files: ${summary.loaded} loaded, ${summary.unchanged} unchanged, ${summary.noData} no data, ${summary.rejected} rejected; ${summary.rowsInserted} rows added`,
          );
        }
        return summary.rejected > 0 || summary.interrupted ? 1 : 0;
      });
    },
  },
  {
    name: 'backfill',
    interruptible: true,
    args: 's3://bucket[/prefix]',
    summary: 'Load everything under an S3 prefix; objects already loaded (same ETag) are skipped, so an interrupted backfill resumes. Exit 1 if any file is rejected.',
    options: JSON_OPTION,
    optionHelp: { json: 'print one JSON result per file' },
    run: async ({ config, positionals, values, io, withDb, interrupt }) => {
      if (positionals.length !== 1) throw new AppError('usage', 'backfill needs one s3://bucket[/prefix]');
      const { backfill, formatProgress, parseS3Uri } = await import('../ingest/backfill.ts');
      const { createS3Client } = await import('../ingest/s3.ts');
      parseS3Uri(positionals[0]!);
      const stop = stopNote(interrupt, io);
      try {
        return await withDb(async (db) => {
          let lastPrint = 0;
          const r = await backfill(db, createS3Client(config.aws), positionals[0]!, {
            signal: interrupt,
            onFile: (file, p) => {
              if (values.json) io.out(JSON.stringify(file));
              else if (file.status === 'rejected') io.out(describeResult(file));
              if (Date.now() - lastPrint > 2000 || p.done === p.total - p.skipped) {
                lastPrint = Date.now();
                io.err(formatProgress(p));
              }
            },
          });
          if (!values.json) io.out(`${r.interrupted ? 'interrupted' : 'done'}: ${formatProgress(r.progress)}`);
          return r.progress.rejected > 0 || r.interrupted ? 1 : 0;
        });
      } finally {
        stop();
      }
    },
  },
  {
    name: 'datasets',
    args: '',
    summary: 'List the dataset catalog with rows stored, the last file loaded and the period covered, and the seller of record the billing events name.',
    options: JSON_OPTION,
    optionHelp: { json: 'print the catalog as JSON' },
    run: async ({ values, io, withDb }) => {
      const { getSellerIdentity, listDatasets } = await import('../datasets/status.ts');
      const { refreshRollups } = await import('../rollups/refresh.ts');
      return withDb(async (db) => {
        const list = await listDatasets(db);
        if (values.json) io.out(JSON.stringify(list, null, 2));
        else {
          io.out(
            formatTable(
              ['dataset', 'category', 'source', 'cadence', 'rows', 'last file loaded', 'covered through'],
              list.map((d) => [d.name, d.category, d.source, d.cadence, d.rowsStored, d.lastFileLoaded, d.coveredThrough]),
            ),
          );
          await refreshRollups(db);
          io.out('');
          io.out((await getSellerIdentity(db)).summary);
        }
        return 0;
      });
    },
  },
  {
    name: 'ledger',
    args: '',
    summary: 'Show the ledger of files seen, newest first.',
    options: {
      ...JSON_OPTION,
      limit: { type: 'string' },
      status: { type: 'string' },
      dataset: { type: 'string' },
    },
    optionHelp: {
      json: 'print the rows as JSON',
      limit: 'how many rows (default 50)',
      status: 'only loaded | unchanged | no-data | rejected',
      dataset: 'only this dataset',
    },
    run: async ({ values, io, withDb }) => {
      const limit = parseLimit(values.limit);
      const statuses: FileStatus[] = ['loaded', 'unchanged', 'no-data', 'rejected'];
      if (values.status !== undefined && !statuses.includes(values.status as FileStatus)) {
        throw new AppError('usage', `--status must be one of ${statuses.join(', ')}, not "${String(values.status)}"`);
      }
      const { listLedger } = await import('../ingest/ledger.ts');
      return withDb(async (db) => {
        const rows = await listLedger(db, {
          limit,
          ...(values.status ? { status: values.status as FileStatus } : {}),
          ...(values.dataset ? { dataset: String(values.dataset) } : {}),
        });
        if (values.json) io.out(JSON.stringify(rows, null, 2));
        else
          io.out(
            formatTable(
              ['id', 'finished', 'status', 'dataset', 'key', 'period', 'rows read', 'added', 'error'],
              rows.map((r) => [
                r.id,
                r.finishedAt.toISOString().slice(0, 19).replace('T', ' '),
                r.status,
                r.dataset,
                r.objectKey,
                r.periodStart ? `${r.periodStart}..${r.periodEnd}` : null,
                r.appendedTo ? `${r.rowsRead} new (after #${r.appendedTo})` : r.rowsRead,
                r.rowsInserted,
                r.error ? r.error.slice(0, 100) : null,
              ]),
            ),
          );
        return 0;
      });
    },
  },
  {
    name: 'query',
    args: '<metric> [period]',
    summary: `Answer a metric for a period (today, yesterday, last-month, 2026-10, 2026-Q3, 2026-10-01..2026-10-15, ...; without one, the period Slack answers it for). Metrics: ${METRIC_NAMES.map((m) => `${m.name} (${m.summary})`).join('; ')}.`,
    options: { by: { type: 'string' }, format: { type: 'string' }, days: { type: 'string' } },
    optionHelp: { days: 'active: the renewal-watch window in days (default 90)', by: `breakdown: ${METRIC_NAMES.filter((m) => m.dimensions.length).map((m) => `${m.name}: ${m.dimensions.join(' | ')}`).join('; ')}`, format: 'table (default) | json | csv' },
    run: async ({ config, positionals, values, io, withDb }) => {
      if (positionals.length < 1 || positionals.length > 2) throw new AppError('usage', 'query needs a metric and a period, e.g. query revenue last-month --by product');
      // no period: the metric's usual one, as in Slack (today for balances such as past-due)
      const period = positionals[1] ?? (await import('../slack/commands.ts')).defaultPeriod(positionals[0]!);
      const format = values.format === undefined ? 'table' : String(values.format);
      if (!['table', 'json', 'csv'].includes(format)) throw new AppError('usage', `--format must be table, json or csv, not "${format}"`);
      const days = values.days === undefined ? undefined : wholeNumber('--days', values.days, 1, MAX_DAYS, 'days');
      const options = { now: new Date(), timeZone: config.reportTimeZone, fiscalYearStartMonth: config.fiscalYearStartMonth, ...(days === undefined ? {} : { days }) };
      // validate the input before opening the database
      parsePeriod(period, options);
      const { answer, answerToCsv } = await import('../metrics/query.ts');
      return withDb(async (db) => {
        const a = await answer(db, positionals[0]!, period, values.by === undefined ? undefined : String(values.by), options);
        if (format === 'json') io.out(JSON.stringify(a, null, 2));
        else if (format === 'csv') io.out(answerToCsv(a).trimEnd());
        else io.out(formatAnswer(a));
        return 0;
      });
    },
  },
  {
    name: 'export',
    args: '<dataset|report> <period>',
    summary:
      'Write a dataset as CSV with the AWS column names: SDDS entities in their current state, SDDS events (billing, tax, usage, charges) and CAS rows in the period; ' +
      `or a report AWS publishes as SQL over the feeds, rebuilt: ${(Object.values(FINANCE_REPORTS) as string[]).join('; ')}.`,
    options: { out: { type: 'string' } },
    optionHelp: { out: 'write to this file instead of standard output' },
    run: async ({ config, positionals, values, io, withDb, cwd }) => {
      if (positionals.length !== 2) throw new AppError('usage', 'export needs a dataset or report and a period, e.g. export sdds_billing_event last-month --out billing.csv, or export billed-revenue 2026-10');
      const period = parsePeriod(positionals[1]!, { now: new Date(), timeZone: config.reportTimeZone, fiscalYearStartMonth: config.fiscalYearStartMonth });
      const { exportDataset } = await import('../datasets/export.ts');
      const [{ createWriteStream }, { Readable }, { pipeline }] = await Promise.all([import('node:fs'), import('node:stream'), import('node:stream/promises')]);
      return withDb(async (db) => {
        // streamed: an export can be larger than memory
        const chunks = exportDataset(db, positionals[0]!, period);
        const target = values.out ? path.resolve(cwd, String(values.out)) : null;
        try {
          if (target) await pipeline(Readable.from(chunks), createWriteStream(target));
          else await pipeline(Readable.from(chunks), io.stream ?? process.stdout, { end: false });
        } catch (error) {
          const e = error as NodeJS.ErrnoException;
          // the reader of standard output has had enough (`| head`): a normal end for a CLI
          if (!target && e.code === 'EPIPE') return 0;
          if (typeof e.syscall === 'string') throw new AppError('output', `export: cannot write ${target ?? 'standard output'}: ${e.code === 'ENOENT' ? `no such folder ${path.dirname(target ?? '')}` : e.message}`);
          throw error;
        }
        if (target) io.err(`wrote ${positionals[0]} for ${period.label} to ${String(values.out)}`);
        return 0;
      });
    },
  },
  {
    name: 'digests',
    args: '',
    summary: 'The email history: each digest and on-demand email, its period, recipients, status (sent, failed and when it retries, gave-up, interrupted), late datasets and where it went.',
    options: { ...JSON_OPTION, limit: { type: 'string' } },
    optionHelp: { json: 'print the rows as JSON', limit: 'how many rows (default 50)' },
    run: async ({ values, io, withDb }) => {
      const limit = parseLimit(values.limit);
      return withDb(async (db) => {
        const rows = await db.query<Record<string, unknown>>(
          `select digest, period_key as period, recipients, status, attempts, subject, to_char(sent_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as sent_at,
                  to_char(claimed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as tried_at, to_char(next_attempt_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as retry_at,
                  late_datasets, last_error as error, delivered_to
             from email_send order by claimed_at desc, id desc limit $1`,
          [limit],
        );
        if (values.json) io.out(JSON.stringify(rows, null, 2));
        else
          io.out(
            formatTable(
              ['digest', 'period', 'to', 'status', 'tries', 'sent', 'retry', 'late data', 'detail'],
              rows.map((r) => [r.digest, r.period, r.recipients, r.status, r.attempts, r.sent_at, r.retry_at, (r.late_datasets as string[]).join(' ') || null, (r.error as string | null)?.slice(0, 80) ?? r.delivered_to]) as never,
            ),
          );
        return 0;
      });
    },
  },
  {
    name: 'send',
    args: '<metric|dataset|report> <period>',
    summary: 'Email one answer now: a metric (figures, top rows, chart, every row as CSV) or a dataset or report (as CSV), through SMTP_URL or to the outbox.',
    options: { to: { type: 'string' }, by: { type: 'string' }, 'with-personal': { type: 'boolean' } },
    optionHelp: { to: 'recipients, comma-separated (required)', by: 'a metric breakdown, as for query', 'with-personal': "include a dataset's personal columns (addresses, email domains, legal names), left empty otherwise" },
    run: async ({ config, positionals, values, io, withDb }) => {
      if (positionals.length !== 2) throw new AppError('usage', 'send needs what and a period, e.g. send revenue last-month --to cfo@example.com');
      const { EMAIL_ADDRESS } = await import('../config.ts');
      const to = String(values.to ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      if (to.length === 0) throw new AppError('usage', 'send needs --to <address>[,<address>...]');
      const bad = to.filter((a) => !EMAIL_ADDRESS.test(a));
      if (bad.length) throw new AppError('usage', `--to: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is not an email address' : 'are not email addresses'}`);
      // validate the input before opening the database
      parsePeriod(positionals[1]!, { now: new Date(), timeZone: config.reportTimeZone, fiscalYearStartMonth: config.fiscalYearStartMonth });
      const [{ createMailer }, { sendAnswer }] = await Promise.all([import('../email/mailer.ts'), import('../email/on-demand.ts')]);
      return withDb(async (db) => {
        const mailer = createMailer(config.email);
        try {
          await sendAnswer({ db, mailer, config, log: io.out, now: () => new Date() }, { what: positionals[0]!, period: positionals[1]!, by: values.by === undefined ? undefined : String(values.by), to, withPersonal: values['with-personal'] === true });
          return 0;
        } finally {
          mailer.close();
        }
      });
    },
  },
  {
    name: 'email-preview',
    args: '',
    summary: 'Write the HTML and text of the daily and monthly digests, built from the demo seller, for a person to look at (npm run email:preview).',
    options: { out: { type: 'string' }, screenshots: { type: 'boolean' } },
    optionHelp: { out: 'folder to write to (default ./email-preview)', screenshots: 'also PNG screenshots at 800 and 390 px wide (needs Chromium)' },
    run: async ({ config, values, io, cwd }) => {
      const out = path.resolve(cwd, String(values.out ?? 'email-preview'));
      const { writeEmailPreview } = await import('../email/preview.ts');
      const written = await writeEmailPreview(out, config, { screenshots: Boolean(values.screenshots), log: io.err });
      for (const f of written) io.out(`wrote ${f}`);
      return 0;
    },
  },
  {
    name: 'slack-manifest',
    args: '',
    summary: 'Print the Slack app manifest (slash command, scopes) to create the app from: api.slack.com/apps, Create New App, From a manifest.',
    options: { url: { type: 'string' }, 'socket-mode': { type: 'boolean' } },
    optionHelp: { url: 'the public HTTPS base URL of this service (requests go to <url>/slack/events)', 'socket-mode': 'for Socket Mode (SLACK_APP_TOKEN) instead of a public URL' },
    run: async ({ values, io }) => {
      if (values.url !== undefined && !/^https:\/\/[^\s/]+/.test(String(values.url))) throw new AppError('usage', `--url must be the service's public HTTPS base URL, e.g. https://pulse.example.com, not "${String(values.url)}"`);
      const { slackManifest } = await import('../slack/manifest.ts');
      io.out(JSON.stringify(slackManifest({ ...(values.url === undefined ? {} : { url: String(values.url) }), socketMode: Boolean(values['socket-mode']) }), null, 2));
      return 0;
    },
  },
  {
    name: 'freshness',
    args: '',
    summary: 'Per dataset: last delivery, data complete through, and on time / late by N hours / missing / not expected / retired.',
    options: { ...JSON_OPTION, at: { type: 'string' } },
    optionHelp: { json: 'print the rows as JSON', at: 'judge as of this instant (ISO 8601) instead of now' },
    run: async ({ config, values, io, withDb }) => {
      const now = values.at === undefined ? new Date() : new Date(String(values.at));
      if (Number.isNaN(now.getTime())) throw new AppError('usage', `--at must be an ISO 8601 instant such as 2026-11-29T08:00:00Z, not "${String(values.at)}"`);
      if (now.getUTCFullYear() < MIN_YEAR || now.getUTCFullYear() > MAX_YEAR) throw new AppError('usage', `--at must lie between the years ${MIN_YEAR} and ${MAX_YEAR}, not "${String(values.at)}"`);
      const { computeFreshness } = await import('../deliveries/freshness.ts');
      return withDb(async (db) => {
        const rows = await computeFreshness(db, now, config.deliveries);
        if (values.json) io.out(JSON.stringify(rows, null, 2));
        else
          io.out(
            formatTable(
              ['dataset', 'status', 'complete through', 'last delivery', 'detail'],
              rows.map((r) => [r.dataset, r.hoursLate === null ? r.status : `${r.status} (${r.hoursLate} h)`, r.completeThrough, r.lastDelivery ? r.lastDelivery.at.slice(0, 16) : null, r.summary]),
            ),
          );
        return 0;
      });
    },
  },
  {
    name: 'demo-data',
    args: '<dir>',
    summary: 'Write a fictional seller laid out like a real bucket: a year of SDDS feeds and the matching legacy CAS files.',
    options: { seed: { type: 'string' }, through: { type: 'string' } },
    optionHelp: { seed: 'random seed (default 42)', through: 'last day of data, YYYY-MM-DD (default yesterday)' },
    run: async ({ positionals, values, io }) => {
      if (positionals.length !== 1) throw new AppError('usage', 'demo-data needs exactly one directory');
      const seed = values.seed === undefined ? 42 : wholeNumber('--seed', values.seed, 0, 2 ** 31 - 1, 'a seed');
      const through = values.through === undefined ? undefined : String(values.through);
      const { writeDemoData } = await import('../demo/generate.ts');
      const written = await writeDemoData(positionals[0]!, { seed, ...(through ? { through } : {}) });
      io.out(`wrote ${written.files} files (${written.rows} rows) of demo data to ${positionals[0]}`);
      return 0;
    },
  },
];

function formatAnswer(a: MetricAnswer): string {
  const lines = [`${a.metric}, ${a.period.label}  (source: ${a.source}; data complete through ${a.complete_through ?? 'unknown'})`];
  const table = (records: MetricAnswer['rows']) => {
    const header = Object.keys(records[0] ?? {}).filter((k) => k !== 'key');
    return formatTable(header, records.map((r) => header.map((h) => r[h] ?? null)));
  };
  // nested values (past-due buckets) flatten into columns
  const flat = (r: Record<string, unknown>): MetricAnswer['rows'][number] =>
    Object.fromEntries(Object.entries(r).flatMap(([k, v]) => (v !== null && typeof v === 'object' ? Object.entries(v as Record<string, string>) : [[k, v]]))) as MetricAnswer['rows'][number];
  const totals = (Array.isArray(a.totals) ? a.totals : [a.totals]).map(flat);
  if (totals.length === 0) return [...lines, 'no data for this period'].join('\n');
  lines.push('', table(totals));
  if (a.rows.length > 0) lines.push('', table(a.rows));
  return lines.join('\n');
}

function describeResult(r: FileResult): string {
  const what = `${r.status.padEnd(9)} ${r.key}`;
  if (r.status === 'rejected') {
    const details = r.problems
      .slice(1, 5)
      .map((p) => `\n            line ${p.line ?? '?'}${p.column ? ` ${p.column}` : ''}: ${p.message}`)
      .join('');
    return `${what}\n          ${r.error}${details}`;
  }
  if (r.status === 'unchanged') return what;
  const extra = r.extraColumns.length ? `; kept unknown columns: ${r.extraColumns.join(', ')}` : '';
  const replaced = r.rowsReplaced ? `, replaced ${r.rowsReplaced}` : '';
  if (r.appendedTo !== null) return `${what} (${r.dataset}: the rows appended since file ${r.appendedTo}: ${r.rowsRead} read, ${r.rowsInserted} added${extra})`;
  return `${what} (${r.dataset}: ${r.rowsRead} rows read, ${r.rowsInserted} added${replaced}${extra})`;
}

/** The largest --limit: more rows than a terminal can show, fewer than the database's limits. */
const MAX_LIMIT = 1_000_000;
/** The renewal watch looks ahead at most ten years. */
const MAX_DAYS = 3_660;

/** A whole number option within [min, max], written as digits; a usage error naming it otherwise. */
function wholeNumber(option: string, value: unknown, min: number, max: number, what: string): number {
  const text = String(value).trim();
  const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(n)) throw new AppError('usage', `${option} must be a whole number of ${what}, not "${text}"`);
  if (n < min || n > max) throw new AppError('usage', `${option} must be between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}, not ${text}`);
  return n;
}

/** --limit: how many rows (default 50). */
function parseLimit(value: unknown): number {
  return value === undefined ? 50 : wholeNumber('--limit', value, 1, MAX_LIMIT, 'rows');
}

export function helpText(): string {
  const lines = ['Usage: marketplace-pulse <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS) {
    lines.push(`  ${`${c.name} ${c.args}`.trim()}`);
    lines.push(`      ${c.summary}`);
    for (const [name, help] of Object.entries(c.optionHelp)) lines.push(`      --${name}  ${help}`);
  }
  lines.push('  help', '      Show this help.');
  return lines.join('\n');
}

/** Runs a command line; returns the exit code. */
export async function main(argv: string[], io: Io = { out: (t) => console.log(t), err: (t) => console.error(t) }, env = process.env, options: RunOptions = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  let local: { signal: AbortSignal; dispose(): void } | null = null;
  try {
    if (!command) throw new AppError('usage', `unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}, help`);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new AppError('usage', `${name}: ${(error as Error).message}`);
    }
    const { loadConfig } = await import('../config.ts');
    const config = loadConfig(env);
    const cwd = options.cwd ?? process.cwd();
    if (!options.interrupt && command.interruptible) local = interruptOnSignals();
    const interrupt = options.interrupt ?? local?.signal ?? new AbortController().signal;
    const context: Context = {
      config,
      io,
      values: parsed.values as Context['values'],
      positionals: parsed.positionals,
      cwd,
      interrupt,
      env,
      async withDb(fn) {
        if (options.db) return fn(options.db);
        const { openDatabase } = await import('../db/client.ts');
        const db = await openDatabase(config, name);
        db.host?.serve(runForwarded(db, env, name));
        try {
          return await fn(db);
        } finally {
          await db.close();
        }
      },
    };
    for (let attempt = 0; ; attempt++) {
      try {
        return await command.run(context);
      } catch (error) {
        // another process holds the embedded database: the command runs inside it instead
        const { DataDirHeld, forwardCommand } = await import('../db/data-dir-host.ts');
        if (!(error instanceof DataDirHeld) || options.db) throw error;
        if (name === 'serve') throw refuseSecondHolder(error);
        const { settingsToForward } = await import('../config.ts');
        const request = { argv, cwd, ...settingsToForward(env) };
        const outcome = await forwardCommand(error, request, { out: io.out, err: io.err, stream: io.stream ?? process.stdout }, local?.signal);
        if (outcome.kind === 'exit') return outcome.code;
        if (attempt >= 100) throw new AppError('database', `${config.dataDir} keeps changing hands between processes; try again`);
      }
    }
  } catch (error) {
    io.err(`marketplace-pulse: ${describeError(error)}`);
    if (!(error instanceof AppError)) io.err((error as Error).stack ?? '');
    return error instanceof AppError && error.code === 'usage' ? 2 : 1;
  } finally {
    local?.dispose();
  }
}

/**
 * What the holder of the embedded database runs for a command another process forwarded to it: the
 * holder's own settings (`env`), with the few a caller may choose; a caller's secrets never come here.
 */
export function runForwarded(db: Database, env: NodeJS.ProcessEnv, command = 'marketplace-pulse'): SessionHandler {
  return async (session) => {
    const { forwardedEnvironment } = await import('../config.ts');
    const forwarded = forwardedEnvironment(env, session.request);
    if (forwarded.missing.length > 0) {
      session.err(
        `marketplace-pulse: note: this command runs inside marketplace-pulse ${command} (PID ${process.pid}), which holds the data folder, with its settings: ${forwarded.missing.join(', ')}, set for this command, ${forwarded.missing.length === 1 ? 'is' : 'are'} not set there, and secrets and endpoints are never passed from one process to another (set ${forwarded.missing.length === 1 ? 'it' : 'them'} for that process, or stop it and run this again)`,
      );
    }
    return main(session.request.argv, { out: session.out, err: session.err, stream: session.stream }, forwarded.env, { db, cwd: session.request.cwd, interrupt: session.signal });
  };
}

function refuseSecondHolder(held: DataDirHeld): AppError {
  const { pid, command } = held.holder;
  const advice =
    command === 'serve'
      ? `The service is already running there: run CLI commands beside it as usual (they go through it), or stop it (kill ${pid}) before starting it again.`
      : `Wait for it to finish, or stop it (kill ${pid}), then start the service.`;
  return new AppError('database', `${held.message}. ${advice} A second service needs its own DATA_DIR or a DATABASE_URL.`);
}

/**
 * Ctrl-C or SIGTERM asks a long command to stop after the file in hand; a second one ends the
 * process at once, as a person pressing Ctrl-C twice expects.
 */
function interruptOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Prints, when the command is interrupted, that it stops after the current file; returns the undo. */
function stopNote(interrupt: AbortSignal, io: Io): () => void {
  const note = () => io.err('stopping after the current file (run the same command again to resume)');
  interrupt.addEventListener('abort', note, { once: true });
  return () => interrupt.removeEventListener('abort', note);
}

