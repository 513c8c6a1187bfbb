/**
 * Who can reach the process holding the embedded database: only its own user, through a folder
 * only that user can enter, and never with the caller's secrets. Another local user squatting
 * the places the socket was once found, and peers sending garbage, are tried on purpose.
 */
import { createHash } from 'node:crypto';
import { chown, chmod, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, runForwarded } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { claimDataDir, HOST_PROTOCOL } from '../../src/db/data-dir-host.ts';
import { tempDir } from '../support/files.ts';
import { otherUser, squat, type Squatter } from '../support/other-user.ts';

const SECRETS = {
  AWS_ACCESS_KEY_ID: 'AKIACALLERKEY0000000',
  AWS_SECRET_ACCESS_KEY: 'caller-secret-access-key-do-not-send',
  SLACK_BOT_TOKEN: 'xoxb-caller-bot-token-do-not-send',
  SLACK_SIGNING_SECRET: 'caller-signing-secret-do-not-send',
  SMTP_URL: 'smtp://finance:caller-smtp-password@mail.example:587',
  DATABASE_URL: undefined,
};

const user = otherUser();
const asRoot = 'uid' in user ? it : it.skip;
if (!('uid' in user)) console.warn(`holder-security: tests with a second local user skipped: ${user.skip}`);

/** A DATA_DIR whose real path is longer than a Unix socket path may be. */
async function longDataDir(): Promise<string> {
  const base = await tempDir('mp-long-');
  const dir = path.join(base, 'srv-marketplace-pulse', 'production-seller-account-123456789012', 'embedded-database-data-dir-with-a-long-name');
  await mkdir(dir, { recursive: true });
  expect(dir.length).toBeGreaterThan(110);
  return dir;
}

/** The command line's output, run as another process of this user would (DATA_DIR held here: it forwards). */
async function run(argv: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, env);
  return { code, out, err };
}

/** Raw frames to the holder's socket; resolves with the JSON frames it answered, once it closes. */
function sendRaw(socketPath: string, bytes: Buffer): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    socket.once('error', reject);
    socket.once('close', () => {
      const all = Buffer.concat(got);
      const frames: Array<Record<string, unknown>> = [];
      for (let at = 0; at + 5 <= all.length; at += 5 + all.readUInt32BE(at + 1)) frames.push(JSON.parse(all.toString('utf8', at + 5, at + 5 + all.readUInt32BE(at + 1))) as Record<string, unknown>);
      resolve(frames);
    });
    socket.once('connect', () => socket.write(bytes));
    setTimeout(() => socket.destroy(), 5_000);
  });
}

function jsonFrame(text: string, type = 'J', length?: number): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(length ?? Buffer.byteLength(text), 1);
  return Buffer.concat([head, Buffer.from(text)]);
}

describe('the holder of the embedded database, against other users and bad peers', () => {
  let holder: Database;
  let dataDir: string;
  let squatter: Squatter | null = null;
  const seen: unknown[] = [];

  beforeAll(async () => {
    dataDir = await longDataDir();
    holder = await openDatabase(loadConfig({ DATA_DIR: dataDir }), 'serve');
    const handler = runForwarded(holder, { DATA_DIR: dataDir, REPORT_TIMEZONE: 'UTC' }, 'serve');
    holder.host!.serve(async (session) => {
      seen.push(JSON.parse(JSON.stringify(session.request)));
      return handler(session);
    });
  }, 60_000);
  afterAll(async () => {
    squatter?.stop();
    await holder?.close();
  });

  it('listens inside DATA_DIR, in a folder only its user can enter, however long the path', async () => {
    const runDir = path.join(dataDir, '.marketplace-pulse');
    const dir = await lstat(runDir);
    expect(dir.isDirectory()).toBe(true);
    expect(dir.mode & 0o777).toBe(0o700);
    expect((await lstat(path.join(runDir, 'holder.sock'))).isSocket()).toBe(true);
    expect(holder.host!.socketPath).toBe(path.join(runDir, 'holder.sock'));
    // nothing in the shared temp folder under the name earlier versions used
    const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
    await expect(lstat(path.join(os.tmpdir(), `marketplace-pulse-${digest}.sock`))).rejects.toThrow(/ENOENT/);
  });

  asRoot('another user listening where the socket used to go gets nothing, and the answer is the holder\'s', { timeout: 60_000 }, async () => {
    const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
    const old = path.join(os.tmpdir(), `marketplace-pulse-${digest}.sock`);
    squatter = await squat(user as { uid: number; gid: number }, [old], { hello: { pid: 4242, command: 'serve', protocol: HOST_PROTOCOL, closing: false, dataDir } });
    const r = await run(['datasets', '--json'], { DATA_DIR: dataDir, ...SECRETS });
    expect(r.err.join('\n')).not.toMatch(/4242/);
    expect(r.code).toBe(0);
    expect(Array.isArray(JSON.parse(r.out.join('\n')))).toBe(true);
    expect(await squatter.received()).toBe('');
    squatter.stop();
    squatter = null;
  });

  it('a forwarded command carries its arguments and a few settings, never a secret; the caller hears which settings the holder lacks', async () => {
    seen.length = 0;
    const r = await run(['datasets', '--json'], { DATA_DIR: dataDir, REPORT_TIMEZONE: 'Europe/Berlin', ...SECRETS });
    expect(r.code).toBe(0);
    expect(seen).toHaveLength(1);
    const wire = JSON.stringify(seen[0]);
    for (const value of Object.values(SECRETS)) if (value) expect(wire).not.toContain(value);
    expect(seen[0]).toMatchObject({ argv: ['datasets', '--json'], settings: { REPORT_TIMEZONE: 'Europe/Berlin' } });
    expect((seen[0] as { unsent: string[] }).unsent.sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SMTP_URL']);
    expect(r.err.join('\n')).toMatch(/runs inside marketplace-pulse serve \(PID \d+\).*AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SMTP_URL, set for this command, are not set there/);
    // a caller with nothing the holder lacks hears nothing
    const quiet = await run(['datasets', '--json'], { DATA_DIR: dataDir });
    expect(quiet.err).toEqual([]);
  });

  it('a malformed frame is answered with an error and closed; the holder goes on', async () => {
    const socketPath = holder.host!.socketPath;
    const short = socketPath.length <= 100 ? socketPath : null;
    // a long path is reached the way the holder's clients reach it
    const address = short ?? `/proc/self/fd/${(await import('node:fs')).openSync(path.dirname(socketPath), 'r')}/holder.sock`;
    const cases: Array<[Buffer, RegExp]> = [
      [jsonFrame('{not json'), /refused a malformed request: a frame that is not JSON/],
      [jsonFrame('[1,2]'), /not a JSON object/],
      [jsonFrame('{"run":{"argv":"datasets","cwd":"/"}}'), /"run.argv" is not a list of arguments/],
      [jsonFrame('{"run":{"argv":["datasets"],"cwd":"relative","settings":{},"unsent":[]}}'), /"run.cwd" is not an absolute path/],
      [jsonFrame('{"hello":1}'), /neither a command nor a signal/],
      [jsonFrame('x', 'X'), /unknown type "X"/],
      [jsonFrame('', 'J', 0x7fffffff), /a frame of 2147483647 bytes/],
    ];
    for (const [bytes, answer] of cases) {
      const [hello, refusal, ...more] = await sendRaw(address, bytes);
      expect(hello).toHaveProperty('hello.pid', process.pid);
      expect(refusal).toMatchObject({ err: expect.stringMatching(answer), exit: 2 });
      expect(more).toEqual([]);
    }
    const after = await run(['datasets', '--json'], { DATA_DIR: dataDir });
    expect(after.code).toBe(0);
  });

  asRoot('a folder another user made in a shared DATA_DIR is refused, and nothing is sent to what listens there', { timeout: 60_000 }, async () => {
    const u = user as { uid: number; gid: number };
    const shared = await tempDir('mp-shared-folder-');
    await chmod(shared, 0o1777);
    const runDir = path.join(shared, '.marketplace-pulse');
    await mkdir(runDir, { mode: 0o755 });
    await chown(runDir, u.uid, u.gid);
    await chmod(runDir, 0o777);
    const theirs = await squat(u, [path.join(runDir, 'holder.sock')], { hello: { pid: 4242, command: 'serve', protocol: HOST_PROTOCOL, closing: false, dataDir: shared } });
    try {
      for (const argv of [['datasets'], ['serve']]) {
        const r = await run(argv, { DATA_DIR: shared, HTTP_PORT: '0', ...SECRETS });
        expect(r.code).toBe(1);
        expect(r.err.join('\n')).toContain(`the folder ${runDir} belongs to uid ${u.uid}, not to this user (uid 0): another user made it, so it is not trusted and nothing is sent to it`);
        expect(r.err.join('\n')).not.toContain('4242');
      }
      expect(await theirs.received()).toBe('');
    } finally {
      theirs.stop();
    }
  });

  asRoot('a pid file or socket of another user inside the folder is refused, not trusted', { timeout: 60_000 }, async () => {
    const u = user as { uid: number; gid: number };
    const dir = await tempDir('mp-planted-');
    const runDir = path.join(dir, '.marketplace-pulse');
    await mkdir(runDir, { mode: 0o700 });
    await writeFile(path.join(runDir, 'holder.pid'), JSON.stringify({ pid: 4242, command: 'serve' }));
    await chown(path.join(runDir, 'holder.pid'), u.uid, u.gid);
    const r = await run(['datasets'], { DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain(`the pid file ${path.join(runDir, 'holder.pid')} belongs to uid ${u.uid}`);
    expect(JSON.parse(await readFile(path.join(runDir, 'holder.pid'), 'utf8'))).toEqual({ pid: 4242, command: 'serve' });
  });

  it('a private folder left open to others is refused with the command that closes it', async () => {
    const dir = await tempDir('mp-open-');
    await mkdir(path.join(dir, '.marketplace-pulse'));
    await chmod(path.join(dir, '.marketplace-pulse'), 0o755);
    await expect(claimDataDir(dir, 'test')).rejects.toThrow(`${path.join(dir, '.marketplace-pulse')} is open to other users (mode 0755); it holds the socket that runs commands on the data, so it must be 0700: run \`chmod 700 ${path.join(dir, '.marketplace-pulse')}\` and try again`);
  });

  it('a new DATA_DIR is made private to its user', async () => {
    const base = await tempDir('mp-new-');
    await chmod(base, 0o755);
    const host = await claimDataDir(path.join(base, 'data'), 'test');
    try {
      expect((await lstat(path.join(base, 'data'))).mode & 0o777).toBe(0o700);
    } finally {
      await host.release();
    }
  });
});
