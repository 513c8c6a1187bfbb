import { describe, expect, it } from 'vitest';
import { safeCell, SpreadsheetSafeCsv, spreadsheetSafe } from '../../src/spreadsheet-safe.ts';

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const serialize = (rows: string[][], eol = '\n') => rows.map((r) => r.map(quote).join(',')).join(eol) + eol;

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const PIECES = ['=HYPERLINK("http://x.example","y")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(A1)', '\tTab', '\rCR', '-12.50', '+3', '-', '1e5', 'Acme, Inc.', 'say "hi"', 'two\nlines', '', 'plain', '=', '"=quoted"', 'x=1', '-.5'];

describe('spreadsheet-safe CSV', () => {
  it('neutralises text that a spreadsheet would run, and leaves numbers and other text alone', () => {
    expect(safeCell('=HYPERLINK("http://x.example","y") Echo')).toBe('\'=HYPERLINK("http://x.example","y") Echo');
    expect(safeCell("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
    expect(safeCell('@SUM(1+1)')).toBe("'@SUM(1+1)");
    expect(safeCell('-2+3')).toBe("'-2+3");
    expect(safeCell('\tx')).toBe("'\tx");
    expect(safeCell('\rx')).toBe("'\rx");
    for (const n of ['-12.50', '+3', '-0.000001', '1e5', '-1.5E-3', '-.5', '12']) expect(safeCell(n)).toBe(n);
    for (const t of ['Acme', 'x=1', '', "'already"]) expect(safeCell(t)).toBe(t);
  });

  it('gives a stream the same output wherever its chunks break, CRLF or LF', () => {
    const next = random(20261207);
    for (let round = 0; round < 300; round++) {
      const rows = Array.from({ length: 1 + Math.floor(next() * 6) }, () => Array.from({ length: 1 + Math.floor(next() * 5) }, () => PIECES[Math.floor(next() * PIECES.length)]!));
      const eol = next() < 0.3 ? '\r\n' : '\n';
      const input = serialize(rows, eol);
      const expected = serialize(rows.map((r) => r.map(safeCell)), eol);
      const guard = new SpreadsheetSafeCsv();
      let out = '';
      for (let at = 0; at < input.length; ) {
        const size = 1 + Math.floor(next() * 7);
        out += guard.push(input.slice(at, at + size));
        at += size;
      }
      out += guard.push('', true);
      expect(out, JSON.stringify(input)).toBe(expected);
    }
  });

  it('handles a last record without a line break, and an iterable of bytes with split characters', async () => {
    const guard = new SpreadsheetSafeCsv();
    expect(guard.push('name,amount\n=evil,-1') + guard.push('', true)).toBe("name,amount\n'=evil,-1");
    const bytes = new TextEncoder().encode('a,b\n@€uro,"-x"\n');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.slice(i, i + 3);
    }
    let text = '';
    for await (const c of spreadsheetSafe(chunks())) text += new TextDecoder().decode(c);
    expect(text).toBe('a,b\n\'@€uro,"\'-x"\n');
  });

  it('leaves out the values of the columns it is told to, wherever the chunks break, and names them', () => {
    const next = random(7);
    for (let round = 0; round < 200; round++) {
      const header = ['name', 'Customer City', 'amount', 'email_domain'];
      const rows = Array.from({ length: 1 + Math.floor(next() * 5) }, () => header.map(() => PIECES[Math.floor(next() * PIECES.length)]!));
      const input = serialize([header, ...rows]);
      const expected = serialize([header, ...rows.map((r) => r.map((v, i) => (i === 1 || i === 3 ? '' : safeCell(v))))]);
      const guard = new SpreadsheetSafeCsv({ mark: (h) => /city|email/i.test(h), blankMarked: true });
      let out = '';
      for (let at = 0; at < input.length; ) {
        const size = 1 + Math.floor(next() * 9);
        out += guard.push(input.slice(at, at + size));
        at += size;
      }
      out += guard.push('', true);
      expect(out, JSON.stringify(input)).toBe(expected);
      expect(guard.marked).toEqual(['Customer City', 'email_domain']);
    }
  });
});
