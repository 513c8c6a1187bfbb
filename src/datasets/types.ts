/**
 * The shape of a dataset definition. Every AWS Marketplace file we understand is described by one
 * of these; parsing, validation, loading, the schema and the CLI listing are generic code driven by it.
 */

/** How a value is typed in PostgreSQL and validated on the way in. */
export type ColumnType =
  | 'text' // free text, stored as given
  | 'id' // opaque identifier: text, trimmed, leading zeros kept
  | 'account' // 12-digit AWS account number: hyphens removed, left-padded when a spreadsheet dropped zeros
  | 'decimal' // exact numeric (money, quantities, rates); never a JS float
  | 'integer'
  | 'boolean' // 0/1, true/false
  | 'date' // calendar date (a midnight timestamp is accepted and its date kept)
  | 'timestamp' // instant, stored as timestamptz in UTC
  | 'month' // YYYY-MM, stored as the first day of the month
  | 'json'; // JSON document, stored as jsonb

export interface ColumnDef {
  /** Column name in PostgreSQL. */
  name: string;
  /** The header AWS uses today. */
  header: string;
  /** Historical or alternative headers that mean the same column. */
  aliases: string[];
  type: ColumnType;
  /** A file without this header is rejected; an empty value in it rejects the file too. */
  required: boolean;
}

export type Category =
  | 'Daily Business'
  | 'Customer Subscribers'
  | 'Finance Operations'
  | 'Monthly Revenue'
  | 'Disbursement'
  | 'SDDS';

/**
 * When a dataset is delivered and which period a delivery covers.
 * - daily: the CAS file named D (publication date) covers the UTC day D - lagDays.
 * - monthly: published on publishDay of month M; covers the previous calendar month, or for
 *   'mid-month' the 15th of M-1 up to the 14th of M (billing and revenue data).
 * - after-disbursement: published 3-5 days after AWS initiates a disbursement; covers the 31 days
 *   the data set looks back over.
 * - sdds-daily: appended every day at 00:00 UTC with the previous day's records to the month file.
 */
export type Cadence =
  | { kind: 'daily'; lagDays: number }
  | { kind: 'monthly'; publishDay: number; coverage: 'previous-month' | 'mid-month' }
  | { kind: 'after-disbursement'; minDays: number; maxDays: number; lookbackDays: number }
  | { kind: 'sdds-daily' };

/**
 * - append-history (SDDS): rows are immutable revisions keyed by natural key + valid_from +
 *   update_date; a re-delivered month file adds only rows not already stored.
 * - replace-period (CAS): a delivery is the whole truth for its data set and period; a corrected
 *   file replaces that period's rows.
 */
export type LoadMode = 'append-history' | 'replace-period';

interface DatasetBase {
  /** Our name, also the PostgreSQL table name. */
  name: string;
  /** AWS's name: the CAS dataSetType or the SDDS feed folder. */
  awsName: string;
  title: string;
  category: Category;
  description: string;
  columns: ColumnDef[];
  /** Natural key (column names). Empty when AWS documents none. */
  key: string[];
  loadMode: LoadMode;
  cadence: Cadence;
  /** ISO date after which AWS no longer delivers it, when known. */
  retiredOn?: string;
}

export interface SddsDataset extends DatasetBase {
  source: 'sdds';
  loadMode: 'append-history';
  /**
   * Feeds of events (billing, tax, usage, charges) name the column that dates them; an export for
   * a period takes the events in it. Feeds of entities (accounts, offers, ...) export their
   * current state.
   */
  eventDate?: string;
  /**
   * A feed of millions of events (billing, usage): its revisions are kept unique by the loader
   * (src/ingest/dedupe.ts) and its key has a hash index, instead of a unique B-tree index that
   * every new row would be inserted into at a random place (bench:ingest: that index alone made a
   * load take twice as long as COPY). Single-key feeds only.
   */
  bulk?: true;
  /** Folder names this feed is delivered under (`<folder>/year=YYYY/month=MM/data.csv`). */
  folders: string[];
}

export interface CasDataset extends DatasetBase {
  source: 'cas';
  loadMode: 'replace-period';
  /** `<dataSetType>_YYYY-MM-DD.csv`, with an optional `.meta.json` beside it. */
  dataSetType: string;
}

export type DatasetDef = SddsDataset | CasDataset;

/** Half-open date range `[start, end)`, ISO dates. */
export interface DateRange {
  start: string;
  end: string;
}
