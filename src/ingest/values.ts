/**
 * Value conversion: a raw CSV field becomes a PostgreSQL COPY text value (escaped, `\N` for NULL)
 * or a ValueError saying what is wrong with it. Numbers stay strings end to end: money is exact.
 */
import type { ColumnType } from '../datasets/types.ts';

export class ValueError extends Error {}

export const COPY_NULL = '\\N';

const ESCAPE = /[\\\t\n\r\0]/;
function escapeCopy(v: string): string {
  if (!ESCAPE.test(v)) return v;
  if (v.includes('\0')) throw new ValueError('contains a NUL character, which PostgreSQL cannot store in text');
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
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

export type Converter = (raw: string) => string;

/** trim() without allocating in the common case of nothing to trim. */
function clean(raw: string): string {
  const n = raw.length;
  return n > 0 && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(n - 1) <= 32) ? raw.trim() : raw;
}

/** 2024-03-01T00:00:00Z, the SDDS form: PostgreSQL reads it as is. */
function isPlainUtcInstant(v: string): boolean {
  return v.length === 20 && v.charCodeAt(10) === 84 && v.charCodeAt(19) === 90 && v.charCodeAt(4) === 45 && v.charCodeAt(13) === 58;
}

const CONVERTERS: Record<ColumnType, Converter> = {
  text: (raw) => {
    const v = clean(raw);
    return v === '' ? COPY_NULL : escapeCopy(v);
  },
  id: (raw) => {
    const v = clean(raw);
    return v === '' ? COPY_NULL : escapeCopy(v);
  },
  account: (raw) => {
    const v = clean(raw);
    if (v === '') return COPY_NULL;
    if (HYPHENATED_ACCOUNT.test(v)) return v.replace(/-/g, '');
    // spreadsheets turn 012345678901 into 12345678901
    if (SHORT_ACCOUNT.test(v)) return v.padStart(12, '0');
    return escapeCopy(v);
  },
  decimal: (raw) => {
    const v = clean(raw);
    if (v === '') return COPY_NULL;
    if (!DECIMAL.test(v)) throw new ValueError('is not a decimal number (expected digits with an optional "." and no thousands separator)');
    return v;
  },
  integer: (raw) => {
    const v = clean(raw);
    if (v === '') return COPY_NULL;
    if (!INTEGER.test(v) || Math.abs(Number(v)) > 2147483647) throw new ValueError('is not a whole number');
    return v;
  },
  boolean: (raw) => {
    const v = clean(raw).toLowerCase();
    if (v === '') return COPY_NULL;
    if (v === '1' || v === 'true' || v === 't' || v === 'yes') return 't';
    if (v === '0' || v === 'false' || v === 'f' || v === 'no') return 'f';
    throw new ValueError('is not a boolean (expected 0/1 or true/false)');
  },
  date: (raw) => {
    const v = clean(raw);
    if (v === '') return COPY_NULL;
    const m = DATE.exec(v);
    if (!m) throw new ValueError('is not a date (expected YYYY-MM-DD)');
    checkDate(m[1]!, m[2]!, m[3]!);
    return `${m[1]}-${m[2]}-${m[3]}`;
  },
  timestamp: (raw) => {
    const v = clean(raw);
    if (v === '') return COPY_NULL;
    const m = TIMESTAMP.exec(v);
    if (m && isPlainUtcInstant(v)) {
      checkDate(m[1]!, m[2]!, m[3]!);
      if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) throw new ValueError(`time ${m[4]}:${m[5]}:${m[6]} is not a time of day`);
      return v;
    }
    if (!m) throw new ValueError('is not a timestamp (expected e.g. 2024-03-01T00:00:00Z, 2024-03-01 00:00:00.0 or 2024-03-01)');
    const [, y, mo, d, h = '00', mi = '00', s = '00', frac, zone] = m as unknown as string[];
    checkDate(y!, mo!, d!);
    if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw new ValueError(`time ${h}:${mi}:${s} is not a time of day`);
    // timestamps without a zone are UTC (sdds-feeds.md §2); PostgreSQL would read them in the session zone
    const offset = !zone || zone === 'Z' || zone === 'UTC' ? '+00' : zone;
    if (offset !== '+00' && Number(offset.slice(1, 3)) > 15) throw new ValueError(`zone offset ${offset} is not a real UTC offset`);
    return `${y}-${mo}-${d} ${h}:${mi}:${s}${frac ? `.${frac.slice(0, 6)}` : ''}${offset}`;
  },
  month: (raw) => {
    const v = clean(raw);
    if (v === '') return COPY_NULL;
    const m = MONTH.exec(v);
    if (!m) throw new ValueError('is not a month (expected YYYY-MM)');
    checkDate(m[1]!, m[2]!, '01');
    return `${m[1]}-${m[2]}-01`;
  },
  json: (raw) => {
    const v = clean(raw);
    if (v === '') return COPY_NULL;
    try {
      JSON.parse(v);
    } catch {
      throw new ValueError('is not valid JSON');
    }
    // JSON allows these; PostgreSQL's jsonb does not
    if (/\\u0000/i.test(v)) throw new ValueError('has a \\u0000 escape, which jsonb cannot store');
    if (LONE_HIGH_SURROGATE.test(v) || LONE_LOW_SURROGATE.test(v)) throw new ValueError('has an unpaired \\uD800-\\uDFFF escape, which jsonb cannot store');
    return escapeCopy(v);
  },
};

export function converterFor(type: ColumnType): Converter {
  return CONVERTERS[type];
}

/** COPY text for a free value (the `_extra` jsonb column). */
export function copyText(value: string): string {
  return escapeCopy(value);
}
