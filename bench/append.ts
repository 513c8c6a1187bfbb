/**
 * npm run bench:append — a billing-event month file re-delivered with one more day appended, as
 * SDDS does every day: at day 30, the new version (30 days, BENCH_ROWS × 30/31 rows) loads after
 * the version of day 29, next to loading the same 30-day file whole into an empty database, in
 * the same run. Prints both times and their ratio (median of BENCH_RUNS runs). Target: the
 * appended version at least 10× cheaper than the whole file.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rm, stat, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { writeBillingEventFile } from './billing-file.ts';
import { freshDatabase } from './database.ts';
import { median, QUICK, report, RUNS } from './report.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? (QUICK ? 200_000 : 1_000_000));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = path.join(os.tmpdir(), 'marketplace-pulse-bench-append');
const month = path.join(dir, 'month.csv');
const file = path.join(dir, 'bucket', 'BillingEventFeed_V1', 'year=2026', 'month=10', 'data.csv');

/** Byte offset of the first line starting with `prefix`. */
async function offsetOf(p: string, prefix: string): Promise<number> {
  let offset = 0;
  let carry = '';
  for await (const chunk of createReadStream(p, { encoding: 'latin1', highWaterMark: 1 << 20 })) {
    const text = carry + (chunk as string);
    const at = text.indexOf(`\n${prefix}`);
    if (at !== -1) return offset - carry.length + at + 1;
    carry = text.slice(-prefix.length);
    offset += (chunk as string).length;
  }
  throw new Error(`no line starts with ${prefix}`);
}

/** The month file as it stood at the start of `day` (days before it only). */
async function placeVersion(throughDayBefore: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await copyFile(month, file);
  await truncate(file, await offsetOf(month, `2026-10-${String(throughDayBefore).padStart(2, '0')}T`));
}

async function main(): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  process.stdout.write(`generating a month of ${ROWS.toLocaleString('en-US')} billing events in day order... `);
  await writeBillingEventFile(month, ROWS, 7, true);
  console.log(`${((await stat(month)).size / 1e6).toFixed(0)} MB`);

  const { db, url } = await freshDatabase('marketplace_pulse_bench_append');
  await db.close();
  const sql = postgres(url, { onnotice: () => {}, max: 1 });
  const empty = () => sql.unsafe('truncate sdds_billing_event, invoice_balance, invoice_balance_file, sdds_revised_key, seller_account; delete from ingest_file');
  const runs: Array<{ whole: number; appended: number; newRows: number }> = [];
  for (let run = 1; run <= RUNS; run++) {
    // baseline: the 30-day file loaded whole into an empty database
    await empty();
    await placeVersion(31);
    const whole = await runChild(url);
    // the same file arriving as the day-29 version plus its 30th day
    await empty();
    await placeVersion(30);
    await runChild(url);
    await placeVersion(31);
    const appended = await runChild(url);
    if (appended.appendedTo === null) throw new Error('the 30-day version was not loaded as an append');
    runs.push({ whole: whole.seconds, appended: appended.seconds, newRows: appended.rowsRead });
    const r = runs.at(-1)!;
    console.log(`run ${run}: whole 30-day file ${r.whole.toFixed(2)} s (${whole.rowsRead.toLocaleString('en-US')} rows) | day 30 appended ${r.appended.toFixed(2)} s (${r.newRows.toLocaleString('en-US')} new rows) | ${(r.whole / r.appended).toFixed(1)}× cheaper`);
  }
  const ratio = median(runs.map((r) => r.whole / r.appended));
  report([
    {
      bench: 'append',
      what: `day 30 appended to a ${ROWS.toLocaleString('en-US')}-row month file`,
      figure: `${median(runs.map((r) => r.appended)).toFixed(2)} s`,
      baseline: `whole file: ${median(runs.map((r) => r.whole)).toFixed(2)} s`,
      ratio,
      target: '≥ 10× cheaper',
      met: ratio >= 10,
    },
  ]);
  await sql.end();
  await rm(dir, { recursive: true, force: true });
}

/** One ingest in its own process (bench/ingest-child.ts); its in-process time. */
function runChild(databaseUrl: string): Promise<{ seconds: number; rowsRead: number; appendedTo: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'ingest-child.ts'), file], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`ingest child exited with ${code}: ${out}`))));
  });
}

await main();
