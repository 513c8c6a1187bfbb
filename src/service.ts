/**
 * The long-running service: migrations, then either the SQS consumer (SQS_QUEUE_URL) or the local
 * inbox watcher (embedded default), and an HTTP listener for health checks.
 */
import { mkdir, stat } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import path from 'node:path';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import type { SessionHandler } from './db/data-dir-host.ts';
import { computeFreshness, describeChanges, type Freshness } from './deliveries/freshness.ts';
import { describeError } from './errors.ts';
import { ingestObject, logFile } from './ingest/load.ts';
import { listLocalObjects } from './ingest/local.ts';
import type { ConsumerStatus } from './ingest/sqs.ts';
import type { Registry } from 'prom-client';
import { refreshRollups } from './rollups/refresh.ts';
import { createMailer, type Mailer } from './email/mailer.ts';
import type { SendDeps } from './email/send.ts';
import { startScheduler, type Scheduler } from './scheduler.ts';
import type { SlackService } from './slack/app.ts';
import { describeSlack } from './slack/describe.ts';
import { withFields, type Log } from './log.ts';
import { setTelemetrySink, telemetry } from './telemetry.ts';

export interface ServiceOptions {
  /** Every line carries its component; `textLog` turns lines into text for tests. */
  log: Log;
  /** The clock (tests pin it); the real one by default. */
  now?: () => Date;
  /** Resolves when the service should stop; defaults to SIGINT/SIGTERM. */
  stopSignal?: Promise<void>;
  /** On the embedded database: runs the CLI commands other processes forward to this one. */
  hostCommands?: (db: Database) => SessionHandler;
}

export async function runService(config: Config, options: ServiceOptions): Promise<void> {
  const log = withFields(options.log, { component: 'service' });
  const db = await openDatabase(config, 'serve');
  if (options.hostCommands && db.host) db.host.serve(logSessions(options.hostCommands(db), log));
  log(`${db.kind === 'pglite' ? `embedded PostgreSQL (PGlite) in ${db.location}` : db.location}`, { component: 'database' });
  const signal = options.stopSignal ?? stopOnSignals();
  // everything that runs stops on the signal, or when the service fails
  let halt!: () => void;
  const stop = Promise.race([signal, new Promise<void>((r) => (halt = r))]);
  let http: Server | null = null;
  let slack: SlackService | null = null;
  let scheduler: Scheduler | null = null;
  let mailer: Mailer | null = null;
  let rollups: Promise<void> = Promise.resolve();
  let probing: Promise<void> = Promise.resolve();
  try {
    rollups = keepRollups(db, withFields(log, { component: 'rollups' }), stop);
    const clock = options.now ?? (() => new Date());
    const health = new Health(db, config.readinessWindowSeconds);
    probing = health.probeDatabase(stop);
    const prometheus = (await import('./ops/prometheus.ts')).createPrometheusMetrics({ ready: () => health.report().ready });
    setTelemetrySink(prometheus.sink);
    mailer = createMailer(config.email);
    log(describeEmail(config), { component: 'email' });
    // what only some configurations use loads only for them: Slack, SQS and S3, the digests (MJML)
    slack = config.slack ? (await import('./slack/app.ts')).createSlackService({ config, settings: config.slack, db, log: options.log, mailer, ...(options.now ? { now: options.now } : {}) }) : null;
    log(describeSlack(config.slack), { component: 'slack' });
    health.slack = slack;
    http = await listen(config, health, prometheus.registry, log, slack?.requestListener ?? null);
    slack?.start();
    const sendDeps: SendDeps = { db, mailer, config, log: options.log, now: clock, ...(slack ? { alert: slackAlerter(slack) } : {}) };
    const watch = new DeliveryWatch(db, config, withFields(log, { component: 'deliveries' }), options.log, slack, clock);
    const digests = () => import('./email/send.ts');
    const runDueDigests = async () => (await digests()).runDueDigests(sendDeps);
    scheduler = await startScheduler(
      config,
      {
        'daily-digest': runDueDigests,
        'monthly-digest': runDueDigests,
        'digest-check': runDueDigests,
        'delivery-watch': () => watch.check(),
        housekeeping: async () => {
          await (await digests()).markInterrupted(sendDeps);
          await refreshRollups(db);
        },
      },
      options.log,
    );
    // once started (and the demo loaded): where deliveries stand, and any digest missed while down
    const firstChecks = () => void scheduler?.run('delivery-watch').then(() => scheduler?.run('digest-check'));
    if (config.sqsQueueUrl) {
      const [{ SQSClient }, { createS3Client }, { SqsConsumer }] = await Promise.all([import('@aws-sdk/client-sqs'), import('./ingest/s3.ts'), import('./ingest/sqs.ts')]);
      const s3 = createS3Client(config.aws);
      const sqs = new SQSClient({
        ...(config.aws.region ? { region: config.aws.region } : {}),
        ...(config.aws.credentials ? { credentials: config.aws.credentials } : config.aws.profile ? { profile: config.aws.profile } : {}),
        ...(config.aws.sqsEndpoint ? { endpoint: config.aws.sqsEndpoint } : {}),
      });
      const consumer = new SqsConsumer({
        db,
        s3,
        sqs,
        queueUrl: config.sqsQueueUrl,
        concurrency: config.sqsConcurrency,
        visibilityTimeoutSeconds: config.sqsVisibilityTimeoutSeconds,
        log: options.log,
      });
      health.consumer = consumer.status;
      log(`consuming ${config.sqsQueueUrl} (${config.sqsConcurrency} messages at a time)`, { component: 'sqs' });
      consumer.start();
      firstChecks();
      await stop;
      log('stopping: no new messages; letting in-flight ones finish', { component: 'sqs' });
      await consumer.stop();
      s3.destroy();
      sqs.destroy();
    } else {
      await mkdir(config.inboxDir, { recursive: true });
      await loadDemoOnFirstStart(db, config, log);
      const inboxLog = withFields(options.log, { component: 'inbox' });
      inboxLog(`watching ${config.inboxDir} for delivered files (a local copy of your bucket: SDDS feed folders, CAS files)`);
      inboxLog('SQS off: set SQS_QUEUE_URL to consume S3 and Marketplace notifications');
      firstChecks();
      await watchInbox(db, config, inboxLog, withFields(options.log, { component: 'ingest' }), stop, health.inbox);
    }
  } finally {
    halt();
    setTelemetrySink({});
    await probing;
    // commands run for other processes stop between files, like ours
    db.host?.abortSessions();
    await scheduler?.stop();
    mailer?.close();
    await rollups;
    await slack?.stop().catch((error: unknown) => log(describeError(error), { component: 'slack', level: 'warn' }));
    await new Promise((r) => (http ? http.close(r) : r(undefined)));
    await db.close();
    log('stopped');
  }
}

/** One log line per command another process ran through this one. */
function logSessions(run: SessionHandler, log: Log): SessionHandler {
  return async (session) => {
    const started = Date.now();
    const code = await run(session);
    log(`ran \`marketplace-pulse ${session.request.argv.join(' ')}\` for another process: exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return code;
  };
}

/** How long a health check waits for the database's `select 1`. */
const HEALTH_DB_TIMEOUT_MS = 3_000;
/** How often the database is checked while nobody asks, so a failure's start is known. */
const DB_PROBE_INTERVAL_MS = 5_000;

/** When something began failing (null: it works) and what it said. */
interface Failing {
  since: string | null;
  error: string | null;
}

/**
 * What the health endpoints report. The database is checked on every request and every few
 * seconds; the queue reports its own receives (SqsConsumer status), the inbox its listings. An
 * error is cleared by the next success.
 */
class Health {
  readonly database: Failing = { since: null, error: null };
  consumer: ConsumerStatus | null = null;
  readonly inbox: InboxStatus = { lastMessageAt: null, failingSince: null, lastError: null };
  slack: SlackService | null = null;

  constructor(
    private readonly db: Database,
    private readonly windowSeconds: number,
  ) {}

  async checkDatabase(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // a database behind a dropped network answers nothing: say so rather than hang the check
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_DB_TIMEOUT_MS / 1000} s`)), HEALTH_DB_TIMEOUT_MS)));
      await Promise.race([this.db.query('select 1'), late]);
      this.database.since = null;
      this.database.error = null;
    } catch (error) {
      this.database.since ??= new Date().toISOString();
      this.database.error = describeError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  async probeDatabase(stop: Promise<void>): Promise<void> {
    let stopping = false;
    void stop.then(() => (stopping = true));
    while (!stopping) {
      await this.checkDatabase();
      await sleep(DB_PROBE_INTERVAL_MS, stop);
    }
  }

  /** The queue (SQS receives) or the inbox (listing the folder). */
  private source(): { name: 'sqs' | 'inbox'; since: string | null; error: string | null } {
    return this.consumer
      ? { name: 'sqs', since: this.consumer.failingSince, error: this.consumer.lastError }
      : { name: 'inbox', since: this.inbox.failingSince, error: this.inbox.lastError };
  }

  report(now = Date.now()): { live: boolean; ready: boolean; body: Record<string, unknown> } {
    const source = this.source();
    const failedTooLong = (since: string | null) => since !== null && now - Date.parse(since) >= this.windowSeconds * 1000;
    const problems: string[] = [];
    if (this.database.since) problems.push(`database failing since ${this.database.since}: ${this.database.error}`);
    if (source.since) problems.push(`${source.name === 'sqs' ? 'queue' : 'inbox'} failing since ${source.since}: ${source.error}`);
    const slack = this.slack?.status() ?? null;
    if (slack?.state === 'failing') problems.push(`slack: ${slack.detail}`);
    // alive: the loops run (a stopped consumer is what a restart fixes); ready: nothing has failed
    // for longer than the window
    const live = !this.consumer || this.consumer.running;
    const ready = live && !failedTooLong(this.database.since) && !failedTooLong(source.since);
    const consumer = this.consumer;
    return {
      live,
      ready,
      body: {
        status: !live ? 'unhealthy' : problems.length ? 'degraded' : 'ok',
        ready,
        problems,
        database: this.database.since ? this.database.error : 'ok',
        databaseFailingSince: this.database.since,
        slack,
        source: source.name,
        consumer: consumer
          ? { running: consumer.running, inFlight: consumer.inFlight, lastPollAt: consumer.lastPollAt, lastError: consumer.lastError, failingSince: consumer.failingSince, lastMessageError: consumer.lastMessageError }
          : null,
        inbox: consumer ? null : { lastError: this.inbox.lastError, failingSince: this.inbox.failingSince },
        lastMessageAt: consumer ? consumer.lastMessageAt : this.inbox.lastMessageAt,
        readinessWindowSeconds: this.windowSeconds,
      },
    };
  }
}

interface InboxStatus {
  lastMessageAt: string | null;
  failingSince: string | null;
  lastError: string | null;
}

/**
 * GET /healthz (liveness): 200 while the service's loops run, with `status` "degraded" and the
 * problems when the database, the queue or Slack fails (a restart would not help). GET /readyz
 * (readiness): 503 once the database or the queue has failed for READINESS_WINDOW_SECONDS; it
 * recovers by itself. GET /metrics: Prometheus. POST /slack/events for Slack.
 */
async function listen(config: Config, health: Health, registry: Registry, log: Log, slackListener: RequestListener | null): Promise<Server> {
  const server = createServer((req, res) => {
    const route = (req.url ?? '').split('?')[0];
    if (slackListener && req.method === 'POST' && route === '/slack/events') {
      slackListener(req, res);
      return;
    }
    if (req.method === 'GET' && route === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(describeError(error)),
      );
      return;
    }
    if (req.method !== 'GET' || (route !== '/healthz' && route !== '/readyz')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found; try GET /healthz, /readyz or /metrics' }));
      return;
    }
    // liveness answers from what the probes know (a hung database must not stall it, nor is it a
    // reason to restart); readiness checks the database now as well
    void (route === '/readyz' ? health.checkDatabase() : Promise.resolve()).then(() => {
      const { live, ready, body } = health.report();
      const ok = route === '/healthz' ? live : ready;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.httpPort, config.httpHost, () => resolve());
  });
  const address = server.address();
  log(`health check: http://${config.httpHost}:${typeof address === 'object' && address ? address.port : config.httpPort}/healthz (readiness /readyz, Prometheus /metrics)`, { component: 'http' });
  return server;
}

async function loadDemoOnFirstStart(db: Database, config: Config, log: Log): Promise<void> {
  if (config.demoData !== 'auto' || db.kind !== 'pglite') return;
  const seen = await db.query<{ n: number }>('select count(*)::int as n from ingest_file');
  if (Number(seen[0]!.n) > 0) return;
  const demoDir = path.join(config.dataDir, 'demo');
  log('first start on an empty embedded database: generating a fictional DEMO seller so you can see real rows');
  const [{ writeDemoData }, { ingestPaths }] = await Promise.all([import('./demo/generate.ts'), import('./ingest/run.ts')]);
  const written = await writeDemoData(demoDir, { seed: 42 });
  const summary = await ingestPaths(db, [demoDir]);
  log(`DEMO DATA loaded: ${summary.loaded} files, ${summary.rowsInserted} rows from ${demoDir} (fictional seller, not yours; ${written.files} files written)`);
  log('To use your own data: set DATABASE_URL for a fresh database (or DEMO_DATA=off with a new DATA_DIR),');
  log(`then copy your bucket into ${config.inboxDir} or run: npx marketplace-pulse ingest <your-bucket-copy>`);
}

/**
 * The delivery watch (a scheduled job): checks the expected-delivery calendar, logs datasets
 * turning late, missing or resolved and, with Slack on, posts the alerts (late deliveries,
 * rejected files, new subscribers and cancellations).
 */
class DeliveryWatch {
  private previous = new Map<string, Freshness>();
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly log: Log,
    private readonly rootLog: Log,
    private readonly slack: SlackService | null,
    private readonly clock: () => Date,
  ) {}

  async check(): Promise<void> {
    const { db, config, log, slack } = this;
    const current = await computeFreshness(db, this.clock(), config.deliveries);
    telemetry.freshness(current);
    if (this.previous.size === 0) {
      const behind = current.filter((f) => f.status === 'late' || f.status === 'missing');
      if (behind.length === 0) log('every expected dataset is on time');
      else log(`${behind.length} late or missing: ${behind.map((f) => `${f.dataset} (${f.status})`).join(', ')}; details: marketplace-pulse freshness`, { level: 'warn' });
    } else {
      for (const line of describeChanges(this.previous, current)) log(line);
    }
    this.previous = new Map(current.map((f) => [f.dataset, f]));
    if (slack) await (await import('./slack/alerts.ts')).runAlerts({ db, client: slack.client, settings: slack.settings, config, freshness: current, now: this.clock(), log: this.rootLog });
  }
}

/** Email trouble (a digest that gave up, or was interrupted) as a message in the alert channel. */
function slackAlerter(slack: SlackService): (text: string) => Promise<void> {
  return async (text) => {
    const channel = slack.settings.alertChannels.delivery ?? slack.settings.alertChannels.rejected;
    if (channel) await slack.client.chat.postMessage({ channel, text });
  };
}

function describeEmail(config: Config): string {
  const e = config.email;
  const where = e.smtpUrl ? `SMTP ${new URL(e.smtpUrl).host}` : `no SMTP_URL: messages are written to ${e.outboxDir}`;
  const daily = e.dailyTo.length ? `daily at ${e.dailyAt} to ${e.dailyTo.length} recipient${e.dailyTo.length === 1 ? '' : 's'}` : 'daily off (DIGEST_DAILY_TO)';
  const monthly = e.monthlyTo.length ? `monthly on day ${e.monthlyDay} at ${e.monthlyAt} to ${e.monthlyTo.length}` : 'monthly off (DIGEST_MONTHLY_TO)';
  return `${daily}, ${monthly} (${e.timeZone}); ${where}`;
}

/** Folds newly loaded files into the rollups every few seconds, off the ingest path. */
async function keepRollups(db: Database, log: Log, stop: Promise<void>): Promise<void> {
  let stopping = false;
  void stop.then(() => (stopping = true));
  while (!stopping) {
    try {
      await refreshRollups(db);
    } catch (error) {
      log(`${describeError(error)}; retrying`, { level: 'warn' });
    }
    await sleep(5_000, stop);
  }
}

/** Waits ms, or less if stop comes first; leaves no timer behind to keep the process alive. */
function sleep(ms: number, stop: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([stop, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

function stopOnSignals(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Polls the inbox. A file is ingested once its size and mtime have held still for one poll (so a
 * copy in progress is not read half-written) and again whenever it changes.
 */
async function watchInbox(db: Database, config: Config, log: Log, ingestLog: Log, stop: Promise<void>, status: InboxStatus): Promise<void> {
  const done = new Map<string, string>();
  const pending = new Map<string, string>();
  const noted = new Set<string>();
  let stopping = false;
  void stop.then(() => {
    stopping = true;
  });
  while (!stopping) {
    let objects: Awaited<ReturnType<typeof listLocalObjects>> = [];
    try {
      objects = await listLocalObjects([config.inboxDir], { onSkipped: (note) => !noted.has(note) && (noted.add(note), log(note)) });
      status.failingSince = null;
      status.lastError = null;
    } catch (error) {
      status.failingSince ??= new Date().toISOString();
      status.lastError = `cannot list ${config.inboxDir}: ${describeError(error)}`;
      log(status.lastError, { level: 'warn' });
    }
    for (const object of objects) {
      if (stopping) break;
      const info = await stat(object.location).catch(() => null);
      if (!info) continue;
      const signature = `${info.size}:${info.mtimeMs}`;
      if (done.get(object.location) === signature) continue;
      if (pending.get(object.location) !== signature) {
        pending.set(object.location, signature);
        continue;
      }
      try {
        const r = await ingestObject(db, object);
        telemetry.fileIngested(r);
        status.lastMessageAt = new Date().toISOString();
        // a rejected file is retried only once it changes: its ledger row says why
        done.set(object.location, signature);
        pending.delete(object.location);
        if (r.status !== 'unchanged') logFile(ingestLog, r);
      } catch (error) {
        // the database is away (or failed mid-file): nothing of it was stored; the next look retries it
        log(`could not load ${object.key} now: ${describeError(error)}; trying again in ${config.inboxPollSeconds} s`, { level: 'warn', key: object.key });
      }
    }
    await sleep(config.inboxPollSeconds * 1000, stop);
  }
}
