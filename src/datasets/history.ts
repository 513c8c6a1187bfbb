/**
 * Reading SDDS history (sdds-feeds.md §3). Every revision is stored; these answer "what is true
 * now" and "what was true at T (as known at S)" with the official recipe:
 *   1. per (key, valid_from) keep the latest update_date, known by S when asked;
 *   2. drop that row if it is soft-deleted (delete_date set);
 *   3. per key keep the latest valid_from at or before T.
 * The `<feed>_current` views in the database are step 3 with T = now.
 */
import type { Database, Row } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { getDataset } from './catalog.ts';
import type { SddsDataset } from './types.ts';

export interface AsOf {
  /** Valid (business) time: the version in effect at this instant. Default: now. */
  validAt?: Date | string;
  /** System (knowledge) time: only revisions delivered by this instant. Default: everything stored. */
  knownAt?: Date | string;
}

export function sddsDataset(name: string): SddsDataset {
  const def = getDataset(name);
  if (!def || def.source !== 'sdds') throw new AppError('not-found', `"${name}" is not an SDDS feed in the catalog`);
  return def;
}

/** SQL for the state of an SDDS feed at a point in valid time and knowledge time ($1, $2). */
export function asOfSql(def: SddsDataset): string {
  const key = def.key.map((k) => `"${k}"`).join(', ');
  return (
    `select * from (select distinct on (${key}) * from (` +
    `select distinct on (${key}, "valid_from") * from "${def.name}" ` +
    `where coalesce("update_date", "insert_date", "valid_from") <= $2::timestamptz ` +
    `order by ${key}, "valid_from", "update_date" desc nulls last, "_file_id" desc` +
    `) revisions where "delete_date" is null and "valid_from" <= $1::timestamptz ` +
    `order by ${key}, "valid_from" desc) as_of`
  );
}

function iso(v: Date | string | undefined, fallback: string): string {
  if (v === undefined) return fallback;
  return v instanceof Date ? v.toISOString() : v;
}

/** The rows of an SDDS feed as of the given valid and knowledge times. */
export async function queryAsOf<T extends Row = Row>(db: Database, feed: string, at: AsOf = {}): Promise<T[]> {
  const def = sddsDataset(feed);
  return db.query<T>(asOfSql(def), [iso(at.validAt, 'infinity'), iso(at.knownAt, 'infinity')]);
}

/**
 * The current state of only the rows of an SDDS feed that satisfy `filter` (SQL over its columns,
 * unqualified), without resolving the whole feed: the recipe runs over every revision of just the
 * keys that have a revision matching the filter, and the result is filtered again. Exact, because
 * an entity's current state is one of its revisions. Use as `from ${currentWhere(...)} alias`.
 */
export function currentWhere(feed: string, filter: string, columns?: string[]): string {
  const def = sddsDataset(feed);
  const key = def.key.map((k) => `"${k}"`).join(', ');
  const keyTuple = def.key.length === 1 ? key : `(${key})`;
  // sorting only the columns asked for is far cheaper than sorting whole rows
  const wanted = columns
    ? [...new Set([...def.key, 'valid_from', 'update_date', 'delete_date', '_file_id', ...columns])].map((c) => `"${c}"`).join(', ')
    : '*';
  return (
    `(select * from (select distinct on (${key}) * from (` +
    `select distinct on (${key}, "valid_from") ${wanted} from "${def.name}" ` +
    `where ${keyTuple} in (select ${key} from "${def.name}" where ${filter}) ` +
    `order by ${key}, "valid_from", "update_date" desc nulls last, "_file_id" desc` +
    `) revisions where "delete_date" is null order by ${key}, "valid_from" desc) current_state where ${filter})`
  );
}
