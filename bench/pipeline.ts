/**
 * npm run bench:pipeline — end to end through the emulators: objects put into s3rver raise bucket
 * events that go S3 -> SNS -> SQS (fauxqs) to the consumer, which loads them into PostgreSQL.
 * Two workloads: 1,000 small objects and one large billing-event file. Next to each, in the same
 * run, the same files through the local ingest path (no S3, no SQS) into a fresh database.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addDays } from '../src/datasets/catalog.ts';
import type { Database } from '../src/db/client.ts';
import { ingestPaths } from '../src/ingest/run.ts';
import { SqsConsumer } from '../src/ingest/sqs.ts';
import { startAws } from '../test/support/aws.ts';
import { writeBillingEventFile } from './billing-file.ts';
import { freshDatabase } from './database.ts';
import { QUICK, report, type Figure } from './report.ts';

const SMALL = Number(process.env.BENCH_SMALL_OBJECTS ?? (QUICK ? 200 : 1000));
const LARGE_ROWS = Number(process.env.BENCH_LARGE_ROWS ?? (QUICK ? 100_000 : 500_000));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
process.env.AWS_REGION = 'us-east-1';


async function count(db: Database): Promise<{ files: number; rows: number }> {
  const r = await db.query<{ files: number; rows: string }>(`select count(*)::int as files, coalesce(sum(rows_inserted), 0)::text as rows from ingest_file where status in ('loaded', 'no-data')`);
  return { files: r[0]!.files, rows: Number(r[0]!.rows) };
}

const fmt = (n: number) => (n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString('en-US')).padStart(9);

async function main(): Promise<void> {
  const dir = path.join(os.tmpdir(), 'marketplace-pulse-bench-pipeline');
  await rm(dir, { recursive: true, force: true });
  const aws = await startAws({ visibilityTimeoutSeconds: 300 });
  const results: string[] = [];
  const figures: Figure[] = [];
  try {
    // 1,000 small objects: a year and more of daily CAS fee files, 5 rows each
    const small: Array<[string, string]> = [];
    for (let i = 0; i < SMALL; i++) {
      const date = addDays('2019-01-01', i);
      const rows = Array.from({ length: 5 }, (_, r) => `pc-${r},${(i + r) % 97}.${String(r * 7).padStart(2, '0')},USD`).join('\n');
      small.push([`cas/daily_business_fees_${date}.csv`, `Product Code,Amount,Currency\n${rows}\n`]);
    }
    const large = path.join(dir, 'large', 'BillingEventFeed_V1', 'year=2026', 'month=10', 'data.csv');
    await mkdir(path.dirname(large), { recursive: true });
    await writeBillingEventFile(large, LARGE_ROWS);

    for (const [key, body] of small) {
      const file = path.join(dir, 'small', key);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, body);
    }

    for (const [label, workload] of [
      [
        'small',
        async () => {
          // 25 uploads at a time: the SDK's socket pool holds 50
          for (let i = 0; i < small.length; i += 25) await Promise.all(small.slice(i, i + 25).map(([key, body]) => aws.put(key, body)));
        },
      ],
      ['large', async () => aws.put('feeds/BillingEventFeed_V1/year=2026/month=10/data.csv', await readFile(large))],
    ] as const) {
      const expected = label === 'small' ? SMALL : 1;
      const { db: localDb } = await freshDatabase(`mp_bench_local_${label}`);
      let t = performance.now();
      const local = await ingestPaths(localDb, [path.join(dir, label)]);
      const localSeconds = (performance.now() - t) / 1000;
      await localDb.close();

      const { db } = await freshDatabase(`mp_bench_pipeline_${label}`);
      process.stdout.write(`${label}: uploading ${expected} object(s)... `);
      await workload();
      console.log('queued');
      const consumer = new SqsConsumer({ db, s3: aws.s3, sqs: aws.sqs, queueUrl: aws.queueUrl, concurrency: CONCURRENCY, visibilityTimeoutSeconds: 300, log: () => {} });
      t = performance.now();
      consumer.start();
      let c = await count(db);
      const deadline = Date.now() + 600_000;
      while (c.files < expected) {
        if (Date.now() > deadline) throw new Error(`${label}: only ${c.files} of ${expected} objects arrived in 10 minutes`);
        await new Promise((r) => setTimeout(r, 50));
        c = await count(db);
      }
      const seconds = (performance.now() - t) / 1000;
      await consumer.stop();
      await db.close();
      results.push(
        `${label.padEnd(6)} pipeline: ${fmt(expected / seconds)} msgs/s ${fmt(c.rows / seconds)} rows/s (${seconds.toFixed(1)} s) | ` +
          `local ingest: ${fmt(local.results.length / localSeconds)} files/s ${fmt(local.rowsInserted / localSeconds)} rows/s (${localSeconds.toFixed(1)} s) | ` +
          `ratio ${(localSeconds / seconds).toFixed(2)}`,
      );
      figures.push({
        bench: 'pipeline',
        what: label === 'small' ? `${SMALL} small objects through SNS and SQS, files/s` : `a ${LARGE_ROWS.toLocaleString('en-US')}-row file through SNS and SQS, rows/s`,
        figure: (label === 'small' ? expected / seconds : c.rows / seconds).toFixed(0),
        baseline: `local ingest: ${(label === 'small' ? local.results.length / localSeconds : local.rowsInserted / localSeconds).toFixed(0)}`,
        ratio: localSeconds / seconds,
        target: '',
        met: null,
      });
    }
  } finally {
    await aws.stop();
    await rm(dir, { recursive: true, force: true });
  }
  console.log('');
  console.log(`S3 (s3rver) -> SNS -> SQS (fauxqs) -> consumer (concurrency ${CONCURRENCY}) -> PostgreSQL; ${SMALL} small objects, ${LARGE_ROWS.toLocaleString('en-US')}-row billing file`);
  for (const r of results) console.log(r);
  report(figures);
}

await main();
