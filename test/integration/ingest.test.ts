/**
 * Loading behaviour on both engines: quirks, the malformed corpus, idempotency, corrections,
 * CAS metadata and SDDS history.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentWhere, queryAsOf } from '../../src/datasets/history.ts';
import { refreshRollups } from '../../src/rollups/refresh.ts';
import { ingestObject } from '../../src/ingest/load.ts';
import { localObject } from '../../src/ingest/local.ts';
import { ingestPaths } from '../../src/ingest/run.ts';
import { ENGINES, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, putFile, tempDir } from '../support/files.ts';

const BILLING_HEADER = ['valid_from', 'insert_date', 'update_date', 'delete_date', 'billing_event_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date'];
function billingRow(id: string, amount: string, day = '01'): string[] {
  return [`2024-03-${day}T00:00:00Z`, `2024-03-${day}T06:00:00Z`, `2024-03-${day}T06:00:00Z`, '', id, 'INVOICED', 'SELLER_REV_SHARE', amount, 'USD', '1', `2024-03-${day}T00:00:00Z`];
}
const BILLING_KEY = 'BillingEventFeed_V1/year=2024/month=03/data.csv';

/** A product feed of `lines` lines with a latin-1 "é" (not UTF-8) on line `bad`. */
function latin1At(bad: number, lines: number): Buffer {
  const parts: Buffer[] = [Buffer.from('valid_from,product_id,title\n')];
  for (let line = 2; line <= lines; line++) {
    parts.push(Buffer.from(`2024-07-01T00:00:00Z,prod-${line},`), line === bad ? Buffer.from([0x43, 0x61, 0x66, 0xe9]) : Buffer.from('Cafe'), Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

describe.each(ENGINES)('ingest on %s', (_engine, create) => {
  let t: TestDatabase;
  let root: string;
  const count = async (table: string) => Number((await t.db.query<{ n: string }>(`select count(*) as n from "${table}"`))[0]!.n);

  beforeAll(async () => {
    t = await create();
    root = await tempDir();
  });
  afterAll(() => t?.drop());

  describe('quirks', () => {
    it('treats a header-only file as a valid "no data" delivery', async () => {
      const r = await ingestContent(t.db, root, 'ProductFeed_V1/year=2023/month=05/data.csv', 'valid_from,insert_date,update_date,delete_date,product_id,manufacturer_account_id,product_code,title\n');
      expect(r).toMatchObject({ status: 'no-data', rowsRead: 0, period: { start: '2023-05-01', end: '2023-06-01' } });
    });

    it('loads the spec example rows exactly, money as exact numerics', async () => {
      const spec = await readFile(new URL('../fixtures/billing-event-spec-example.csv', import.meta.url), 'utf8');
      const r = await ingestContent(t.db, root, 'spec/BillingEventFeed_V1/year=2024/month=04/data.csv', spec);
      expect(r).toMatchObject({ status: 'loaded', rowsInserted: 5 });
      const rows = await t.db.query(
        `select billing_event_id, action, transaction_type, amount::text, balance_impacting, invoice_date::text, payment_due_date::text, usage_period_end_date::text, invoice_id, bank_trace_id
           from sdds_billing_event where _file_id = $1 order by _line`,
        [r.fileId],
      );
      expect(rows).toEqual([
        { billing_event_id: 'a9F3kL0pQ7wE2rT5yU8iO1pA4sD6fG9hJ2kL5zX8', action: 'INVOICED', transaction_type: 'SELLER_REV_SHARE', amount: '1000.000000', balance_impacting: true, invoice_date: '2024-03-01 00:00:00+00', payment_due_date: '2024-03-31 00:00:00+00', usage_period_end_date: '2024-02-29 23:59:59+00', invoice_id: '2098765432', bank_trace_id: null },
        { billing_event_id: 'b1G4mN7qR0tW3yZ6cV9bX2nM5lK8jH1gF4dS7aP0', action: 'INVOICED', transaction_type: 'AWS_REV_SHARE', amount: '-30.000000', balance_impacting: true, invoice_date: '2024-03-01 00:00:00+00', payment_due_date: '2024-03-31 00:00:00+00', usage_period_end_date: '2024-02-29 23:59:59+00', invoice_id: '2098765432', bank_trace_id: null },
        { billing_event_id: 'd3J6pQ9sT2vY5aB8eX1dZ4pO7nM0lK3jH6gF9dR2', action: 'DISBURSED', transaction_type: 'SELLER_REV_SHARE', amount: '-1000.000000', balance_impacting: false, invoice_date: '2024-03-01 00:00:00+00', payment_due_date: null, usage_period_end_date: '2024-02-29 23:59:59+00', invoice_id: '2098765432', bank_trace_id: null },
        { billing_event_id: 'e4K7qR0tU3wZ6bC9fY2eA5qP8oN1mL4kJ7hG0fS3', action: 'DISBURSED', transaction_type: 'AWS_REV_SHARE', amount: '30.000000', balance_impacting: false, invoice_date: '2024-03-01 00:00:00+00', payment_due_date: null, usage_period_end_date: '2024-02-29 23:59:59+00', invoice_id: '2098765432', bank_trace_id: null },
        { billing_event_id: 'f5L8rS1uV4xA7cD0gZ3fB6rQ9pO2nM5lJ8iH1gT4', action: 'DISBURSED', transaction_type: 'DISBURSEMENT', amount: '970.000000', balance_impacting: false, invoice_date: '2024-04-08 00:00:00+00', payment_due_date: null, usage_period_end_date: null, invoice_id: null, bank_trace_id: '021000021234567' },
      ]);
      const sum = await t.db.query<{ s: string }>(`select sum(amount)::text as s from sdds_billing_event where _file_id = $1`, [r.fileId]);
      expect(sum[0]!.s).toBe('970.000000');
    });

    it('maps legacy CAS headers (AWS Fee, straight apostrophes, hyphenated account numbers)', async () => {
      const mbr = csv([
        ['Customer Reference ID', 'Product Code', 'Customer Billed Amount', 'AWS Fee', 'Currency', 'Customer AWS Account Number'],
        ['ref-1', 'pc-1', '100.00', '-3.00', 'USD', '0012-3456-7890'],
      ]);
      const r = await ingestContent(t.db, root, 'reports/monthly_revenue_billing_and_revenue_data_2018-03-15.csv', mbr);
      expect(r).toMatchObject({ status: 'loaded', period: { start: '2018-02-15', end: '2018-03-15' } });
      const rows = await t.db.query(`select aws_listing_fee::text, customer_aws_account_number from cas_monthly_revenue_billing_and_revenue_data where _file_id = $1`, [r.fileId]);
      expect(rows).toEqual([{ aws_listing_fee: '-3.00', customer_aws_account_number: '001234567890' }]);
      const fees = csv([["User's State", "User's Country", 'Product Code', 'Amount', 'Currency'], ['GA', 'US', 'pc-1', '-20.00', 'USD']]);
      const f = await ingestContent(t.db, root, 'reports/daily_business_fees_2018-05-24.csv', fees);
      expect(f.period).toEqual({ start: '2018-05-21', end: '2018-05-22' });
      expect(await t.db.query(`select users_state, users_country, amount::text from cas_daily_business_fees where _file_id = $1`, [f.fileId])).toEqual([{ users_state: 'GA', users_country: 'US', amount: '-20.00' }]);
    });

    it('loads the retired PII feed with its own columns', async () => {
      const content = csv([
        ['valid_from', 'insert_date', 'update_date', 'delete_date', 'address_id', 'aws_account_id', 'email_domain', 'company_name', 'country', 'state_or_region', 'city', 'postal_code', 'address_line_1', 'address_line_2', 'address_line_3'],
        ['2021-03-04T10:00:00Z', '2021-03-04T10:00:00Z', '2021-03-04T10:00:00Z', '', 'addr-1', '444455556666', 'example.de', 'Beispiel GmbH', 'Germany', '', 'Hamburg', '02095', '', '', ''],
      ]);
      const r = await ingestContent(t.db, root, 'PIIFeed/year=2021/month=03/data.csv', content);
      expect(r.status).toBe('loaded');
      expect(await t.db.query(`select aws_account_id, country, postal_code from sdds_pii`)).toEqual([{ aws_account_id: '444455556666', country: 'Germany', postal_code: '02095' }]);
    });
  });

  describe('the malformed corpus', () => {
    const corpus: Array<[string, string, string | Buffer, RegExp]> = [
      ['missing required column', 'AccountFeed_V1/year=2024/month=01/data.csv', 'valid_from,aws_account_id\n2024-01-01T00:00:00Z,123456789012\n', /required column missing: account_id/],
      ['unparseable value', 'BillingEventFeed_V1/year=2024/month=01/data.csv', csv([BILLING_HEADER, billingRow('e1', '12.50'), billingRow('e2', '1,000.00')]), /line 3: amount "1,000.00" is not a decimal/],
      ['ragged row', 'BillingEventFeed_V1/year=2024/month=02/data.csv', csv([BILLING_HEADER, billingRow('e1', '1'), ['2024-02-01T00:00:00Z', 'e2']]), /line 3: has 2 fields but the header has 11/],
      ['unknown dataset', 'exports/quarterly_summary_2024-01-01.csv', 'a,b\n1,2\n', /unknown dataset: "quarterly_summary" is not a known CAS data set type/],
      ['unclosed quote', 'ProductFeed_V1/year=2024/month=01/data.csv', 'valid_from,product_id,title\n2024-01-01T00:00:00Z,prod-a,"Acme\n', /line 2: a quoted field is never closed/],
      ['not UTF-8', 'ProductFeed_V1/year=2024/month=02/data.csv', Buffer.concat([Buffer.from('valid_from,product_id,title\n2024-01-01T00:00:00Z,prod-a,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]), /not valid UTF-8/],
      ['empty file', 'ProductFeed_V1/year=2024/month=03/data.csv', '', /empty: not even a header row/],
      ['duplicate header', 'ProductFeed_V1/year=2024/month=04/data.csv', 'valid_from,product_id,title,Title\n', /"title" and "Title" are both the title column/],
      ['required value empty', 'ProductFeed_V1/year=2024/month=05/data.csv', 'valid_from,product_id,title\n2024-05-01T00:00:00Z,,Acme\n', /line 2: product_id "" is empty but the column is required/],
      ['bad CAS metadata', 'cas/daily_business_fees_2024-05-24.meta.json', '{"dataSetCoverageRange":{"startDateTime":"soon"}}', /dataSetCoverageRange/],
      ['a NUL byte in a value', 'ProductFeed_V1/year=2024/month=06/data.csv', 'valid_from,product_id,title\n2024-06-01T00:00:00Z,prod-a,ok\n2024-06-01T00:00:00Z,prod-b,A\u0000cme\n', /^line 3: contains a NUL character/],
      ['a latin-1 byte on line 501', 'ProductFeed_V1/year=2024/month=07/data.csv', latin1At(501, 600), /^line 501: the file is not valid UTF-8/],
      ['a latin-1 byte on line 15000, past the first read', 'ProductFeed_V1/year=2024/month=08/data.csv', latin1At(15_000, 20_000), /^line 15000: the file is not valid UTF-8/],
      ['a gzip file named .csv', 'ProductFeed_V1/year=2024/month=09/data.csv', gzipSync('valid_from,product_id,title\n2024-09-01T00:00:00Z,prod-a,ok\n'), /^line 1: the file is gzip-compressed/],
      ['a UTF-16 file', 'ProductFeed_V1/year=2024/month=10/data.csv', Buffer.from('\ufeffvalid_from,product_id,title\n', 'utf16le'), /^line 1: the file is UTF-16 text/],
    ];

    it.each(corpus)('%s is rejected with a useful message, nothing stored is touched', async (_what, key, content, message) => {
      const before = await count('sdds_billing_event');
      const r = await ingestContent(t.db, root, key, content);
      expect(r.status).toBe('rejected');
      expect(r.error).toMatch(message);
      expect(await count('sdds_billing_event')).toBe(before);
      const ledger = await t.db.query<{ status: string; error: string }>(`select status, error from ingest_file where id = $1`, [r.fileId]);
      expect(ledger[0]).toEqual({ status: 'rejected', error: r.error });
    });

    it('rejects a key holding a NUL (a malformed notification), storing it visibly', async () => {
      const file = await putFile(root, 'nul-key/data.csv', 'valid_from,product_id,title\n');
      const r = await ingestObject(t.db, localObject(file, 'ProductFeed_V1/year=2024/month=11/da\u0000ta.csv'));
      expect(r.status).toBe('rejected');
      expect(r.error).toContain('the object key contains a NUL character');
      const ledger = await t.db.query<{ object_key: string }>(`select object_key from ingest_file where id = $1`, [r.fileId]);
      expect(ledger[0]!.object_key).toBe('ProductFeed_V1/year=2024/month=11/da\\0ta.csv');
    });

    it('a NUL byte rejects its file, with its ledger row, and the run goes on', async () => {
      const dir = await tempDir();
      await putFile(dir, 'LegacyIdMappingFeed_V1/year=2025/month=01/data.csv', 'valid_from,mapping_type,legacy_id,new_id\n2025-01-01T00:00:00Z,OFFER,legacy\u0000-1,offer-1\n');
      await putFile(dir, 'LegacyIdMappingFeed_V1/year=2025/month=02/data.csv', 'valid_from,mapping_type,legacy_id,new_id\n2025-02-01T00:00:00Z,OFFER,legacy-2,offer-2\n');
      const summary = await ingestPaths(t.db, [dir]);
      expect(summary.results.map((r) => r.status)).toEqual(['rejected', 'loaded']);
      const rows = await t.db.query<{ status: string; error: string }>(`select status::text, error from ingest_file where object_key like 'LegacyIdMappingFeed_V1/year=2025/%' order by id`);
      expect(rows).toEqual([
        { status: 'rejected', error: expect.stringMatching(/^line 2: contains a NUL character/) },
        { status: 'loaded', error: null },
      ]);
    });

    it('rejects a file that cannot be read, naming it', async () => {
      const r = await ingestObject(t.db, localObject(`${root}/gone/ProductFeed_V1/year=2024/month=01/data.csv`, 'gone/ProductFeed_V1/year=2024/month=01/data.csv'));
      expect(r.status).toBe('rejected');
      expect(r.error).toMatch(/cannot read .*gone\/ProductFeed_V1.*ENOENT/);
    });

    it('reports a broken quote as a problem with its line', async () => {
      const r = await ingestContent(t.db, root, 'ProductFeed_V1/year=2022/month=01/data.csv', 'valid_from,product_id,title\n2022-01-01T00:00:00Z,prod-a,ok\n2022-01-01T00:00:00Z,prod-b,"x"y\n');
      expect(r.problems).toEqual([{ line: 3, message: 'line 3: unexpected "y" after a closing quote' }]);
    });

    it('lists the first 20 problems with line, column and value, and counts them all', async () => {
      const rows = [BILLING_HEADER, ...Array.from({ length: 30 }, (_, i) => billingRow(`bad-${i}`, `x${i}`))];
      const r = await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2023/month=01/data.csv', csv(rows));
      expect(r.problemCount).toBe(30);
      expect(r.problems).toHaveLength(20);
      expect(r.problems[0]).toEqual({ line: 2, column: 'amount', value: 'x0', message: '"x0" is not a decimal number (expected digits with an optional "." and no thousands separator)' });
      const details = await t.db.query<{ d: { problemCount: number; problems: unknown[] } }>(`select error_details as d from ingest_file where id = $1`, [r.fileId]);
      expect(details[0]!.d.problemCount).toBe(30);
      expect(details[0]!.d.problems).toHaveLength(20);
    });

    it('still loads the valid files of a run that has rejected ones', async () => {
      const dir = await tempDir();
      await putFile(dir, 'OfferFeed_V1/year=2024/month=06/data.csv', 'valid_from,offer_id,offer_revision,name\n2024-06-01T00:00:00Z,offer-a,1,Public\n');
      await putFile(dir, 'OfferFeed_V1/year=2024/month=07/data.csv', 'valid_from,offer_id,offer_revision,name\n2024-07-01T00:00:00Z,offer-b,one,Broken\n');
      await putFile(dir, 'OfferTargetFeed_V1/year=2024/month=06/data.csv', 'valid_from,offer_target_id,offer_id,offer_revision,target_type,polarity,value\n2024-06-01T00:00:00Z,t1,offer-a,1,BuyerAccounts,PositiveTargeting,444455556666\n');
      await putFile(dir, '.DS_Store', 'junk');
      const summary = await ingestPaths(t.db, [dir]);
      expect(summary.results.map((r) => [r.key, r.status])).toEqual([
        ['OfferFeed_V1/year=2024/month=06/data.csv', 'loaded'],
        ['OfferFeed_V1/year=2024/month=07/data.csv', 'rejected'],
        ['OfferTargetFeed_V1/year=2024/month=06/data.csv', 'loaded'],
      ]);
      expect(summary.results[1]!.error).toMatch(/line 2: offer_revision "one" is not a whole number/);
      expect(await count('sdds_offer')).toBe(1);
    });
  });

  describe('idempotency', () => {
    it('loads the same object once; again it is "unchanged"', async () => {
      const content = csv([BILLING_HEADER, billingRow('same-1', '10.00'), billingRow('same-2', '20.00')]);
      const first = await ingestContent(t.db, root, 'same/BillingEventFeed_V1/year=2024/month=05/data.csv', content);
      const second = await ingestContent(t.db, root, 'same/BillingEventFeed_V1/year=2024/month=05/data.csv', content);
      expect(first).toMatchObject({ status: 'loaded', rowsInserted: 2 });
      expect(second).toMatchObject({ status: 'unchanged', rowsInserted: 0 });
      expect(await t.db.query(`select count(*)::int as n from sdds_billing_event where billing_event_id like 'same-%'`)).toEqual([{ n: 2 }]);
    });

    it('adds only the appended rows when a month file is re-delivered', async () => {
      const day1 = [BILLING_HEADER, billingRow('app-1', '1.00', '01'), billingRow('app-2', '2.00', '01')];
      const first = await ingestContent(t.db, root, BILLING_KEY, csv(day1));
      const day2 = [...day1, billingRow('app-3', '3.00', '02')];
      const second = await ingestContent(t.db, root, BILLING_KEY, csv(day2));
      expect(first).toMatchObject({ status: 'loaded', rowsInserted: 2 });
      // the new version begins with the one loaded: only the row after it is read
      expect(second).toMatchObject({ status: 'loaded', rowsRead: 1, rowsInserted: 1, appendedTo: first.fileId });
      const rows = await t.db.query<{ billing_event_id: string; _file_id: string }>(`select billing_event_id, _file_id::text from sdds_billing_event where billing_event_id like 'app-%' order by 1`);
      expect(rows.map((r) => [r.billing_event_id, Number(r._file_id)])).toEqual([
        ['app-1', first.fileId],
        ['app-2', first.fileId],
        ['app-3', second.fileId],
      ]);
    });

    it('keeps revisions already stored when a new object repeats them (falls back to merging)', async () => {
      const repeat = [BILLING_HEADER, billingRow('app-3', '3.00', '02'), billingRow('app-4', '4.00', '02')];
      const r = await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2024/month=04/data.csv', csv(repeat));
      expect(r).toMatchObject({ status: 'loaded', rowsRead: 2, rowsInserted: 1 });
    });

    it('replaces a CAS period when a corrected file arrives, and keeps other periods', async () => {
      const header = ['Customer Reference ID', 'Product Title', 'Product Code', 'Offer ID'];
      const key = (d: string) => `cas/daily_business_new_product_subscribers_${d}.csv`;
      const a = await ingestContent(t.db, root, key('2024-03-02'), csv([header, ['c1', 'Acme', 'pc', 'o1'], ['c2', 'Acme', 'pc', 'o1']]));
      await ingestContent(t.db, root, key('2024-03-03'), csv([header, ['c9', 'Acme', 'pc', 'o1']]));
      const corrected = await ingestContent(t.db, root, key('2024-03-02'), csv([header, ['c1', 'Acme', 'pc', 'o1'], ['c2', 'Acme', 'pc', 'o1'], ['c3', 'Acme', 'pc', 'o2']]));
      expect(a).toMatchObject({ status: 'loaded', rowsInserted: 2, period: { start: '2024-03-01', end: '2024-03-02' } });
      expect(corrected).toMatchObject({ status: 'loaded', rowsInserted: 3, rowsReplaced: 2 });
      const rows = await t.db.query<{ id: string; p: string }>(`select customer_reference_id as id, _period_start::text as p from cas_daily_business_new_product_subscribers order by 1`);
      expect(rows).toEqual([
        { id: 'c1', p: '2024-03-01' },
        { id: 'c2', p: '2024-03-01' },
        { id: 'c3', p: '2024-03-01' },
        { id: 'c9', p: '2024-03-02' },
      ]);
    });

    it('two copies of a CAS file under other keys, loaded at the same moment, leave its rows once', async () => {
      const header = ['Customer Reference ID', 'Product Title', 'Product Code', 'Offer ID'];
      const content = csv([header, ...Array.from({ length: 200 }, (_, i) => [`race-${i}`, 'Acme', 'pc', 'o1'])]);
      for (const day of ['2024-04-02', '2024-04-03', '2024-04-04']) {
        const name = `daily_business_new_product_subscribers_${day}.csv`;
        // `ingest ./bucket` beside `ingest ./bucket/cas`: the same file as cas/<name> and as <name>
        const [a, b] = await Promise.all([ingestContent(t.db, root, `cas/${name}`, content), ingestContent(t.db, `${root}/cas-copy`, name, content)]);
        expect([a.status, b.status]).toEqual(['loaded', 'loaded']);
        const rows = await t.db.query<{ n: number }>(`select count(*)::int as n from cas_daily_business_new_product_subscribers where _period_start = $1::date - 1`, [day]);
        expect(rows, day).toEqual([{ n: 200 }]);
      }
    });

    it('takes CAS coverage from the .meta.json, before or after its data file', async () => {
      const meta = (type: string, date: string, start: string, end: string) =>
        JSON.stringify({
          dataSetRequestId: '43d7137b-8a94-4042-a09d-c41e87f371c1',
          dataSetCoverageRange: { startDateTime: start, endDateTime: end },
          dataSetRequestParameters: { sellerAccountId: '123412341234', dataSetType: type, dataSetPublicationDate: `${date}T00:00:00.000Z` },
          dataSetS3Location: { bucketName: 'demo-bucket', key: `demo_prefix/${type}_${date}.csv` },
        });
      const type = 'disbursed_amount_by_product';
      const m = await ingestContent(t.db, root, `meta/${type}_2024-03-12.meta.json`, meta(type, '2024-03-12', '2024-02-08T00:00:00.000Z', '2024-03-07T23:59:59.000Z'));
      expect(m).toMatchObject({ status: 'loaded', period: { start: '2024-02-08', end: '2024-03-08' } });
      const d = await ingestContent(t.db, root, `meta/${type}_2024-03-12.csv`, 'Product,Product Code,SellerRev,Net Amount\nAcme,pc,100.00,97.00\n');
      expect(d.period).toEqual({ start: '2024-02-08', end: '2024-03-08' });

      // data first, then its metadata: the rows move to the stated coverage
      const later = await ingestContent(t.db, root, `meta/${type}_2024-04-12.csv`, 'Product,Product Code,SellerRev,Net Amount\nAcme,pc,50.00,48.50\n');
      expect(later.period).toEqual({ start: '2024-03-12', end: '2024-04-12' });
      await ingestContent(t.db, root, `meta/${type}_2024-04-12.meta.json`, meta(type, '2024-04-12', '2024-03-08T00:00:00.000Z', '2024-04-09T23:59:59.000Z'));
      const rows = await t.db.query(`select seller_rev::text, _period_start::text, _period_end::text from cas_disbursed_amount_by_product order by 1`);
      expect(rows).toEqual([
        { seller_rev: '100.00', _period_start: '2024-02-08', _period_end: '2024-03-08' },
        { seller_rev: '50.00', _period_start: '2024-03-08', _period_end: '2024-04-10' },
      ]);
      const mismatch = await ingestContent(t.db, root, `meta/${type}_2024-05-12.meta.json`, meta('daily_business_fees', '2024-05-12', '2024-04-08T00:00:00Z', '2024-05-07T23:59:59Z'));
      expect(mismatch.error).toMatch(/dataSetType is "daily_business_fees" but the file name says disbursed_amount_by_product/);
    });

    it('lets two loads of the same object race and stores it once', async () => {
      const file = await putFile(root, 'race/BillingEventFeed_V1/year=2024/month=06/data.csv', csv([BILLING_HEADER, billingRow('race-1', '5.00'), billingRow('race-2', '6.00')]));
      const key = 'race/BillingEventFeed_V1/year=2024/month=06/data.csv';
      const results = await Promise.all([ingestObject(t.db, localObject(file, key)), ingestObject(t.db, localObject(file, key))]);
      expect(results.map((r) => r.status).sort()).toEqual(['loaded', 'unchanged']);
      expect(await t.db.query(`select count(*)::int as n from sdds_billing_event where billing_event_id like 'race-%'`)).toEqual([{ n: 2 }]);
    });
  });

  describe('SDDS history', () => {
    const header = ['valid_from', 'insert_date', 'update_date', 'delete_date', 'product_id', 'product_code', 'title'];
    beforeAll(async () => {
      await ingestContent(t.db, root, 'ProductFeed_V1/year=2020/month=05/data.csv', csv([
        header,
        ['2020-05-01T00:00:00Z', '2020-05-01T00:00:00Z', '2020-05-01T00:00:00Z', '', 'prod-a', 'pc-a', 'Acme Analytics (SaaS)'],
        ['2020-05-01T00:00:00Z', '2020-05-01T00:00:00Z', '2020-05-01T00:00:00Z', '', 'prod-b', 'pc-b', 'Acme Gateway'],
        ['2020-05-01T00:00:00Z', '2020-05-01T00:00:00Z', '2020-05-01T00:00:00Z', '', 'prod-c', 'pc-c', 'Acme Retired'],
      ]));
      await ingestContent(t.db, root, 'ProductFeed_V1/year=2023/month=09/data.csv', csv([
        header,
        // a new version of prod-a
        ['2023-09-12T08:15:00Z', '2023-09-12T08:15:00Z', '2023-09-12T08:15:00Z', '', 'prod-a', 'pc-a', 'Acme Analytics Platfrom'],
        // a correction of that version: same valid_from, later update_date
        ['2023-09-12T08:15:00Z', '2023-09-12T08:15:00Z', '2023-09-20T00:00:00Z', '', 'prod-a', 'pc-a', 'Acme Analytics Platform'],
        // prod-b's only version soft-deleted: the product disappears
        ['2020-05-01T00:00:00Z', '2020-05-01T00:00:00Z', '2023-09-15T00:00:00Z', '2023-09-15T00:00:00Z', 'prod-b', 'pc-b', 'Acme Gateway'],
        // prod-c: a later version soft-deleted, so the earlier one is current again
        ['2023-09-01T00:00:00Z', '2023-09-01T00:00:00Z', '2023-09-01T00:00:00Z', '', 'prod-c', 'pc-c', 'Acme Retired v2'],
        ['2023-09-01T00:00:00Z', '2023-09-01T00:00:00Z', '2023-09-16T00:00:00Z', '2023-09-16T00:00:00Z', 'prod-c', 'pc-c', 'Acme Retired v2'],
      ]));
    });

    it('keeps every revision', async () => {
      expect(await count('sdds_product')).toBe(8);
    });

    it('answers the current state with the official recipe', async () => {
      const rows = await t.db.query(`select product_id, title from sdds_product_current order by 1`);
      expect(rows).toEqual([
        { product_id: 'prod-a', title: 'Acme Analytics Platform' },
        { product_id: 'prod-c', title: 'Acme Retired' },
      ]);
      const fromFunction = await queryAsOf<{ product_id: string; title: string }>(t.db, 'sdds_product');
      expect(fromFunction.map((r) => [r.product_id, r.title])).toEqual([
        ['prod-a', 'Acme Analytics Platform'],
        ['prod-c', 'Acme Retired'],
      ]);
    });

    it('knows which keys were revised, and reads the current state of filtered rows exactly', async () => {
      // prod-a and prod-c revised in the later file, prod-b revised across files; nothing else
      await refreshRollups(t.db);
      expect(await t.db.query(`select key from sdds_revised_key where dataset = 'sdds_product' order by key`)).toEqual([{ key: 'prod-a' }, { key: 'prod-b' }, { key: 'prod-c' }]);
      await ingestContent(t.db, root, 'ProductFeed_V1/year=2024/month=01/data.csv', csv([header, ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '', 'prod-d', 'pc-d', 'Acme Data']]));
      await refreshRollups(t.db);
      const read = (filter: string) => t.db.query(`select product_id, title from ${currentWhere('sdds_product', filter, ['title', 'product_code'])} p order by 1`);
      expect(await read(`product_code like 'pc-%'`)).toEqual([
        { product_id: 'prod-a', title: 'Acme Analytics Platform' },
        { product_id: 'prod-c', title: 'Acme Retired' },
        { product_id: 'prod-d', title: 'Acme Data' },
      ]);
      // a filter only an older revision matches finds nothing: that revision is not current
      expect(await read(`title = 'Acme Analytics Platfrom'`)).toEqual([]);
      expect(await read(`title = 'Acme Retired v2'`)).toEqual([]);
    });

    it('answers as of a valid time, and as known at a system time', async () => {
      const at2022 = await queryAsOf<{ product_id: string; title: string }>(t.db, 'sdds_product', { validAt: '2022-01-01T00:00:00Z' });
      expect(at2022.map((r) => [r.product_id, r.title])).toEqual([
        ['prod-a', 'Acme Analytics (SaaS)'],
        ['prod-c', 'Acme Retired'],
      ]);
      // before the correction and the deletions were delivered
      const known = await queryAsOf<{ product_id: string; title: string }>(t.db, 'sdds_product', { knownAt: '2023-09-13T00:00:00Z' });
      expect(known.map((r) => [r.product_id, r.title])).toEqual([
        ['prod-a', 'Acme Analytics Platfrom'],
        ['prod-b', 'Acme Gateway'],
        ['prod-c', 'Acme Retired v2'],
      ]);
      expect(await queryAsOf(t.db, 'sdds_product', { validAt: '2019-01-01T00:00:00Z' })).toEqual([]);
    });

    it('refuses as-of on a dataset that is not an SDDS feed', async () => {
      await expect(queryAsOf(t.db, 'cas_daily_business_fees')).rejects.toThrow(/not an SDDS feed/);
    });
  });
});
