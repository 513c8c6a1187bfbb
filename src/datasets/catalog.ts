import { CAS_DATASETS } from './cas.ts';
import { SDDS_DATASETS } from './sdds.ts';
import type { CasDataset, DatasetDef, DateRange, SddsDataset } from './types.ts';

export const DATASETS: DatasetDef[] = [...SDDS_DATASETS, ...CAS_DATASETS];

const byName = new Map(DATASETS.map((d) => [d.name, d]));
const sddsByFolder = new Map<string, SddsDataset>();
for (const d of SDDS_DATASETS) for (const f of d.folders) sddsByFolder.set(f.toLowerCase(), d);
const casByType = new Map<string, CasDataset>(CAS_DATASETS.map((d) => [d.dataSetType, d]));

/** CAS types AWS deprecated before documenting their columns (cas-datasets.md §3.7). */
const UNDOCUMENTED_CAS_TYPES = new Set([
  'disbursed_amount_by_product_with_uncollected_funds',
  'customer_profile_by_industry',
  'customer_profile_by_revenue',
  'customer_profile_by_geography',
]);

export function getDataset(name: string): DatasetDef | undefined {
  return byName.get(name) ?? casByType.get(name) ?? sddsByFolder.get(name.toLowerCase());
}

/** SDDS backfill of 2010-01-01..2020-04-30 is delivered in the year=2010/month=01 partition. */
const SDDS_BACKFILL: DateRange = { start: '2010-01-01', end: '2020-05-01' };

export type Recognised =
  | { kind: 'sdds'; dataset: SddsDataset; period: DateRange }
  | { kind: 'cas'; dataset: CasDataset; publicationDate: string; period: DateRange }
  | { kind: 'cas-meta'; dataset: CasDataset; publicationDate: string; dataKey: string }
  | { kind: 'unknown'; reason: string };

const SDDS_KEY = /(?:^|\/)([^/]+)\/year=(\d{4})\/month=(\d{2})\/data\.csv$/i;
const CAS_KEY = /(?:^|\/)([a-z][a-z0-9_]*?)_(\d{4}-\d{2}-\d{2})\.(csv|meta\.json)$/;

/** Which dataset an S3 object key (or a path read as one) belongs to, and the period it covers. */
export function recogniseKey(key: string): Recognised {
  const sdds = SDDS_KEY.exec(key);
  if (sdds) {
    const [, folder, year, month] = sdds as unknown as [string, string, string, string];
    const dataset = sddsByFolder.get(folder.toLowerCase());
    if (!dataset) {
      return { kind: 'unknown', reason: `"${folder}" is not a known SDDS feed folder (known: ${[...sddsByFolder.keys()].length} feeds, e.g. BillingEventFeed_V1)` };
    }
    const m = Number(month);
    if (m < 1 || m > 12) return { kind: 'unknown', reason: `month=${month} in the key is not a month` };
    const start = `${year}-${month}-01`;
    const period = start === SDDS_BACKFILL.start ? SDDS_BACKFILL : { start, end: addMonths(start, 1) };
    return { kind: 'sdds', dataset, period };
  }
  const casMatch = CAS_KEY.exec(key);
  if (casMatch) {
    const [, type, date, ext] = casMatch as unknown as [string, string, string, string];
    if (!isValidDate(date)) return { kind: 'unknown', reason: `${date} in the file name is not a calendar date` };
    const dataset = casByType.get(type);
    if (!dataset) {
      if (UNDOCUMENTED_CAS_TYPES.has(type)) {
        return { kind: 'unknown', reason: `${type} is a CAS data set AWS deprecated without documenting its columns` };
      }
      return { kind: 'unknown', reason: `"${type}" is not a known CAS data set type` };
    }
    if (ext === 'meta.json') {
      return { kind: 'cas-meta', dataset, publicationDate: date, dataKey: key.replace(/\.meta\.json$/, '.csv') };
    }
    return { kind: 'cas', dataset, publicationDate: date, period: casCoverage(dataset, date) };
  }
  return {
    kind: 'unknown',
    reason: 'the key matches neither an SDDS feed (<Feed_V1>/year=YYYY/month=MM/data.csv) nor a CAS data set (<dataSetType>_YYYY-MM-DD.csv)',
  };
}

/**
 * The period a CAS file covers when no .meta.json says otherwise, from the publication date in
 * its name and the data set's cadence (cas-datasets.md §1.1, §2.1).
 */
export function casCoverage(dataset: CasDataset, publicationDate: string): DateRange {
  const c = dataset.cadence;
  switch (c.kind) {
    case 'daily': {
      const start = addDays(publicationDate, -c.lagDays);
      return { start, end: addDays(start, 1) };
    }
    case 'monthly': {
      const monthStart = `${publicationDate.slice(0, 7)}-01`;
      if (c.coverage === 'mid-month') {
        return { start: addMonths(`${publicationDate.slice(0, 7)}-15`, -1), end: `${publicationDate.slice(0, 7)}-15` };
      }
      return { start: addMonths(monthStart, -1), end: monthStart };
    }
    case 'after-disbursement':
      return { start: addDays(publicationDate, -c.lookbackDays), end: publicationDate };
    case 'sdds-daily':
      throw new Error(`${dataset.name}: CAS data set declared with an SDDS cadence`);
  }
}

export function isValidDate(iso: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return false;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function addMonths(iso: string, months: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}
