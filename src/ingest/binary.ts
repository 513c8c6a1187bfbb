/**
 * PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary
 * Format"): rows go to the server as the values it stores, so it parses no dates, times or numbers
 * (a third of a load's time on the server in text format). Every value is validated before it is
 * encoded (src/ingest/values.ts); what is written here is always a value PostgreSQL accepts.
 */

/** The 11-byte signature, flags and an empty header extension. */
export const COPY_HEADER = Uint8Array.of(0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0);
/** The field count -1 that ends the data. */
export const COPY_TRAILER = Uint8Array.of(0xff, 0xff);
/** A NULL field: length -1. */
export const NULL_FIELD = Uint8Array.of(0xff, 0xff, 0xff, 0xff);

/** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01 00:00:00 UTC. */
const PG_EPOCH_US = 946_684_800_000_000n;
const PG_EPOCH_DAY = 10_957; // days from 1970-01-01 to 2000-01-01

/** Node's Buffer writes UTF-8 without its argument checks through this (stable since Node 0.x, used by Buffer.from). */
type FastBuffer = Buffer & { utf8Write(s: string, offset: number): number };

/** Scratch for a numeric's base-10000 groups; longer numbers take the general path. */
const GROUPS = new Int32Array(64);
const POW10 = [1, 10, 100, 1000];

/** Builds the rows of a batch in one growing buffer. */
export class RowWriter {
  private buf: FastBuffer;
  private pos = 0;

  constructor(private capacity = 1 << 20) {
    this.buf = Buffer.allocUnsafe(capacity) as FastBuffer;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n)) as FastBuffer;
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Where the current row starts: to drop it again (`rewind`) if one of its values is bad. */
  mark(): number {
    return this.pos;
  }

  rewind(to: number): void {
    this.pos = to;
  }

  int16(v: number): void {
    this.room(2);
    const b = this.buf;
    b[this.pos] = (v >> 8) & 0xff;
    b[this.pos + 1] = v & 0xff;
    this.pos += 2;
  }

  private int32At(v: number, at: number): void {
    const b = this.buf;
    b[at] = (v >>> 24) & 0xff;
    b[at + 1] = (v >>> 16) & 0xff;
    b[at + 2] = (v >>> 8) & 0xff;
    b[at + 3] = v & 0xff;
  }

  /** A whole field already encoded (length included). */
  field(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    const b = this.buf;
    let at = this.pos;
    // a timestamp or date is a dozen bytes: a loop beats a native call
    if (n <= 16) for (let i = 0; i < n; i++) b[at++] = bytes[i]!;
    else b.set(bytes, at);
    this.pos += n;
  }

  /** A text field: its UTF-8 bytes. */
  text(s: string): void {
    this.room(4 + s.length * 3);
    const n = this.buf.utf8Write(s, this.pos + 4);
    this.int32At(n, this.pos);
    this.pos += 4 + n;
  }

  /** A timestamptz from its microseconds since 2000 (a safe integer: any instant of 1716-2283). */
  timestampField(us: number): void {
    this.room(12);
    this.int32At(8, this.pos);
    const hi = Math.floor(us / 4294967296);
    this.int32At(hi | 0, this.pos + 4);
    this.int32At((us - hi * 4294967296) >>> 0, this.pos + 8);
    this.pos += 12;
  }

  int32Field(v: number): void {
    this.room(8);
    this.int32At(4, this.pos);
    this.int32At(v, this.pos + 4);
    this.pos += 8;
  }

  /** A jsonb field: format version 1, then the JSON text. */
  jsonb(json: string): void {
    this.room(5 + json.length * 3);
    this.buf[this.pos + 4] = 1;
    const n = this.buf.utf8Write(json, this.pos + 5);
    this.int32At(n + 1, this.pos);
    this.pos += 5 + n;
  }

  /**
   * A numeric from a validated decimal string ([+-]digits[.digits][e[+-]n]), written in place:
   * base-10000 groups with the weight of the first, the sign and the display scale (the digits
   * after the point, as PostgreSQL keeps them from the text).
   */
  numeric(s: string): void {
    const len = s.length;
    let i = 0;
    let negative = false;
    const c0 = s.charCodeAt(0);
    if (c0 === 45 || c0 === 43) {
      negative = c0 === 45;
      i = 1;
    }
    let end = len;
    let exponent = 0;
    let point = -1;
    for (let k = i; k < len; k++) {
      const ch = s.charCodeAt(k);
      if (ch === 46) point = k;
      else if (ch === 101 || ch === 69) {
        exponent = Number(s.slice(k + 1));
        end = k;
        break;
      }
    }
    const intDigits = (point === -1 ? end : point) - i;
    const fracStart = point === -1 ? end : point + 1;
    const fracDigits = end - fracStart;
    const digits = intDigits + fracDigits;
    const before = intDigits + exponent; // digits before the point
    const dscale = Math.max(0, fracDigits - exponent);
    // digit j (of all `digits`) counts 10^(before-1-j): group floor(p/4), place p mod 4
    const top = Math.floor((before - 1) / 4);
    const bottom = Math.floor((before - digits) / 4);
    const count = top - bottom + 1;
    if (digits === 0 || count > GROUPS.length) {
      this.field(numericBytes(s));
      return;
    }
    GROUPS.fill(0, 0, count);
    for (let j = 0; j < digits; j++) {
      const ch = s.charCodeAt(j < intDigits ? i + j : fracStart + (j - intDigits)) - 48;
      if (ch === 0) continue;
      const p = before - 1 - j;
      const g = Math.floor(p / 4);
      GROUPS[top - g]! += ch * POW10[p - 4 * g]!;
    }
    let first = 0;
    while (first < count && GROUPS[first] === 0) first++;
    let last = count - 1;
    while (last >= first && GROUPS[last] === 0) last--;
    const n = last >= first ? last - first + 1 : 0;
    const weight = n === 0 ? 0 : top - first;
    this.room(12 + 2 * n);
    this.int32At(8 + 2 * n, this.pos);
    this.pos += 4;
    this.int16(n);
    this.int16(weight);
    this.int16(n === 0 || !negative ? NUMERIC_POS : NUMERIC_NEG);
    this.int16(dscale);
    for (let k = first; k <= last; k++) this.int16(GROUPS[k]!);
  }

  get size(): number {
    return this.pos;
  }

  /** The rows written so far; the writer starts a new buffer for the next ones. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.capacity = Math.max(1024, Math.ceil(this.pos * 1.25));
    this.buf = Buffer.allocUnsafe(this.capacity) as FastBuffer;
    this.pos = 0;
    return out;
  }
}

/** The bytes of an int64 field (a file's id on every row of it). */
export function int64Bytes(v: number): Uint8Array {
  return field(8, (d, at) => d.setBigInt64(at, BigInt(v)));
}

function field(length: number, fill: (view: DataView, at: number) => void): Uint8Array {
  const bytes = new Uint8Array(4 + length);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, length);
  fill(view, 4);
  return bytes;
}

export function int32Bytes(v: number): Uint8Array {
  return field(4, (d, at) => d.setInt32(at, v));
}

export function booleanBytes(v: boolean): Uint8Array {
  return field(1, (d, at) => d.setUint8(at, v ? 1 : 0));
}

/** A date (days since 2000-01-01) from its year, month and day. */
export function dateBytes(year: number, month: number, day: number): Uint8Array {
  return int32Bytes(daysFromCivil(year, month, day) - PG_EPOCH_DAY);
}

/** A timestamptz: microseconds since 2000-01-01 UTC. */
export function timestampBytes(year: number, month: number, day: number, hour: number, minute: number, second: number, micros: number, offsetMinutes: number): Uint8Array {
  const seconds = BigInt(daysFromCivil(year, month, day)) * 86_400n + BigInt(hour * 3600 + minute * 60 + second - offsetMinutes * 60);
  const us = seconds * 1_000_000n + BigInt(micros) - PG_EPOCH_US;
  return field(8, (d, at) => d.setBigInt64(at, us));
}

/** The instant a timestamp field holds, as an ISO string (for the ledger's data_through). */
export function timestampFromBytes(bytes: Uint8Array): string {
  const us = new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(4) + PG_EPOCH_US;
  const ms = Number(us / 1000n);
  return new Date(ms).toISOString();
}

/** Days from 1970-01-01 of a proleptic Gregorian date (any year; H. Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;

/**
 * A numeric from a validated decimal string ([+-]digits[.digits][e[+-]n]): base-10000 digits with
 * the weight of the first, the sign and the display scale (the digits after the point, as
 * PostgreSQL would keep them from the text).
 */
export function numericBytes(text: string): Uint8Array {
  let s = text;
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  let exponent = 0;
  const e = s.search(/[eE]/);
  if (e !== -1) {
    exponent = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const point = s.indexOf('.');
  let intPart = point === -1 ? s : s.slice(0, point);
  let fracPart = point === -1 ? '' : s.slice(point + 1);
  // the exponent moves the point
  if (exponent > 0) {
    const moved = fracPart.slice(0, exponent).padEnd(exponent, '0');
    intPart += moved;
    fracPart = fracPart.slice(exponent);
  } else if (exponent < 0) {
    const shift = -exponent;
    const padded = intPart.padStart(shift, '0');
    fracPart = padded.slice(padded.length - shift) + fracPart;
    intPart = padded.slice(0, padded.length - shift);
  }
  const dscale = fracPart.length;
  intPart = intPart.replace(/^0+/, '');
  // base-10000 groups: the integer part aligned to the left of the point, the fraction to the right
  const intGroups: number[] = [];
  for (let end = intPart.length; end > 0; end -= 4) intGroups.unshift(Number(intPart.slice(Math.max(0, end - 4), end)));
  const fracGroups: number[] = [];
  for (let start = 0; start < fracPart.length; start += 4) fracGroups.push(Number(fracPart.slice(start, start + 4).padEnd(4, '0')));
  let digits = [...intGroups, ...fracGroups];
  let weight = intGroups.length - 1;
  // no leading or trailing zero groups
  let lead = 0;
  while (lead < digits.length && digits[lead] === 0) lead++;
  digits = digits.slice(lead);
  weight -= lead;
  while (digits.length > 0 && digits[digits.length - 1] === 0) digits.pop();
  if (digits.length === 0) {
    weight = 0;
    negative = false;
  }
  return field(8 + digits.length * 2, (d, at) => {
    d.setInt16(at, digits.length);
    d.setInt16(at + 2, weight);
    d.setUint16(at + 4, negative ? NUMERIC_NEG : NUMERIC_POS);
    d.setInt16(at + 6, dscale);
    digits.forEach((g, i) => d.setInt16(at + 8 + i * 2, g));
  });
}
