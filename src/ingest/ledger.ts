import { and, desc, eq, type SQL } from 'drizzle-orm';
import { ingestFile } from '../../db/schema/index.ts';
import type { Database } from '../db/client.ts';
import type { FileStatus } from './load.ts';

export type LedgerEntry = typeof ingestFile.$inferSelect;

export interface LedgerFilter {
  limit?: number;
  status?: FileStatus;
  dataset?: string;
}

/** The newest ledger rows first. */
export async function listLedger(db: Database, filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
  const where: SQL[] = [];
  if (filter.status) where.push(eq(ingestFile.status, filter.status));
  if (filter.dataset) where.push(eq(ingestFile.dataset, filter.dataset));
  return db.orm
    .select()
    .from(ingestFile)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(ingestFile.id))
    .limit(filter.limit ?? 50);
}
