/**
 * One process at a time opens the embedded database (PGlite) in a DATA_DIR: the holder. It listens
 * on a local socket in a folder of the data's own that only its user can enter; the socket is the
 * lock (only one process can listen on it, and the kernel stops the listening when the process ends,
 * kill -9 included) and the way in for other processes of the same user: a CLI command started
 * beside the holder runs inside it, on the same open database. Two processes opening the same PGlite
 * files corrupt them; nothing here ever lets that happen.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, existsSync, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, readFile, realpath, rm, rmdir, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { AppError } from '../errors.ts';

/** Bumped when the frames below change: a holder and a client of different versions refuse each other. */
export const HOST_PROTOCOL = 2;
/** A holder that accepts a connection but says nothing for this long is hung. */
const HELLO_TIMEOUT_MS = 5_000;
/** Unix socket paths are limited to about 104 bytes; a longer one is reached through /proc/self/fd. */
const MAX_SOCKET_PATH = 100;
/** A stale-lock takeover that did not finish in this long was itself interrupted. */
const TAKEOVER_STALE_MS = 10_000;
/** The holder's folder inside DATA_DIR: mode 0700, owned by the data's user, checked before each use. */
const RUN_DIR = '.marketplace-pulse';
const SOCKET_NAME = 'holder.sock';
const PID_NAME = 'holder.pid';
/** Where versions before protocol 2 listened: one of them running must still keep us out. */
const LEGACY_SOCKET = '.marketplace-pulse.sock';
/** A request is its arguments and a few settings; anything larger is not one. */
const MAX_REQUEST_FRAME_BYTES = 1024 * 1024;
/** Output frames carry a chunk of a stream or a block of text. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export interface HolderInfo {
  pid: number;
  /** What the holder runs: `serve`, `ingest`, ... */
  command: string;
  protocol: number;
  /** The holder is shutting down: try again in a moment. */
  closing: boolean;
  /** The real path of the data folder it holds. */
  dataDir: string;
}

/**
 * A command sent to the holder: its arguments, the caller's working folder, and the few settings
 * a caller may choose (src/config.ts, CALLER_SETTINGS). Never the environment: secrets stay in the
 * process that has them; `unsent` names the settings the caller has that were not sent.
 */
export interface ForwardRequest {
  argv: string[];
  cwd: string;
  settings: Record<string, string>;
  unsent: string[];
}

/** One forwarded command, as the holder runs it. */
export interface Session {
  request: ForwardRequest;
  out(text: string): void;
  err(text: string): void;
  /** Raw output (an export), with backpressure from the caller's terminal or pipe. */
  stream: Writable;
  /** Aborted when the caller asks to stop (Ctrl-C), goes away, or the holder shuts down. */
  signal: AbortSignal;
}

export type SessionHandler = (session: Session) => Promise<number>;

/** The data folder is held by another process; its details name it in every message. */
export class DataDirHeld extends AppError {
  constructor(
    readonly dataDir: string,
    readonly socketPath: string,
    readonly holder: HolderInfo,
  ) {
    super('database', `${dataDir} is in use by marketplace-pulse ${holder.command} (PID ${holder.pid})`);
  }
}

type FrameType = 'J' | 'D';

function frame(type: FrameType, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

const json = (value: unknown) => frame('J', Buffer.from(JSON.stringify(value)));

/** Splits a byte stream into frames; throws on a frame that is not one (unknown type, too long). */
class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  constructor(
    private readonly types: readonly FrameType[],
    private readonly maxBytes: number,
  ) {}
  push(chunk: Buffer): Array<{ type: FrameType; payload: Buffer }> {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Array<{ type: FrameType; payload: Buffer }> = [];
    while (this.buffer.length >= 5) {
      const type = this.buffer.toString('latin1', 0, 1) as FrameType;
      if (!this.types.includes(type)) throw new Error(`a frame of unknown type ${JSON.stringify(type)}`);
      const length = this.buffer.readUInt32BE(1);
      if (length > this.maxBytes) throw new Error(`a frame of ${length} bytes (at most ${this.maxBytes})`);
      if (this.buffer.length < 5 + length) break;
      frames.push({ type, payload: this.buffer.subarray(5, 5 + length) });
      this.buffer = this.buffer.subarray(5 + length);
    }
    return frames;
  }
}

/** A JSON frame's object, or an error saying what it was instead. */
function parseObject(payload: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Error('a frame that is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('a frame that is not a JSON object');
  return value as Record<string, unknown>;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The `run` of a request frame, checked field by field. */
function parseRequest(value: unknown): ForwardRequest {
  const r = value as Partial<Record<keyof ForwardRequest, unknown>> | null;
  if (typeof r !== 'object' || r === null) throw new Error('"run" is not an object');
  if (!isStringArray(r.argv) || r.argv.length === 0) throw new Error('"run.argv" is not a list of arguments');
  if (typeof r.cwd !== 'string' || !path.isAbsolute(r.cwd)) throw new Error('"run.cwd" is not an absolute path');
  const settings = r.settings;
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings) || !Object.values(settings).every((v) => typeof v === 'string')) {
    throw new Error('"run.settings" is not an object of strings');
  }
  if (!isStringArray(r.unsent)) throw new Error('"run.unsent" is not a list of names');
  return { argv: r.argv, cwd: r.cwd, settings: settings as Record<string, string>, unsent: r.unsent };
}

function parseHello(value: unknown): HolderInfo {
  const h = value as Partial<Record<keyof HolderInfo, unknown>> | null;
  if (typeof h !== 'object' || h === null || typeof h.pid !== 'number' || typeof h.command !== 'string' || typeof h.protocol !== 'number' || typeof h.closing !== 'boolean') {
    throw new Error('a hello without pid, command, protocol and closing');
  }
  // protocol 1 said no dataDir; such a holder is refused by its protocol number
  return { pid: h.pid, command: h.command, protocol: h.protocol, closing: h.closing, dataDir: typeof h.dataDir === 'string' ? h.dataDir : '' };
}

const myUid = (): number | null => (typeof process.getuid === 'function' ? process.getuid() : null);

function modeText(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

function untrusted(what: string, shown: string, info: Stats, remedy: string): AppError {
  return new AppError('database', `${what} ${shown} belongs to uid ${info.uid}, not to this user (uid ${myUid()}): another user made it, so it is not trusted and nothing is sent to it; ${remedy}`);
}

/**
 * The holder's folder, opened once and checked: a real folder (not a link), this user's, open to
 * nobody else. Paths inside it go through the open folder (/proc/self/fd on Linux), so no path
 * component can be swapped between the check and the use, and a long DATA_DIR needs no other place.
 */
class RunDir {
  private constructor(
    readonly dataDir: string,
    readonly shown: string,
    private readonly handle: FileHandle | null,
  ) {}

  static async open(dataDir: string): Promise<RunDir> {
    const real = await realpath(dataDir);
    const shown = path.join(real, RUN_DIR);
    if (process.platform === 'win32') return new RunDir(real, shown, null);
    try {
      await mkdir(shown, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw openError(dataDir, error);
    }
    const useFd = existsSync('/proc/self/fd');
    let handle: FileHandle | null = null;
    let info: Stats;
    try {
      if (useFd) {
        handle = await open(shown, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW);
        info = await handle.stat();
      } else {
        info = await lstat(shown);
      }
    } catch (error) {
      await handle?.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'ENOTDIR') throw new AppError('database', `${shown} should be a folder private to this user, but it is a link or a file; remove it and run the command again`);
      throw openError(dataDir, error);
    }
    const dir = new RunDir(real, shown, handle);
    try {
      if (!info.isDirectory()) throw new AppError('database', `${shown} should be a folder private to this user, but it is not a folder; remove it and run the command again`);
      if (myUid() !== null && info.uid !== myUid()) throw untrusted('the folder', shown, info, `remove it (as that user or root) and run the command again`);
      if ((info.mode & 0o077) !== 0) {
        throw new AppError('database', `${shown} is open to other users (mode ${modeText(info.mode)}); it holds the socket that runs commands on the data, so it must be 0700: run \`chmod 700 ${shown}\` and try again`);
      }
      if (!useFd && path.join(shown, SOCKET_NAME).length > MAX_SOCKET_PATH) {
        throw new AppError('database', `${shown} is too long a path for a local socket on this system (${shown.length} characters); use a shorter DATA_DIR, or DATABASE_URL`);
      }
    } catch (error) {
      await dir.close();
      throw error;
    }
    return dir;
  }

  /** The path a syscall uses for `name` inside the folder. */
  at(name: string): string {
    if (process.platform === 'win32') return `\\\\.\\pipe\\marketplace-pulse-${createHash('sha256').update(this.dataDir).digest('hex').slice(0, 16)}`;
    return this.handle ? `/proc/self/fd/${this.handle.fd}/${name}` : path.join(this.shown, name);
  }

  get socketAddress(): string {
    return this.at(SOCKET_NAME);
  }

  get socketShown(): string {
    return path.join(this.shown, SOCKET_NAME);
  }

  /** The socket or pid file if there is one, refused when it is not this user's. */
  async own(name: string): Promise<Stats | null> {
    if (process.platform === 'win32') return null;
    const info = await lstat(this.at(name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw openError(this.dataDir, error);
    });
    if (info && myUid() !== null && info.uid !== myUid()) throw untrusted(name === PID_NAME ? 'the pid file' : 'the socket', path.join(this.shown, name), info, `remove it (as that user or root) and run the command again`);
    return info;
  }

  async close(): Promise<void> {
    await this.handle?.close();
  }
}

/**
 * Versions before protocol 2 listened on DATA_DIR/.marketplace-pulse.sock. If one still does, it
 * has the database open: refuse rather than open it a second time. Connecting sends nothing.
 */
async function refuseLegacyHolder(dataDir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const legacy = path.join(dataDir, LEGACY_SOCKET);
  const info = await lstat(legacy).catch(() => null);
  if (!info?.isSocket() || (myUid() !== null && info.uid !== myUid()) || legacy.length > MAX_SOCKET_PATH) return;
  const listening = await new Promise<boolean>((resolve) => {
    const socket = connect(legacy);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (listening) {
    const pid = await readFile(`${legacy}.pid`, 'utf8').then((t) => (JSON.parse(t) as { pid?: number }).pid, () => undefined);
    throw new AppError('database', `${dataDir} is in use by an older version of marketplace-pulse${pid ? ` (PID ${pid})` : ''}; stop it and run the command again with this version`);
  }
  await rm(legacy, { force: true });
  await rm(`${legacy}.pid`, { force: true });
}

type Probe = { kind: 'alive'; info: HolderInfo; socket: Socket } | { kind: 'stale' } | { kind: 'gone' } | { kind: 'hung'; pid: number | null };

/** Connects to the holder and reads its hello; the socket stays open for the caller when alive. */
async function probe(dir: RunDir): Promise<Probe> {
  const found = await dir.own(SOCKET_NAME);
  if (!found) return { kind: 'gone' };
  if (!found.isSocket()) throw new AppError('database', `${dir.socketShown} is not a socket; remove it and run the command again`);
  return new Promise((resolve, reject) => {
    const socket = connect(dir.socketAddress);
    const reader = new FrameReader(['J'], MAX_REQUEST_FRAME_BYTES);
    let settled = false;
    const finish = (p: Probe | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (p instanceof Error || p.kind !== 'alive') socket.destroy();
      if (p instanceof Error) reject(p);
      else resolve(p);
    };
    const timer = setTimeout(() => {
      void readPid(dir).then(
        (pid) => finish({ kind: 'hung', pid }),
        (error: Error) => finish(error),
      );
    }, HELLO_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) {
          const hello = parseHello(parseObject(f.payload).hello);
          if (hello.protocol === HOST_PROTOCOL && hello.dataDir !== dir.dataDir) throw new Error(`a holder of ${hello.dataDir || 'another folder'} answered`);
          return finish({ kind: 'alive', info: hello, socket });
        }
      } catch (error) {
        finish(new AppError('database', `the process listening on ${dir.socketShown} did not answer as marketplace-pulse does (${(error as Error).message}); nothing was sent to it`));
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ENOENT' ? { kind: 'gone' } : { kind: 'stale' }));
    socket.once('close', () => finish({ kind: 'stale' }));
  });
}

async function readPid(dir: RunDir): Promise<number | null> {
  if (!(await dir.own(PID_NAME))) return null;
  try {
    const pid = (JSON.parse(await readFile(dir.at(PID_NAME), 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : null;
  } catch {
    return null;
  }
}

function listen(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(socketPath, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Becomes the holder of `dataDir`, or throws DataDirHeld naming the process that is. A socket left
 * behind by a holder that was killed is taken over; two processes doing that at once take turns.
 * A socket, pid file or folder another user made is refused, never trusted or removed.
 */
export async function claimDataDir(dataDir: string, command: string): Promise<DataDirHost> {
  // a new data folder is this user's alone: it holds the seller's figures and the holder's socket
  await mkdir(dataDir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw openError(dataDir, error);
  });
  const dir = await RunDir.open(dataDir);
  try {
    await refuseLegacyHolder(dir.dataDir);
    const host = new DataDirHost(dir, command);
    for (let attempt = 0; ; attempt++) {
      await dir.own(SOCKET_NAME);
      try {
        await listen(host.server, dir.socketAddress);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 50) throw openError(dataDir, error);
      }
      const found = await probe(dir);
      if (found.kind === 'alive') {
        found.socket.destroy();
        if (found.info.closing) {
          await delay(100);
          continue;
        }
        throw new DataDirHeld(dataDir, dir.socketShown, found.info);
      }
      if (found.kind === 'hung') {
        throw new AppError(
          'database',
          `${dataDir} is held by ${found.pid === null ? 'a process' : `PID ${found.pid}`} that does not answer on ${dir.socketShown}; if that process is hung, stop it${found.pid === null ? '' : ` (kill ${found.pid})`} and try again`,
        );
      }
      if (found.kind === 'stale') await takeOverStale(dir);
    }
    if (process.platform !== 'win32') {
      await chmod(dir.socketAddress, 0o600);
      await dir.own(PID_NAME);
      await writeFile(dir.at(PID_NAME), JSON.stringify({ pid: process.pid, command }), { mode: 0o600 });
    }
    return host;
  } catch (error) {
    await dir.close();
    throw error;
  }
}

/** Removes a socket nobody listens on, unless another process is doing the same right now. */
async function takeOverStale(dir: RunDir): Promise<void> {
  const mutex = dir.at('takeover');
  try {
    await mkdir(mutex, { mode: 0o700 });
  } catch {
    const info = await stat(mutex).catch(() => null);
    if (info && Date.now() - info.mtimeMs > TAKEOVER_STALE_MS) await rmdir(mutex).catch(() => {});
    await delay(50);
    return;
  }
  try {
    // between our probe and the mutex another process may have taken over and be listening now
    const again = await probe(dir);
    if (again.kind === 'alive') again.socket.destroy();
    else if (again.kind === 'stale') await rm(dir.socketAddress, { force: true });
  } finally {
    await rmdir(mutex).catch(() => {});
  }
}

function openError(dataDir: string, error: unknown): AppError {
  return new AppError('database', `cannot lock ${dataDir} for the embedded database: ${(error as Error).message}`, { cause: error });
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The holder's side: answers hellos and runs forwarded commands once a handler is attached. */
export class DataDirHost {
  readonly server: Server;
  private handler: SessionHandler | null = null;
  private handlerReady: Promise<void>;
  private setHandlerReady!: () => void;
  private readonly sessions = new Set<{ done: Promise<void>; abort: () => void }>();
  private readonly sockets = new Set<Socket>();
  private closing = false;

  constructor(
    private readonly dir: RunDir,
    private readonly command: string,
  ) {
    this.handlerReady = new Promise((r) => (this.setHandlerReady = r));
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Where it listens, for messages. */
  get socketPath(): string {
    return this.dir.socketShown;
  }

  /** Starts running forwarded commands (until then they wait). */
  serve(handler: SessionHandler): void {
    this.handler = handler;
    this.setHandlerReady();
  }

  /** Forwarded commands in progress. */
  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Asks every forwarded command to stop (the holder is shutting down). */
  abortSessions(): void {
    for (const s of this.sessions) s.abort();
  }

  /** Refuses new commands and waits for those running; the lock is still held after this. */
  async drain(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.sessions].map((s) => s.done));
  }

  /** Releases the lock: call after the database files are closed. */
  async release(): Promise<void> {
    this.closing = true;
    for (const s of this.sockets) s.destroy();
    // the socket's path goes through the folder's descriptor: it stays open until the socket is gone
    await new Promise<void>((r) => this.server.close(() => r()));
    if (process.platform !== 'win32') await rm(this.dir.at(PID_NAME), { force: true });
    await this.dir.close();
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const hello: HolderInfo = { pid: process.pid, command: this.command, protocol: HOST_PROTOCOL, closing: this.closing, dataDir: this.dir.dataDir };
    socket.write(json({ hello }));
    if (this.closing) {
      socket.end();
      return;
    }
    const reader = new FrameReader(['J'], MAX_REQUEST_FRAME_BYTES);
    const controller = new AbortController();
    let started = false;
    const onData = (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) {
          const message = parseObject(f.payload);
          if (message.signal !== undefined) controller.abort();
          else if (message.run !== undefined && !started) {
            const request = parseRequest(message.run);
            started = true;
            this.run(socket, request, controller);
          } else throw new Error('a frame that is neither a command nor a signal');
        }
      } catch (error) {
        // whatever a peer sends, the holder answers and closes; it never ends because of it
        socket.off('data', onData);
        controller.abort();
        if (!started) socket.end(json({ err: `marketplace-pulse: refused a malformed request: ${(error as Error).message}`, exit: 2 }));
        else socket.destroy();
      }
    };
    socket.on('data', onData);
    socket.once('close', () => controller.abort());
  }
  private run(socket: Socket, request: ForwardRequest, controller: AbortController): void {
    const send = (value: unknown) => {
      if (!socket.destroyed) socket.write(json(value));
    };
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (socket.destroyed) return callback(new Error('the caller went away'));
        if (socket.write(frame('D', chunk))) return callback();
        const onDrain = () => {
          socket.off('close', onClose);
          callback();
        };
        const onClose = () => {
          socket.off('drain', onDrain);
          callback(new Error('the caller went away'));
        };
        socket.once('drain', onDrain);
        socket.once('close', onClose);
      },
    });
    const session: Session = {
      request,
      out: (text) => send({ out: text }),
      err: (text) => send({ err: text }),
      stream,
      signal: controller.signal,
    };
    const entry = {
      abort: () => controller.abort(),
      done: (async () => {
        let code = 1;
        try {
          await this.handlerReady;
          code = await this.handler!(session);
        } catch (error) {
          send({ err: `marketplace-pulse: ${(error as Error).message}` });
        }
        send({ exit: code });
        socket.end();
      })(),
    };
    this.sessions.add(entry);
    void entry.done.finally(() => this.sessions.delete(entry));
  }
}

export interface ForwardIo {
  out(text: string): void;
  err(text: string): void;
  stream: NodeJS.WritableStream;
}

/** 'retry': the holder went away before the command started; the caller may become the holder. */
export type ForwardOutcome = { kind: 'exit'; code: number } | { kind: 'retry' };

/**
 * Runs a command inside the holder and relays what it prints. The first Ctrl-C asks it to stop
 * (it finishes what it is doing, as it would locally); a second one leaves at once.
 */
export async function forwardCommand(held: DataDirHeld, request: ForwardRequest, io: ForwardIo, interrupt?: AbortSignal): Promise<ForwardOutcome> {
  if (held.holder.protocol !== HOST_PROTOCOL) {
    throw new AppError(
      'database',
      `${held.dataDir} is in use by another version of marketplace-pulse (${held.holder.command}, PID ${held.holder.pid}); restart it with this version, or stop it and run the command again`,
    );
  }
  const dir = await RunDir.open(held.dataDir);
  const found = await probe(dir).finally(() => dir.close());
  if (found.kind !== 'alive' || found.info.closing) {
    if (found.kind === 'alive') found.socket.destroy();
    await delay(100);
    return { kind: 'retry' };
  }
  const socket = found.socket;
  const reader = new FrameReader(['J', 'D'], MAX_FRAME_BYTES);
  return new Promise<ForwardOutcome>((resolve, reject) => {
    let exitCode: number | null = null;
    let started = false;
    let malformed: string | null = null;
    const onInterrupt = () => {
      if (!socket.destroyed) socket.write(json({ signal: 'SIGINT' }));
    };
    interrupt?.addEventListener('abort', onInterrupt, { once: true });
    // the reader of our output left (`| head`): the command stops in the holder, we end normally
    const onOutputError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') exitCode = 0;
      else io.err(`marketplace-pulse: cannot write the output: ${error.message}`);
      exitCode ??= 1;
      socket.destroy();
    };
    const output = io.stream as NodeJS.WritableStream & { on?: (e: string, f: (error: NodeJS.ErrnoException) => void) => void; off?: (e: string, f: (error: NodeJS.ErrnoException) => void) => void };
    output.on?.('error', onOutputError);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) {
          started = true;
          if (f.type === 'D') {
            if (socket.destroyed) continue;
            if (!io.stream.write(f.payload)) {
              socket.pause();
              io.stream.once('drain', () => socket.resume());
            }
            continue;
          }
          const message = parseObject(f.payload);
          if (typeof message.out === 'string') io.out(message.out);
          if (typeof message.err === 'string') io.err(message.err);
          if (typeof message.exit === 'number') exitCode = message.exit;
        }
      } catch (error) {
        malformed = (error as Error).message;
        socket.destroy();
      }
    });
    socket.once('close', () => {
      interrupt?.removeEventListener('abort', onInterrupt);
      output.off?.('error', onOutputError);
      if (malformed !== null) reject(new AppError('database', `marketplace-pulse ${held.holder.command} (PID ${held.holder.pid}) sent a malformed reply (${malformed}); the command may not have finished, so check its result or run it again`));
      else if (exitCode !== null) resolve({ kind: 'exit', code: exitCode });
      else if (!started) resolve({ kind: 'retry' });
      else
        reject(
          new AppError(
            'database',
            `marketplace-pulse ${held.holder.command} (PID ${held.holder.pid}), which ran this command on ${held.dataDir}, stopped before it finished; every file it finished loading is kept, so run the command again`,
          ),
        );
    });
    socket.write(json({ run: request }));
  });
}
