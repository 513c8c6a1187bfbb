/** sdds_revised_key kept current: which SDDS keys have more than one revision (src/datasets/history.ts). */
import { DATASETS } from '../datasets/catalog.ts';
import { recordRevisedKeysSql, sddsDataset } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';

/** Record the revised keys of every loaded SDDS file not yet looked at; returns how many files. */
export async function refreshRevisedKeys(db: Database): Promise<number> {
  const pendingSql = `select f.id, f.dataset from ingest_file f
     where f.dataset like 'sdds\\_%' and f.status = 'loaded'
       and not exists (select 1 from sdds_revised_file r where r.file_id = f.id)
     order by f.id`;
  if ((await db.query(pendingSql)).length === 0) return 0;
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('marketplace-pulse:sdds_revised_key'))`);
    const pending = await tx.query<{ id: number; dataset: string }>(pendingSql);
    const byDataset = new Map<string, number[]>();
    for (const p of pending) byDataset.set(p.dataset, [...(byDataset.get(p.dataset) ?? []), Number(p.id)]);
    for (const [dataset, files] of byDataset) {
      if (!DATASETS.some((d) => d.name === dataset)) continue;
      await tx.query(recordRevisedKeysSql(sddsDataset(dataset)), [files]);
    }
    await tx.query(`insert into sdds_revised_file (file_id) select unnest($1::bigint[])`, [pending.map((p) => Number(p.id))]);
    return pending.length;
  });
}

