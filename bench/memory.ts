/**
 * npm run bench:memory — does ingest memory depend on the file's size? For each engine
 * (PostgreSQL, the embedded PGlite) the peak RSS of a process that ingests a billing-event file
 * of each size in BENCH_MEMORY_ROWS, next to the baseline measured in the same run: a process
 * that only opens the same database. Memory bound by the batch, not the file, shows as the same
 * growth over the baseline whatever the size. Target: under 300 MB on PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBillingEventFile } from './billing-file.ts';
import { freshDatabase } from './database.ts';
import { QUICK, report, type Figure } from './report.ts';

const SIZES = (process.env.BENCH_MEMORY_ROWS ?? (QUICK ? '100000,400000' : '250000,1000000')).split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const root = fileURLToPath(new URL('..', import.meta.url));
const work = path.join(os.tmpdir(), 'marketplace-pulse-bench-memory');

function child(env: NodeJS.ProcessEnv, file?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'memory-child.ts'), ...(file ? [file] : [])], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve((JSON.parse(out.trim().split('\n').at(-1)!) as { maxRssMb: number }).maxRssMb) : reject(new Error(`child exited ${code}: ${out}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  await rm(work, { recursive: true, force: true });
  const files = new Map<number, string>();
  for (const rows of SIZES) {
    const dir = path.join(work, `rows-${rows}`);
    const file = path.join(dir, 'BillingEventFeed_V1', 'year=2026', 'month=10', 'data.csv');
    await mkdir(path.dirname(file), { recursive: true });
    await writeBillingEventFile(file, rows);
    files.set(rows, dir);
  }
  const tiny = path.join(work, 'tiny');
  await mkdir(path.join(tiny, 'OfferFeed_V1', 'year=2026', 'month=01'), { recursive: true });
  await writeFile(path.join(tiny, 'OfferFeed_V1', 'year=2026', 'month=01', 'data.csv'), 'valid_from,offer_id,offer_revision,name\n2026-01-01T00:00:00Z,o1,1,x\n');

  const figures: Figure[] = [];
  console.log('engine      rows       peak RSS (MB)  baseline: open only (MB)  growth over baseline (MB)');
  for (const engine of ['postgres', 'pglite'] as const) {
    for (const rows of SIZES) {
      const peaks: number[] = [];
      const bases: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        let env: NodeJS.ProcessEnv;
        if (engine === 'postgres') {
          const { db, url } = await freshDatabase('marketplace_pulse_bench_memory');
          await db.close();
          env = { DATABASE_URL: url };
        } else {
          // an existing embedded database (the first start's initdb is a one-off cost of its own)
          const dataDir = path.join(work, `pglite-${rows}-${run}`);
          env = { DATABASE_URL: '', DATA_DIR: dataDir };
          await child(env, tiny);
        }
        bases.push(await child(env));
        peaks.push(await child(env, files.get(rows)!));
      }
      const peak = median(peaks);
      const base = median(bases);
      console.log(`${engine.padEnd(10)}  ${String(rows).padStart(9)}  ${peak.toFixed(0).padStart(13)}  ${base.toFixed(0).padStart(24)}  ${(peak - base).toFixed(0).padStart(25)}`);
      figures.push({
        bench: 'memory',
        what: `ingest peak RSS, ${engine === 'postgres' ? 'PostgreSQL' : 'embedded'}, ${rows.toLocaleString('en-US')} rows`,
        figure: `${peak.toFixed(0)} MB`,
        baseline: `open only: ${base.toFixed(0)} MB`,
        ratio: peak / base,
        target: engine === 'postgres' ? '< 300 MB' : '',
        met: engine === 'postgres' ? peak < 300 : null,
      });
    }
  }
  report(figures);
  await rm(work, { recursive: true, force: true });
}

await main();
