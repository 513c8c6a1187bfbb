/**
 * Keeping the derived tables current: sdds_revised_key (which SDDS keys have more than one
 * revision; currentWhere depends on it) and the invoice_balance rollup. Loading a file never waits
 * for them (each costs seconds on a million-row file); the service refreshes in the background, a
 * CLI ingest once at the end, and every metric, export and Slack answer refreshes anything still
 * pending first, so an answer never lags or misreads the data. Cheap when nothing is pending.
 */
import type { Database } from '../db/client.ts';
import { refreshInvoiceBalances } from './invoice-balance.ts';
import { refreshRevisedKeys } from './revised-keys.ts';

/** Bring every derived table up to date with what has loaded; returns how many files were processed. */
export async function refreshRollups(db: Database): Promise<number> {
  const keys = await refreshRevisedKeys(db);
  return keys + (await refreshInvoiceBalances(db));
}
