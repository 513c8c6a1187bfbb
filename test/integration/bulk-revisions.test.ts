/**
 * Billing events and daily usage keep one row per revision without a unique index
 * (src/ingest/dedupe.ts): a revision stored before, or twice in one file, is stored once; a new
 * revision of a stored key is kept; loads of the same feed running at once store a shared
 * revision once. On PostgreSQL and on PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_KEY_LIMIT } from '../../src/ingest/dedupe.ts';
import { ingestObject } from '../../src/ingest/load.ts';
import { localObject } from '../../src/ingest/local.ts';
import { createPgliteDatabase, createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, putFile, tempDir } from '../support/files.ts';

const HEADER = ['valid_from', 'update_date', 'billing_event_id', 'action', 'transaction_type', 'amount', 'currency', 'invoice_date', 'invoice_id'];
const event = (id: string, validFrom: string, update = validFrom, amount = '10.00') => [validFrom, update, id, 'INVOICED', 'SELLER_REV_SHARE', amount, 'USD', validFrom, `inv-${id}`];
const key = (month: string) => `BillingEventFeed_V1/year=2026/month=${month}/data.csv`;

for (const engine of ['PostgreSQL', 'PGlite'] as const) {
  describe(`revisions of a bulk feed on ${engine}`, () => {
    let t: TestDatabase;
    let root: string;
    beforeAll(async () => {
      t = engine === 'PostgreSQL' ? await createPostgresDatabase() : await createPgliteDatabase();
      root = await tempDir();
      await ingestContent(t.db, root, key('01'), csv([HEADER, event('a', '2026-01-10T00:00:00Z'), event('b', '2026-01-11T00:00:00Z')]));
    });
    afterAll(() => t?.drop());

    const rows = (id: string) => t.db.query<{ valid_from: string; update_date: string; amount: string }>(
      `select to_char(valid_from at time zone 'UTC', 'MM-DD') as valid_from, to_char(update_date at time zone 'UTC', 'MM-DD') as update_date, amount::text from sdds_billing_event where billing_event_id = $1 order by 1, 2`,
      [id],
    );

    it('stores once a revision a later file repeats, and keeps the new revisions and events beside it', async () => {
      const r = await ingestContent(t.db, root, key('02'), csv([
        HEADER,
        event('a', '2026-01-10T00:00:00Z'), // repeated as it was
        event('a', '2026-01-10T00:00:00Z', '2026-02-03T00:00:00Z', '12.00'), // a correction of that revision
        event('b', '2026-02-02T00:00:00Z', '2026-02-02T00:00:00Z', '11.00'), // a new revision of b
        event('c', '2026-02-01T00:00:00Z'), // a new event
      ]));
      expect(r).toMatchObject({ status: 'loaded', rowsRead: 4, rowsInserted: 3 });
      expect(await rows('a')).toEqual([{ valid_from: '01-10', update_date: '01-10', amount: '10.00' }, { valid_from: '01-10', update_date: '02-03', amount: '12.00' }]);
      expect((await rows('b')).length).toBe(2);
      expect((await rows('c')).length).toBe(1);
    });

    it('stores once a revision a file holds twice, and both revisions of a key it holds twice', async () => {
      const r = await ingestContent(t.db, root, key('03'), csv([
        HEADER,
        event('d', '2026-03-01T00:00:00Z'),
        event('d', '2026-03-01T00:00:00Z'),
        event('e', '2026-03-01T00:00:00Z'),
        event('e', '2026-03-02T00:00:00Z', '2026-03-02T00:00:00Z', '9.00'),
      ]));
      expect(r).toMatchObject({ rowsRead: 4, rowsInserted: 3 });
      expect((await rows('d')).length).toBe(1);
      expect((await rows('e')).length).toBe(2);
    });

    it('checks every row of a file with more repeated keys than it looks up one by one', async () => {
      const many = Array.from({ length: PROBE_KEY_LIMIT + 5 }, (_, i) => event(`m-${i}`, '2026-01-05T00:00:00Z'));
      await ingestContent(t.db, root, key('04'), csv([HEADER, ...many.slice(0, 5)]));
      // every row is dated before what is stored, so every key must be checked
      const r = await ingestContent(t.db, root, key('05'), csv([HEADER, ...many]));
      expect(r).toMatchObject({ rowsRead: PROBE_KEY_LIMIT + 5, rowsInserted: PROBE_KEY_LIMIT });
      expect(await t.db.query(`select count(*)::int as n from sdds_billing_event where billing_event_id like 'm-%'`)).toEqual([{ n: PROBE_KEY_LIMIT + 5 }]);
    });

    it('stores a shared revision once when two files of the feed load at once', async () => {
      const text = csv([HEADER, event('race', '2026-06-01T00:00:00Z'), event(`race-${engine}`, '2026-06-01T00:00:00Z')]);
      const a = await putFile(root, `copy-a/${key('06')}`, text);
      const b = await putFile(root, `copy-b/${key('06')}`, text);
      const results = await Promise.all([ingestObject(t.db, localObject(a, `copy-a/${key('06')}`)), ingestObject(t.db, localObject(b, `copy-b/${key('06')}`))]);
      expect(results.map((r) => r.rowsInserted).sort()).toEqual([0, 2]);
      expect((await rows('race')).length).toBe(1);
    });
  });
}
