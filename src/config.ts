/** The only module that reads process.env: parsed once, every bad key listed at start-up. */
import path from 'node:path';
import { z } from 'zod';
import { DATASETS, getDataset } from './datasets/catalog.ts';
import type { DeliverySettings } from './deliveries/freshness.ts';
import { AppError } from './errors.ts';

const datasetName = (name: string, ctx: z.RefinementCtx) => {
  const def = getDataset(name);
  if (!def) ctx.addIssue({ code: 'custom', message: `"${name}" is not a dataset (e.g. ${DATASETS[0]!.name}; see \`marketplace-pulse datasets\`)` });
  return def?.name ?? name;
};

/** Plausibly an email address: one @, a dot in the domain, no spaces or angle brackets. */
export const EMAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DEMO_DATA: z.enum(['auto', 'off']).default('auto'),
  INBOX_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  SQS_QUEUE_URL: z.string().url('must be the queue URL, https://sqs.<region>.amazonaws.com/<account>/<name>').optional(),
  SQS_CONCURRENCY: z.coerce.number().int().min(1).max(10).default(4),
  SQS_VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(43_200).default(300),
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
  AWS_PROFILE: z.string().min(1).optional(),
  AWS_ENDPOINT_URL: z.string().url().optional(),
  AWS_ENDPOINT_URL_S3: z.string().url().optional(),
  AWS_ENDPOINT_URL_SQS: z.string().url().optional(),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  READINESS_WINDOW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  DATASETS_NOT_EXPECTED: z
    .string()
    .default('')
    .transform((v, ctx) => v.split(',').map((x) => x.trim()).filter(Boolean).map((x) => datasetName(x, ctx))),
  DELIVERY_THRESHOLDS: z
    .string()
    .default('')
    .transform((v, ctx) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .map((entry): [string, { warnAfterHours: number; errorAfterHours: number }] => {
          const m = /^([^=]+)=(\d+)\/(\d+)$/.exec(entry);
          if (!m || Number(m[2]) > Number(m[3])) {
            ctx.addIssue({ code: 'custom', message: `"${entry}" is not dataset=warnHours/errorHours with warn <= error (e.g. sdds_billing_event=24/48)` });
            return ['', { warnAfterHours: 0, errorAfterHours: 0 }];
          }
          return [datasetName(m[1]!.trim(), ctx), { warnAfterHours: Number(m[2]), errorAfterHours: Number(m[3]) }];
        }),
    ),
  DELIVERY_CHECK_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  REPORT_TIMEZONE: timeZone().default('UTC'),
  FISCAL_YEAR_START_MONTH: z.coerce.number().int().min(1, 'must be a month number 1-12').max(12, 'must be a month number 1-12').default(1),
  SLACK_SIGNING_SECRET: z.string().min(8, 'looks too short for a Slack signing secret').optional(),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-…)').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token (xapp-…) with connections:write').optional(),
  SLACK_API_URL: z.string().url('must be a URL such as https://slack.com/api/').optional(),
  SLACK_ALLOWED_USERS: list(/^[UW][A-Z0-9]+$/, 'is not one of Slack user IDs such as U024BE7LH'),
  SLACK_ALLOWED_CHANNELS: list(/^[CGD][A-Z0-9]+$/, 'is not one of Slack channel IDs such as C024BE91L'),
  SLACK_ALLOWED_USERGROUPS: list(/^S[A-Z0-9]+$/, 'is not one of Slack user group IDs such as S0614TZR7'),
  SLACK_PII_USERS: list(/^[UW][A-Z0-9]+$/, 'is not one of Slack user IDs such as U024BE7LH'),
  SLACK_ALERT_CHANNEL: z.string().regex(/^[CGD][A-Z0-9]+$/, 'must be a channel ID such as C024BE91L (channel details, bottom)').optional(),
  SLACK_ALERT_CHANNEL_DELIVERY: z.string().regex(/^[CGD][A-Z0-9]+$/, 'must be a channel ID such as C024BE91L').optional(),
  SLACK_ALERT_CHANNEL_REJECTED: z.string().regex(/^[CGD][A-Z0-9]+$/, 'must be a channel ID such as C024BE91L').optional(),
  SLACK_ALERT_CHANNEL_SUBSCRIBERS: z.string().regex(/^[CGD][A-Z0-9]+$/, 'must be a channel ID such as C024BE91L').optional(),
  SLACK_ALERT_REPEAT_HOURS: z.coerce.number().min(0.25).max(720).default(24),
  CHROMIUM_PATH: z.string().min(1).optional(),
  QUICKCHART_URL: z.string().url('must be the base URL of a QuickChart server, e.g. https://quickchart.io').default('https://quickchart.io'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be smtp://user:password@host:587 or smtps://…:465').optional(),
  EMAIL_FROM: z.string().min(3).default('marketplace-pulse <marketplace-pulse@localhost>'),
  DIGEST_DAILY_TO: list(EMAIL_ADDRESS, 'is not an email address'),
  DIGEST_MONTHLY_TO: list(EMAIL_ADDRESS, 'is not an email address'),
  DIGEST_DAILY_AT: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h), e.g. 07:00').default('07:00'),
  DIGEST_MONTHLY_AT: z.string().regex(/^([1-9]|1\d|2[0-8]) ([01]\d|2[0-3]):[0-5]\d$/, 'must be "<day 1-28> HH:MM", e.g. "3 08:00"').default('3 08:00'),
  DIGEST_TIMEZONE: timeZone().optional(),
  DIGEST_CATCH_UP: z.enum(['latest', 'all']).default('latest'),
  DIGEST_GRACE_HOURS: z.coerce.number().min(0).max(72).default(6),
  DIGEST_ATTACH_CSV: z
    .string()
    .default('daily,monthly')
    .transform((v, ctx) => {
      const items = v.split(',').map((x) => x.trim().toLowerCase()).filter((x) => x && x !== 'none');
      for (const item of items) if (item !== 'daily' && item !== 'monthly') ctx.addIssue({ code: 'custom', message: `"${item}" is not a digest; use daily, monthly, both (daily,monthly) or none` });
      return items as Array<'daily' | 'monthly'>;
    }),
});

function timeZone() {
  return z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as UTC, Europe/Berlin or America/New_York');
}

/** A comma-separated list, each item matching `pattern` (else: `"item" <problem>`). */
function list(pattern: RegExp, problem: string) {
  return z
    .string()
    .default('')
    .transform((v, ctx) => {
      const items = v.split(',').map((x) => x.trim()).filter(Boolean);
      for (const item of items) if (!pattern.test(item)) ctx.addIssue({ code: 'custom', message: `"${item}" ${problem}` });
      return items;
    });
}

export interface AwsSettings {
  /** Unset: the SDK's own lookup (AWS config files, instance metadata). */
  region: string | undefined;
  /**
   * Credentials from this environment (keys, or a profile), handed to the SDK explicitly so a
   * command run inside another process (see DataDirHost) uses its caller's; unset: the SDK's chain.
   */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  profile: string | undefined;
  /** An emulator or proxy instead of AWS (AWS_ENDPOINT_URL, or the per-service variables). */
  s3Endpoint: string | undefined;
  sqsEndpoint: string | undefined;
}

export type AlertKind = 'delivery' | 'rejected' | 'subscribers';

export interface SlackSettings {
  /** 'http': requests at /slack/events on the service's listener; 'socket': Socket Mode. */
  mode: 'http' | 'socket';
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  /** Web API base, e.g. a proxy or a test double; Slack's own when unset. */
  apiUrl: string | undefined;
  allowedUsers: string[];
  allowedChannels: string[];
  allowedUsergroups: string[];
  /** May see customers' addresses and contact details. */
  piiUsers: string[];
  /** Where each kind of alert goes; null: that kind is not posted. */
  alertChannels: Record<AlertKind, string | null>;
  alertRepeatHours: number;
}

export interface EmailSettings {
  /** Unset: messages are written to DATA_DIR/outbox as .eml and .html. */
  smtpUrl: string | undefined;
  from: string;
  outboxDir: string;
  dailyTo: string[];
  monthlyTo: string[];
  /** Local time (HH:MM) of the daily digest, in timeZone. */
  dailyAt: string;
  /** Day of month and local time of the monthly digest. */
  monthlyDay: number;
  monthlyAt: string;
  timeZone: string;
  /** After downtime: send only the latest missed digest, or every one. */
  catchUp: 'latest' | 'all';
  /** How long a digest waits for late data before it goes out saying what is late. */
  graceHours: number;
  /** The digests that carry their rows as CSV attachments. */
  attachCsv: Array<'daily' | 'monthly'>;
}

export interface Config {
  /** PostgreSQL through postgres.js when set; embedded PGlite under dataDir otherwise. */
  databaseUrl: string | undefined;
  dataDir: string;
  inboxDir: string;
  /** 'auto': write and ingest the demo seller on the first start of an empty database. */
  demoData: 'auto' | 'off';
  inboxPollSeconds: number;
  /** Consume this queue (S3 events, SDDS/CAS notifications, Marketplace events); unset: the inbox folder. */
  sqsQueueUrl: string | undefined;
  sqsConcurrency: number;
  /** How long a message stays invisible while we work on it; extended while a large file loads. */
  sqsVisibilityTimeoutSeconds: number;
  /** Region and endpoints for the AWS clients; credentials come from the SDK's default chain. */
  aws: AwsSettings;
  httpPort: number;
  httpHost: string;
  /** How long the database or the queue may fail before /readyz answers 503. */
  readinessWindowSeconds: number;
  /** The service's log lines: JSON, or text for a person; unset: text on a terminal, JSON elsewhere. */
  logFormat: 'json' | 'pretty' | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  deliveries: DeliverySettings;
  /** How often the service re-checks the expected-delivery calendar. */
  deliveryCheckMinutes: number;
  /** Periods ("yesterday", "last-month") are resolved in this zone; data stays UTC. */
  reportTimeZone: string;
  /** 1-12; quarters and years ("2026-Q3", "ytd") follow the fiscal year. */
  fiscalYearStartMonth: number;
  /** Null: Slack is off (no token, or no signing secret / app token). */
  slack: SlackSettings | null;
  /** QuickChart server for chart images (quickchart.io unless self-hosted). */
  quickChartUrl: string;
  /** A Chrome or Chromium binary for email-preview screenshots; unset: the usual places. */
  chromiumPath: string | undefined;
  email: EmailSettings;
}

/**
 * What a command run inside the process holding the embedded database (src/db/data-dir-host.ts)
 * takes from its caller: settings that shape an answer. Nothing secret, and nothing that says where
 * the holder's secrets go (endpoints, SMTP, Slack): those stay the holder's own.
 */
export const CALLER_SETTINGS = ['REPORT_TIMEZONE', 'FISCAL_YEAR_START_MONTH', 'DIGEST_TIMEZONE', 'LOG_FORMAT', 'LOG_LEVEL', 'DATASETS_NOT_EXPECTED', 'DELIVERY_THRESHOLDS'] as const;

/**
 * The caller's side of a forwarded command: the CALLER_SETTINGS it has, and the names (never the
 * values) of the other settings it has, so the holder can say which of them it runs without.
 */
export function settingsToForward(env: NodeJS.ProcessEnv): { settings: Record<string, string>; unsent: string[] } {
  const settings: Record<string, string> = {};
  const unsent: string[] = [];
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if ((CALLER_SETTINGS as readonly string[]).includes(name)) settings[name] = value;
    else if (name !== 'DATA_DIR') unsent.push(name);
  }
  return { settings, unsent };
}

/**
 * The holder's side: its own environment with the caller's CALLER_SETTINGS over it (anything else
 * a caller sends is ignored), and the caller's settings it does not have itself.
 */
export function forwardedEnvironment(own: NodeJS.ProcessEnv, caller: { settings: Record<string, string>; unsent: string[] }): { env: NodeJS.ProcessEnv; missing: string[] } {
  const env: NodeJS.ProcessEnv = { ...own };
  for (const name of CALLER_SETTINGS) if (caller.settings[name] !== undefined) env[name] = caller.settings[name];
  const missing = caller.unsent.filter((name) => name in schema.shape && (own[name] === undefined || own[name] === '')).sort();
  return { env, missing };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new AppError('config', `invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.SLACK_BOT_TOKEN && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN) {
    throw new AppError('config', 'invalid configuration:\n  SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP requests at /slack/events) nor SLACK_APP_TOKEN (Socket Mode) is');
  }
  if (!c.SLACK_BOT_TOKEN && (c.SLACK_SIGNING_SECRET || c.SLACK_APP_TOKEN)) {
    throw new AppError('config', 'invalid configuration:\n  SLACK_BOT_TOKEN (xoxb-…) is needed with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN');
  }
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    databaseUrl: c.DATABASE_URL,
    dataDir,
    inboxDir: path.join(dataDir, 'inbox'),
    demoData: c.DEMO_DATA,
    inboxPollSeconds: c.INBOX_POLL_SECONDS,
    sqsQueueUrl: c.SQS_QUEUE_URL,
    sqsConcurrency: c.SQS_CONCURRENCY,
    sqsVisibilityTimeoutSeconds: c.SQS_VISIBILITY_TIMEOUT_SECONDS,
    aws: {
      region: c.AWS_REGION ?? c.AWS_DEFAULT_REGION,
      credentials:
        c.AWS_ACCESS_KEY_ID && c.AWS_SECRET_ACCESS_KEY
          ? { accessKeyId: c.AWS_ACCESS_KEY_ID, secretAccessKey: c.AWS_SECRET_ACCESS_KEY, ...(c.AWS_SESSION_TOKEN ? { sessionToken: c.AWS_SESSION_TOKEN } : {}) }
          : undefined,
      profile: c.AWS_PROFILE,
      s3Endpoint: c.AWS_ENDPOINT_URL_S3 ?? c.AWS_ENDPOINT_URL,
      sqsEndpoint: c.AWS_ENDPOINT_URL_SQS ?? c.AWS_ENDPOINT_URL,
    },
    httpPort: c.HTTP_PORT,
    httpHost: c.HTTP_HOST,
    readinessWindowSeconds: c.READINESS_WINDOW_SECONDS,
    logFormat: c.LOG_FORMAT,
    logLevel: c.LOG_LEVEL,
    deliveries: { notExpected: new Set(c.DATASETS_NOT_EXPECTED), thresholds: new Map(c.DELIVERY_THRESHOLDS) },
    deliveryCheckMinutes: c.DELIVERY_CHECK_MINUTES,
    reportTimeZone: c.REPORT_TIMEZONE,
    fiscalYearStartMonth: c.FISCAL_YEAR_START_MONTH,
    slack: c.SLACK_BOT_TOKEN
      ? {
          mode: c.SLACK_APP_TOKEN ? 'socket' : 'http',
          botToken: c.SLACK_BOT_TOKEN,
          signingSecret: c.SLACK_SIGNING_SECRET,
          appToken: c.SLACK_APP_TOKEN,
          apiUrl: c.SLACK_API_URL ? c.SLACK_API_URL.replace(/\/?$/, '/') : undefined,
          allowedUsers: c.SLACK_ALLOWED_USERS,
          allowedChannels: c.SLACK_ALLOWED_CHANNELS,
          allowedUsergroups: c.SLACK_ALLOWED_USERGROUPS,
          piiUsers: c.SLACK_PII_USERS,
          alertChannels: {
            delivery: c.SLACK_ALERT_CHANNEL_DELIVERY ?? c.SLACK_ALERT_CHANNEL ?? null,
            rejected: c.SLACK_ALERT_CHANNEL_REJECTED ?? c.SLACK_ALERT_CHANNEL ?? null,
            subscribers: c.SLACK_ALERT_CHANNEL_SUBSCRIBERS ?? c.SLACK_ALERT_CHANNEL ?? null,
          },
          alertRepeatHours: c.SLACK_ALERT_REPEAT_HOURS,
        }
      : null,
    quickChartUrl: c.QUICKCHART_URL.replace(/\/$/, ''),
    chromiumPath: c.CHROMIUM_PATH,
    email: {
      smtpUrl: c.SMTP_URL,
      from: c.EMAIL_FROM,
      outboxDir: path.join(dataDir, 'outbox'),
      dailyTo: c.DIGEST_DAILY_TO,
      monthlyTo: c.DIGEST_MONTHLY_TO,
      dailyAt: c.DIGEST_DAILY_AT,
      monthlyDay: Number(c.DIGEST_MONTHLY_AT.split(' ')[0]),
      monthlyAt: c.DIGEST_MONTHLY_AT.split(' ')[1]!,
      timeZone: c.DIGEST_TIMEZONE ?? c.REPORT_TIMEZONE,
      catchUp: c.DIGEST_CATCH_UP,
      graceHours: c.DIGEST_GRACE_HOURS,
      attachCsv: c.DIGEST_ATTACH_CSV,
    },
  };
}
