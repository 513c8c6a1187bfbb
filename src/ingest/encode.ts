/**
 * The hot loop of ingestion: a batch of parsed CSV records becomes binary COPY rows
 * (src/ingest/binary.ts), written in one pass. Text and the SDDS timestamp form take fast paths;
 * every other value goes through its converter (src/ingest/values.ts), remembered when it repeats.
 * Kept out of the async generator in load.ts because V8 optimises a plain method far better than
 * a generator body.
 */
import type { DatasetDef, DateRange } from '../datasets/types.ts';
import { RowWriter, dateBytes, int64Bytes } from './binary.ts';
import type { CsvBatch } from './csv.ts';
import type { HeaderMapping } from './header.ts';
import { MAX_PROBLEMS, type LoadStats, type Problem } from './load.ts';
import { scanRow } from './dedupe.ts';
import { NULL_FIELD, ValueError, converterFor, plainUtcMicros, type Converter, type Field } from './values.ts';

const MAX_VALUE_CHARS = 200;
const CACHED_TYPES = new Set(['timestamp', 'date', 'month']);
const CACHE_ENTRIES = 4096;

/** How a column is written. */
const TEXT = 0;
const DECIMAL = 1;
const TIMESTAMP = 2;
const OTHER = 3;
const DECIMAL_FORM = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/;

export class RowEncoder {
  readonly problems: Problem[] = [];
  problemCount = 0;
  private readonly converters: Converter[];
  private readonly kinds: number[];
  private readonly required: boolean[];
  private readonly headers: string[];
  private readonly positions: number[];
  private readonly extras: HeaderMapping['extras'];
  private readonly width: number;
  private readonly fileWidth: number;
  private readonly updateIndex: number;
  private readonly validFromIndex: number;
  /** Bulk feeds: the key column, noted per row with its valid_from (src/ingest/dedupe.ts). */
  private readonly keyIndex: number;
  /** Fields per row: the dataset's columns, _file_id, _line, _extra and, for CAS, the period. */
  private readonly fieldCount: number;
  private readonly period: [Uint8Array, Uint8Array] | null;
  private readonly fileIdField: Uint8Array;
  private readonly writer = new RowWriter();
  /** The latest update_date seen, in microseconds since 2000 (the ledger's data_through). */
  private latestUpdate = -Infinity;
  /** The latest valid_from seen (the ledger's valid_through). */
  private latestValid = -Infinity;
  // feeds repeat values down a column (a currency, a type, a dimension): convert each once
  private readonly lastRaw: Array<string | undefined>;
  private readonly lastValue: Field[];
  // and dates and odd timestamps repeat across a file without being adjacent: remember recent ones
  private readonly caches: Array<Map<string, Field> | null>;

  constructor(
    def: DatasetDef,
    mapping: HeaderMapping,
    private readonly fileId: number,
    period: DateRange,
    private readonly stats: LoadStats,
  ) {
    this.converters = def.columns.map((c) => converterFor(c.type));
    this.kinds = def.columns.map((c) => (c.type === 'text' || c.type === 'id' ? TEXT : c.type === 'decimal' ? DECIMAL : c.type === 'timestamp' ? TIMESTAMP : OTHER));
    this.required = def.columns.map((c) => c.required);
    this.headers = def.columns.map((c) => c.header);
    this.positions = mapping.positions;
    this.extras = mapping.extras;
    this.width = def.columns.length;
    this.fileWidth = mapping.width;
    this.updateIndex = def.columns.findIndex((c) => c.name === 'update_date');
    this.validFromIndex = def.columns.findIndex((c) => c.name === 'valid_from');
    this.keyIndex = def.source === 'sdds' && def.bulk ? def.columns.findIndex((c) => c.name === def.key[0]) : -1;
    const day = (d: string) => dateBytes(Number(d.slice(0, 4)), Number(d.slice(5, 7)), Number(d.slice(8, 10)));
    this.period = def.source === 'cas' ? [day(period.start), day(period.end)] : null;
    this.fieldCount = this.width + 3 + (this.period ? 2 : 0);
    this.fileIdField = int64Bytes(fileId);
    this.lastRaw = new Array<string | undefined>(this.width);
    this.lastValue = new Array<Field>(this.width).fill(NULL_FIELD);
    this.caches = def.columns.map((c) => (CACHED_TYPES.has(c.type) ? new Map<string, Field>() : null));
    stats.extraColumns = mapping.extras.map((e) => e.header);
  }

  private report(problem: Problem): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
  }

  /** Binary COPY rows for the batch's records from `first` on; empty once any problem was found. */
  encode(batch: CsvBatch, first: number): Uint8Array {
    const { rows, lines } = batch;
    const { positions, kinds, required, width, stats, writer } = this;
    for (let r = first; r < rows.length; r++) {
      const fields = rows[r]!;
      const line = lines[r]!;
      stats.rowsRead++;
      if (fields.length !== this.fileWidth) {
        this.report({ line, message: `has ${fields.length} fields but the header has ${this.fileWidth}` });
        continue;
      }
      // written as it is read; a row with a bad value is taken back
      const start = writer.mark();
      writer.int16(this.fieldCount);
      let ok = true;
      let key = '';
      let validFrom = 0;
      for (let c = 0; c < width; c++) {
        const p = positions[c]!;
        if (p < 0) {
          writer.field(NULL_FIELD);
          continue;
        }
        let raw = fields[p]!;
        const n = raw.length;
        // trim() without allocating in the common case of nothing to trim
        if (n > 0 && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(n - 1) <= 32)) raw = raw.trim();
        if (raw === '') {
          if (required[c]) ok = this.bad(line, c, fields[p]!, 'is empty but the column is required');
          writer.field(NULL_FIELD);
          continue;
        }
        const kind = kinds[c]!;
        if (kind === TEXT) {
          // the one check a text value needs (values.ts checkText), kept on the fast path
          if (raw.includes('\0')) {
            ok = this.bad(line, c, raw, 'contains a NUL character, which PostgreSQL cannot store in text');
            writer.field(NULL_FIELD);
            continue;
          }
          writer.text(raw);
          if (c === this.keyIndex) key = raw;
        } else if (kind === DECIMAL) {
          if (raw === this.lastRaw[c] || DECIMAL_FORM.test(raw)) {
            this.lastRaw[c] = raw;
            writer.numeric(raw);
          } else {
            ok = this.bad(line, c, raw, 'is not a decimal number (expected digits with an optional "." and no thousands separator)');
          }
        } else {
          const us = kind === TIMESTAMP ? plainUtcMicros(raw) : null;
          if (us !== null) {
            writer.timestampField(us);
            if (c === this.updateIndex) this.noteUpdate(us);
            else if (c === this.validFromIndex) validFrom = us;
            continue;
          }
          const v = this.convert(c, raw, line);
          if (v === null) ok = false;
          else {
            writer.field(v);
            if (kind === TIMESTAMP && (c === this.updateIndex || c === this.validFromIndex)) {
              const t = Number(new DataView(v.buffer, v.byteOffset).getBigInt64(4));
              if (c === this.updateIndex) this.noteUpdate(t);
              else validFrom = t;
            }
          }
        }
      }
      if (!ok || this.problemCount > 0) {
        writer.rewind(start);
        continue;
      }
      stats.lines.push(line);
      if (this.validFromIndex >= 0 && validFrom > this.latestValid) {
        this.latestValid = validFrom;
        stats.validThrough = new Date(validFrom / 1000 + PG_EPOCH_MS).toISOString();
      }
      if (stats.bulk) scanRow(stats.bulk, key, validFrom);
      writer.field(this.fileIdField);
      writer.int32Field(line);
      this.extra(fields);
      if (this.period) {
        writer.field(this.period[0]);
        writer.field(this.period[1]);
      }
    }
    if (this.problemCount > 0) {
      writer.rewind(0);
      return new Uint8Array(0);
    }
    return writer.take();
  }

  /** A value through its converter, remembered when it repeats; null (and reported) when it is bad. */
  private convert(c: number, raw: string, line: number): Uint8Array | null {
    if (raw === this.lastRaw[c]) return this.lastValue[c] as Uint8Array;
    const cache = this.caches[c]!;
    const hit = cache?.get(raw);
    if (hit !== undefined) {
      this.lastRaw[c] = raw;
      this.lastValue[c] = hit;
      return hit as Uint8Array;
    }
    try {
      let v = this.converters[c]!(raw);
      // an account number normalised, or the rare text-typed value: written as text bytes
      if (typeof v === 'string') v = textField(v);
      this.lastRaw[c] = raw;
      this.lastValue[c] = v;
      if (cache) {
        if (cache.size >= CACHE_ENTRIES) cache.clear();
        cache.set(raw, v);
      }
      return v;
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      this.bad(line, c, raw, error.message);
      return null;
    }
  }

  /** Reports a bad value; false, for `ok`. */
  private bad(line: number, c: number, raw: string, message: string): false {
    this.report({ line, column: this.headers[c]!, value: raw.slice(0, MAX_VALUE_CHARS), message: `${JSON.stringify(raw.slice(0, 60))} ${message}` });
    return false;
  }

  private noteUpdate(us: number): void {
    if (us <= this.latestUpdate) return;
    this.latestUpdate = us;
    this.stats.dataThrough = new Date(us / 1000 + PG_EPOCH_MS).toISOString();
  }

  /** Unknown columns are kept per row as a JSON object (only non-empty values). */
  private extra(fields: string[]): void {
    if (this.extras.length === 0) {
      this.writer.field(NULL_FIELD);
      return;
    }
    const obj: Record<string, string> = {};
    let any = false;
    for (const e of this.extras) {
      const v = fields[e.position]!;
      if (v !== '') {
        obj[e.header] = v;
        any = true;
      }
    }
    if (any) this.writer.jsonb(JSON.stringify(obj));
    else this.writer.field(NULL_FIELD);
  }
}

const PG_EPOCH_MS = 946_684_800_000;

function textField(v: string): Uint8Array {
  const text = Buffer.from(v, 'utf8');
  const out = new Uint8Array(4 + text.length);
  new DataView(out.buffer).setInt32(0, text.length);
  out.set(text, 4);
  return out;
}
