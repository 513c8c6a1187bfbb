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
  AWS_ENDPOINT_URL: z.string().url().optional(),
  AWS_ENDPOINT_URL_S3: z.string().url().optional(),
  AWS_ENDPOINT_URL_SQS: z.string().url().optional(),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
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
  REPORT_TIMEZONE: z
    .string()
    .default('UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as UTC, Europe/Berlin or America/New_York'),
  FISCAL_YEAR_START_MONTH: z.coerce.number().int().min(1, 'must be a month number 1-12').max(12, 'must be a month number 1-12').default(1),
});

export interface AwsSettings {
  /** Unset: the SDK's own lookup (AWS config files, instance metadata). */
  region: string | undefined;
  /** An emulator or proxy instead of AWS (AWS_ENDPOINT_URL, or the per-service variables). */
  s3Endpoint: string | undefined;
  sqsEndpoint: string | undefined;
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
  deliveries: DeliverySettings;
  /** How often the service re-checks the expected-delivery calendar. */
  deliveryCheckMinutes: number;
  /** Periods ("yesterday", "last-month") are resolved in this zone; data stays UTC. */
  reportTimeZone: string;
  /** 1-12; quarters and years ("2026-Q3", "ytd") follow the fiscal year. */
  fiscalYearStartMonth: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new AppError('config', `invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
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
      s3Endpoint: c.AWS_ENDPOINT_URL_S3 ?? c.AWS_ENDPOINT_URL,
      sqsEndpoint: c.AWS_ENDPOINT_URL_SQS ?? c.AWS_ENDPOINT_URL,
    },
    httpPort: c.HTTP_PORT,
    httpHost: c.HTTP_HOST,
    deliveries: { notExpected: new Set(c.DATASETS_NOT_EXPECTED), thresholds: new Map(c.DELIVERY_THRESHOLDS) },
    deliveryCheckMinutes: c.DELIVERY_CHECK_MINUTES,
    reportTimeZone: c.REPORT_TIMEZONE,
    fiscalYearStartMonth: c.FISCAL_YEAR_START_MONTH,
  };
}
