/**
 * npm run bench — every benchmark in turn (each in its own process), then one table: each figure
 * beside the baseline measured in the same run, their ratio, the target and whether it is met.
 * BENCH_SIZE=quick runs them on smaller data in a few minutes; the default is the targets' sizes.
 * BENCH_ONLY=cli,ingest picks some.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatFigures, QUICK, type Figure } from './report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCHES = ['cli', 'ingest', 'append', 'memory', 'metrics', 'pipeline'];
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const chosen = only ? BENCHES.filter((b) => only.includes(b)) : BENCHES;
if (only && chosen.length !== only.length) throw new Error(`BENCH_ONLY: pick from ${BENCHES.join(', ')}`);

const file = path.join(os.tmpdir(), `marketplace-pulse-bench-${process.pid}.jsonl`);
const failed: string[] = [];
const started = Date.now();
for (const bench of chosen) {
  console.log(`\n=== bench:${bench}${QUICK ? ' (quick)' : ''} ===`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', `${bench}.ts`)], { cwd: ROOT, env: { ...process.env, BENCH_REPORT: file }, stdio: 'inherit' });
    child.on('exit', resolve);
  });
  if (code !== 0) failed.push(`${bench} (exit ${code})`);
}
const figures: Figure[] = (await readFile(file, 'utf8').catch(() => ''))
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Figure);
await rm(file, { force: true });
console.log(`\n=== all benchmarks${QUICK ? ' (quick sizes)' : ''}: ${((Date.now() - started) / 60000).toFixed(1)} min, ${os.cpus().length} cores ===\n`);
console.log(formatFigures(figures));
const missed = figures.filter((f) => f.met === false).length;
console.log(`\n${figures.filter((f) => f.met === true).length} targets met, ${missed} missed${failed.length ? `; failed to run: ${failed.join(', ')}` : ''}`);
process.exitCode = missed > 0 || failed.length > 0 ? 1 : 0;
