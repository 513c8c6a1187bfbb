/**
 * The long-running service. This first version migrates, loads the demo seller on a first embedded
 * start, and ingests whatever lands in the local inbox folder.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { writeDemoData } from './demo/generate.ts';
import { describeError } from './errors.ts';
import { ingestObject } from './ingest/load.ts';
import { listLocalObjects } from './ingest/local.ts';
import { ingestPaths } from './ingest/run.ts';

export interface ServiceOptions {
  log: (line: string) => void;
  /** Resolves when the service should stop; defaults to SIGINT/SIGTERM. */
  stopSignal?: Promise<void>;
}

export async function runService(config: Config, options: ServiceOptions): Promise<void> {
  const { log } = options;
  const db = await openDatabase(config);
  log(`database: ${db.kind === 'pglite' ? `embedded PostgreSQL (PGlite) in ${db.location}` : db.location}`);
  try {
    await mkdir(config.inboxDir, { recursive: true });
    await loadDemoOnFirstStart(db, config, log);
    log(`watching ${config.inboxDir} for delivered files (a local copy of your bucket: SDDS feed folders, CAS files)`);
    await watchInbox(db, config, log, options.stopSignal ?? stopOnSignals());
  } finally {
    await db.close();
    log('stopped');
  }
}

async function loadDemoOnFirstStart(db: Database, config: Config, log: (l: string) => void): Promise<void> {
  if (config.demoData !== 'auto' || db.kind !== 'pglite') return;
  const seen = await db.query<{ n: number }>('select count(*)::int as n from ingest_file');
  if (Number(seen[0]!.n) > 0) return;
  const demoDir = path.join(config.dataDir, 'demo');
  log('first start on an empty embedded database: generating a fictional DEMO seller so you can see real rows');
  const written = await writeDemoData(demoDir, { seed: 42 });
  const summary = await ingestPaths(db, [demoDir]);
  log(`DEMO DATA loaded: ${summary.loaded} files, ${summary.rowsInserted} rows from ${demoDir} (fictional seller, not yours; ${written.files} files written)`);
  log('To use your own data: set DATABASE_URL for a fresh database (or DEMO_DATA=off with a new DATA_DIR),');
  log(`then copy your bucket into ${config.inboxDir} or run: npx marketplace-pulse ingest <your-bucket-copy>`);
}

function stopOnSignals(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Polls the inbox. A file is ingested once its size and mtime have held still for one poll (so a
 * copy in progress is not read half-written) and again whenever it changes.
 */
async function watchInbox(db: Database, config: Config, log: (l: string) => void, stop: Promise<void>): Promise<void> {
  const done = new Map<string, string>();
  const pending = new Map<string, string>();
  let stopping = false;
  void stop.then(() => {
    stopping = true;
  });
  while (!stopping) {
    try {
      for (const object of await listLocalObjects([config.inboxDir])) {
        if (stopping) break;
        const info = await stat(object.location).catch(() => null);
        if (!info) continue;
        const signature = `${info.size}:${info.mtimeMs}`;
        if (done.get(object.location) === signature) continue;
        if (pending.get(object.location) !== signature) {
          pending.set(object.location, signature);
          continue;
        }
        pending.delete(object.location);
        const r = await ingestObject(db, object);
        done.set(object.location, signature);
        if (r.status !== 'unchanged') {
          log(`${r.status} ${r.key}${r.status === 'rejected' ? `: ${r.error}` : ` (${r.rowsInserted} rows added)`}`);
        }
      }
    } catch (error) {
      log(`inbox: ${describeError(error)}`);
    }
    await Promise.race([stop, new Promise((r) => setTimeout(r, config.inboxPollSeconds * 1000))]);
  }
}
