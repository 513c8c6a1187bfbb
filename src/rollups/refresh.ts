/**
 * Keeping the rollups current. Loading a file never waits for them (a million-row billing file
 * would take several seconds longer); the service folds what loaded in the background, a CLI
 * ingest does it once at the end, and every metric that reads a rollup folds anything still
 * pending first, so an answer never lags the data.
 */
import type { Database } from '../db/client.ts';
import { refreshInvoiceBalances } from './invoice-balance.ts';

/** Fold every loaded file not yet in a rollup; returns how many files were folded. */
export async function refreshRollups(db: Database): Promise<number> {
  return refreshInvoiceBalances(db);
}
