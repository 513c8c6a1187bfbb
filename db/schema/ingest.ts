import { sql } from 'drizzle-orm';
import { bigint, date, index, integer, jsonb, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const fileStatus = pgEnum('file_status', ['loaded', 'unchanged', 'no-data', 'rejected']);

/** The ledger: one row each time an object is seen, whatever became of it. */
export const ingestFile = pgTable(
  'ingest_file',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** 'local' (a file read from disk) or 's3'. */
    source: text('source').notNull(),
    bucket: text('bucket'),
    objectKey: text('object_key').notNull(),
    /** Where it was read from: an absolute path or s3://bucket/key. */
    location: text('location').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    sha256: text('sha256'),
    /** A local file's fingerprint: the SHA-256 of each 16 MiB block (src/ingest/blocks.ts). */
    blockHashes: text('block_hashes').array(),
    etag: text('etag'),
    dataset: text('dataset'),
    periodStart: date('period_start', { mode: 'string' }),
    periodEnd: date('period_end', { mode: 'string' }),
    /** Latest record time in the file (SDDS update_date); for CAS the end of its coverage. */
    dataThrough: timestamp('data_through', { withTimezone: true, mode: 'string' }),
    /** SDDS: the latest valid_from of its rows; no stored revision of a bulk feed is later (src/ingest/dedupe.ts). */
    validThrough: timestamp('valid_through', { withTimezone: true, mode: 'string' }),
    status: fileStatus('status').notNull(),
    rowsRead: integer('rows_read').notNull().default(0),
    rowsInserted: integer('rows_inserted').notNull().default(0),
    /** Rows a corrected CAS file replaced. */
    rowsReplaced: integer('rows_replaced').notNull().default(0),
    /**
     * A new version of an object that began with the bytes of the version loaded as this file:
     * only what followed was read (rows_read counts those rows).
     */
    appendedTo: bigint('appended_to', { mode: 'number' }),
    /** Line breaks in the whole object as loaded: the line a version appended to it goes on from. */
    lineBreaks: bigint('line_breaks', { mode: 'number' }),
    extraColumns: text('extra_columns').array().notNull().default(sql`'{}'::text[]`),
    error: text('error'),
    /** Rejections: { problems: [{ line, column, value, message }], problemCount }. */
    errorDetails: jsonb('error_details'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    // "same object again?" is asked for every file seen
    index('ingest_file_key_idx').on(t.objectKey, t.id),
    // datasets listing: last file loaded and coverage per dataset
    index('ingest_file_dataset_idx').on(t.dataset, t.status),
  ],
);

/** CAS `.meta.json` companions: the authoritative coverage of a CAS file. */
export const casMetadata = pgTable('cas_metadata', {
  dataKey: text('data_key').primaryKey(),
  dataSetType: text('data_set_type').notNull(),
  requestId: text('request_id'),
  publicationDate: date('publication_date', { mode: 'string' }),
  coverageStart: timestamp('coverage_start', { withTimezone: true, mode: 'string' }),
  coverageEnd: timestamp('coverage_end', { withTimezone: true, mode: 'string' }),
  /** The coverage as a half-open date range, the unit a corrected file replaces. */
  periodStart: date('period_start', { mode: 'string' }).notNull(),
  periodEnd: date('period_end', { mode: 'string' }).notNull(),
  document: jsonb('document').notNull(),
  fileId: bigint('file_id', { mode: 'number' }).notNull(),
});
