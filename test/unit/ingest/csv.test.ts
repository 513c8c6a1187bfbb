import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, readCsv } from '../../../src/ingest/csv.ts';

async function read(chunks: Array<string | Uint8Array>) {
  const rows: string[][] = [];
  const lines: number[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const b of readCsv(source())) {
    rows.push(...b.rows);
    lines.push(...b.lines);
  }
  return { rows, lines };
}

/** Every split of the input into two chunks must parse the same as the whole. */
async function readEverySplit(text: string) {
  const whole = await read([text]);
  const bytes = new TextEncoder().encode(text);
  for (let i = 1; i < bytes.length; i++) {
    expect(await read([bytes.slice(0, i), bytes.slice(i)]), `split at byte ${i}`).toEqual(whole);
  }
  return whole;
}

describe('readCsv', () => {
  it('reads quoted fields with commas, quotes and newlines, and numbers lines', async () => {
    const text = 'a,b,c\n1,"x, y","say ""hi"""\n2,"two\nlines",z\n3,,\n';
    const { rows, lines } = await readEverySplit(text);
    expect(rows).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', 'z'],
      ['3', '', ''],
    ]);
    expect(lines).toEqual([1, 2, 3, 5]);
  });

  it('accepts CRLF, a BOM, no final newline, and skips blank lines', async () => {
    const text = '\uFEFFa,b\r\n1,"q\r\nr"\r\n\r\n2,3';
    const { rows, lines } = await readEverySplit(text);
    expect(rows).toEqual([
      ['a', 'b'],
      ['1', 'q\r\nr'],
      ['2', '3'],
    ]);
    expect(lines).toEqual([1, 2, 5]);
  });

  it('keeps multi-byte UTF-8 split across chunks', async () => {
    const { rows } = await readEverySplit('name\nBéispiel GmbH – Zürich 東京\n');
    expect(rows[1]).toEqual(['Béispiel GmbH – Zürich 東京']);
  });

  it('rejects an unclosed quote with the line it started on', async () => {
    await expect(read(['a,b\n1,"open\n2,3\n'])).rejects.toThrow(/line 2: a quoted field is never closed/);
  });

  it('rejects text after a closing quote', async () => {
    const error = await read(['a,b\n1,"x"y\n']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(2);
  });

  it('rejects bytes that are not UTF-8', async () => {
    await expect(read([Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x0a])])).rejects.toThrow(/not valid UTF-8/);
  });
});
