/** The only module that reads process.env: parsed once, every bad key listed at start-up. */
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.ts';

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
  SQS_VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(30).max(43_200).default(300),
  AWS_ENDPOINT_URL: z.string().url().optional(),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
});

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
  /** Set for an emulator (the SDK reads it too); S3 then uses path-style URLs. */
  awsEndpointUrl: string | undefined;
  httpPort: number;
  httpHost: string;
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
    awsEndpointUrl: c.AWS_ENDPOINT_URL,
    httpPort: c.HTTP_PORT,
    httpHost: c.HTTP_HOST,
  };
}
