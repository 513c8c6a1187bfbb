import { describe, expect, it } from 'vitest';
import { addDecimals } from '../../src/metrics/decimal.ts';

describe('addDecimals', () => {
  it('adds exactly, keeping the largest scale', () => {
    expect(addDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(addDecimals(['1000.000000', '-30.00', '7.5'])).toBe('977.500000');
    expect(addDecimals(['-0.01', '0'])).toBe('-0.01');
    expect(addDecimals(['12345678901234567890.123456', '0.000001'])).toBe('12345678901234567890.123457');
    expect(addDecimals(['-5', '2'])).toBe('-3');
    expect(addDecimals([])).toBe('0');
  });
});
