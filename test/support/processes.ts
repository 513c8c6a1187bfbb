/** The CLI and the service as real processes, the way a person or a supervisor starts them. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from './wait.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin/marketplace-pulse.js');

export interface Proc {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Waits until the output matches, failing with the output so far. */
  waitFor(pattern: RegExp, what: string, timeoutMs?: number): Promise<RegExpExecArray>;
}

const running = new Set<ChildProcess>();

export function startProcess(args: string[], env: NodeJS.ProcessEnv, options: { cwd?: string } = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', LOG_FORMAT: 'pretty', ...env }, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const all: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', (d) => (out.push(String(d)), all.push(String(d))));
  child.stderr!.on('data', (d) => (err.push(String(d)), all.push(String(d))));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const proc: Proc = {
    child,
    output: () => all.join(''),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    exited,
    async waitFor(pattern, what, timeoutMs = 60_000) {
      try {
        return await until(() => pattern.exec(all.join('')) ?? (child.exitCode !== null ? undefined : undefined), what, timeoutMs);
      } catch (error) {
        throw new Error(`${(error as Error).message}; output so far:\n${all.join('')}`);
      }
    },
  };
  return proc;
}

/** Runs a command to its end. */
export async function runProcess(args: string[], env: NodeJS.ProcessEnv, options: { cwd?: string } = {}): Promise<{ code: number | null; out: string; err: string }> {
  const p = startProcess(args, env, options);
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

/** Kills whatever a test left running. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}
