/**
 * Loading one delivered object: recognise it, skip it when already loaded, parse and validate it
 * streaming, and load it in one transaction with its ledger row. A rejected file leaves the stored
 * data exactly as it was and a ledger row saying why, where, and with which values.
 */
import type { Log, LogFields } from '../log.ts';
import { recogniseKey, addDays, type Recognised } from '../datasets/catalog.ts';
import type { CasDataset, DatasetDef, DateRange } from '../datasets/types.ts';
import { CopyAborted, type Database, type Tx } from '../db/client.ts';
import { AppError, describeError } from '../errors.ts';
import { hashing, splitAfter, type PrefixCheck } from './append.ts';
import { BLOCK_BYTES, blockHashing } from './blocks.ts';
import { newBulkScan, removeRepeats, startBulkLoad, type BulkScan } from './dedupe.ts';
import { CsvSyntaxError, readCsv } from './csv.ts';
import { mapHeader } from './header.ts';
import { RowEncoder } from './encode.ts';

export interface ObjectIdentity {
  size: number | null;
  sha256: string | null;
  etag: string | null;
  /** A local file: the SHA-256 of each 16 MiB block (src/ingest/blocks.ts). */
  blocks?: string[] | null;
  /** With `prefixBytes`: the part of the last block the version loaded before ends in, and whether it ends a line. */
  prefix?: { bytes: number; partial: string | null; endsAtLineBreak: boolean } | null;
  /** With `background`: the full identity, being taken while the load goes on. */
  later?: Promise<ObjectIdentity>;
}

/** A delivered object, wherever it lives. `open` may be called more than once. */
export interface ObjectSource {
  source: 'local' | 's3';
  bucket: string | null;
  key: string;
  location: string;
  /** Its bytes; from `fromByte` on where the source can start there (a local file). */
  open(options?: { fromByte?: number }): Promise<AsyncIterable<Uint8Array>>;
  /**
   * `prefixBytes`: the length of the version loaded before, to check against (appended files).
   * `hash: false`: no fingerprint now (nothing was loaded from this key; it is taken while the
   * load reads the object). `legacy`: the whole file's SHA-256, for a version loaded before
   * files had block fingerprints. `background`: return at once, the fingerprint in `later`.
   */
  identify(options?: { prefixBytes?: number; hash?: boolean; background?: boolean; legacy?: boolean }): Promise<ObjectIdentity>;
  /** Whether open() can start at a byte (identify() then checks a prefix). */
  readonly seekable: boolean;
}

export interface Problem {
  line: number | null;
  column?: string;
  value?: string;
  message: string;
}

export type FileStatus = 'loaded' | 'unchanged' | 'no-data' | 'rejected';

export interface FileResult {
  fileId: number;
  key: string;
  location: string;
  dataset: string | null;
  status: FileStatus;
  period: DateRange | null;
  rowsRead: number;
  rowsInserted: number;
  rowsReplaced: number;
  /** The file (ledger id) whose version this one extended: only the rows after it were read. */
  appendedTo: number | null;
  extraColumns: string[];
  error: string | null;
  problems: Problem[];
  problemCount: number;
  durationMs: number;
}

/** The log line for a file that changed something (loaded, rejected, no-data). */
export function logFile(log: Log, r: FileResult, fields: LogFields = {}): void {
  log(`${r.status} ${fields.messageId ? r.location : r.key}${r.status === 'rejected' ? `: ${r.error}` : ` (${r.rowsInserted} row${r.rowsInserted === 1 ? '' : 's'} added)`}`, {
    level: r.status === 'rejected' ? 'warn' : 'info',
    key: r.key,
    dataset: r.dataset,
    ...fields,
  });
}

/** How many offending values a rejection keeps; the rest are counted. */
export const MAX_PROBLEMS = 20;
/** A `.meta.json` companion is a few hundred bytes; anything huge is not one. */
const MAX_META_BYTES = 1024 * 1024;

export class RejectedFile extends AppError {
  readonly problems: Problem[];
  readonly problemCount: number;
  constructor(message: string, problems: Problem[] = [], problemCount = problems.length) {
    super('rejected-file', message);
    this.problems = problems;
    this.problemCount = problemCount;
  }
}

export interface LoadStats {
  rowsRead: number;
  extraColumns: string[];
  dataThrough: string | null;
  /** SDDS: the latest valid_from of the rows loaded. */
  validThrough: string | null;
  /** Bulk feeds: which rows may repeat a stored revision (src/ingest/dedupe.ts). */
  bulk: BulkScan | null;
  /** The line breaks of the whole file once read: where a later, appended version goes on. */
  counted: { lineBreaks: number };
  /** File line of each row sent to COPY, to translate PostgreSQL's COPY line numbers. */
  lines: LineMap;
}

/**
 * Row number -> file line in constant memory: rows follow each other line by line except after
 * blank lines and quoted newlines, so only those jumps are stored.
 */
export class LineMap {
  private rows = 0;
  private readonly jumps: Array<[row: number, line: number]> = [];
  private expected = -1;

  push(line: number): void {
    if (line !== this.expected) this.jumps.push([this.rows, line]);
    this.rows++;
    this.expected = line + 1;
  }

  /** The file line of the n-th row (1-based, as COPY counts), or null. */
  lineOf(n: number): number | null {
    const row = n - 1;
    if (row < 0 || row >= this.rows) return null;
    let lo = 0;
    let hi = this.jumps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.jumps[mid]![0] <= row) lo = mid;
      else hi = mid - 1;
    }
    const [start, line] = this.jumps[lo]!;
    return line + (row - start);
  }
}

export interface IngestOptions {
  now?: () => Date;
}

/** Ingests one object and records the outcome in the ledger. Never throws for a bad file. */
export async function ingestObject(db: Database, src: ObjectSource, options: IngestOptions = {}): Promise<FileResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const recognised = recogniseKey(src.key);
  const dataset = recognised.kind === 'unknown' ? null : recognised.dataset;
  let identity: ObjectIdentity = { size: null, sha256: null, etag: null };
  let loaded: FileResult;
  try {
    // S3 keys cannot hold a NUL; a notification naming one (%00) is malformed, and retrying will not help
    if (src.key.includes('\0')) throw new RejectedFile('the object key contains a NUL character (%00 in the notification), which no S3 object key can hold');
    // Is this a key loaded before? If not, there is nothing to compare with, and the object is
    // hashed as it loads rather than read twice. If so, a month file grows daily: the version
    // loaded before is checked in the same read that hashes it (src/ingest/append.ts).
    const last = recognised.kind === 'sdds' || recognised.kind === 'cas' ? await lastLoaded(db, src) : undefined;
    if (last === null) identity = await src.identify({ hash: false });
    else if (last && src.seekable && !last.blocks) identity = await src.identify({ legacy: true });
    // a local file that grew is fingerprinted while its new rows load, and they are kept only if
    // what came before is unchanged (appendedPart)
    else identity = await src.identify(last?.size && src.seekable && recognised.kind === 'sdds' ? { prefixBytes: last.size, background: true } : {});
    if (recognised.kind === 'unknown') throw new RejectedFile(`unknown dataset: ${recognised.reason}`);
    if (recognised.kind === 'cas-meta') return await loadMetadata(db, src, identity, recognised, startedAt, now);
    try {
      loaded = await loadData(db, src, identity, recognised, startedAt, now);
    } catch (error) {
      // the rows were loaded on trust while the file was hashed, and its start had changed: all
      // of it was undone; it is loaded whole
      if (!(error instanceof PrefixChanged) || !identity.later) throw error;
      identity = await identity.later;
      loaded = await loadData(db, src, identity, recognised, startedAt, now);
    }
  } catch (error) {
    const rejected = (error instanceof AppError && error.code === 'rejected-file') || error instanceof CopyAborted || isDataError(error);
    if (!rejected) throw error;
    const problems: Problem[] =
      error instanceof RejectedFile ? error.problems : error instanceof CsvSyntaxError ? [{ line: error.line, message: describeError(error) }] : [];
    const problemCount = error instanceof RejectedFile ? error.problemCount : 1;
    const period = recognised.kind === 'sdds' || recognised.kind === 'cas' ? recognised.period : null;
    const message = describeError(error);
    const row = await recordRejection(db, src, identity, {
      dataset: dataset?.name ?? null,
      period,
      status: 'rejected',
      error: message,
      errorDetails: { problems, problemCount },
      startedAt,
      finishedAt: now(),
    });
    return {
      fileId: row,
      key: src.key,
      location: src.location,
      dataset: dataset?.name ?? null,
      status: 'rejected',
      period,
      rowsRead: 0,
      rowsInserted: 0,
      rowsReplaced: 0,
      appendedTo: null,
      extraColumns: [],
      error: message,
      problems,
      problemCount,
      durationMs: now().getTime() - startedAt.getTime(),
    };
  }
  return loaded;
}

/**
 * A rejection always ends as a ledger row: with its details when they can be stored, else with
 * its reason alone (so a value the database cannot hold never turns a rejection into a crash).
 */
async function recordRejection(db: Database, src: ObjectSource, identity: ObjectIdentity, fields: LedgerFields): Promise<number> {
  try {
    return await insertLedger(db, src, identity, fields);
  } catch (error) {
    if (!isDataError(error)) throw error; // the database is away: the caller retries later
    const reason = `${fields.error ?? 'rejected'} (its details could not be stored: ${describeError(error)})`;
    return insertLedger(db, src, identity, { ...fields, error: reason, errorDetails: undefined });
  }
}

/** PostgreSQL's verdict on a value we let through (class 22: data exception; 23: constraint). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

interface LedgerFields {
  dataset: string | null;
  period: DateRange | null;
  status: FileStatus;
  error?: string;
  errorDetails?: unknown;
  startedAt: Date;
  finishedAt: Date;
  rowsRead?: number;
  dataThrough?: string | null;
}

async function insertLedger(db: Tx, src: ObjectSource, id: ObjectIdentity, f: LedgerFields): Promise<number> {
  const rows = await db.query<{ id: string | number }>(
    `insert into ingest_file (source, bucket, object_key, location, size_bytes, sha256, etag, dataset,
       period_start, period_end, status, rows_read, error, error_details, data_through, started_at, finished_at, block_hashes)
     values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) returning id`,
    [
      src.source,
      src.bucket === null ? null : storable(src.bucket),
      storable(src.key),
      storable(src.location),
      id.size,
      id.sha256,
      id.etag,
      f.dataset,
      f.period?.start ?? null,
      f.period?.end ?? null,
      f.status,
      f.rowsRead ?? 0,
      f.error === undefined ? null : storable(f.error),
      f.errorDetails === undefined ? null : storableJson(f.errorDetails),
      f.dataThrough ?? null,
      f.startedAt.toISOString(),
      f.finishedAt.toISOString(),
      id.blocks ?? null,
    ],
  );
  return Number(rows[0]!.id);
}

/**
 * Text PostgreSQL can store: a NUL (which no text or jsonb value may hold, not even as \u0000)
 * is written as the visible escape \0, and a lone UTF-16 surrogate as U+FFFD.
 */
export function storable(text: string): string {
  return text.replace(/\u0000/g, '\\0').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** JSON of `value` with every string in it storable. */
function storableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? storable(v) : v));
}

interface PreviousLoad {
  id: number;
  sha256: string | null;
  etag: string | null;
  size: number | null;
  blocks: string[] | null;
  lineBreaks: number | null;
  period_start: string | null;
  period_end: string | null;
}

/** The size of the last version of this object loaded (0 if unknown) and whether it has block fingerprints; null if none was loaded. */
async function lastLoaded(db: Database, src: ObjectSource): Promise<{ size: number; blocks: boolean } | null> {
  const rows = await db.query<{ size_bytes: string | null; blocks: boolean }>(
    `select size_bytes, block_hashes is not null as blocks from ingest_file
      where object_key = $1 and bucket is not distinct from $2 and status in ('loaded', 'no-data') order by id desc limit 1`,
    [storable(src.key), src.bucket],
  );
  return rows[0] ? { size: Number(rows[0].size_bytes ?? 0), blocks: rows[0].blocks } : null;
}

/** The last successful load of the same object, if any. */
async function previousLoad(tx: Tx, src: ObjectSource): Promise<PreviousLoad | null> {
  const rows = await tx.query<{ id: string; sha256: string | null; etag: string | null; size_bytes: string | null; block_hashes: string[] | null; line_breaks: string | null; period_start: string | null; period_end: string | null }>(
    `select id, sha256, etag, size_bytes, block_hashes, line_breaks, period_start::text, period_end::text from ingest_file
      where object_key = $1 and bucket is not distinct from $2 and status in ('loaded', 'no-data')
      order by id desc limit 1`,
    [src.key, src.bucket],
  );
  const r = rows[0];
  return r
    ? {
        id: Number(r.id),
        sha256: r.sha256,
        etag: r.etag,
        size: r.size_bytes === null ? null : Number(r.size_bytes),
        blocks: r.block_hashes,
        lineBreaks: r.line_breaks === null ? null : Number(r.line_breaks),
        period_start: r.period_start,
        period_end: r.period_end,
      }
    : null;
}

function sameContent(prev: PreviousLoad, id: ObjectIdentity): boolean {
  if (prev.blocks && id.blocks) return prev.size === id.size && prev.blocks.length === id.blocks.length && prev.blocks.every((b, i) => b === id.blocks![i]);
  if (prev.sha256 && id.sha256) return prev.sha256 === id.sha256;
  return Boolean(prev.etag && id.etag && prev.etag === id.etag && prev.size === id.size);
}

async function lockObject(tx: Tx, src: ObjectSource): Promise<void> {
  // two processes handed the same object take turns; the second then sees it unchanged
  await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${src.bucket ?? ''}/${src.key}`]);
}

function result(src: ObjectSource, fields: Omit<FileResult, 'key' | 'location' | 'problems' | 'problemCount' | 'error'>): FileResult {
  return { key: src.key, location: src.location, problems: [], problemCount: 0, error: null, ...fields };
}

async function loadData(
  db: Database,
  src: ObjectSource,
  given: ObjectIdentity,
  recognised: Extract<Recognised, { kind: 'sdds' | 'cas' }>,
  startedAt: Date,
  now: () => Date,
): Promise<FileResult> {
  const def = recognised.dataset;
  return db.transaction(async (tx) => {
    await lockObject(tx, src);
    const prev = await previousLoad(tx, src);
    // Not hashed yet: either it is being hashed while an appended part loads (when it grew since the
    // version loaded, whose line count is known), or it was not hashed because no load of this
    // key was seen and one has finished since. Otherwise the hash is needed now.
    let identity = given;
    const growing = given.later !== undefined && prev !== null && prev.size !== null && given.size !== null && given.size > prev.size && prev.lineBreaks !== null && prev.blocks !== null;
    if (prev && !given.sha256 && !given.blocks && !given.etag && !growing) {
      identity = given.later ? await given.later : await src.identify(!src.seekable ? {} : prev.blocks ? { prefixBytes: prev.size ?? 0 } : { legacy: true });
    }
    if (prev && sameContent(prev, identity)) {
      const period = prev.period_start && prev.period_end ? { start: prev.period_start, end: prev.period_end } : recognised.period;
      const fileId = await insertLedger(tx, src, identity, { dataset: def.name, period, status: 'unchanged', startedAt, finishedAt: now() });
      return result(src, { fileId, dataset: def.name, status: 'unchanged', period, rowsRead: 0, rowsInserted: 0, rowsReplaced: 0, appendedTo: null, extraColumns: [], durationMs: now().getTime() - startedAt.getTime() });
    }

    const period = def.source === 'cas' ? await casPeriod(tx, src, recognised.period) : recognised.period;
    // a CAS file replaces its period: two copies of it under other keys (a bucket and a folder
    // inside it, loaded at once) take turns on what they replace, or both would add their rows
    if (def.source === 'cas') await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [`cas:${def.name}:${period.start}:${period.end}`]);
    const fileId = await insertLedger(tx, src, identity, { dataset: def.name, period, status: 'loaded', startedAt, finishedAt: startedAt });

    let rowsReplaced = 0;
    let rowsInserted: number;
    let stats: LoadStats;
    let appendedTo: number | null = null;
    // A fingerprint not taken up front is taken as the object is read, for the next version to
    // compare with: a local file's blocks, an S3 object's SHA-256.
    const digest: { sha256: string | null; blocks: string[] | null } = { sha256: identity.sha256, blocks: identity.blocks ?? null };
    const whole = (): Input => ({
      open: async () => {
        if (src.seekable && !digest.blocks) {
          const h = blockHashing(await src.open());
          return { bytes: h.stream, done: () => void (digest.blocks ??= h.hashes()) };
        }
        const h = hashing(await src.open());
        return { bytes: h.stream, done: () => void (digest.sha256 ??= h.sha256()) };
      },
    });
    if (def.source === 'cas') {
      rowsReplaced = await deleteCasPeriod(tx, def, period, src);
      stats = newStats();
      await copyFile(tx, def.name, def, whole(), fileId, period, stats);
      rowsInserted = stats.rowsRead;
    } else {
      const tail = prev && (await appendedPart(src, prev, identity));
      if (tail) {
        appendedTo = prev!.id;
        try {
          ({ rowsInserted, stats } = await loadHistory(tx, def, tail, fileId, period, false));
        } catch (error) {
          // read from where the version loaded ended: if its start changed, that is no line start
          if ((await tail.verified()) === null) throw new PrefixChanged();
          throw error;
        }
        const fingerprint = await tail.verified();
        if (fingerprint === null) throw new PrefixChanged();
        digest.sha256 ??= fingerprint.sha256;
        digest.blocks ??= fingerprint.blocks;
      } else {
        ({ rowsInserted, stats } = await loadHistory(tx, def, whole(), fileId, period, prev !== null));
      }
    }

    const status: FileStatus = stats.rowsRead === 0 ? 'no-data' : 'loaded';
    const dataThrough = def.source === 'cas' ? `${period.end} 00:00:00+00` : stats.dataThrough;
    await tx.query(
      `update ingest_file set status = $2, rows_read = $3, rows_inserted = $4, rows_replaced = $5,
         extra_columns = $6, data_through = $7, finished_at = $8, appended_to = $9, sha256 = $10, valid_through = $11, line_breaks = $12,
         block_hashes = $13 where id = $1`,
      [fileId, status, stats.rowsRead, rowsInserted, rowsReplaced, stats.extraColumns, dataThrough, now().toISOString(), appendedTo, digest.sha256, stats.validThrough, stats.counted.lineBreaks, digest.blocks],
    );
    return result(src, {
      fileId,
      dataset: def.name,
      status,
      period,
      rowsRead: stats.rowsRead,
      rowsInserted,
      rowsReplaced,
      appendedTo,
      extraColumns: stats.extraColumns,
      durationMs: now().getTime() - startedAt.getTime(),
    });
  });
}

/** What a load reads: the object's bytes, or only those after a prefix loaded before (with its header and first line). */
interface Input {
  open(): Promise<{ bytes: AsyncIterable<Uint8Array>; done(): void }>;
  header?: string[];
  startLine?: number;
}

/** An appended part was loaded on trust, and the object's start turned out to differ from the version loaded. */
class PrefixChanged extends Error {}

/**
 * When this version of an object begins with the whole version loaded before (same SHA-256 over
 * its length, ending at a line break), the rows after it. `verified()`, once they are loaded,
 * gives the whole object's SHA-256, or null when its start was not the version loaded (the caller
 * then undoes the load). Null when it is not an append, and the object is loaded whole.
 */
async function appendedPart(src: ObjectSource, prev: PreviousLoad, identity: ObjectIdentity): Promise<(Input & { verified(): Promise<Fingerprint | null> }) | null> {
  const { sha256, size } = prev;
  if (size === null || size <= 0) return null;
  if (identity.size !== null && identity.size <= size) return null;
  if (src.seekable) {
    // A local file: its rows after the version loaded are read at once, from the line that
    // version ended on, under the header its first line has now; its blocks are checked against
    // the version's (being hashed meanwhile, when `later`) before the load may commit.
    if (!prev.blocks || prev.lineBreaks === null) return null;
    // fingerprinted already: known now whether it extends the version
    if (!identity.later && !extendsVersion(identity, prev)) return null;
    const header = await headerRow(await firstLine(src));
    if (!header) return null;
    const fromTheEnd = async () => ({ bytes: await src.open({ fromByte: size }), done: () => {} });
    return {
      header,
      startLine: prev.lineBreaks + 1,
      open: fromTheEnd,
      verified: async () => {
        const full = identity.later ? await identity.later : identity;
        return extendsVersion(full, prev) ? { sha256: null, blocks: full.blocks! } : null;
      },
    };
  }
  if (sha256 === null) return null;
  const fits = (prefix: PrefixCheck) => prefix.sha256 === sha256 && prefix.endsAtLineBreak;
  // elsewhere (S3): the object is read from the start and its prefix hashed on the way
  const first = await splitAfter(await src.open(), size);
  if (!first || !fits(first.prefix)) {
    await first?.cancel();
    return null;
  }
  const header = await headerRow(first.prefix.header);
  if (!header) {
    await first.cancel();
    return null;
  }
  let next: Awaited<ReturnType<typeof splitAfter>> = first;
  let latest = first;
  return {
    header,
    startLine: first.prefix.lines + 1,
    async open() {
      const split = next ?? (await splitAfter(await src.open(), size));
      next = null;
      if (!split || split.prefix.sha256 !== sha256) throw new AppError('rejected-file', `${src.location} changed while it was being read; it will be read again when it settles`);
      latest = split;
      return { bytes: split.rest, done: () => {} };
    },
    verified: async () => ({ sha256: latest.sha256(), blocks: null }),
  };
}

/** What tells a version from the next: an S3 object's SHA-256, or a local file's block hashes. */
interface Fingerprint {
  sha256: string | null;
  blocks: string[] | null;
}

/** Whether a local file begins with the version loaded before: its blocks so far, and the part of the last, are that version's, ending a line. */
function extendsVersion(now: ObjectIdentity, prev: PreviousLoad): boolean {
  const size = prev.size!;
  const whole = Math.floor(size / BLOCK_BYTES);
  if (!now.blocks || !prev.blocks || !now.prefix || now.prefix.bytes !== size || !now.prefix.endsAtLineBreak) return false;
  for (let i = 0; i < whole; i++) if (now.blocks[i] !== prev.blocks[i]) return false;
  return size % BLOCK_BYTES === 0 || now.prefix.partial === prev.blocks[whole];
}

/** The bytes of an object's first line (up to 1 MB). */
async function firstLine(src: ObjectSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of await src.open()) {
    const end = chunk.indexOf(0x0a);
    parts.push(end === -1 ? chunk : chunk.subarray(0, end));
    size += chunk.length;
    if (end !== -1 || size >= 1024 * 1024) break;
  }
  return Buffer.concat(parts);
}

/** The header row of a file from its first line's bytes; null if it is not one CSV record. */
async function headerRow(bytes: Uint8Array): Promise<string[] | null> {
  const rows: string[][] = [];
  for await (const batch of readCsv((async function* () { yield bytes; })())) rows.push(...batch.rows);
  return rows.length === 1 ? rows[0]! : null;
}

function newStats(): LoadStats {
  return { rowsRead: 0, extraColumns: [], dataThrough: null, validThrough: null, bulk: null, counted: { lineBreaks: 0 }, lines: new LineMap() };
}

/**
 * SDDS rows are immutable revisions, each stored once. A bulk feed's file is copied in and its
 * repeats of stored revisions removed (src/ingest/dedupe.ts). Any other feed's new object is
 * copied straight into the table; if any of its revisions is already stored (a re-delivered month
 * file, a row repeated in a later month) the unique index says so and the load falls back to
 * staging + `on conflict do nothing`, which adds only the new revisions.
 */
async function loadHistory(
  tx: Tx,
  def: DatasetDef,
  src: Input,
  fileId: number,
  period: DateRange,
  seenBefore: boolean,
): Promise<{ rowsInserted: number; stats: LoadStats }> {
  if (def.source === 'sdds' && def.bulk) {
    // copied in as it comes, then the rows that repeat a stored revision taken out again
    const stats = newStats();
    stats.bulk = newBulkScan(await startBulkLoad(tx, def, fileId));
    await copyFile(tx, def.name, def, src, fileId, period, stats);
    return { rowsInserted: stats.rowsRead - (await removeRepeats(tx, def, fileId, stats.bulk)), stats };
  }
  if (!seenBefore) {
    const stats = newStats();
    try {
      await tx.savepoint((sp) => copyFile(sp, def.name, def, src, fileId, period, stats));
      return { rowsInserted: stats.rowsRead, stats };
    } catch (error) {
      // a revision already stored (23505), or a failure whose reason postgres.js lost: merge
      if (!(error instanceof CopyAborted) && (error as { code?: unknown })?.code !== '23505') throw error;
    }
  }
  const stats = newStats();
  await tx.query(`create temp table mp_staging (like "${def.name}") on commit drop`);
  await copyFile(tx, 'mp_staging', def, src, fileId, period, stats);
  const inserted = await tx.query<{ n: number }>(
    `with i as (insert into "${def.name}" select * from mp_staging on conflict do nothing returning 1) select count(*)::int as n from i`,
  );
  await tx.query('drop table mp_staging');
  return { rowsInserted: Number(inserted[0]!.n), stats };
}

/** The coverage of a CAS file: its `.meta.json` when we have it, else derived from its name. */
async function casPeriod(tx: Tx, src: ObjectSource, fromName: DateRange): Promise<DateRange> {
  const rows = await tx.query<{ start: string; end: string }>(
    `select period_start::text as start, period_end::text as end from cas_metadata where data_key = $1`,
    [src.key],
  );
  return rows[0] ?? fromName;
}

/** A corrected CAS file replaces its period, and a re-delivered object replaces its own rows. */
async function deleteCasPeriod(tx: Tx, def: DatasetDef, period: DateRange, src: ObjectSource): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `with d as (delete from "${def.name}" where (_period_start = $1 and _period_end = $2)
        or _file_id in (select id from ingest_file where object_key = $3 and bucket is not distinct from $4)
      returning 1) select count(*)::int as n from d`,
    [period.start, period.end, src.key, src.bucket],
  );
  return Number(rows[0]!.n);
}

async function copyFile(
  tx: Tx,
  table: string,
  def: DatasetDef,
  src: Input,
  fileId: number,
  period: DateRange,
  stats: LoadStats,
): Promise<void> {
  const columns = [...def.columns.map((c) => c.name), '_file_id', '_line', '_extra'];
  if (def.source === 'cas') columns.push('_period_start', '_period_end');
  const input = await src.open();
  try {
    await tx.copyIn(table, columns, encodeRows(def, input.bytes, fileId, period, stats, src));
  } catch (error) {
    throw translateCopyError(error, stats);
  }
  input.done();
}

/** PostgreSQL counts COPY data lines; people count file lines. */
function translateCopyError(error: unknown, stats: LoadStats): unknown {
  const e = error as { code?: string; where?: string; message?: string };
  if (typeof e?.code !== 'string' || !(e.code.startsWith('22') || e.code.startsWith('23'))) return error;
  const m = /line (\d+)(?:, column (\w+)(?:: "(.*)")?)?/.exec(e.where ?? '');
  const copyLine = m ? Number(m[1]) : NaN;
  const line = Number.isNaN(copyLine) ? null : stats.lines.lineOf(copyLine);
  if (e.code === '23505') return error; // duplicate revisions: the caller falls back to merging
  return new RejectedFile(`line ${line ?? '?'}: ${e.message}`, [
    { line, ...(m?.[2] ? { column: m[2] } : {}), ...(m?.[3] !== undefined ? { value: m[3] } : {}), message: e.message ?? 'rejected by PostgreSQL' },
  ]);
}

/**
 * CSV bytes in, binary COPY rows out. Stops sending rows at the first bad value but reads on to the end
 * so the rejection lists the first MAX_PROBLEMS problems and counts all of them.
 */
export async function* encodeRows(
  def: DatasetDef,
  input: AsyncIterable<Uint8Array>,
  fileId: number,
  period: DateRange,
  stats: LoadStats,
  /** The rest of a file: its header row, read before, and the line it continues on. */
  continued: { header?: string[]; startLine?: number } = {},
): AsyncGenerator<Uint8Array> {
  let encoder: RowEncoder | null = continued.header ? new RowEncoder(def, mapHeader(def, continued.header), fileId, period, stats) : null;
  for await (const batch of readCsv(input, { startLine: continued.startLine ?? 1, counted: stats.counted })) {
    let first = 0;
    if (!encoder) {
      encoder = new RowEncoder(def, mapHeader(def, batch.rows[0]!), fileId, period, stats);
      first = 1;
    }
    const rows = encoder.encode(batch, first);
    if (encoder.problemCount === 0 && rows.length > 0) yield rows;
  }
  if (!encoder) throw new RejectedFile('the file is empty: not even a header row');
  if (encoder.problemCount > 0) {
    const { problems, problemCount } = encoder;
    const first = problems[0]!;
    const where = first.line === null ? '' : `line ${first.line}: `;
    const summary = `${problemCount} problem${problemCount > 1 ? 's' : ''}; first: ${where}${first.column ? `${first.column} ` : ''}${first.message}`;
    throw new RejectedFile(summary, problems, problemCount);
  }
}

interface CasMetaDocument {
  dataSetRequestId?: unknown;
  dataSetCoverageRange?: { startDateTime?: unknown; endDateTime?: unknown };
  dataSetRequestParameters?: { dataSetType?: unknown; dataSetPublicationDate?: unknown };
}

/** A CAS `.meta.json`: records the coverage its data file will be (or was) loaded with. */
async function loadMetadata(
  db: Database,
  src: ObjectSource,
  identity: ObjectIdentity,
  recognised: Extract<Recognised, { kind: 'cas-meta' }>,
  startedAt: Date,
  now: () => Date,
): Promise<FileResult> {
  const def: CasDataset = recognised.dataset;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await src.open()) {
    size += chunk.length;
    if (size > MAX_META_BYTES) throw new RejectedFile(`a .meta.json over ${MAX_META_BYTES} bytes is not a CAS metadata file`);
    chunks.push(Buffer.from(chunk));
  }
  let doc: CasMetaDocument;
  try {
    doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CasMetaDocument;
  } catch (error) {
    throw new RejectedFile(`not valid JSON: ${(error as Error).message}`);
  }
  const range = doc?.dataSetCoverageRange;
  const start = typeof range?.startDateTime === 'string' ? Date.parse(range.startDateTime) : NaN;
  const end = typeof range?.endDateTime === 'string' ? Date.parse(range.endDateTime) : NaN;
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) {
    throw new RejectedFile('dataSetCoverageRange.startDateTime/endDateTime are missing or not ISO 8601 timestamps in order');
  }
  const type = doc.dataSetRequestParameters?.dataSetType;
  if (type !== undefined && type !== def.dataSetType) {
    throw new RejectedFile(`dataSetRequestParameters.dataSetType is "${String(type)}" but the file name says ${def.dataSetType}`);
  }
  // the end is inclusive (…T23:59:59.000Z); periods are half-open days
  const period: DateRange = {
    start: new Date(start).toISOString().slice(0, 10),
    end: addDays(new Date(end).toISOString().slice(0, 10), 1),
  };
  const requestId = typeof doc.dataSetRequestId === 'string' ? doc.dataSetRequestId : null;

  return db.transaction(async (tx) => {
    await lockObject(tx, src);
    const prev = await previousLoad(tx, src);
    const status: FileStatus = prev && sameContent(prev, identity) ? 'unchanged' : 'loaded';
    const fileId = await insertLedger(tx, src, identity, { dataset: def.name, period, status, startedAt, finishedAt: now() });
    await tx.query(
      `insert into cas_metadata (data_key, data_set_type, request_id, publication_date, coverage_start, coverage_end, period_start, period_end, document, file_id)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       on conflict (data_key) do update set data_set_type = excluded.data_set_type, request_id = excluded.request_id,
         publication_date = excluded.publication_date, coverage_start = excluded.coverage_start, coverage_end = excluded.coverage_end,
         period_start = excluded.period_start, period_end = excluded.period_end, document = excluded.document, file_id = excluded.file_id`,
      [recognised.dataKey, def.dataSetType, requestId, recognised.publicationDate, new Date(start).toISOString(), new Date(end).toISOString(), period.start, period.end, JSON.stringify(doc), fileId],
    );
    // the data file arrived first: move its rows to the coverage the metadata states
    const data = await tx.query<{ id: string }>(
      `select id from ingest_file where object_key = $1 and bucket is not distinct from $2 and status = 'loaded' order by id desc limit 1`,
      [recognised.dataKey, src.bucket],
    );
    if (data[0]) {
      await tx.query(`update "${def.name}" set _period_start = $1, _period_end = $2 where _file_id = $3`, [period.start, period.end, data[0].id]);
      await tx.query(`update ingest_file set period_start = $1, period_end = $2, data_through = $3 where id = $4`, [period.start, period.end, `${period.end} 00:00:00+00`, data[0].id]);
    }
    return result(src, { fileId, dataset: def.name, status, period, rowsRead: 0, rowsInserted: 0, rowsReplaced: 0, appendedTo: null, extraColumns: [], durationMs: now().getTime() - startedAt.getTime() });
  });
}
