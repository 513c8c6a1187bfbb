/**
 * Values go to the database in PostgreSQL's binary COPY format, built by us: every accepted form
 * of every type must arrive as the value PostgreSQL itself reads from the same text. Each value is
 * written by the real converters and row writer, copied in, and compared with PostgreSQL's own
 * reading of the value, on PostgreSQL and on the embedded PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/datasets/types.ts';
import { RowWriter } from '../../src/ingest/binary.ts';
import { converterFor, plainUtcMicros } from '../../src/ingest/values.ts';
import { createPgliteDatabase, createPostgresDatabase, type TestDatabase } from '../support/db.ts';

/** [type, raw CSV value, the text PostgreSQL reads it as (the converter's meaning)]. */
const CASES: Array<[ColumnType, string, string]> = [
  ['text', '  Example, Inc. ', 'Example, Inc.'],
  ['text', 'tab\there\\ "quoted" \u00e9\u4e2d\ud83d\ude00', 'tab\there\\ "quoted" \u00e9\u4e2d\ud83d\ude00'],
  ['id', '0012', '0012'],
  ['account', '1234-5678-9012', '123456789012'],
  ['account', '12345678901', '012345678901'],
  ['decimal', '1000.000000', '1000.000000'],
  ['decimal', '-0.5', '-0.5'],
  ['decimal', '.25', '.25'],
  ['decimal', '0', '0'],
  ['decimal', '-0', '-0'],
  ['decimal', '0.000', '0.000'],
  ['decimal', '+7', '+7'],
  ['decimal', '1e3', '1e3'],
  ['decimal', '1.5e-3', '1.5e-3'],
  ['decimal', '1.50E1', '1.50E1'],
  ['decimal', '5e-10', '5e-10'],
  ['decimal', '9999', '9999'],
  ['decimal', '10000', '10000'],
  ['decimal', '0.0001', '0.0001'],
  ['decimal', '0.00001', '0.00001'],
  ['decimal', '-12345.6789', '-12345.6789'],
  ['decimal', '100000000', '100000000'],
  ['decimal', '123456789012345678901234567890.123456789', '123456789012345678901234567890.123456789'],
  ['decimal', '0.1000000000000000055511151231257827', '0.1000000000000000055511151231257827'],
  ['decimal', `1${'0'.repeat(300)}.5`, `1${'0'.repeat(300)}.5`],
  ['decimal', '12.e2', '12.e2'],
  ['integer', '42', '42'],
  ['integer', '-2147483648', '-2147483648'],
  ['boolean', '1', 'true'],
  ['boolean', 'false', 'false'],
  ['date', '2024-02-29', '2024-02-29'],
  ['date', '0001-01-01', '0001-01-01'],
  ['date', '2016-05-27T00:00:00.000Z', '2016-05-27'],
  ['month', '2024-03', '2024-03-01'],
  ['timestamp', '2024-03-01T00:00:00Z', '2024-03-01 00:00:00+00'],
  ['timestamp', '1999-12-31T23:59:59Z', '1999-12-31 23:59:59+00'],
  ['timestamp', '2024-12-24 11:31:47.0', '2024-12-24 11:31:47.0+00'],
  ['timestamp', '2025-11-06 00:00:00.123456789', '2025-11-06 00:00:00.123456789+00'],
  ['timestamp', '2014-06-08T23:59:59.000Z', '2014-06-08 23:59:59.000+00'],
  ['timestamp', '2024-06-21', '2024-06-21 00:00:00+00'],
  ['timestamp', '2024-06-21T10:00:00+02:00', '2024-06-21 10:00:00+02:00'],
  ['timestamp', '2024-06-21T10:00:00-0930', '2024-06-21 10:00:00-09:30'],
  ['timestamp', '1066-10-14T09:00:00Z', '1066-10-14 09:00:00+00'],
  ['timestamp', '9999-12-31T23:59:59Z', '9999-12-31 23:59:59+00'],
  ['json', '{"a":[1,2],"b":"\u00e9"}', '{"a":[1,2],"b":"\u00e9"}'],
];

const PG_TYPE: Record<ColumnType, string> = { text: 'text', id: 'text', account: 'text', decimal: 'numeric', integer: 'integer', boolean: 'boolean', date: 'date', month: 'date', timestamp: 'timestamptz', json: 'jsonb' };

for (const engine of ['PostgreSQL', 'PGlite'] as const) {
  describe(`binary COPY on ${engine}`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = engine === 'PostgreSQL' ? await createPostgresDatabase() : await createPgliteDatabase();
      await t.db.query(`create table v (n integer, ${Object.entries(PG_TYPE).map(([k, type]) => `"${k}" ${type}`).join(', ')})`);
      const columns = Object.keys(PG_TYPE);
      const writer = new RowWriter(64);
      CASES.forEach(([type, raw], n) => {
        writer.int16(1 + columns.length);
        writer.int32Field(n);
        for (const column of columns) {
          if (column !== type) {
            writer.field(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
            continue;
          }
          const v = converterFor(type)(raw);
          if (typeof v !== 'string') writer.field(v);
          else if (type === 'decimal') writer.numeric(v);
          else writer.text(v);
        }
      });
      const rows = writer.take();
      await t.db.transaction((tx) => tx.copyIn('v', ['n', ...columns], (async function* () { yield rows; })()));
    });
    afterAll(() => t?.drop());

    it.each(CASES.map((c, n) => [n, ...c] as const))('#%i %s %j arrives as PostgreSQL reads %j', async (n, type, _raw, meaning) => {
      const [row] = await t.db.query<{ ours: string; theirs: string }>(
        `select "${type}"::text as ours, $1::text::${PG_TYPE[type]}::text as theirs from v where n = $2::int`,
        [meaning, n],
      );
      expect(row!.ours).toBe(row!.theirs);
    });
  });
}

describe('the SDDS timestamp fast path', () => {
  it('reads the SDDS form exactly as the converter does, and leaves every other form to it', () => {
    const micros = (raw: string) => {
      const v = converterFor('timestamp')(raw) as Uint8Array;
      return Number(new DataView(v.buffer, v.byteOffset).getBigInt64(4));
    };
    for (const raw of ['2026-10-05T00:00:00Z', '2000-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2024-02-29T12:34:56Z', '1800-01-01T00:00:00Z', '2199-12-31T23:59:59Z']) {
      expect(plainUtcMicros(raw), raw).toBe(micros(raw));
    }
    for (const raw of ['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00+01', '1700-01-01T00:00:00Z', '2024-0a-01T00:00:00Z']) {
      expect(plainUtcMicros(raw), raw).toBeNull();
    }
  });
});
