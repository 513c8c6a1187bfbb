/**
 * Backfill: everything under an S3 prefix (the first install, the SDDS year=2010/month=01
 * backfill, a legacy CAS archive). Objects the ledger already holds with the same ETag and size are
 * skipped from the listing alone, so an interrupted backfill resumes where it stopped.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Database } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { ingestObject, type FileResult } from './load.ts';
import { listKeys, s3Object } from './s3.ts';

export interface BackfillProgress {
  total: number;
  skipped: number;
  done: number;
  rows: number;
  rejected: number;
  elapsedSeconds: number;
  /** Rows per second since the start. */
  rate: number;
  etaSeconds: number | null;
}

export interface BackfillOptions {
  signal?: AbortSignal;
  onFile?: (r: FileResult, p: BackfillProgress) => void;
}

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) throw new AppError('usage', `"${uri}" is not an S3 location; expected s3://bucket or s3://bucket/prefix`);
  return { bucket: m[1]!, prefix: m[2] ?? '' };
}

export async function backfill(db: Database, s3: S3Client, uri: string, options: BackfillOptions = {}): Promise<{ progress: BackfillProgress; results: FileResult[]; interrupted: boolean }> {
  const { bucket, prefix } = parseS3Uri(uri);
  const listed: Array<{ key: string; size: number; etag: string | null }> = [];
  try {
    for await (const o of listKeys(s3, bucket, prefix)) listed.push(o);
  } catch (error) {
    throw new AppError('aws', `cannot list s3://${bucket}/${prefix}: ${(error as Error).message} (the service needs s3:ListBucket on the bucket)`, { cause: error });
  }
  const loaded = await db.query<{ object_key: string; etag: string | null; size_bytes: string | null }>(
    `select distinct on (object_key) object_key, etag, size_bytes::text from ingest_file
      where bucket = $1 and starts_with(object_key, $2) and status in ('loaded', 'no-data', 'unchanged')
      order by object_key, id desc`,
    [bucket, prefix],
  );
  const known = new Map(loaded.map((r) => [r.object_key, `${r.etag}:${r.size_bytes}`]));
  const todo = listed
    .filter((o) => !(o.etag && known.get(o.key) === `${o.etag}:${o.size}`))
    .sort((a, b) => rank(a.key).localeCompare(rank(b.key)));

  const started = Date.now();
  const progress: BackfillProgress = { total: listed.length, skipped: listed.length - todo.length, done: 0, rows: 0, rejected: 0, elapsedSeconds: 0, rate: 0, etaSeconds: null };
  const results: FileResult[] = [];
  let bytesDone = 0;
  const bytesTodo = todo.reduce((n, o) => n + o.size, 0);
  for (const o of todo) {
    if (options.signal?.aborted) return { progress, results, interrupted: true };
    const r = await ingestObject(db, s3Object(s3, bucket, o.key));
    results.push(r);
    bytesDone += o.size;
    progress.done++;
    progress.rows += r.rowsInserted;
    if (r.status === 'rejected') progress.rejected++;
    progress.elapsedSeconds = (Date.now() - started) / 1000;
    progress.rate = progress.elapsedSeconds > 0 ? progress.rows / progress.elapsedSeconds : 0;
    // bytes predict the remaining time better than file counts: one month of billing dwarfs a product file
    progress.etaSeconds = bytesDone > 0 ? ((bytesTodo - bytesDone) * progress.elapsedSeconds) / bytesDone : null;
    options.onFile?.(r, progress);
  }
  return { progress, results, interrupted: false };
}

/** Metadata before data, then key order (SDDS months oldest first). */
function rank(key: string): string {
  return key.endsWith('.meta.json') ? `0 ${key}` : `1 ${key}`;
}

export function formatProgress(p: BackfillProgress): string {
  const eta = p.etaSeconds === null ? '-' : p.etaSeconds < 90 ? `${Math.round(p.etaSeconds)} s` : `${Math.round(p.etaSeconds / 60)} min`;
  return `${p.done + p.skipped}/${p.total} files (${p.skipped} already loaded), ${p.rows} rows, ${Math.round(p.rate)} rows/s, ETA ${eta}${p.rejected ? `, ${p.rejected} rejected` : ''}`;
}
