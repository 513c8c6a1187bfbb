/**
 * One database interface over two engines: PostgreSQL through postgres.js (DATABASE_URL) and the
 * embedded PGlite. Drizzle serves typed queries; the loader needs COPY and explicit transactions,
 * which both drivers do differently, so `transaction` and `copyIn` hide the difference.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PGlite, Transaction as PgliteTransaction } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from '../../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { COPY_HEADER, COPY_TRAILER } from '../ingest/binary.ts';
import { MIGRATIONS_DIR } from '../paths.ts';
import { claimDataDir, type DataDirHost } from './data-dir-host.ts';

export type Schema = typeof schema;
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;

/** PGlite's COPY reads a whole Blob, so rows go in batches of about this many bytes. */
const PGLITE_COPY_BATCH_BYTES = 8 * 1024 * 1024;
/**
 * PGlite's 128 MB of shared buffers live in the process's own memory, and fill during any large
 * load: at 32 MB a 2M-row ingest peaks ~100 MB lower, with no measurable loss of speed here.
 */
const PGLITE_SHARED_BUFFERS = '32MB';
/** Serialises migrations when several replicas start at once. */
const MIGRATION_LOCK_ID = 7_263_001;

export type Row = Record<string, unknown>;

/** What the loader can do inside a transaction. */
export interface Tx {
  query<T = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** Streams rows in PostgreSQL's binary COPY format (src/ingest/binary.ts; no header or trailer) into a table. */
  copyIn(table: string, columns: string[], rows: AsyncIterable<Uint8Array>): Promise<void>;
  /** Runs fn in a savepoint: if it throws, its work is undone and the transaction carries on. */
  savepoint<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

export interface Database extends Tx {
  kind: 'postgres' | 'pglite';
  /** Streams `select` as CSV with a header row, in constant memory on PostgreSQL. */
  copyOutCsv(select: string, params?: unknown[]): AsyncIterable<Uint8Array>;
  /** Where the data lives, for logs (no password). */
  location: string;
  orm: Orm;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** The embedded database in a DATA_DIR: the lock this process holds on it, through which others reach it. */
  host: DataDirHost | null;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
}

/**
 * Opens the configured database and applies pending migrations. The embedded one is first locked
 * for this process (`command` names it to others); DataDirHeld when another process holds it.
 */
export async function openDatabase(options: DatabaseOptions, command = 'marketplace-pulse'): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  const host = await claimDataDir(options.dataDir, command);
  try {
    return await openPglite(path.join(options.dataDir, 'pgdata'), host);
  } catch (error) {
    await host.release();
    throw error;
  }
}

function copyStatement(table: string, columns: string[], from: string): string {
  return `copy "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) from ${from} with (format binary)`;
}

/** The rows framed as one binary COPY: header, rows, trailer. */
async function* framed(rows: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield COPY_HEADER;
  yield* rows;
  yield COPY_TRAILER;
}

/**
 * Whether the database lacks a migration this code has: one read of drizzle's migration table
 * against db/migrations/meta/_journal.json. Every command opens the database, and drizzle's
 * migrator (a second connection, a lock, reading and hashing every migration) costs more than
 * most answers; it runs only when something is to do, or when the table cannot be read.
 */
async function migrationsPending(query: (text: string) => Promise<Row[]>): Promise<boolean> {
  const journal = JSON.parse(await readFile(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ when: number }> };
  const latest = Math.max(...journal.entries.map((e) => e.when));
  try {
    const [row] = await query('select max(created_at)::text as applied from drizzle.__drizzle_migrations');
    return !(Number(row?.applied) >= latest);
  } catch {
    return true;
  }
}

export async function openPostgres(url: string): Promise<Database> {
  // UTC sessions: timestamps without a zone and ::text renderings never depend on the server's setting.
  // work_mem: a metric groups up to millions of billing lines; at PostgreSQL's default 4 MB the
  // planner sorts them instead of hashing, 2-3 times slower (bench:metrics). At most 10 sessions.
  // jit off: a metric with a lookup per customer plans above the JIT thresholds, and compiling
  // took ~1 s in every parallel worker of a 0.6 s query (revenue by customer: 2.4 s -> 0.6 s).
  // Reconnects: postgres.js waits up to 20 s between attempts by default, so a database back
  // from a failover went unused for that long; we try every 2 s at most, and give a connect 10 s.
  const options = {
    onnotice: () => {},
    max: 10,
    connection: { TimeZone: 'UTC', work_mem: '64MB', jit: 'off' },
    socket: connectNoDelay(),
    backoff: (attempt: number) => Math.min(0.25 * 2 ** attempt, 2),
    connect_timeout: 10,
  };
  const sql = postgres(url, options as postgres.Options<Record<string, never>>); // `socket` is untyped but supported
  const location = redact(url);
  try {
    if (await migrationsPending((text) => sql.unsafe(text))) {
      // one connection, so the advisory lock and the migration share a session
      const single = postgres(url, { onnotice: () => {}, max: 1 });
      try {
        await single`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
        await migratePostgres(drizzlePostgres(single), { migrationsFolder: MIGRATIONS_DIR });
        await single`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
      } finally {
        await single.end({ timeout: 5 });
      }
    }
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw new AppError('database', `could not open PostgreSQL at ${location}: ${causeOf(error)}`, { cause: error });
  }

  const wrap = (client: postgres.Sql | postgres.TransactionSql): Tx => ({
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
    },
    async copyIn(table, columns, rows) {
      const copy = await client.unsafe(copyStatement(table, columns, 'stdin')).writable();
      await pipeline(Readable.from(framed(rows), { objectMode: false }), settleCopy(client, copy));
    },
    async savepoint(fn) {
      // postgres.js fails the whole transaction on any failed query unless it ran in its savepoint scope
      if (!('savepoint' in client)) throw new Error('savepoint outside a transaction');
      return (await client.savepoint((sp) => fn(wrap(sp)))) as Awaited<ReturnType<typeof fn>>;
    },
  });

  return {
    kind: 'postgres',
    location,
    orm: drizzlePostgres(sql, { schema }) as unknown as Orm,
    query: wrap(sql).query,
    copyOutCsv(select, params = []) {
      // COPY takes no parameters: bind them through a prepared view of the statement
      const statement = params.length ? inlineParams(select, params) : select;
      return lazyIterable(async () => {
        // On a connection of its own, closed afterwards, never pooled: under load postgres.js can
        // leave a connection stuck after its COPY OUT stream ended (the next query on it never
        // returns; seen with an update, and with a select on a reserved connection).
        // Closed by destroying its socket: a server blocked sending rows nobody reads never reads
        // the Terminate that a polite end() sends, and the process would wait for it forever.
        const sockets = new Set<Socket>();
        const copier = postgres(url, { ...options, max: 1, socket: connectNoDelay(sockets) } as postgres.Options<Record<string, never>>);
        const close = async () => {
          for (const socket of sockets) socket.destroy();
          await copier.end({ timeout: 0 });
        };
        try {
          const readable = await copier.unsafe(`copy (${statement}) to stdout with (format csv, header true)`).readable();
          return { iterator: readable[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>, close };
        } catch (error) {
          await close();
          throw error;
        }
      });
    },
    host: null,
    savepoint: (fn) => sql.begin((tx) => fn(wrap(tx))) as Promise<Awaited<ReturnType<typeof fn>>>,
    // COPY needs one connection from start to end
    copyIn: (table, columns, data) => sql.begin((tx) => wrap(tx).copyIn(table, columns, data)).then(() => undefined),
    async transaction(fn) {
      return (await sql.begin((tx) => fn(wrap(tx)))) as Awaited<ReturnType<typeof fn>>;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/** An in-memory database without `dir`; with it, only under the lock `host` (see openDatabase). */
export async function openPglite(dir: string | undefined, host: DataDirHost | null = null): Promise<Database> {
  // two processes on the same files corrupt them: a folder is opened only under its lock
  if (dir && !host) throw new Error(`openPglite(${dir}) without the folder's lock; use openDatabase`);
  if (dir) await mkdir(dir, { recursive: true });
  // loaded only when used: the embedded engine costs ~50 MB of memory a PostgreSQL deployment never needs
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
  const create = async () => {
    try {
      return await PGlite.create(dir, { postgresqlconf: [`shared_buffers = ${PGLITE_SHARED_BUFFERS}`] });
    } catch (error) {
      throw new AppError('database', `could not open the embedded database in ${dir}: ${causeOf(error)}`, { cause: error });
    }
  };
  const fresh = dir !== undefined && !existsSync(path.join(dir, 'PG_VERSION'));
  let pg = await create();
  let orm = drizzlePglite(pg, { schema });
  if (await migrationsPending(async (text) => (await pg.query<Row>(text)).rows)) await migratePglite(orm, { migrationsFolder: MIGRATIONS_DIR });
  if (fresh) {
    // Making a new database (PGlite runs initdb in a second instance) leaves ~400 MB of memory
    // in use for the life of the instance; a new instance on the made folder starts at ~40%.
    await pg.close();
    pg = await create();
    orm = drizzlePglite(pg, { schema });
    collectGarbage();
  }
  await pg.exec(`set time zone 'UTC'`);

  let savepoints = 0;
  const wrap = (client: PGlite | PgliteTransaction): Tx => ({
    async savepoint(fn) {
      const name = `sp_${++savepoints}`;
      await client.query(`savepoint ${name}`);
      try {
        const result = await fn(wrap(client));
        await client.query(`release savepoint ${name}`);
        return result;
      } catch (error) {
        await client.query(`rollback to savepoint ${name}`);
        throw error;
      }
    },
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.query<T>(text, params)).rows;
    },
    async copyIn(table, columns, rows) {
      const statement = copyStatement(table, columns, `'/dev/blob'`);
      // each COPY of a batch is framed on its own
      let batch: Uint8Array[] = [COPY_HEADER];
      let size = 0;
      const flush = async () => {
        if (size === 0) return;
        batch.push(COPY_TRAILER);
        await client.query(statement, [], { blob: new Blob(batch as BlobPart[]) });
        batch = [COPY_HEADER];
        size = 0;
      };
      for await (const chunk of rows) {
        batch.push(chunk);
        size += chunk.length;
        if (size >= PGLITE_COPY_BATCH_BYTES) await flush();
      }
      await flush();
    },
  });

  return {
    kind: 'pglite',
    location: dir ?? 'memory',
    host,
    orm: orm as unknown as Orm,
    ...wrap(pg),
    copyOutCsv(select, params = []) {
      const statement = params.length ? inlineParams(select, params) : select;
      return lazyIterable(async () => {
        const r = await pg.query(`copy (${statement}) to '/dev/blob' with (format csv, header true)`);
        const chunks = r.blob ? [new Uint8Array(await r.blob.arrayBuffer())] : [];
        return { iterator: chunks[Symbol.iterator]() as unknown as AsyncIterator<Uint8Array>, close: async () => {} };
      });
    },
    async transaction(fn) {
      return pg.transaction((tx) => fn(wrap(tx)));
    },
    async close() {
      // forwarded commands finish first, and the lock goes only once the files are closed
      await host?.drain();
      try {
        await pg.close();
      } finally {
        await host?.release();
      }
    },
  };
}

/** A full garbage collection, where the runtime allows it (see openPglite). */
function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // not essential: memory is reclaimed later instead
  }
}

/**
 * An iterable opened on the first read whose return() and throw() close the source at once, even
 * while a read is pending. An async generator cannot: a stream.pipeline whose output failed
 * (a full disk, `| head`) would wait for the pending read, and an open COPY kept the process alive.
 */
export function lazyIterable<T>(open: () => Promise<{ iterator: AsyncIterator<T>; close(): Promise<void> }>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      let opened: Promise<{ iterator: AsyncIterator<T>; close(): Promise<void> }> | null = null;
      let closed = false;
      const close = async () => {
        if (closed || !opened) return;
        closed = true;
        await (await opened).close();
      };
      return {
        async next() {
          if (closed) return { done: true, value: undefined };
          opened ??= open();
          const r = await (await opened).iterator.next();
          if (r.done) await close();
          return r;
        },
        async return() {
          await close();
          return { done: true, value: undefined };
        },
        async throw(error: unknown) {
          await close();
          throw error;
        },
      };
    },
  };
}

/**
 * postgres.js leaves Nagle's algorithm on, so a COPY's last CopyData, CopyDone and the next query
 * wait out the server's delayed ACK (40 ms each): a 3-row file took 185 ms. So we hand it sockets
 * with no-delay set, returned at once while they connect: postgres.js then sees a failed connect
 * as an error and a close on the socket, and frees the connection. (A promise that rejected
 * instead leaked a pool slot per failure, and a database outage of 30 s hung the service for good.)
 * `opened` collects the sockets, for callers that must be able to destroy them.
 */
function connectNoDelay(opened?: Set<Socket>): (o: { host: string[]; port: number[]; path?: string | false }) => Socket {
  let next = 0;
  return (o) => {
    const i = next++ % o.host.length;
    const socket = o.path ? connect({ path: o.path, noDelay: true }) : connect({ host: o.host[i]!, port: o.port[i] ?? o.port[0]!, noDelay: true });
    if (opened) {
      opened.add(socket);
      socket.once('close', () => opened.delete(socket));
    }
    return socket;
  };
}

/**
 * postgres.js 3.4 loses an error PostgreSQL reports after the last CopyData was sent: the stream
 * neither finishes nor errors. A query queued behind the COPY settles either way, so the stream
 * ends when that query does, and fails when it fails.
 */
function settleCopy(client: postgres.Sql | postgres.TransactionSql, copy: Writable): Writable {
  let failed: Error | null = null;
  const sink = new Writable({
    write(chunk, encoding, callback) {
      copy.write(chunk, encoding, callback);
    },
    final(callback) {
      copy.end();
      client.unsafe('select 1').then(
        () => callback(failed),
        (error: unknown) => callback(failed ?? new CopyAborted(error)),
      );
    },
    destroy(error, callback) {
      if (error && !copy.destroyed) copy.destroy(error);
      callback(error);
    },
  });
  copy.on('error', (error) => {
    failed = error;
    sink.destroy(error);
  });
  return sink;
}

/** COPY failed and PostgreSQL's reason was lost (see settleCopy). */
export class CopyAborted extends Error {
  constructor(cause: unknown) {
    super('PostgreSQL rejected the rows of this file during COPY', { cause });
    this.name = 'CopyAborted';
  }
}

/** COPY cannot take bind parameters: inline them as quoted literals ($1 -> 'value'). */
function inlineParams(select: string, params: unknown[]): string {
  return select.replace(/\$(\d+)/g, (_, n: string) => {
    const v = params[Number(n) - 1];
    if (v === null || v === undefined) return 'null';
    return `'${String(v).replace(/'/g, "''")}'`;
  });
}

/** The URL with every credential masked: the password, and parameters such as ?password= or ?sslpassword=. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const name of [...u.searchParams.keys()]) if (/pass|pwd|secret|token|key/i.test(name)) u.searchParams.set(name, '***');
    return u.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    return 'the configured DATABASE_URL';
  }
}

function causeOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : error.message;
  }
  return String(error);
}
