/**
 * Files on disk as delivered objects: a directory is a local copy of a bucket, so a file's path
 * relative to it is its S3 object key.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { RejectedFile, type ObjectSource } from './load.ts';

const READ_CHUNK_BYTES = 256 * 1024;

export function localObject(file: string, key: string): ObjectSource {
  const absolute = path.resolve(file);
  return {
    source: 'local',
    bucket: null,
    key,
    location: absolute,
    async open() {
      return readFile(absolute);
    },
    async identify() {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of readFile(absolute)) {
        hash.update(chunk);
        size += chunk.length;
      }
      return { size, sha256: hash.digest('hex'), etag: null };
    },
  };
}

/** The file's bytes; a file that vanished or cannot be read rejects the object, saying why. */
async function* readFile(file: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) yield chunk as Buffer;
  } catch (error) {
    throw new RejectedFile(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * Every file under the given paths, ordered so a CAS `.meta.json` comes before its data file and
 * SDDS month partitions load oldest first. Dot-files (.DS_Store, editors' temp files) are skipped.
 */
export async function listLocalObjects(paths: string[]): Promise<ObjectSource[]> {
  const objects: ObjectSource[] = [];
  for (const given of paths) {
    let info;
    try {
      info = await stat(given);
    } catch {
      throw new AppError('not-found', `${given}: no such file or directory`);
    }
    if (info.isDirectory()) {
      const files = await walk(given);
      for (const file of files) objects.push(localObject(file, toKey(path.relative(given, file))));
    } else {
      objects.push(localObject(given, toKey(path.normalize(given).replace(/^([.]{1,2}[\\/])+/, ''))));
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

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    // a symlink counts as what it points to (a bucket copy may link large files in)
    const kind = entry.isSymbolicLink() ? await stat(full).catch(() => null) : entry;
    if (kind?.isDirectory()) out.push(...(await walk(full)));
    else if (kind?.isFile()) out.push(full);
  }
  return out;
}
