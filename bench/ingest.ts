/**
 * npm run bench:ingest — a 1,000,000-row billing-event month file through the real ingest path,
 * next to PostgreSQL's own COPY of the same CSV into a bare table, in the same run.
 * Prints rows/s for both, their ratio (median of BENCH_RUNS runs) and the ingest process's peak RSS.
 * Targets: ratio >= 0.8, peak RSS < 300 MB. BENCH_SIZE=quick: 200,000 rows.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { getDataset } from '../src/datasets/catalog.ts';
import { writeBillingEventFile } from './billing-file.ts';
import { freshDatabase } from './database.ts';
import { median, QUICK, report } from './report.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? (QUICK ? 200_000 : 1_000_000));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 5));
const DB_NAME = 'marketplace_pulse_bench';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = path.join(os.tmpdir(), 'marketplace-pulse-bench');
const file = path.join(dir, 'BillingEventFeed_V1', 'year=2026', 'month=10', 'data.csv');

async function main(): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(file), { recursive: true });
  process.stdout.write(`generating ${ROWS.toLocaleString('en-US')} billing events... `);
  await writeBillingEventFile(file, ROWS);
  const size = (await stat(file)).size;
  console.log(`${(size / 1e6).toFixed(0)} MB`);

  const { db, url } = await freshDatabase(DB_NAME);
  const sql = postgres(url, { onnotice: () => {}, max: 1 });

  const header = (await firstLine(file)).split(',');
  const def = getDataset('sdds_billing_event')!;
  const results: Array<{ raw: number; ours: number; fold: number; rss: number }> = [];
  for (let run = 1; run <= RUNS; run++) {
    // baseline: PostgreSQL parses the CSV itself into a table of the same column types, no index
    await sql.unsafe('drop table if exists bench_raw');
    await sql.unsafe(`create table bench_raw (${def.columns.map((c) => `"${c.name}" ${pgType(c.type)}`).join(', ')})`);
    const t = performance.now();
    const writable = await sql.unsafe(`copy bench_raw (${header.map((h) => `"${h}"`).join(', ')}) from stdin with (format csv, header true)`).writable();
    await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), writable);
    const rawSeconds = (performance.now() - t) / 1000;

    await sql.unsafe('truncate sdds_billing_event, invoice_balance, invoice_balance_file, sdds_revised_key; delete from ingest_file');
    await sql.unsafe('drop table bench_raw');
    const child = await runChild(url);
    results.push({ raw: ROWS / rawSeconds, ours: ROWS / child.seconds, fold: child.foldSeconds, rss: child.maxRssMb });
    const r = results.at(-1)!;
    console.log(
      `run ${run}: raw COPY ${fmt(r.raw)} rows/s | marketplace-pulse ingest ${fmt(r.ours)} rows/s | ratio ${(r.ours / r.raw).toFixed(2)} | then invoice rollup fold ${r.fold.toFixed(1)} s | peak RSS ${r.rss.toFixed(0)} MB`,
    );
  }
  const ratio = median(results.map((r) => r.ours / r.raw));
  const rss = Math.max(...results.map((r) => r.rss));
  console.log('');
  console.log(`rows: ${ROWS.toLocaleString('en-US')}, file ${(size / 1e6).toFixed(0)} MB, runs: ${RUNS}`);
  console.log(`median raw COPY:          ${fmt(median(results.map((r) => r.raw)))} rows/s (baseline)`);
  console.log(`median ingest:            ${fmt(median(results.map((r) => r.ours)))} rows/s`);
  console.log(`median ratio ingest/COPY: ${ratio.toFixed(2)}  (target >= 0.80: ${ratio >= 0.8 ? 'met' : 'NOT met'})`);
  console.log(`peak RSS of ingest:       ${rss.toFixed(0)} MB  (target < 300 MB: ${rss < 300 ? 'met' : 'NOT met'})`);
  console.log(`median invoice rollup fold after the load: ${median(results.map((r) => r.fold)).toFixed(1)} s (background in the service; not in the ratio)`);
  const rows = `${ROWS.toLocaleString('en-US')} billing events`;
  report([
    { bench: 'ingest', what: `${rows}, rows/s`, figure: fmt(median(results.map((r) => r.ours))).trim(), baseline: `raw COPY: ${fmt(median(results.map((r) => r.raw))).trim()}`, ratio, target: '≥ 0.8× COPY', met: ratio >= 0.8 },
    { bench: 'ingest', what: `${rows}, peak RSS`, figure: `${rss.toFixed(0)} MB`, baseline: '', ratio: null, target: '< 300 MB', met: rss < 300 },
  ]);
  await sql.end();
  await db.close();
  await rm(dir, { recursive: true, force: true });
}

function pgType(type: string): string {
  return { decimal: 'numeric', integer: 'integer', boolean: 'boolean', date: 'date', month: 'date', timestamp: 'timestamptz', json: 'jsonb' }[type] ?? 'text';
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(9);
}

async function firstLine(p: string): Promise<string> {
  for await (const chunk of createReadStream(p, { end: 64 * 1024, encoding: 'utf8' })) return (chunk as string).split('\n')[0]!;
  return '';
}

/** The ingest in its own process, so its peak RSS is its own. */
function runChild(databaseUrl: string): Promise<{ seconds: number; foldSeconds: number; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'ingest-child.ts'), file], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`ingest child exited with ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    });
  });
}

await main();
