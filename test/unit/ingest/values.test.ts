import { describe, expect, it } from 'vitest';
import { ValueError, converterFor } from '../../../src/ingest/values.ts';

const cases: Array<[Parameters<typeof converterFor>[0], string, string]> = [
  ['text', '  Example, Inc. ', 'Example, Inc.'],
  ['text', 'tab\there\\', 'tab\\there\\\\'],
  ['text', '', '\\N'],
  ['id', '0012', '0012'],
  ['account', '1234-5678-9012', '123456789012'],
  ['account', '12345678901', '012345678901'],
  ['account', '012345678901', '012345678901'],
  ['decimal', '1000.000000', '1000.000000'],
  ['decimal', '-0.5', '-0.5'],
  ['decimal', '.25', '.25'],
  ['integer', '42', '42'],
  ['boolean', '1', 't'],
  ['boolean', 'false', 'f'],
  ['date', '2024-02-29', '2024-02-29'],
  ['date', '2016-05-27T00:00:00.000Z', '2016-05-27'],
  ['timestamp', '2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z'],
  ['timestamp', '2024-12-24 11:31:47.0', '2024-12-24 11:31:47.0+00'],
  ['timestamp', '2025-11-06 00:00:00.000000', '2025-11-06 00:00:00.000000+00'],
  ['timestamp', '2014-06-08T23:59:59.000Z', '2014-06-08 23:59:59.000+00'],
  ['timestamp', '2024-06-21', '2024-06-21 00:00:00+00'],
  ['timestamp', '2024-06-21T10:00:00+02:00', '2024-06-21 10:00:00+02:00'],
  ['month', '2024-03', '2024-03-01'],
  ['json', '{"a":[1,2]}', '{"a":[1,2]}'],
  ['json', '{"smile":"\\ud83d\\ude00"}', '{"smile":"\\\\ud83d\\\\ude00"}'],
];

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
  it.each(cases)('%s %j -> %j', (type, raw, expected) => {
    expect(converterFor(type)(raw)).toBe(expected);
  });

  it.each(bad)('%s %j is refused', (type, raw, message) => {
    expect(() => converterFor(type)(raw)).toThrow(ValueError);
    expect(() => converterFor(type)(raw)).toThrow(message);
  });

  it('never turns money into a float', () => {
    expect(converterFor('decimal')('0.1000000000000000055511151231257827')).toBe('0.1000000000000000055511151231257827');
  });
});
