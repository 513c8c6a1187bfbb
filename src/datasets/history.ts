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

/** The key of a row as text, as sdds_revised_key stores it (`alias.` prefixes the columns). */
export function keyText(def: SddsDataset, alias?: string): string {
  const col = (k: string) => `${alias ? `${alias}.` : ''}"${k}"`;
  return def.key.length === 1 ? `${col(def.key[0]!)}::text` : `jsonb_build_array(${def.key.map(col).join(', ')})::text`;
}

/**
 * Record which keys of the rows files `$1` (an array) brought now have more than one revision
 * (src/rollups/refresh.ts runs it for every loaded file, before any metric reads).
 */
export function recordRevisedKeysSql(def: SddsDataset): string {
  const same = def.key.map((k) => `o."${k}" = f."${k}"`).join(' and ');
  return `insert into sdds_revised_key (dataset, key)
    select distinct '${def.name}', ${keyText(def, 'f')} from "${def.name}" f
     where f._file_id = any($1::bigint[])
       and exists (select 1 from "${def.name}" o where ${same} and (o.valid_from is distinct from f.valid_from or o.update_date is distinct from f.update_date))
    on conflict do nothing`;
}

/**
 * The current state of only the rows of an SDDS feed that satisfy `filter` (SQL over its columns,
 * unqualified), without resolving the whole feed. A key with a single revision is current unless
 * soft-deleted, so those rows are read straight through the filter's indexes; the recipe runs
 * only over every revision of the few keys sdds_revised_key lists (an entity's current state is
 * one of its revisions, so filtering after resolving is exact). Exact once refreshRollups has run
 * for every loaded file (answerFor and the exports see to it). Use as `from ${currentWhere(...)} alias`.
 * `columns` (default: all) must include every column `filter` reads.
 */
export function currentWhere(feed: string, filter: string, columns?: string[]): string {
  const def = sddsDataset(feed);
  const key = def.key.map((k) => `"${k}"`).join(', ');
  // sorting only the columns asked for is far cheaper than sorting whole rows
  const wanted = columns
    ? [...new Set([...def.key, 'valid_from', 'update_date', 'delete_date', '_file_id', ...columns])].map((c) => `"${c}"`).join(', ')
    : '*';
  const revised = `(select key from sdds_revised_key where dataset = '${def.name}')`;
  return (
    `(select ${wanted} from "${def.name}" where (${filter}) and "delete_date" is null and ${keyText(def)} not in ${revised} ` +
    `union all ` +
    `select * from (select distinct on (${key}) * from (` +
    `select distinct on (${key}, "valid_from") ${wanted} from "${def.name}" ` +
    `where ${keyText(def)} in ${revised} ` +
    `order by ${key}, "valid_from", "update_date" desc nulls last, "_file_id" desc` +
    `) revisions where "delete_date" is null order by ${key}, "valid_from" desc) current_state where ${filter})`
  );
}

/**
 * Every revision that stands, as a subquery (`from ${revisions(...)} alias`): per key and
 * valid_from the latest update (steps 1 and 2 of the recipe, knowing everything stored), soft
 * deletes dropped; an entity's timeline in valid time. `where` (SQL over its columns) narrows
 * the rows read; `columns` (default: all) are those returned besides the key and valid_from.
 */
export function revisions(feed: string, options: { where?: string; columns?: string[] } = {}): string {
  const def = sddsDataset(feed);
  const key = def.key.map((k) => `"${k}"`).join(', ');
  const cols = options.columns ? `${key}, "valid_from", "delete_date", ${options.columns.map((c) => `"${c}"`).join(', ')}` : '*';
  return (
    `(select * from (select distinct on (${key}, "valid_from") ${cols} from "${def.name}"${options.where ? ` where ${options.where}` : ''} ` +
    `order by ${key}, "valid_from", "update_date" desc nulls last, "_file_id" desc) r where "delete_date" is null)`
  );
}

/**
 * The revisions of a single-key SDDS entity whose key is among `keysSql` (a subquery), as spans
 * for a set-based join where a lookup per row would be too slow: `valid_to` is the next
 * revision's valid_from (null for the last) and the first revision also covers all time before
 * it, so joining on `inEffect(alias, at)` picks the revision revisionAt picks. Use as
 * `left join ${revisionSpans(...)} alias on alias.<key> = ... and ${inEffect('alias', at)}`.
 */
export function revisionSpans(feed: string, keysSql: string, columns: string[]): string {
  const def = sddsDataset(feed);
  if (def.key.length !== 1) throw new AppError('usage', `${feed} has a composite key; revisionSpans takes single-key entities`);
  const key = `"${def.key[0]}"`;
  const cols = columns.map((c) => `"${c}"`).join(', ');
  return (
    `(select ${key}, ${cols}, "valid_from", lead("valid_from") over w as valid_to, row_number() over w = 1 as first_revision ` +
    `from ${revisions(feed, { where: `${key} in (${keysSql})`, columns })} r ` +
    `window w as (partition by ${key} order by "valid_from"))`
  );
}

/** Whether the span `alias` of revisionSpans is the revision in effect at `atSql` (null: now). */
export function inEffect(alias: string, atSql: string): string {
  const at = `coalesce(${atSql}, 'infinity'::timestamptz)`;
  return `(${alias}.first_revision or ${alias}.valid_from <= ${at}) and (${alias}.valid_to is null or ${at} < ${alias}.valid_to)`;
}

/**
 * A lateral subquery (`left join lateral ${revisionAt(...)} alias on true`): the revision of a
 * single-key SDDS entity in effect at `atSql` (the recipe of §3), or its earliest revision when
 * none was yet (an entity is often first delivered after the events that name it); with `strict`,
 * none in that case.
 */
export function revisionAt(feed: string, keySql: string, atSql: string, options: { strict?: boolean } = {}): string {
  const def = sddsDataset(feed);
  if (def.key.length !== 1) throw new AppError('usage', `${feed} has a composite key; revisionAt takes single-key entities`);
  const at = `coalesce(${atSql}, 'infinity'::timestamptz)`;
  // strict: nothing when no revision was in effect yet (as AWS's reports join offers)
  const when = options.strict ? ` and r."valid_from" <= ${at}` : '';
  return (
    `(select r.* from (select distinct on ("valid_from") * from "${def.name}" x where x."${def.key[0]}" = ${keySql} ` +
    `order by "valid_from", "update_date" desc nulls last, "_file_id" desc) r where r."delete_date" is null${when} ` +
    `order by (r."valid_from" <= ${at}) desc, case when r."valid_from" <= ${at} then r."valid_from" end desc nulls last, r."valid_from" limit 1)`
  );
}
