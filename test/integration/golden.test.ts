/**
 * Golden files, one per dataset in the catalog: two rows exercising every column type, written
 * with aliases, reversed column order, an unknown extra column, CRLF and a BOM. The expected
 * rows are the canonical forms PostgreSQL must hold, written out here by hand per type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS } from '../../src/datasets/catalog.ts';
import type { ColumnType, DatasetDef } from '../../src/datasets/types.ts';
import { ENGINES, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

/** [raw in the file, text PostgreSQL returns] for row 1 and row 2. */
const SAMPLES: Record<ColumnType, [[string, string], [string, string]]> = {
  text: [
    ['Example, Inc. "East"', 'Example, Inc. "East"'],
    ['line one\nline two', 'line one\nline two'],
  ],
  id: [
    ['000123', '000123'],
    [' prod-o4grxfafcxxxx ', 'prod-o4grxfafcxxxx'],
  ],
  account: [
    ['1234-5678-9012', '123456789012'],
    ['12345678901', '012345678901'],
  ],
  decimal: [
    ['1234.500000', '1234.500000'],
    ['-0.01', '-0.01'],
  ],
  integer: [
    ['7', '7'],
    ['-3', '-3'],
  ],
  boolean: [
    ['1', 'true'],
    ['0', 'false'],
  ],
  date: [
    ['2024-02-29', '2024-02-29'],
    ['2016-05-27T00:00:00.000Z', '2016-05-27'],
  ],
  timestamp: [
    ['2024-03-01T12:30:00Z', '2024-03-01 12:30:00+00'],
    ['2024-12-24 11:31:47.0', '2024-12-24 11:31:47+00'],
  ],
  month: [
    ['2024-03', '2024-03-01'],
    ['2026-10', '2026-10-01'],
  ],
  json: [
    ['{"selectorValue":"P12M"}', '{"selectorValue": "P12M"}'],
    ['[1,2]', '[1, 2]'],
  ],
};

function goldenFile(def: DatasetDef): { content: string; expected: Array<Record<string, string | null>> } {
  const columns = [...def.columns].reverse();
  const header = columns.map((c, i) => (c.aliases.length > 0 && i % 2 === 0 ? c.aliases[0]! : c.header));
  const rows = [0, 1].map((r) => [...columns.map((c) => SAMPLES[c.type][r as 0 | 1][0]), r === 0 ? 'kept' : '']);
  const content = '\uFEFF' + csv([[...header, 'Unexpected Column'], ...rows], '\r\n');
  const expected = [0, 1].map((r) => {
    const row: Record<string, string | null> = {};
    for (const c of def.columns) row[c.name] = SAMPLES[c.type][r as 0 | 1][1];
    row._line = r === 0 ? '2' : '3';
    row._extra = r === 0 ? '{"Unexpected Column": "kept"}' : null;
    return row;
  });
  return { content, expected };
}

function keyFor(def: DatasetDef): string {
  return def.source === 'sdds' ? `${def.awsName}/year=2024/month=03/data.csv` : `cas/${def.awsName}_2024-03-15.csv`;
}

describe.each(ENGINES)('golden files on %s', (_engine, create) => {
  let t: TestDatabase;
  let root: string;
  beforeAll(async () => {
    t = await create();
    root = await tempDir();
  });
  afterAll(() => t?.drop());

  it.each(DATASETS.map((d) => [d.name, d] as const))('%s loads exactly', async (_name, def) => {
    const { content, expected } = goldenFile(def);
    const r = await ingestContent(t.db, root, keyFor(def), content);
    expect(r.error).toBeNull();
    expect(r).toMatchObject({ status: 'loaded', dataset: def.name, rowsRead: 2, rowsInserted: 2, extraColumns: ['Unexpected Column'] });
    const select = [...def.columns.map((c) => `"${c.name}"::text as "${c.name}"`), '_line::text as _line', '_extra::text as _extra'].join(', ');
    const rows = await t.db.query(`select ${select} from "${def.name}" where _file_id = $1 order by _line`, [r.fileId]);
    expect(rows).toEqual(expected);
  });
});
