/**
 * A throwaway PostgreSQL server of a test's own: a new cluster in a temp folder on a free port,
 * which the test may stop (as a crash or a failover would) and start again under a running service.
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PgServer {
  port: number;
  /** A URL for database `db` (default postgres) as the superuser postgres, trust auth. */
  url(db?: string): string;
  /** Stops it; 'immediate' is a crash as far as clients can tell. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** PostgreSQL's server binaries: PG_BIN, else pg_config's, else the newest under /usr/lib/postgresql. */
export async function findPgBin(): Promise<string | null> {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  try {
    return (await run('pg_config', ['--bindir'])).stdout.trim();
  } catch {
    const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    return newest ? `/usr/lib/postgresql/${newest}/bin` : null;
  }
}

export async function startPgServer(): Promise<PgServer> {
  const bin = await findPgBin();
  if (!bin) throw new Error('no PostgreSQL server binaries found (set PG_BIN to the folder with initdb and pg_ctl)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mp-pg-'));
  const data = path.join(dir, 'data');
  // initdb and postgres refuse to run as root
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chown(dir, Number((await run('id', ['-u', 'postgres'])).stdout), Number((await run('id', ['-g', 'postgres'])).stdout));
  const pg = (tool: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args));
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  // fsync off is safe here: an immediate stop is a process crash, and the kernel keeps what was written
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const server: PgServer = {
    port,
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    async start() {
      await pg('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
    },
    async stop(mode = 'immediate') {
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    },
    async destroy() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
