/**
 * The embedded database shared between processes, as the Quick start leads people to use it: the
 * service running, CLI commands beside it, a second service started by mistake, a holder killed.
 * Every check is on what is stored afterwards, read with the service stopped.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { main } from '../../src/cli/main.ts';
import { csv, putFile, tempDir } from '../support/files.ts';
import { killAll, runProcess, startProcess } from '../support/processes.ts';

const OFFERS = (month: string, n: number) =>
  csv([['valid_from', 'offer_id', 'offer_revision', 'name'], ...Array.from({ length: n }, (_, i) => [`2026-${month}-01T00:00:00Z`, `offer-${month}-${i}`, '1', `Offer ${i}`])]);

/** A bucket copy of `files` offer files (10 rows each) and what they hold. */
async function writeBucket(files: number): Promise<{ dir: string; rows: number }> {
  const dir = await tempDir('mp-bucket-');
  for (let m = 1; m <= files; m++) await putFile(dir, `OfferFeed_V1/year=2026/month=${String(m).padStart(2, '0')}/data.csv`, OFFERS(String(m).padStart(2, '0'), 10));
  return { dir, rows: files * 10 };
}

/** Reads the stored state with nobody else holding the folder. */
async function stored(dataDir: string): Promise<{ rows: number; distinct: number; ledger: Array<{ object_key: string; status: string }> }> {
  const db = await openDatabase(loadConfig({ DATA_DIR: dataDir }), 'test');
  try {
    const [counts] = await db.query<{ rows: number; distinct: number }>(`select count(*)::int as rows, count(distinct (offer_id, offer_revision))::int as distinct from sdds_offer`);
    const ledger = await db.query<{ object_key: string; status: string }>(`select object_key, status::text from ingest_file order by id`);
    return { rows: counts!.rows, distinct: counts!.distinct, ledger };
  } finally {
    await db.close();
  }
}

describe('the embedded database, shared between processes', () => {
  afterAll(() => killAll());
  let bucket: { dir: string; rows: number };
  beforeAll(async () => {
    bucket = await writeBucket(6);
  });

  it('a CLI ingest beside the running service lands in its database; a second service refuses; a killed holder is taken over', { timeout: 180_000 }, async () => {
    const dataDir = await tempDir('mp-shared-');
    const env = { DATA_DIR: dataDir, DEMO_DATA: 'off', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', INBOX_POLL_SECONDS: '1' };
    const service = startProcess(['serve'], env);
    await service.waitFor(/inbox: watching /, 'the service to start');

    const ingest = await runProcess(['ingest', bucket.dir], env);
    expect(ingest.err).toBe('');
    expect(ingest.out).toContain('6 files: 6 loaded, 0 unchanged, 0 no data, 0 rejected; 60 rows added');
    expect(ingest.code).toBe(0);
    // the service says it ran the command for another process
    await service.waitFor(/ran `marketplace-pulse ingest .*` for another process: exit 0/, 'the service to log the forwarded command');

    // any number of readers at once, through the service
    const readers = await Promise.all([1, 2, 3].map(() => runProcess(['ledger', '--json', '--limit', '100'], env)));
    for (const r of readers) {
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as unknown[]).length).toBe(6);
    }

    const second = await runProcess(['serve'], env);
    expect(second.code).toBe(1);
    expect(second.err).toContain(`is in use by marketplace-pulse serve (PID ${service.child.pid})`);
    expect(second.err).toContain('run CLI commands beside it');

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const after = await stored(dataDir);
    expect(after).toMatchObject({ rows: bucket.rows, distinct: bucket.rows });
    expect(after.ledger.map((l) => l.status)).toEqual(Array(6).fill('loaded'));

    // killed with -9 mid-life, its lock goes with it: the next command takes over
    const again = startProcess(['serve'], env);
    await again.waitFor(/inbox: watching /, 'the restarted service');
    again.child.kill('SIGKILL');
    await again.exited;
    const reread = await runProcess(['ingest', bucket.dir], env);
    expect(reread.out).toContain('6 files: 0 loaded, 6 unchanged');
    expect(reread.code).toBe(0);
    expect((await stored(dataDir)).rows).toBe(bucket.rows);
  });

  it('two CLI ingests at once, with no service: one holds the database, the other runs through it', { timeout: 120_000 }, async () => {
    const dataDir = await tempDir('mp-shared-cli-');
    const env = { DATA_DIR: dataDir };
    const [a, b] = await Promise.all([runProcess(['ingest', bucket.dir], env), runProcess(['ingest', bucket.dir], env)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const summaries = [a.out, b.out].map((o) => /6 files: (\d) loaded, (\d) unchanged/.exec(o)!.slice(1).map(Number));
    // each file loaded exactly once between them
    expect(summaries[0]![0]! + summaries[1]![0]!).toBe(6);
    const after = await stored(dataDir);
    expect(after).toMatchObject({ rows: bucket.rows, distinct: bucket.rows });
    expect(after.ledger.filter((l) => l.status === 'loaded')).toHaveLength(6);
  });

  it('runs forwarded commands in the caller\'s folder, with the caller\'s output', { timeout: 60_000 }, async () => {
    const dataDir = await tempDir('mp-shared-inproc-');
    const env = { DATA_DIR: dataDir };
    const holder = await openDatabase(loadConfig(env), 'test-holder');
    const { runForwarded } = await import('../../src/cli/main.ts');
    holder.host!.serve(runForwarded(holder, env));
    try {
      // relative paths are the caller's: a single file keeps the key it is given
      const out: string[] = [];
      const cwd = path.dirname(bucket.dir);
      const rel = path.join(path.basename(bucket.dir), 'OfferFeed_V1/year=2026/month=01/data.csv');
      const code = await mainIn(cwd, ['ingest', rel, '--json'], env, out);
      expect(code).toBe(0);
      expect(JSON.parse(out[0]!)).toMatchObject({ status: 'loaded', key: `${rel}` });
      const exported: string[] = [];
      expect(await mainIn(cwd, ['export', 'sdds_offer', 'today', '--out', 'offers.csv'], env, exported)).toBe(0);
      expect((await readFile(path.join(cwd, 'offers.csv'), 'utf8')).split('\n')[0]).toMatch(/^valid_from,/);
    } finally {
      await holder.close();
    }
  });
});

/** The CLI's main run from another folder, as another process would: DATA_DIR is held here, so it forwards. */
async function mainIn(cwd: string, argv: string[], env: Record<string, string>, out: string[]): Promise<number> {
  return main(argv, { out: (t) => out.push(t), err: (t) => out.push(`ERR ${t}`) }, env, { cwd });
}
