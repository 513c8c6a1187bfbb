/**
 * Value conversion: a raw CSV field becomes the value PostgreSQL stores, encoded for binary COPY
 * (src/ingest/binary.ts), or a ValueError saying what is wrong with it. Text and decimals stay
 * strings (the row writer puts a text's UTF-8 bytes, or a decimal's digits as a numeric, in
 * place); every other value becomes its bytes. Numbers never pass through a float: money is exact.
 */
import type { ColumnType } from '../datasets/types.ts';
import { NULL_FIELD, booleanBytes, dateBytes, daysFromCivil, int32Bytes, timestampBytes } from './binary.ts';

export class ValueError extends Error {}

/** A field for binary COPY: text (or a decimal's digits) to write, or bytes ready to copy (NULL_FIELD for NULL). */
export type Field = string | Uint8Array;
export { NULL_FIELD };

/**
 * Microseconds since 2000-01-01 UTC of a timestamp in the SDDS form (2024-03-01T00:00:00Z), read
 * without a regular expression: the hot path of every feed. Null for any other form, or for an
 * impossible date or time, which the timestamp converter then explains.
 */
export function plainUtcMicros(v: string): number | null {
  if (v.length !== 20 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58 || v.charCodeAt(19) !== 90) return null;
  const y = digits4(v, 0);
  const mo = digits2(v, 5);
  const d = digits2(v, 8);
  const h = digits2(v, 11);
  const mi = digits2(v, 14);
  const s = digits2(v, 17);
  if (y < 1800 || y > 2199 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return null;
  const leap = (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && !leap ? 28 : DAYS_IN_MONTH[mo - 1]!)) return null;
  return ((daysFromCivil(y, mo, d) - 10_957) * 86_400 + h * 3600 + mi * 60 + s) * 1_000_000;
}

/** Two decimal digits at `i`, or -1. */
function digits2(v: string, i: number): number {
  const a = v.charCodeAt(i) - 48;
  const b = v.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function digits4(v: string, i: number): number {
  const a = digits2(v, i);
  const b = digits2(v, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/** PostgreSQL text cannot hold a NUL. */
function checkText(v: string): string {
  if (v.includes('\0')) throw new ValueError('contains a NUL character, which PostgreSQL cannot store in text');
  return v;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/;
const INTEGER = /^[+-]?\d{1,10}$/;
const HYPHENATED_ACCOUNT = /^\d{4}-\d{4}-\d{4}$/;
const SHORT_ACCOUNT = /^\d{1,11}$/;
const DATE = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?\s*(?:Z|UTC|[+-]00:?00)?)?$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const LONE_HIGH_SURROGATE = /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})/i;
const LONE_LOW_SURROGATE = /(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;
const MONTH = /^(\d{4})[-/](\d{2})$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function checkDate(y: string, m: string, d: string): void {
  const month = Number(m);
  const day = Number(d);
  const year = Number(y);
  if (year < 1) throw new ValueError(`year ${y} is before year 1`);
  if (month < 1 || month > 12) throw new ValueError(`month ${m} is not 01-12`);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const max = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > max) throw new ValueError(`day ${d} does not exist in ${y}-${m}`);
}

export type Converter = (raw: string) => Field;

/** trim() without allocating in the common case of nothing to trim. */
function clean(raw: string): string {
  const n = raw.length;
  return n > 0 && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(n - 1) <= 32) ? raw.trim() : raw;
}

const OFFSET = /^([+-])(\d{2})(?::?(\d{2}))?$/;

const CONVERTERS: Record<ColumnType, Converter> = {
  text: (raw) => {
    const v = clean(raw);
    return v === '' ? NULL_FIELD : checkText(v);
  },
  id: (raw) => {
    const v = clean(raw);
    return v === '' ? NULL_FIELD : checkText(v);
  },
  account: (raw) => {
    const v = clean(raw);
    if (v === '') return NULL_FIELD;
    if (HYPHENATED_ACCOUNT.test(v)) return v.replace(/-/g, '');
    // spreadsheets turn 012345678901 into 12345678901
    if (SHORT_ACCOUNT.test(v)) return v.padStart(12, '0');
    return checkText(v);
  },
  decimal: (raw) => {
    const v = clean(raw);
    if (v === '') return NULL_FIELD;
    if (!DECIMAL.test(v)) throw new ValueError('is not a decimal number (expected digits with an optional "." and no thousands separator)');
    // written as a numeric by the row writer (RowWriter.numeric), straight from the digits
    return v;
  },
  integer: (raw) => {
    const v = clean(raw);
    if (v === '') return NULL_FIELD;
    if (!INTEGER.test(v) || Number(v) < -2147483648 || Number(v) > 2147483647) throw new ValueError('is not a whole number');
    return int32Bytes(Number(v));
  },
  boolean: (raw) => {
    const v = clean(raw).toLowerCase();
    if (v === '') return NULL_FIELD;
    if (v === '1' || v === 'true' || v === 't' || v === 'yes') return booleanBytes(true);
    if (v === '0' || v === 'false' || v === 'f' || v === 'no') return booleanBytes(false);
    throw new ValueError('is not a boolean (expected 0/1 or true/false)');
  },
  date: (raw) => {
    const v = clean(raw);
    if (v === '') return NULL_FIELD;
    const m = DATE.exec(v);
    if (!m) throw new ValueError('is not a date (expected YYYY-MM-DD)');
    checkDate(m[1]!, m[2]!, m[3]!);
    return dateBytes(Number(m[1]), Number(m[2]), Number(m[3]));
  },
  timestamp: (raw) => {
    const v = clean(raw);
    if (v === '') return NULL_FIELD;
    const m = TIMESTAMP.exec(v);
    if (!m) throw new ValueError('is not a timestamp (expected e.g. 2024-03-01T00:00:00Z, 2024-03-01 00:00:00.0 or 2024-03-01)');
    const [, y, mo, d, h = '00', mi = '00', s = '00', frac, zone] = m as unknown as string[];
    checkDate(y!, mo!, d!);
    if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw new ValueError(`time ${h}:${mi}:${s} is not a time of day`);
    // timestamps without a zone are UTC (sdds-feeds.md §2)
    let offset = 0;
    if (zone && zone !== 'Z' && zone !== 'UTC') {
      const z = OFFSET.exec(zone)!;
      if (Number(z[2]) > 15) throw new ValueError(`zone offset ${zone} is not a real UTC offset`);
      offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
    }
    // microseconds, as PostgreSQL keeps them: further digits are rounded
    const micros = frac ? Math.round(Number(`0.${frac}`) * 1e6) : 0;
    return timestampBytes(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), micros, offset);
  },
  month: (raw) => {
    const v = clean(raw);
    if (v === '') return NULL_FIELD;
    const m = MONTH.exec(v);
    if (!m) throw new ValueError('is not a month (expected YYYY-MM)');
    checkDate(m[1]!, m[2]!, '01');
    return dateBytes(Number(m[1]), Number(m[2]), 1);
  },
  json: (raw) => {
    const v = clean(raw);
    if (v === '') return NULL_FIELD;
    try {
      JSON.parse(v);
    } catch {
      throw new ValueError('is not valid JSON');
    }
    // JSON allows these; PostgreSQL's jsonb does not
    if (/\\u0000/i.test(v)) throw new ValueError('has a \\u0000 escape, which jsonb cannot store');
    if (LONE_HIGH_SURROGATE.test(v) || LONE_LOW_SURROGATE.test(v)) throw new ValueError('has an unpaired \\uD800-\\uDFFF escape, which jsonb cannot store');
    return jsonbBytes(v);
  },
};

/** A jsonb field: format version 1, then the JSON text. */
export function jsonbBytes(json: string): Uint8Array {
  const text = new TextEncoder().encode(json);
  const bytes = new Uint8Array(5 + text.length);
  new DataView(bytes.buffer).setInt32(0, text.length + 1);
  bytes[4] = 1;
  bytes.set(text, 5);
  return bytes;
}

export function converterFor(type: ColumnType): Converter {
  return CONVERTERS[type];
}
