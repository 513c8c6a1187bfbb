/** Backfill from S3 (s3rver) into PostgreSQL: progress, resume after an interruption, bad inputs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { backfill } from '../../src/ingest/backfill.ts';
import { startAws, type AwsEmulators } from '../support/aws.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { tempDir } from '../support/files.ts';

describe('backfill s3://bucket/prefix', () => {
  let t: TestDatabase;
  let aws: AwsEmulators;
  const months = ['01', '02', '03', '04', '05', '06'];

  beforeAll(async () => {
    [t, aws] = await Promise.all([createPostgresDatabase(), startAws()]);
    aws.forwardEvents = false;
    for (const m of months) {
      await aws.put(`archive/ProductFeed_V1/year=2025/month=${m}/data.csv`, `valid_from,product_id,title\n2025-${m}-01T00:00:00Z,prod-${m},Product ${m}\n`);
    }
    await aws.put('archive/cas/daily_business_fees_2019-03-04.csv', 'Product Code,Amount\npc,1.00\n');
    await aws.put('archive/cas/daily_business_fees_2019-03-04.meta.json', JSON.stringify({ dataSetCoverageRange: { startDateTime: '2019-03-01T00:00:00Z', endDateTime: '2019-03-01T23:59:59Z' } }));
    await aws.put('elsewhere/ProductFeed_V1/year=2025/month=07/data.csv', 'valid_from,product_id,title\n2025-07-01T00:00:00Z,prod-x,Not under the prefix\n');
  });
  afterAll(async () => {
    await aws?.stop();
    await t?.drop();
  });

  it('resumes after an interruption without loading anything twice', async () => {
    const controller = new AbortController();
    const first = await backfill(t.db, aws.s3, `s3://${aws.bucket}/archive/`, {
      signal: controller.signal,
      onFile: (_, p) => {
        if (p.done === 3) controller.abort();
      },
    });
    expect(first).toMatchObject({ interrupted: true, progress: { total: 8, done: 3, skipped: 0 } });
    // metadata first, so the CAS file loaded with its stated coverage
    expect(first.results[0]!.key).toBe('archive/cas/daily_business_fees_2019-03-04.meta.json');

    const second = await backfill(t.db, aws.s3, `s3://${aws.bucket}/archive/`);
    expect(second).toMatchObject({ interrupted: false, progress: { total: 8, skipped: 3, done: 5, rejected: 0 } });
    expect(second.progress.etaSeconds).toBe(0);
    expect(await t.db.query(`select count(*)::int as n from sdds_product`)).toEqual([{ n: 6 }]);
    expect(await t.db.query(`select _period_start::text as s from cas_daily_business_fees`)).toEqual([{ s: '2019-03-01' }]);
    const third = await backfill(t.db, aws.s3, `s3://${aws.bucket}/archive`);
    expect(third.progress).toMatchObject({ total: 8, skipped: 8, done: 0 });
  });

  it('runs from the CLI with a progress line', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { ...aws.env, DATABASE_URL: t.url!, DATA_DIR: await tempDir() };
    const code = await main(['backfill', `s3://${aws.bucket}/elsewhere`], { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
    expect(code).toBe(0);
    expect(err.join('\n')).toMatch(/1\/1 files \(0 already loaded\), 1 rows, \d+ rows\/s, ETA/);
    expect(out.at(-1)).toMatch(/^done: 1\/1 files/);
    expect(await main(['backfill', 'https://example.com/x'], { out: () => {}, err: (l) => err.push(l) }, env)).toBe(2);
    expect(err.at(-1)).toContain('is not an S3 location');
    expect(await main(['backfill', 's3://no-such-bucket/x'], { out: () => {}, err: (l) => err.push(l) }, env)).toBe(1);
    expect(err.at(-1)).toContain('cannot list s3://no-such-bucket/x');
  });
});
