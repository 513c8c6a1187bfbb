import type { Database } from '../db/client.ts';
import { ingestObject, type FileResult, type IngestOptions } from './load.ts';
import { listLocalObjects, type ListOptions } from './local.ts';
import { refreshRollups } from '../rollups/refresh.ts';

export interface IngestSummary {
  results: FileResult[];
  loaded: number;
  unchanged: number;
  noData: number;
  rejected: number;
  rowsInserted: number;
  /** Stopped by its signal before every file was read. */
  interrupted: boolean;
}

/**
 * Ingests files and directories (walked recursively), one object at a time, in key order, then
 * brings the rollups up to date with what loaded (unless `refreshRollups: false`), so the first
 * question after a backfill does not pay for it.
 */
export async function ingestPaths(
  db: Database,
  paths: string[],
  options: IngestOptions & ListOptions & { onResult?: (r: FileResult) => void; refreshRollups?: boolean; signal?: AbortSignal } = {},
): Promise<IngestSummary> {
  const objects = await listLocalObjects(paths, options);
  const results: FileResult[] = [];
  for (const object of objects) {
    if (options.signal?.aborted) break;
    const r = await ingestObject(db, object, options);
    options.onResult?.(r);
    results.push(r);
  }
  if (options.refreshRollups !== false) await refreshRollups(db);
  return { ...summarise(results), interrupted: results.length < objects.length };
}

export function summarise(results: FileResult[]): Omit<IngestSummary, 'interrupted'> {
  const count = (s: FileResult['status']) => results.filter((r) => r.status === s).length;
  return {
    results,
    loaded: count('loaded'),
    unchanged: count('unchanged'),
    noData: count('no-data'),
    rejected: count('rejected'),
    rowsInserted: results.reduce((n, r) => n + r.rowsInserted, 0),
  };
}
