/**
 * A month file that grows by a day each day: a version that begins with exactly the version loaded
 * before is loaded from where that one ended (its rows only, numbered by their lines in the file);
 * anything else is loaded whole and merged, as before. Local files and S3 objects alike.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestObject } from '../../src/ingest/load.ts';
import { s3Object } from '../../src/ingest/s3.ts';
import { startAws, type AwsEmulators } from '../support/aws.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { ingestContent, tempDir } from '../support/files.ts';

const KEY = 'AddressFeed_V1/year=2026/month=11/data.csv';
const HEADER = 'valid_from,update_date,address_id,company_name,country_code\n';
const row = (n: number, company = `Company ${n}`) => `2026-11-${String(n).padStart(2, '0')}T00:00:00Z,2026-11-${String(n).padStart(2, '0')}T01:00:00Z,addr-${n},${company},US\n`;
const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i)).join('');

describe('a month file appended to day by day', () => {
  let t: TestDatabase;
  let root: string;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    root = await tempDir();
  });
  afterAll(() => t?.drop());

  const stored = () => t.db.query<{ address_id: string; company_name: string; _line: number }>(`select address_id, company_name, _line from sdds_address order by _line, address_id`);

  it('loads only the rows after the version loaded before, numbered by their lines in the file', async () => {
    const first = await ingestContent(t.db, root, KEY, HEADER + days(1, 3));
    expect(first).toMatchObject({ status: 'loaded', rowsRead: 3, appendedTo: null });
    const second = await ingestContent(t.db, root, KEY, HEADER + days(1, 5));
    expect(second).toMatchObject({ status: 'loaded', rowsRead: 2, rowsInserted: 2, appendedTo: first.fileId });
    const third = await ingestContent(t.db, root, KEY, HEADER + days(1, 6));
    expect(third).toMatchObject({ rowsRead: 1, rowsInserted: 1, appendedTo: second.fileId });
    expect((await stored()).map((r) => [r.address_id, r._line])).toEqual([['addr-1', 2], ['addr-2', 3], ['addr-3', 4], ['addr-4', 5], ['addr-5', 6], ['addr-6', 7]]);
    const ledger = await t.db.query<{ appended_to: string | null; sha256: string }>(`select appended_to, sha256 from ingest_file order by id`);
    expect(ledger.map((l) => l.appended_to === null ? null : Number(l.appended_to))).toEqual([null, first.fileId, second.fileId]);
  });

  it('loads a rewritten version whole and adds only the revisions it did not have', async () => {
    // day 2 corrected in place, and a new day: not an append
    const text = HEADER + row(1) + row(2, 'Company 2 Corrected') + days(3, 7);
    const r = await ingestContent(t.db, root, KEY, text);
    expect(r).toMatchObject({ status: 'loaded', rowsRead: 7, appendedTo: null });
    expect(r.rowsInserted).toBe(1); // day 7: the corrected day 2 has the same key, valid_from and update_date
    expect((await stored()).length).toBe(7);
  });

  it('rejects bad appended rows with their line in the file, keeps what is stored, and takes the corrected version from the last good one', async () => {
    const before = await stored();
    const good = HEADER + row(1) + row(2, 'Company 2 Corrected') + days(3, 7);
    const bad = `${good}not-a-time,2026-11-08T01:00:00Z,addr-8,Company 8,US\n`;
    const rejected = await ingestContent(t.db, root, KEY, bad);
    expect(rejected).toMatchObject({ status: 'rejected' });
    expect(rejected.problems[0]).toMatchObject({ line: 9, column: 'valid_from' });
    expect(await stored()).toEqual(before);
    const fixed = await ingestContent(t.db, root, KEY, good + row(8) + row(9));
    expect(fixed).toMatchObject({ status: 'loaded', rowsRead: 2, rowsInserted: 2 });
    expect(fixed.appendedTo).not.toBeNull();
    expect((await stored()).slice(-2).map((r) => [r.address_id, r._line])).toEqual([['addr-8', 9], ['addr-9', 10]]);
  });

  it('merges appended rows that repeat revisions already stored', async () => {
    const base = HEADER + row(1) + row(2, 'Company 2 Corrected') + days(3, 9);
    const r = await ingestContent(t.db, root, KEY, base + row(3) + row(10));
    expect(r).toMatchObject({ status: 'loaded', rowsRead: 2, rowsInserted: 1 });
    expect(r.appendedTo).not.toBeNull();
  });

  it('loads whole a version whose earlier part did not end at a line break', async () => {
    const key = 'AddressFeed_V1/year=2026/month=10/data.csv';
    await ingestContent(t.db, root, key, (HEADER + row(20)).trimEnd());
    const r = await ingestContent(t.db, root, key, HEADER + row(20) + row(21));
    expect(r).toMatchObject({ status: 'loaded', rowsRead: 2, rowsInserted: 1, appendedTo: null });
  });
});

describe('a month file of several 16 MiB blocks', () => {
  let t: TestDatabase;
  let root: string;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    root = await tempDir();
  });
  afterAll(() => t?.drop());

  const key = 'AddressFeed_V1/year=2026/month=09/data.csv';
  // rows of ~260 bytes: 70,000 of them fill more than one block
  const big = (from: number, to: number, change = '') =>
    Array.from({ length: to - from + 1 }, (_, i) => `2026-09-01T00:00:00Z,2026-09-01T01:00:00Z,addr-b${from + i},Company ${from + i}${i === 0 ? change : ''} ${'x'.repeat(220)},US\n`).join('');

  it('checks every block of the version loaded before, and loads whole a version changed in its first block', async () => {
    const v1 = HEADER + big(1, 70_000);
    expect(Buffer.byteLength(v1)).toBeGreaterThan(16 * 1024 * 1024);
    const first = await ingestContent(t.db, root, key, v1);
    const [ledger] = await t.db.query<{ blocks: string[] }>(`select block_hashes as blocks from ingest_file where id = $1`, [first.fileId]);
    expect(ledger!.blocks).toHaveLength(2);
    const second = await ingestContent(t.db, root, key, v1 + big(70_001, 70_010));
    expect(second).toMatchObject({ rowsRead: 10, rowsInserted: 10, appendedTo: first.fileId });
    // one letter of the first row changed, and rows added: the new version is loaded whole
    const third = await ingestContent(t.db, root, key, HEADER + big(1, 70_010, '!') + big(70_011, 70_012));
    expect(third).toMatchObject({ rowsRead: 70_012, appendedTo: null });
    expect(third.rowsInserted).toBe(2); // the changed first row is the same revision (key, valid_from, update_date)
  });

  it('still knows a file loaded before files had block fingerprints, by its SHA-256', async () => {
    const text = HEADER + big(80_001, 80_003);
    const legacyKey = 'AddressFeed_V1/year=2026/month=08/data.csv';
    const r = await ingestContent(t.db, root, legacyKey, text);
    await t.db.query(`update ingest_file set block_hashes = null, sha256 = $2 where id = $1`, [r.fileId, createHash('sha256').update(text).digest('hex')]);
    expect(await ingestContent(t.db, root, legacyKey, text)).toMatchObject({ status: 'unchanged' });
    const grown = await ingestContent(t.db, root, legacyKey, text + big(80_004, 80_004));
    expect(grown).toMatchObject({ status: 'loaded', rowsRead: 4, rowsInserted: 1, appendedTo: null });
  });
});

describe('an S3 object appended to', () => {
  let t: TestDatabase;
  let aws: AwsEmulators;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    aws = await startAws();
  });
  afterAll(async () => {
    await aws?.stop();
    await t?.drop();
  });

  it('is read whole to check what was loaded before, and only the new rows are loaded', async () => {
    await aws.put(KEY, HEADER + days(1, 4));
    const first = await ingestObject(t.db, s3Object(aws.s3, aws.bucket, KEY));
    expect(first).toMatchObject({ status: 'loaded', rowsRead: 4, appendedTo: null });
    const [ledger] = await t.db.query<{ sha256: string | null }>(`select sha256 from ingest_file where id = $1`, [first.fileId]);
    expect(ledger!.sha256).toMatch(/^[0-9a-f]{64}$/);
    await aws.put(KEY, HEADER + days(1, 6));
    const second = await ingestObject(t.db, s3Object(aws.s3, aws.bucket, KEY));
    expect(second).toMatchObject({ status: 'loaded', rowsRead: 2, rowsInserted: 2, appendedTo: first.fileId });
    // the same version again is unchanged, by its ETag
    expect(await ingestObject(t.db, s3Object(aws.s3, aws.bucket, KEY))).toMatchObject({ status: 'unchanged' });
    expect((await t.db.query(`select 1 from sdds_address`)).length).toBe(6);
  });
});
