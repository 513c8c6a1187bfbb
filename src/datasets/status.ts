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

export interface SellerIdentity {
  /** The SDDS account IDs on the listing-fee rows; one is expected. */
  accounts: Array<{ accountId: string; awsAccountId: string | null; company: string | null }>;
  /** For people: who the data says the seller is, or why it cannot say. */
  summary: string;
}

/** The seller of record's own account, as AWS's reports derive it (src/datasets/billing.ts). */
export async function getSellerIdentity(db: Database): Promise<SellerIdentity> {
  const accounts = await db.query<{ accountId: string; awsAccountId: string | null; company: string | null }>(
    `select s.account_id as "accountId", a.aws_account_id as "awsAccountId", ad.company_name as company
       from seller_account s
       left join sdds_account_current a on a.account_id = s.account_id
       left join sdds_address_current ad on ad.address_id = coalesce(a.tax_address_id, a.mailing_address_id)
      order by s.first_file_id, s.account_id`,
  );
  const name = (a: SellerIdentity['accounts'][number]) => `${a.awsAccountId ?? a.accountId}${a.company ? ` (${a.company})` : ''}`;
  const summary =
    accounts.length === 0
      ? 'Seller of record: not known yet (no invoiced listing fee in the billing events loaded)'
      : accounts.length === 1
        ? `Seller of record: ${name(accounts[0]!)}, the payer of the listing fees in the billing events`
        : `Seller of record: the billing events name ${accounts.length} accounts as payers of listing fees (${accounts.map(name).join(', ')}); one is expected, so these feeds mix sellers. Cost of goods on billing rows without the June 2026 columns counts payments to any of them as the seller's own; check which bucket each came from.`;
  return { accounts, summary };
}
