/**
 * Keeping the revisions of a bulk feed (billing events, daily usage) unique without a unique
 * index (src/datasets/types.ts, `bulk`). A file's rows are copied in as they come; then the rows
 * that could repeat a stored revision are looked up and the repeats removed, in the same
 * transaction, so what a load leaves is exactly what the unique index used to allow. Which rows
 * could repeat one:
 *
 * - a row whose valid_from is not later than every revision already stored (the dataset's
 *   watermark: the latest `valid_through` in the ledger). A later one cannot equal any stored
 *   revision, since a revision's valid_from is part of it: the new events of a daily file;
 * - a row whose key appears twice in the file.
 *
 * Loads of one bulk feed take turns (an advisory lock), so the watermark holds for the load.
 */
import type { SddsDataset } from '../datasets/types.ts';
import type { Tx } from '../db/client.ts';

/** Past this many keys to look up, the whole file is checked instead (one pass over its rows). */
export const PROBE_KEY_LIMIT = 50_000;

/** What the encoder found out about a bulk file's rows, for removeRepeats. */
export interface BulkScan {
  /** Microseconds since 2000 of the dataset's watermark; null when nothing is stored yet. */
  watermarkUs: number | null;
  /** Keys whose rows must be checked; null once there are too many (check every row). */
  probe: Set<string> | null;
  keys: KeySet;
}

export function newBulkScan(watermarkUs: number | null): BulkScan {
  return { watermarkUs, probe: new Set(), keys: new KeySet() };
}

/** Notes one row of the file (its key and valid_from). */
export function scanRow(scan: BulkScan, key: string, validFromUs: number): void {
  const repeated = scan.keys.add(key);
  if (scan.probe === null) return;
  if (repeated || (scan.watermarkUs !== null && validFromUs <= scan.watermarkUs)) {
    scan.probe.add(key);
    if (scan.probe.size > PROBE_KEY_LIMIT) scan.probe = null;
  }
}

/** Serialises loads of the feed and returns its watermark (see the module comment). */
export async function startBulkLoad(tx: Tx, def: SddsDataset, fileId: number): Promise<number | null> {
  await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [`bulk:${def.name}`]);
  const [row] = await tx.query<{ us: string | null }>(
    `select (extract(epoch from max(valid_through) - timestamptz '2000-01-01 00:00:00+00') * 1000000)::bigint::text as us
       from ingest_file where dataset = $1 and status = 'loaded' and id <> $2`,
    [def.name, fileId],
  );
  return row?.us == null ? null : Number(row.us);
}

/**
 * Removes the rows of file `fileId` that repeat a revision stored before them (in another file,
 * or earlier in this one); returns how many.
 */
export async function removeRepeats(tx: Tx, def: SddsDataset, fileId: number, scan: BulkScan): Promise<number> {
  if (scan.probe !== null && scan.probe.size === 0) return 0;
  const key = `"${def.key[0]!}"`;
  const which = scan.probe === null ? '' : ` and n.${key} = any($2::text[])`;
  const rows = await tx.query<{ n: number }>(
    `with repeats as (
       select n.ctid as id from "${def.name}" n
        where n._file_id = $1${which}
          and exists (select 1 from "${def.name}" o
                       where o.${key} = n.${key} and o.valid_from = n.valid_from and o.update_date is not distinct from n.update_date
                         and (o._file_id <> $1 or o.ctid < n.ctid))),
     gone as (delete from "${def.name}" where ctid in (select id from repeats) returning 1)
     select count(*)::int as n from gone`,
    scan.probe === null ? [fileId] : [fileId, [...scan.probe]],
  );
  return Number(rows[0]!.n);
}

/**
 * A set of strings in constant memory per entry: two 32-bit hashes each, open addressing. `add`
 * says whether the string (or, once in about 2^64 cases, another with both hashes equal) was
 * added before; a false "yes" only costs a look-up.
 */
export class KeySet {
  private slots = new Int32Array(1 << 16);
  private count = 0;

  add(s: string): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 + c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    // 0 marks an empty slot
    h1 = h1 | 1;
    if ((this.count + 1) * 4 > this.slots.length) this.grow();
    return this.insert(h1, h2);
  }

  private insert(h1: number, h2: number): boolean {
    const mask = (this.slots.length >> 1) - 1;
    let i = (h1 >>> 0) & mask;
    for (;;) {
      const a = this.slots[2 * i]!;
      if (a === 0) {
        this.slots[2 * i] = h1;
        this.slots[2 * i + 1] = h2;
        this.count++;
        return false;
      }
      if (a === h1 && this.slots[2 * i + 1] === h2) return true;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.insert(old[i]!, old[i + 1]!);
  }
}
