/**
 * One process at a time opens the embedded database (PGlite) in a DATA_DIR: the holder. It listens
 * on a local socket beside the data; the socket is the lock (only one process can listen on it, and
 * the kernel stops the listening when the process ends, kill -9 included) and the way in for other
 * processes: a CLI command started beside the holder runs inside it, on the same open database.
 * Two processes opening the same PGlite files corrupt them; nothing here ever lets that happen.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, realpath, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { AppError } from '../errors.ts';

/** Bumped when the frames below change: a holder and a client of different versions refuse each other. */
export const HOST_PROTOCOL = 1;
/** A holder that accepts a connection but says nothing for this long is hung. */
const HELLO_TIMEOUT_MS = 5_000;
/** Unix socket paths are limited to about 104 bytes; longer ones move to the temp folder. */
const MAX_SOCKET_PATH = 100;
/** A stale-lock takeover that did not finish in this long was itself interrupted. */
const TAKEOVER_STALE_MS = 10_000;

export interface HolderInfo {
  pid: number;
  /** What the holder runs: `serve`, `ingest`, ... */
  command: string;
  protocol: number;
  /** The holder is shutting down: try again in a moment. */
  closing: boolean;
}

/** A command sent to the holder: its arguments, and the caller's working folder and environment. */
export interface ForwardRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
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

/** Splits a byte stream into frames. */
class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Array<{ type: FrameType; payload: Buffer }> {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Array<{ type: FrameType; payload: Buffer }> = [];
    while (this.buffer.length >= 5) {
      const length = this.buffer.readUInt32BE(1);
      if (this.buffer.length < 5 + length) break;
      frames.push({ type: this.buffer.toString('latin1', 0, 1) as FrameType, payload: this.buffer.subarray(5, 5 + length) });
      this.buffer = this.buffer.subarray(5 + length);
    }
    return frames;
  }
}

/** Where the holder of `dataDir` listens: beside the data, or in the temp folder when that path is too long. */
export async function socketPathFor(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const real = await realpath(dataDir);
  const digest = createHash('sha256').update(real).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\marketplace-pulse-${digest}`;
  const beside = path.join(real, '.marketplace-pulse.sock');
  return beside.length <= MAX_SOCKET_PATH ? beside : path.join(os.tmpdir(), `marketplace-pulse-${digest}.sock`);
}

type Probe = { kind: 'alive'; info: HolderInfo; socket: Socket } | { kind: 'stale' } | { kind: 'gone' } | { kind: 'hung'; pid: number | null };

/** Connects to a holder and reads its hello; the socket stays open for the caller when alive. */
async function probe(socketPath: string): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const reader = new FrameReader();
    let settled = false;
    const settle = (p: Probe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (p.kind !== 'alive') socket.destroy();
      resolve(p);
    };
    const timer = setTimeout(() => {
      void readPidFile(socketPath).then((pid) => settle({ kind: 'hung', pid }));
    }, HELLO_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.type !== 'J') continue;
        const hello = (JSON.parse(f.payload.toString('utf8')) as { hello?: HolderInfo }).hello;
        if (hello) settle({ kind: 'alive', info: hello, socket });
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => settle(error.code === 'ENOENT' ? { kind: 'gone' } : { kind: 'stale' }));
    socket.once('close', () => settle({ kind: 'stale' }));
  });
}

async function readPidFile(socketPath: string): Promise<number | null> {
  try {
    const pid = (JSON.parse(await readFile(`${socketPath}.pid`, 'utf8')) as { pid?: unknown }).pid;
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
 */
export async function claimDataDir(dataDir: string, command: string): Promise<DataDirHost> {
  const socketPath = await socketPathFor(dataDir);
  const host = new DataDirHost(socketPath, command);
  for (let attempt = 0; ; attempt++) {
    try {
      await listen(host.server, socketPath);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 50) throw openError(dataDir, error);
    }
    const found = await probe(socketPath);
    if (found.kind === 'alive') {
      found.socket.destroy();
      if (found.info.closing) {
        await delay(100);
        continue;
      }
      throw new DataDirHeld(dataDir, socketPath, found.info);
    }
    if (found.kind === 'hung') {
      throw new AppError(
        'database',
        `${dataDir} is held by ${found.pid === null ? 'a process' : `PID ${found.pid}`} that does not answer on ${socketPath}; if that process is hung, stop it${found.pid === null ? '' : ` (kill ${found.pid})`} and try again`,
      );
    }
    if (found.kind === 'stale') await takeOverStale(socketPath);
  }
  if (process.platform !== 'win32') {
    await chmod(socketPath, 0o600);
    await writeFile(`${socketPath}.pid`, JSON.stringify({ pid: process.pid, command }));
  }
  return host;
}

/** Removes a socket nobody listens on, unless another process is doing the same right now. */
async function takeOverStale(socketPath: string): Promise<void> {
  const mutex = `${socketPath}.takeover`;
  try {
    await mkdir(mutex);
  } catch {
    const info = await stat(mutex).catch(() => null);
    if (info && Date.now() - info.mtimeMs > TAKEOVER_STALE_MS) await rmdir(mutex).catch(() => {});
    await delay(50);
    return;
  }
  try {
    // between our probe and the mutex another process may have taken over and be listening now
    const again = await probe(socketPath);
    if (again.kind === 'alive') again.socket.destroy();
    else if (again.kind === 'stale') await rm(socketPath, { force: true });
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
    readonly socketPath: string,
    private readonly command: string,
  ) {
    this.handlerReady = new Promise((r) => (this.setHandlerReady = r));
    this.server = createServer((socket) => this.accept(socket));
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
    await new Promise<void>((r) => this.server.close(() => r()));
    if (process.platform !== 'win32') await rm(`${this.socketPath}.pid`, { force: true });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const hello: HolderInfo = { pid: process.pid, command: this.command, protocol: HOST_PROTOCOL, closing: this.closing };
    socket.write(json({ hello }));
    if (this.closing) {
      socket.end();
      return;
    }
    const reader = new FrameReader();
    const controller = new AbortController();
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.type !== 'J') continue;
        const message = JSON.parse(f.payload.toString('utf8')) as { run?: ForwardRequest; signal?: string };
        if (message.signal) controller.abort();
        if (message.run && !started) {
          started = true;
          this.run(socket, message.run, controller);
        }
      }
    });
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
  const found = await probe(held.socketPath);
  if (found.kind !== 'alive' || found.info.closing) {
    if (found.kind === 'alive') found.socket.destroy();
    await delay(100);
    return { kind: 'retry' };
  }
  const socket = found.socket;
  const reader = new FrameReader();
  return new Promise<ForwardOutcome>((resolve, reject) => {
    let exitCode: number | null = null;
    let started = false;
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
      for (const f of reader.push(chunk)) {
        if (f.type === 'D') {
          started = true;
          if (socket.destroyed) continue;
          if (!io.stream.write(f.payload)) {
            socket.pause();
            io.stream.once('drain', () => socket.resume());
          }
          continue;
        }
        const message = JSON.parse(f.payload.toString('utf8')) as { out?: string; err?: string; exit?: number };
        started = true;
        if (message.out !== undefined) io.out(message.out);
        if (message.err !== undefined) io.err(message.err);
        if (message.exit !== undefined) exitCode = message.exit;
      }
    });
    socket.once('close', () => {
      interrupt?.removeEventListener('abort', onInterrupt);
      output.off?.('error', onOutputError);
      if (exitCode !== null) resolve({ kind: 'exit', code: exitCode });
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
