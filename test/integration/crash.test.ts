/**
 * The service as a process: killed in the middle of loading a large file, then restarted, it loses
 * nothing and doubles nothing; asked to stop (SIGTERM) mid-load, it finishes the file first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBillingEventFile } from '../../bench/billing-file.ts';
import { startAws, type AwsEmulators } from '../support/aws.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { tempDir } from '../support/files.ts';
import { until } from '../support/wait.ts';

const ROWS = 150_000;
const KEY = 'feeds/BillingEventFeed_V1/year=2026/month=10/data.csv';
const root = fileURLToPath(new URL('../..', import.meta.url));


describe('serve, killed mid-load', () => {
  let t: TestDatabase;
  let aws: AwsEmulators;
  let dbName: string;
  const children: ChildProcess[] = [];
  const output: string[] = [];

  const serve = () => {
    const child = spawn(process.execPath, [path.join(root, 'bin/marketplace-pulse.js'), 'serve'], {
      env: { ...process.env, ...aws.env, DATABASE_URL: t.url!, DATA_DIR: dataDir, SQS_QUEUE_URL: aws.queueUrl, SQS_VISIBILITY_TIMEOUT_SECONDS: '5', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => output.push(String(d)));
    child.stderr!.on('data', (d) => output.push(String(d)));
    children.push(child);
    return child;
  };
  const copying = async () => (await t.db.query(`select 1 from pg_stat_activity where datname = $1 and query ilike 'copy %' and state = 'active'`, [dbName])).length > 0;
  const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));
  let dataDir: string;

  beforeAll(async () => {
    [t, aws] = await Promise.all([createPostgresDatabase(), startAws()]);
    dbName = new URL(t.url!).pathname.slice(1);
    dataDir = await tempDir();
    const file = path.join(await tempDir(), 'data.csv');
    await writeBillingEventFile(file, ROWS);
    await aws.put(KEY, await readFile(file));
  });
  afterAll(async () => {
    if (process.env.MP_DEBUG) console.log(output.join(''));
    for (const c of children) c.kill('SIGKILL');
    await aws?.stop();
    await t?.drop();
  });

  it('loses nothing and doubles nothing', { timeout: 150_000 }, async () => {
    const first = serve();
    await until(copying, 'the load to start', 60_000);
    first.kill('SIGKILL');
    await exited(first);
    expect(await t.db.query(`select count(*)::int as n from sdds_billing_event`)).toEqual([{ n: 0 }]);
    expect(await t.db.query(`select count(*)::int as n from ingest_file where status = 'loaded'`)).toEqual([{ n: 0 }]);

    // the message comes back once its visibility lapses; ask the restarted service to stop mid-load
    const second = serve();
    await until(copying, 'the reload to start', 60_000);
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
    expect(output.join('')).toContain('stopping: no new messages; letting in-flight ones finish');
    expect(await t.db.query(`select count(*)::int as n, count(distinct billing_event_id)::int as d from sdds_billing_event`)).toEqual([{ n: ROWS, d: ROWS }]);
    expect(await t.db.query(`select status::text, rows_inserted from ingest_file where object_key = $1`, [KEY])).toEqual([{ status: 'loaded', rows_inserted: ROWS }]);

    // and the message was deleted: a third run finds nothing to do
    const third = serve();
    await until(async () => output.join('').split('consuming').length > 3, 'the third start', 60_000);
    const health = /health check: (http:\S+)/.exec(output.join('').split('consuming').at(-2) ?? '')?.[1];
    const answer = await fetch(health!);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ status: 'ok', database: 'ok', source: 'sqs', consumer: { running: true } });
    await new Promise((r) => setTimeout(r, 1500));
    third.kill('SIGTERM');
    expect(await exited(third)).toBe(0);
    expect(await t.db.query(`select count(*)::int as n from ingest_file`)).toEqual([{ n: 1 }]);
  });
});
