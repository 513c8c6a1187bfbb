import type { Database } from '../db/client.ts';
import { DATASETS } from './catalog.ts';
import type { Cadence, Category, DatasetDef } from './types.ts';

export interface DatasetStatus {
  name: string;
  awsName: string;
  title: string;
  category: Category;
  source: 'sdds' | 'cas';
  cadence: string;
  loadMode: DatasetDef['loadMode'];
  key: string[];
  retiredOn: string | null;
  rowsStored: number;
  lastFileLoaded: string | null;
  lastLoadedAt: string | null;
  /**
   * Last day (inclusive) the stored data covers: for CAS the end of the latest period delivered
   * (a "no data" file counts), for SDDS the day of the latest record update delivered.
   */
  coveredThrough: string | null;
}

export function describeCadence(c: Cadence): string {
  switch (c.kind) {
    case 'daily':
      return c.lagDays === 1 ? 'daily, previous day' : `daily, the day ${c.lagDays} days before`;
    case 'monthly':
      return c.coverage === 'mid-month' ? `monthly on the ${c.publishDay}th, 15th-14th` : `monthly on the ${c.publishDay}th, previous month`;
    case 'after-disbursement':
      return `${c.minDays}-${c.maxDays} days after each disbursement`;
    case 'sdds-daily':
      return 'daily at 00:00 UTC, appended to the month file';
  }
}

/** The catalog with what is stored for each dataset. */
export async function listDatasets(db: Database): Promise<DatasetStatus[]> {
  const ledger = await db.query<{ dataset: string; last_key: string; last_at: string; covered: string | null; through: string | null }>(
    `select distinct on (dataset) dataset, object_key as last_key, finished_at::text as last_at,
        (max(period_end) over (partition by dataset) - 1)::text as covered,
        (max(data_through) over (partition by dataset) at time zone 'UTC')::date::text as through
       from ingest_file where status in ('loaded', 'no-data') and dataset is not null
      order by dataset, id desc`,
  );
  const byDataset = new Map(ledger.map((r) => [r.dataset, r]));
  const counts = await db.query<{ name: string; n: string }>(
    DATASETS.map((d) => `select '${d.name}' as name, count(*) as n from "${d.name}"`).join(' union all '),
  );
  const rows = new Map(counts.map((c) => [c.name, Number(c.n)]));
  return DATASETS.map((d) => {
    const l = byDataset.get(d.name);
    return {
      name: d.name,
      awsName: d.awsName,
      title: d.title,
      category: d.category,
      source: d.source,
      cadence: describeCadence(d.cadence),
      loadMode: d.loadMode,
      key: d.key,
      retiredOn: d.retiredOn ?? null,
      rowsStored: rows.get(d.name) ?? 0,
      lastFileLoaded: l?.last_key ?? null,
      lastLoadedAt: l?.last_at ?? null,
      coveredThrough: (d.source === 'sdds' ? l?.through : l?.covered) ?? null,
    };
  });
}
