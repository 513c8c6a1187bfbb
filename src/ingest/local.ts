/**
 * Files on disk as delivered objects: a directory is a local copy of a bucket, so a file's path
 * relative to it is its S3 object key.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { BLOCK_BYTES, blockRanges, hashRanges } from './blocks.ts';
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
      let size: number;
      try {
        size = (await stat(absolute)).size;
      } catch (error) {
        throw new RejectedFile(`cannot read ${absolute}: ${(error as Error).message}`);
      }
      if (options.hash === false) return { size, sha256: null, etag: null };
      if (options.legacy) return { ...(await sha256Of(absolute)), etag: null };
      const full = async (): Promise<ObjectIdentity> => {
        const p = options.prefixBytes && options.prefixBytes <= size ? options.prefixBytes : null;
        const blocks = blockRanges(size);
        // the version loaded before may end inside a block: that much of it is hashed too
        const partial: Array<[number, number]> = p !== null && p % BLOCK_BYTES !== 0 ? [[p - (p % BLOCK_BYTES), p]] : [];
        let hashes: string[];
        try {
          hashes = await hashRanges(absolute, [...blocks, ...partial]);
        } catch (error) {
          throw new RejectedFile(`cannot read ${absolute}: ${(error as Error).message}`);
        }
        const prefix = p === null ? null : { bytes: p, partial: partial.length ? hashes.at(-1)! : null, endsAtLineBreak: (await byteAt(absolute, p - 1)) === 0x0a };
        return { size, sha256: null, etag: null, blocks: hashes.slice(0, blocks.length), prefix };
      };
      if (!options.background) return full();
      // hashed on other threads while the caller goes on; settled in any case, so never an unhandled rejection
      const later = full();
      later.catch(() => {});
      return { size, sha256: null, etag: null, later };
    },
  };
}

/** The whole file's SHA-256, as files were fingerprinted before blocks (src/ingest/blocks.ts). */
async function sha256Of(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of readPieces(file)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

async function byteAt(file: string, position: number): Promise<number | null> {
  const handle = await open(file, 'r');
  try {
    const one = Buffer.alloc(1);
    const { bytesRead } = await handle.read(one, 0, 1, position);
    return bytesRead === 1 ? one[0]! : null;
  } finally {
    await handle.close();
  }
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
