import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/db/client.ts';
import { ingestObject, type FileResult, type IngestOptions } from '../../src/ingest/load.ts';
import { localObject } from '../../src/ingest/local.ts';

export async function tempDir(prefix = 'mp-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Writes `content` at `key` below `root` (creating folders), as a bucket copy would hold it. */
export async function putFile(root: string, key: string, content: string | Buffer): Promise<string> {
  const file = path.join(root, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

/** Writes the object and ingests it under its key. */
export async function ingestContent(db: Database, root: string, key: string, content: string | Buffer, options: IngestOptions = {}): Promise<FileResult> {
  const file = await putFile(root, key, content);
  return ingestObject(db, localObject(file, key), options);
}

/** A CSV document from rows of fields, quoting where RFC 4180 requires. */
export function csv(rows: string[][], eol = '\n'): string {
  return rows.map((r) => r.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join(eol) + eol;
}
