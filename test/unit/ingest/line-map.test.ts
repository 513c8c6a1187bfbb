import { describe, expect, it } from 'vitest';
import { LineMap } from '../../../src/ingest/load.ts';

describe('LineMap', () => {
  it('maps COPY row numbers to file lines across blank lines and multi-line fields', () => {
    const m = new LineMap();
    // rows start at lines 2, 3, 4, then a field spanning 2 lines, a blank line: 7, 8, 9
    for (const line of [2, 3, 4, 7, 8, 9]) m.push(line);
    expect([1, 2, 3, 4, 5, 6].map((n) => m.lineOf(n))).toEqual([2, 3, 4, 7, 8, 9]);
    expect(m.lineOf(0)).toBeNull();
    expect(m.lineOf(7)).toBeNull();
  });

  it('stays small for a million contiguous rows', () => {
    const m = new LineMap();
    for (let i = 0; i < 1_000_000; i++) m.push(i + 2);
    expect(m.lineOf(1_000_000)).toBe(1_000_001);
    expect((m as unknown as { jumps: unknown[] }).jumps).toHaveLength(1);
  });
});
