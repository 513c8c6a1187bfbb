/** Export round trip: what export writes, ingest reads back to the same rows, on both engines. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDataset } from '../../src/datasets/export.ts';
import { parsePeriod } from '../../src/periods.ts';
import { ENGINES, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const options = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };
const text = async (chunks: AsyncIterable<Uint8Array | string>) => {
  let s = '';
  const d = new TextDecoder();
  for await (const c of chunks) s += typeof c === 'string' ? c : d.decode(c, { stream: true });
  return s;
};

describe.each(ENGINES)('export on %s', (_engine, create) => {
  let t: TestDatabase;
  let root: string;
  beforeAll(async () => {
    t = await create();
    root = await tempDir();
    await ingestContent(t.db, root, 'ProductFeed_V1/year=2026/month=01/data.csv', csv([
      ['valid_from', 'update_date', 'product_id', 'title'],
      ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'prod-1', 'Old title'],
      ['2026-05-01T00:00:00Z', '2026-05-01T00:00:00Z', 'prod-1', 'Acme, "the" Platform'],
    ]));
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=10/data.csv', csv([
      ['valid_from', 'billing_event_id', 'amount', 'currency', 'balance_impacting', 'invoice_date'],
      ['2026-10-01T00:00:00Z', 'be-1', '10.500000', 'USD', '1', '2026-10-01T00:00:00Z'],
      ['2026-10-31T00:00:00Z', 'be-2', '-0.300000', 'USD', '0', '2026-10-31T23:59:59Z'],
      ['2026-11-01T00:00:00Z', 'be-3', '99.000000', 'USD', '1', '2026-11-01T00:00:00Z'],
    ]));
    await ingestContent(t.db, root, 'cas/sales_compensation_billed_revenue_2019-04-15.csv', 'Customer AWS Account Number,Product Code,Gross Revenue,Currency,AR Period\n0123-4567-8901,pc-1,400.00,USD,2019-03\n');
  });
  afterAll(() => t?.drop());

  it('writes current SDDS entities with the AWS headers', async () => {
    const out = await text(exportDataset(t.db, 'sdds_product', parsePeriod('today', options)));
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('valid_from,insert_date,update_date,delete_date,product_id,manufacturer_account_id,product_code,title,catalog');
    expect(lines.slice(1)).toEqual(['2026-05-01T00:00:00Z,,2026-05-01T00:00:00Z,,prod-1,,,"Acme, ""the"" Platform",']);
  });

  it('writes SDDS events and CAS rows in the period, in AWS formats, and reads back the same', async () => {
    const billing = await text(exportDataset(t.db, 'sdds_billing_event', parsePeriod('2026-10', options)));
    expect(billing.trim().split('\n').slice(1).map((l) => l.split(',').filter(Boolean))).toEqual([
      ['2026-10-01T00:00:00Z', 'be-1', '10.500000', 'USD', '1', '2026-10-01T00:00:00Z'],
      ['2026-10-31T00:00:00Z', 'be-2', '-0.300000', 'USD', '0', '2026-10-31T23:59:59Z'],
    ]);
    const r = await ingestContent(t.db, root, 'roundtrip/BillingEventFeed_V1/year=2026/month=10/data.csv', billing);
    expect(r).toMatchObject({ status: 'loaded', rowsRead: 2, rowsInserted: 0 }); // the same revisions: nothing new
    const cas = await text(exportDataset(t.db, 'cas_sales_compensation_billed_revenue', parsePeriod('2019-03', options)));
    expect(cas).toContain('Customer AWS Account Number,Country');
    expect(cas).toContain('012345678901,,,,,,pc-1,,400.00');
    expect(cas).toContain(',USD,2019-03,');
    expect(() => exportDataset(t.db, 'sdds_nope', parsePeriod('today', options))).toThrow(/"sdds_nope" is not a dataset/);
  });
});
