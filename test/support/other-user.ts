/**
 * A second local user, for the tests of what another account on the machine can reach. Made when
 * the tests run as root (useradd), else unavailable: those tests skip and say why.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './files.ts';
import { until } from './wait.ts';

export const OTHER_USER = 'mp-other-user';

/** The other user's uid, or why there is none. */
export function otherUser(): { uid: number; gid: number } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'the tests do not run as root, so no second local user can be made' };
  try {
    execFileSync('id', ['-u', OTHER_USER], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER], { stdio: 'ignore' });
    } catch (error) {
      // two test files may make it at once: one wins
      try {
        execFileSync('id', ['-u', OTHER_USER], { stdio: 'ignore' });
      } catch {
        return { skip: `useradd ${OTHER_USER} failed: ${(error as Error).message}` };
      }
    }
  }
  const uid = Number(execFileSync('id', ['-u', OTHER_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', OTHER_USER]).toString().trim());
  return { uid, gid };
}

/**
 * What the other user runs: listens on each path, answers like a holder would, and writes every
 * byte anyone sends it to a file the test reads.
 */
const SQUATTER = `
import net from 'node:net';
import fs from 'node:fs';
const [record, hello, ...paths] = process.argv.slice(2);
for (const p of paths) {
  const server = net.createServer((socket) => {
    const head = Buffer.alloc(5); const body = Buffer.from(hello);
    head.write('J', 0, 'latin1'); head.writeUInt32BE(body.length, 1);
    socket.write(Buffer.concat([head, body]));
    socket.on('data', (d) => fs.appendFileSync(record, d));
    socket.on('error', () => {});
  });
  server.listen(p, () => { fs.chmodSync(p, 0o777); fs.writeFileSync(p + '.listening', ''); });
}
`;

export interface Squatter {
  child: ChildProcess;
  /** Everything sent to it so far. */
  received(): Promise<string>;
  stop(): void;
}

/** Starts the squatter as the other user, listening on `paths`, once it listens on every one. */
export async function squat(user: { uid: number; gid: number }, paths: string[], hello: unknown): Promise<Squatter> {
  const dir = await tempDir('mp-squatter-');
  await chmod(dir, 0o777);
  const script = path.join(dir, 'squatter.mjs');
  const record = path.join(dir, 'received.bin');
  await writeFile(script, SQUATTER);
  await writeFile(record, '');
  await chmod(script, 0o644);
  await chmod(record, 0o666);
  const child = spawn(process.execPath, [script, record, JSON.stringify(hello), ...paths], { uid: user.uid, gid: user.gid, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const { existsSync } = await import('node:fs');
  await until(() => (paths.every((p) => existsSync(`${p}.listening`)) ? true : child.exitCode !== null ? (() => { throw new Error(`the squatter ended: ${stderr}`); })() : undefined), 'the other user to listen', 10_000);
  return { child, received: () => readFile(record, 'utf8'), stop: () => child.kill('SIGKILL') };
}
