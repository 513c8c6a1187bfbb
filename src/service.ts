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
import { ingestObject } from './ingest/load.ts';
import { listLocalObjects } from './ingest/local.ts';
import type { ConsumerStatus } from './ingest/sqs.ts';
import { refreshRollups } from './rollups/refresh.ts';
import { createMailer, type Mailer } from './email/mailer.ts';
import type { SendDeps } from './email/send.ts';
import { startScheduler, type Scheduler } from './scheduler.ts';
import type { SlackService } from './slack/app.ts';
import { describeSlack } from './slack/describe.ts';

export interface ServiceOptions {
  log: (line: string) => void;
  /** The clock (tests pin it); the real one by default. */
  now?: () => Date;
  /** Resolves when the service should stop; defaults to SIGINT/SIGTERM. */
  stopSignal?: Promise<void>;
  /** On the embedded database: runs the CLI commands other processes forward to this one. */
  hostCommands?: (db: Database) => SessionHandler;
}

export async function runService(config: Config, options: ServiceOptions): Promise<void> {
  const { log } = options;
  const db = await openDatabase(config, 'serve');
  if (options.hostCommands && db.host) db.host.serve(logSessions(options.hostCommands(db), log));
  log(`database: ${db.kind === 'pglite' ? `embedded PostgreSQL (PGlite) in ${db.location}` : db.location}`);
  const signal = options.stopSignal ?? stopOnSignals();
  // everything that runs stops on the signal, or when the service fails
  let halt!: () => void;
  const stop = Promise.race([signal, new Promise<void>((r) => (halt = r))]);
  let http: Server | null = null;
  let slack: SlackService | null = null;
  let scheduler: Scheduler | null = null;
  let mailer: Mailer | null = null;
  let rollups: Promise<void> = Promise.resolve();
  try {
    rollups = keepRollups(db, log, stop);
    const health: Health = { db, consumer: null, inbox: { lastMessageAt: null }, slack: null };
    mailer = createMailer(config.email);
    log(describeEmail(config));
    // what only some configurations use loads only for them: Slack, SQS and S3, the digests (MJML)
    slack = config.slack ? (await import('./slack/app.ts')).createSlackService({ config, settings: config.slack, db, log, mailer, ...(options.now ? { now: options.now } : {}) }) : null;
    log(describeSlack(config.slack));
    health.slack = slack;
    http = await listen(config, health, log, slack?.requestListener ?? null);
    slack?.start();
    const clock = options.now ?? (() => new Date());
    const sendDeps: SendDeps = { db, mailer, config, log, now: clock, ...(slack ? { alert: slackAlerter(slack) } : {}) };
    const watch = new DeliveryWatch(db, config, log, slack, clock);
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
      log,
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
        log,
      });
      health.consumer = consumer.status;
      log(`consuming ${config.sqsQueueUrl} (${config.sqsConcurrency} messages at a time)`);
      consumer.start();
      firstChecks();
      await stop;
      log('stopping: no new messages; letting in-flight ones finish');
      await consumer.stop();
      s3.destroy();
      sqs.destroy();
    } else {
      await mkdir(config.inboxDir, { recursive: true });
      await loadDemoOnFirstStart(db, config, log);
      log(`watching ${config.inboxDir} for delivered files (a local copy of your bucket: SDDS feed folders, CAS files)`);
      log('SQS off: set SQS_QUEUE_URL to consume S3 and Marketplace notifications');
      firstChecks();
      await watchInbox(db, config, log, stop, health.inbox);
    }
  } finally {
    halt();
    // commands run for other processes stop between files, like ours
    db.host?.abortSessions();
    await scheduler?.stop();
    mailer?.close();
    await rollups;
    await slack?.stop().catch((error: unknown) => log(`slack: ${describeError(error)}`));
    await new Promise((r) => (http ? http.close(r) : r(undefined)));
    await db.close();
    log('stopped');
  }
}

/** One log line per command another process ran through this one. */
function logSessions(run: SessionHandler, log: (l: string) => void): SessionHandler {
  return async (session) => {
    const started = Date.now();
    const code = await run(session);
    log(`ran \`marketplace-pulse ${session.request.argv.join(' ')}\` for another process: exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return code;
  };
}

/** How long /healthz waits for the database's `select 1`. */
const HEALTH_DB_TIMEOUT_MS = 3_000;

interface Health {
  db: Database;
  consumer: ConsumerStatus | null;
  inbox: { lastMessageAt: string | null };
  slack: SlackService | null;
}

/**
 * GET /healthz: 200 when the database answers and the consumer runs, 503 otherwise (a restart may
 * help); Slack failing makes it "degraded" with 200 (a restart would not help, ingest goes on).
 * POST /slack/events for Slack.
 */
async function listen(config: Config, health: Health, log: (l: string) => void, slackListener: RequestListener | null): Promise<Server> {
  const server = createServer((req, res) => {
    if (slackListener && req.method === 'POST' && (req.url ?? '').split('?')[0] === '/slack/events') {
      slackListener(req, res);
      return;
    }
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found; try GET /healthz' }));
      return;
    }
    void (async () => {
      let database = 'ok';
      let timer: NodeJS.Timeout | undefined;
      try {
        // a database behind a dropped network answers nothing: say so rather than hang the check
        const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_DB_TIMEOUT_MS / 1000} s`)), HEALTH_DB_TIMEOUT_MS)));
        await Promise.race([health.db.query('select 1'), late]);
      } catch (error) {
        database = describeError(error);
      } finally {
        clearTimeout(timer);
      }
      const consumer = health.consumer;
      const slack = health.slack?.status() ?? null;
      const working = database === 'ok' && (!consumer || consumer.running);
      const body = {
        status: !working ? 'unhealthy' : slack?.state === 'failing' ? 'degraded' : 'ok',
        database,
        slack,
        source: consumer ? 'sqs' : 'inbox',
        consumer: consumer ? { running: consumer.running, inFlight: consumer.inFlight, lastPollAt: consumer.lastPollAt, lastError: consumer.lastError } : null,
        lastMessageAt: consumer ? consumer.lastMessageAt : health.inbox.lastMessageAt,
      };
      res.writeHead(working ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.httpPort, config.httpHost, () => resolve());
  });
  const address = server.address();
  log(`health check: http://${config.httpHost}:${typeof address === 'object' && address ? address.port : config.httpPort}/healthz`);
  return server;
}

async function loadDemoOnFirstStart(db: Database, config: Config, log: (l: string) => void): Promise<void> {
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
    private readonly log: (l: string) => void,
    private readonly slack: SlackService | null,
    private readonly clock: () => Date,
  ) {}

  async check(): Promise<void> {
    const { db, config, log, slack } = this;
    const current = await computeFreshness(db, this.clock(), config.deliveries);
    if (this.previous.size === 0) {
      const behind = current.filter((f) => f.status === 'late' || f.status === 'missing');
      log(`delivery watch: ${behind.length === 0 ? 'every expected dataset is on time' : `${behind.length} late or missing: ${behind.map((f) => `${f.dataset} (${f.status})`).join(', ')}; details: marketplace-pulse freshness`}`);
    } else {
      for (const line of describeChanges(this.previous, current)) log(`delivery watch: ${line}`);
    }
    this.previous = new Map(current.map((f) => [f.dataset, f]));
    if (slack) await (await import('./slack/alerts.ts')).runAlerts({ db, client: slack.client, settings: slack.settings, config, freshness: current, now: this.clock(), log });
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
  return `email: ${daily}, ${monthly} (${e.timeZone}); ${where}`;
}

/** Folds newly loaded files into the rollups every few seconds, off the ingest path. */
async function keepRollups(db: Database, log: (l: string) => void, stop: Promise<void>): Promise<void> {
  let stopping = false;
  void stop.then(() => (stopping = true));
  while (!stopping) {
    try {
      await refreshRollups(db);
    } catch (error) {
      log(`rollups: ${describeError(error)}; retrying`);
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
async function watchInbox(db: Database, config: Config, log: (l: string) => void, stop: Promise<void>, seen: { lastMessageAt: string | null }): Promise<void> {
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
      objects = await listLocalObjects([config.inboxDir], { onSkipped: (note) => !noted.has(note) && (noted.add(note), log(`inbox: ${note}`)) });
    } catch (error) {
      log(`inbox: cannot list ${config.inboxDir}: ${describeError(error)}`);
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
        seen.lastMessageAt = new Date().toISOString();
        // a rejected file is retried only once it changes: its ledger row says why
        done.set(object.location, signature);
        pending.delete(object.location);
        if (r.status !== 'unchanged') {
          log(`${r.status} ${r.key}${r.status === 'rejected' ? `: ${r.error}` : ` (${r.rowsInserted} rows added)`}`);
        }
      } catch (error) {
        // the database is away (or failed mid-file): nothing of it was stored; the next look retries it
        log(`inbox: could not load ${object.key} now: ${describeError(error)}; trying again in ${config.inboxPollSeconds} s`);
      }
    }
    await sleep(config.inboxPollSeconds * 1000, stop);
  }
}
