/**
 * Drizzle tables (and SDDS current-state views) built from the dataset catalog, so a dataset's
 * columns are declared once. System columns start with an underscore.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  pgView,
  text,
  timestamp,
  unique,
  type PgColumnBuilderBase,
} from 'drizzle-orm/pg-core';
import { getDataset } from '../../src/datasets/catalog.ts';
import type { ColumnDef, DatasetDef } from '../../src/datasets/types.ts';

function columnBuilder(c: ColumnDef): PgColumnBuilderBase {
  switch (c.type) {
    case 'text':
    case 'id':
    case 'account':
      return text(c.name);
    case 'decimal':
      return numeric(c.name);
    case 'integer':
      return integer(c.name);
    case 'boolean':
      return boolean(c.name);
    case 'date':
    case 'month':
      return date(c.name, { mode: 'string' });
    case 'timestamp':
      return timestamp(c.name, { withTimezone: true, mode: 'string' });
    case 'json':
      return jsonb(c.name);
  }
}

function dataColumns(def: DatasetDef): Record<string, PgColumnBuilderBase> {
  const columns: Record<string, PgColumnBuilderBase> = {};
  for (const c of def.columns) columns[c.name] = columnBuilder(c);
  columns._file_id = bigint('_file_id', { mode: 'number' }).notNull();
  columns._line = integer('_line').notNull();
  columns._extra = jsonb('_extra');
  if (def.source === 'cas') {
    columns._period_start = date('_period_start', { mode: 'string' }).notNull();
    columns._period_end = date('_period_end', { mode: 'string' }).notNull();
  }
  return columns;
}

function require(name: string): DatasetDef {
  const def = getDataset(name);
  if (!def) throw new Error(`no dataset named ${name} in the catalog`);
  return def;
}

export function datasetTable(name: string) {
  const def = require(name);
  return pgTable(def.name, dataColumns(def), (t) => {
    const cols = t as unknown as Record<string, Parameters<typeof index>[0] & never>;
    if (def.source === 'sdds') {
      // one row per revision: a re-delivered month file adds only rows not already stored; bulk
      // feeds are kept so by the loader, and find a key's revisions through a hash index
      const revision = [...def.key, 'valid_from', 'update_date'].map((k) => cols[k]!);
      return [
        def.bulk
          ? index(`${def.name}_key_hash`).using('hash', cols[def.key[0]!]!)
          : unique(`${def.name}_revision_uq`).on(...(revision as [never, ...never[]])).nullsNotDistinct(),
        // metrics select events by their date, then resolve only those keys' revisions
        ...(def.eventDate ? [index(`${def.name}_${def.eventDate}_idx`).on(cols[def.eventDate]!)] : []),
        // the rows one file brought (rollups fold in new files); rows are appended in file order,
        // so a BRIN index is tiny and costs the load next to nothing
        index(`${def.name}_file_brin`).using('brin', cols._file_id!),
        ...(def.name === 'sdds_billing_event'
          ? [
              // collections are asked by the day the buyer paid; only COLLECTED rows are indexed
              index('sdds_billing_event_collected_idx').on(sql`coalesce("action_date", "valid_from")`).where(sql`"action" = 'COLLECTED'`),
              // "what happened since T" (past-due as of T); rows arrive roughly in valid_from order
              index('sdds_billing_event_valid_from_brin').using('brin', cols.valid_from!),
            ]
          : []),
      ];
    }
    return [
      // a corrected CAS file replaces its period's rows
      index(`${def.name}_period_idx`).on(cols._period_start!, cols._period_end!),
      index(`${def.name}_file_idx`).on(cols._file_id!),
    ];
  });
}

/**
 * Current state of an SDDS entity, the official recipe (sdds-feeds.md §3): the latest update_date
 * within each (key, valid_from), soft-deleted versions dropped, then the latest valid_from per key.
 */
export function currentStateSql(def: DatasetDef): string {
  const key = def.key.map((k) => `"${k}"`).join(', ');
  return (
    `select distinct on (${key}) * from (` +
    `select distinct on (${key}, "valid_from") * from "${def.name}" ` +
    `order by ${key}, "valid_from", "update_date" desc nulls last, "_file_id" desc` +
    `) revisions where "delete_date" is null order by ${key}, "valid_from" desc`
  );
}

export function currentView(name: string) {
  const def = require(name);
  return pgView(`${def.name}_current`, dataColumns(def)).as(sql.raw(currentStateSql(def)));
}
