/**
 * Files on disk as delivered objects: a directory is a local copy of a bucket, so a file's path
 * relative to it is its S3 object key.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { splitAfter } from './append.ts';
import { RejectedFile, type ObjectIdentity, type ObjectSource } from './load.ts';

const READ_CHUNK_BYTES = 256 * 1024;
const HASH_CHUNK_BYTES = 1024 * 1024;

export function localObject(file: string, key: string): ObjectSource {
  const absolute = path.resolve(file);
  return {
    source: 'local',
    bucket: null,
    key,
    location: absolute,
    seekable: true,
    async open(options = {}) {
      return readFile(absolute, options.fromByte ?? 0);
    },
    async identify(options = {}) {
      if (options.background && options.prefixBytes) {
        // hashed on another thread while the caller goes on; settled in any case, so never an
        // unhandled rejection
        const later = hashOnWorker(absolute, options.prefixBytes);
        later.catch(() => {});
        try {
          return { size: (await stat(absolute)).size, sha256: null, etag: null, prefix: null, later };
        } catch (error) {
          throw new RejectedFile(`cannot read ${absolute}: ${(error as Error).message}`);
        }
      }
      if (options.hash === false) {
        try {
          return { size: (await stat(absolute)).size, sha256: null, etag: null, prefix: null };
        } catch (error) {
          throw new RejectedFile(`cannot read ${absolute}: ${(error as Error).message}`);
        }
      }
      let size = 0;
      const counted = async function* (bytes: AsyncIterable<Uint8Array>) {
        for await (const chunk of bytes) {
          size += chunk.length;
          yield chunk;
        }
      };
      // with the size of the version loaded before: that much of it checked in the same read
      const split = options.prefixBytes ? await splitAfter(counted(readPieces(absolute)), options.prefixBytes) : null;
      if (split) {
        for await (const _ of split.rest);
        return { size, sha256: split.sha256(), etag: null, prefix: split.prefix };
      }
      const hash = createHash('sha256');
      size = 0;
      for await (const chunk of readPieces(absolute)) {
        hash.update(chunk);
        size += chunk.length;
      }
      return { size, sha256: hash.digest('hex'), etag: null, prefix: null };
    },
  };
}

/**
 * What identify({ prefixBytes }) gives, computed in a worker thread: a file that grew is hashed
 * on a second core while its new rows load on the first (bench:append). Plain JavaScript, so the
 * same source runs from src/ and from the build.
 */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { file, prefixBytes } = workerData;
const whole = createHash('sha256');
const buffer = Buffer.allocUnsafe(1 << 20);
const header = [];
let headerDone = false, size = 0, lines = 0, last = -1, prefix = null;
const fd = openSync(file, 'r');
try {
  for (;;) {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) break;
    let piece = buffer.subarray(0, n);
    if (prefix === null) {
      const take = Math.min(n, prefixBytes - size);
      const part = piece.subarray(0, take);
      for (let i = part.indexOf(10); i !== -1; i = part.indexOf(10, i + 1)) lines++;
      if (!headerDone) {
        const end = part.indexOf(10);
        header.push(Buffer.from(end === -1 ? part : part.subarray(0, end)));
        headerDone = end !== -1;
      }
      if (take > 0) last = part[take - 1];
      whole.update(part);
      if (size + take === prefixBytes) {
        prefix = { bytes: prefixBytes, sha256: whole.copy().digest('hex'), lines, header: Buffer.concat(header), endsAtLineBreak: last === 10 };
      }
      piece = piece.subarray(take);
    }
    whole.update(piece);
    size += n;
  }
} finally {
  closeSync(fd);
}
parentPort.postMessage({ size, sha256: whole.digest('hex'), prefix });
`;

function hashOnWorker(file: string, prefixBytes: number): Promise<ObjectIdentity> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: { file, prefixBytes } });
    worker.once('message', (m: { size: number; sha256: string; prefix: ObjectIdentity['prefix'] }) => resolve({ size: m.size, sha256: m.sha256, etag: null, prefix: m.prefix ? { ...m.prefix, header: new Uint8Array(m.prefix.header) } : null }));
    worker.once('error', (error) => reject(new RejectedFile(`cannot read ${file}: ${error.message}`)));
    worker.once('exit', (code) => code !== 0 && reject(new RejectedFile(`cannot read ${file}: the hashing thread stopped (exit ${code})`)));
  });
}

/**
 * The file's bytes for hashing: large reads into one buffer, each piece valid until the next is
 * asked for (a third faster than a stream over a 500 MB file, and nothing is kept).
 */
async function* readPieces(file: string): AsyncGenerator<Uint8Array> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new RejectedFile(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (error) {
        throw new RejectedFile(`cannot read ${file}: ${(error as Error).message}`);
      }
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** The file's bytes (from `start`); a file that vanished or cannot be read rejects the object, saying why. */
async function* readFile(file: string, start = 0): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES, start })) yield chunk as Buffer;
  } catch (error) {
    throw new RejectedFile(`cannot read ${file}: ${(error as Error).message}`);
  }
}

export interface ListOptions {
  /** Relative paths are relative to this folder (the caller's, when a command was forwarded). */
  cwd?: string;
  /** Told of each link not followed (a loop, or a target that does not exist). */
  onSkipped?: (note: string) => void;
}

/**
 * Every file under the given paths, ordered so a CAS `.meta.json` comes before its data file and
 * SDDS month partitions load oldest first. Dot-files (.DS_Store, editors' temp files) are skipped.
 * Symbolic links are followed, each real folder once: a link back up the tree is skipped and named.
 */
export async function listLocalObjects(paths: string[], options: ListOptions = {}): Promise<ObjectSource[]> {
  const cwd = options.cwd ?? process.cwd();
  const objects: ObjectSource[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      throw new AppError('not-found', `${given}: no such file or directory`);
    }
    if (info.isDirectory()) {
      const files = await walk(absolute, new Set([await realpath(absolute)]), options.onSkipped ?? (() => {}));
      for (const file of files) objects.push(localObject(file, toKey(path.relative(absolute, file))));
    } else {
      objects.push(localObject(absolute, toKey(path.normalize(given).replace(/^([.]{1,2}[\\/])+/, ''))));
    }
  }
  return objects.sort((a, b) => order(a.key).localeCompare(order(b.key)));
}

function order(key: string): string {
  return key.endsWith('.meta.json') ? `0 ${key}` : `1 ${key}`;
}

function toKey(relative: string): string {
  return relative.split(path.sep).join('/').replace(/^\/+/, '');
}

/** `seen`: the real paths of the folders on the way down and already read, so a loop ends. */
async function walk(dir: string, seen: Set<string>, onSkipped: (note: string) => void): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (!entry.isSymbolicLink()) {
      if (entry.isDirectory()) {
        seen.add(await realpath(full));
        out.push(...(await walk(full, seen, onSkipped)));
      } else if (entry.isFile()) out.push(full);
      continue;
    }
    // a symlink counts as what it points to (a bucket copy may link large files in)
    const target = await stat(full).catch(() => null);
    if (!target) {
      onSkipped(`skipped ${full}: a link to something that does not exist (or a loop of links)`);
    } else if (target.isFile()) {
      out.push(full);
    } else if (target.isDirectory()) {
      const real = await realpath(full);
      if (seen.has(real)) {
        onSkipped(`skipped ${full}: a link to ${real}, which is already read`);
        continue;
      }
      seen.add(real);
      out.push(...(await walk(full, seen, onSkipped)));
    }
  }
  return out;
}
