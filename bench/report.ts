/**
 * What every benchmark reports: its figures, each beside a baseline measured in the same run, the
 * ratio, the target and whether it is met. Printed as a table; with BENCH_REPORT set, also
 * appended there as JSON lines for `npm run bench` to gather into one table.
 */
import { appendFileSync } from 'node:fs';

export interface Figure {
  bench: string;
  what: string;
  figure: string;
  baseline: string;
  /** figure / baseline, as the target reads it (a time: lower is better; a speed: higher). */
  ratio: number | null;
  target: string;
  /** null: a figure to read, with no target. */
  met: boolean | null;
}

/** quick: smaller data and fewer runs, for a look in a minute or two; full (default): the targets' sizes. */
export const QUICK = process.env.BENCH_SIZE === 'quick';
export const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 5 : 7));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (nearest rank). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function formatFigures(figures: Figure[]): string {
  const rows = [['benchmark', 'what', 'figure', 'baseline (same run)', 'ratio', 'target', 'met'], ...figures.map((f) => [f.bench, f.what, f.figure, f.baseline, f.ratio === null ? '' : `${f.ratio.toFixed(2)}×`, f.target || '-', f.met === null ? '-' : f.met ? 'yes' : 'NO'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function report(figures: Figure[]): void {
  console.log('');
  console.log(formatFigures(figures));
  if (process.env.BENCH_REPORT) appendFileSync(process.env.BENCH_REPORT, figures.map((f) => `${JSON.stringify(f)}\n`).join(''));
}
