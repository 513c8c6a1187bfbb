/**
 * npm run bench:cli — how long a person waits for the CLI, as whole processes started from a
 * shell, each run paired with `node -e 0` (Node starting and doing nothing) in the same run:
 * `help`; `query revenue last-month` on PostgreSQL and on the embedded database (the demo seller
 * loaded in each); `serve` until GET /healthz answers 200 on PostgreSQL. The ratio is the median
 * of the pairs' ratios. Targets: help ≤ 3×, query ≤ 5× on PostgreSQL and ≤ 15× embedded, serve
 * ≤ 10× node -e 0.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase } from './database.ts';
import { median, report, RUNS, type Figure } from './report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'marketplace-pulse.js');

/** Runs a command to its end; its wall time in ms. */
function timed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/** Starts `serve` and times it until /healthz answers 200; then stops it. */
async function timedServe(env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: { ...process.env, ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => child.on('exit', r));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${err}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** RUNS pairs of (command, node -e 0), alternated; medians and the median ratio. */
async function pairs(what: string, run: () => Promise<number>, limit: number): Promise<Figure> {
  await run(); // warm the file cache, as a person's second command would find it
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(await run());
    b.push(await timed(['-e', '0']));
  }
  const ratio = median(a.map((x, i) => x / b[i]!));
  const figure: Figure = { bench: 'cli', what, figure: `${median(a).toFixed(0)} ms`, baseline: `node -e 0: ${median(b).toFixed(0)} ms`, ratio, target: `≤ ${limit}×`, met: ratio <= limit };
  console.log(`${what}: median ${figure.figure}, ${figure.baseline}, ratio ${ratio.toFixed(2)}`);
  return figure;
}

async function main(): Promise<void> {
  await timed([path.join(ROOT, 'bin', 'build.js')]);
  const demo = await mkdtemp(path.join(os.tmpdir(), 'mp-bench-cli-'));
  try {
    process.stdout.write('writing the demo seller and loading it into PostgreSQL and an embedded database... ');
    await timed([BIN, 'demo-data', path.join(demo, 'bucket')]);
    const { db, url } = await freshDatabase('marketplace_pulse_bench_cli');
    await db.close();
    const pg = { DATABASE_URL: url, DATA_DIR: path.join(demo, 'pg-data') };
    const embedded = { DATABASE_URL: undefined, DATA_DIR: path.join(demo, 'embedded') };
    await timed([BIN, 'ingest', path.join(demo, 'bucket')], pg);
    await timed([BIN, 'ingest', path.join(demo, 'bucket')], embedded);
    console.log('done');

    const figures = [
      await pairs('help', () => timed([BIN, 'help']), 3),
      await pairs('query revenue last-month, PostgreSQL', () => timed([BIN, 'query', 'revenue', 'last-month'], pg), 5),
      await pairs('query revenue last-month, embedded', () => timed([BIN, 'query', 'revenue', 'last-month'], embedded), 15),
      await pairs('serve until /healthz is 200, PostgreSQL', () => timedServe({ ...pg, DEMO_DATA: 'off' }), 10),
    ];
    report(figures);
  } finally {
    await rm(demo, { recursive: true, force: true });
  }
}

await main();
