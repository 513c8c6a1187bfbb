import { describe, expect, it } from 'vitest';
import { NULL_FIELD, ValueError, converterFor } from '../../../src/ingest/values.ts';

// What each value becomes in the database is checked against PostgreSQL itself
// (test/integration/binary-copy.test.ts); here, what is refused and why.

const bad: Array<[Parameters<typeof converterFor>[0], string, RegExp]> = [
  ['decimal', '1,000.00', /not a decimal/],
  ['decimal', '12 USD', /not a decimal/],
  ['integer', '1.5', /not a whole number/],
  ['integer', '99999999999', /not a whole number/],
  ['boolean', 'maybe', /not a boolean/],
  ['date', '2023-02-29', /does not exist/],
  ['date', '03/01/2024', /not a date/],
  ['date', '2024-03-01T10:00:00Z', /not a date/],
  ['timestamp', '2024-13-01T00:00:00Z', /month 13/],
  ['timestamp', '2024-01-01T25:00:00Z', /not a time of day/],
  ['timestamp', 'yesterday', /not a timestamp/],
  ['month', '2024-3', /not a month/],
  ['json', '{oops', /not valid JSON/],
  ['json', '{"a":"\\u0000"}', /jsonb cannot store/],
  ['text', 'nul\0byte', /NUL character/],
  ['json', '{"a":"\\ud800"}', /unpaired/],
  ['json', '{"a":"\\udc00x"}', /unpaired/],
  ['date', '0000-01-01', /before year 1/],
  ['timestamp', '2024-01-01T00:00:00+19:00', /not a real UTC offset/],
];

describe('value conversion', () => {
  it.each(bad)('%s %j is refused', (type, raw, message) => {
    expect(() => converterFor(type)(raw)).toThrow(ValueError);
    expect(() => converterFor(type)(raw)).toThrow(message);
  });

  it('gives NULL for an empty value of every type, and keeps money as its digits', () => {
    for (const type of ['text', 'id', 'account', 'decimal', 'integer', 'boolean', 'date', 'timestamp', 'month', 'json'] as const) {
      expect(converterFor(type)('  '), type).toBe(NULL_FIELD);
    }
    expect(converterFor('decimal')('0.1000000000000000055511151231257827')).toBe('0.1000000000000000055511151231257827');
  });
});
