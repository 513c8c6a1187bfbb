/**
 * The hot loop of ingestion: a batch of parsed CSV records becomes COPY text. Kept out of the
 * async generator in load.ts because V8 optimises a plain method far better than a generator body.
 */
import type { DatasetDef, DateRange } from '../datasets/types.ts';
import type { CsvBatch } from './csv.ts';
import type { HeaderMapping } from './header.ts';
import { MAX_PROBLEMS, type LoadStats, type Problem } from './load.ts';
import { COPY_NULL, ValueError, converterFor, copyText, type Converter } from './values.ts';

const MAX_VALUE_CHARS = 200;
const CACHED_TYPES = new Set(['timestamp', 'date', 'month']);
const CACHE_ENTRIES = 4096;

export class RowEncoder {
  readonly problems: Problem[] = [];
  problemCount = 0;
  private readonly converters: Converter[];
  private readonly required: boolean[];
  private readonly headers: string[];
  private readonly positions: number[];
  private readonly extras: HeaderMapping['extras'];
  private readonly width: number;
  private readonly fileWidth: number;
  private readonly updateIndex: number;
  private readonly tail: string;
  private readonly values: string[];
  // feeds repeat values down a column (a day's timestamps, currencies, types): convert each once
  private readonly lastRaw: Array<string | undefined>;
  private readonly lastValue: string[];
  // and dates/timestamps repeat across a file without being adjacent: remember recent ones
  private readonly caches: Array<Map<string, string> | null>;

  constructor(
    def: DatasetDef,
    mapping: HeaderMapping,
    private readonly fileId: number,
    period: DateRange,
    private readonly stats: LoadStats,
  ) {
    this.converters = def.columns.map((c) => converterFor(c.type));
    this.required = def.columns.map((c) => c.required);
    this.headers = def.columns.map((c) => c.header);
    this.positions = mapping.positions;
    this.extras = mapping.extras;
    this.width = def.columns.length;
    this.fileWidth = mapping.width;
    this.updateIndex = def.columns.findIndex((c) => c.name === 'update_date');
    this.tail = def.source === 'cas' ? `\t${period.start}\t${period.end}\n` : '\n';
    this.values = new Array<string>(this.width).fill(COPY_NULL);
    this.lastRaw = new Array<string | undefined>(this.width);
    this.lastValue = new Array<string>(this.width).fill(COPY_NULL);
    this.caches = def.columns.map((c) => (CACHED_TYPES.has(c.type) ? new Map<string, string>() : null));
    stats.extraColumns = mapping.extras.map((e) => e.header);
  }

  private report(problem: Problem): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
  }

  /** COPY text for the batch's records from `first` on; empty once any problem was found. */
  encode(batch: CsvBatch, first: number): string {
    const { rows, lines } = batch;
    const { values, positions, converters, lastRaw, lastValue, width, stats } = this;
    let out = '';
    for (let r = first; r < rows.length; r++) {
      const fields = rows[r]!;
      const line = lines[r]!;
      stats.rowsRead++;
      if (fields.length !== this.fileWidth) {
        this.report({ line, message: `has ${fields.length} fields but the header has ${this.fileWidth}` });
        continue;
      }
      let ok = true;
      for (let c = 0; c < width; c++) {
        const p = positions[c]!;
        if (p < 0) continue; // stays NULL
        const raw = fields[p]!;
        if (raw === lastRaw[c]) {
          values[c] = lastValue[c]!;
          continue;
        }
        const cache = this.caches[c]!;
        const hit = cache?.get(raw);
        if (hit !== undefined) {
          values[c] = lastValue[c] = hit;
          lastRaw[c] = raw;
          continue;
        }
        try {
          const v = converters[c]!(raw);
          if (v === COPY_NULL && this.required[c]) throw new ValueError('is empty but the column is required');
          values[c] = v;
          lastRaw[c] = raw;
          lastValue[c] = v;
          if (cache) {
            if (cache.size >= CACHE_ENTRIES) cache.clear();
            cache.set(raw, v);
          }
        } catch (error) {
          if (!(error instanceof ValueError)) throw error;
          ok = false;
          this.report({
            line,
            column: this.headers[c]!,
            value: raw.slice(0, MAX_VALUE_CHARS),
            message: `${JSON.stringify(raw.slice(0, 60))} ${error.message}`,
          });
        }
      }
      if (!ok || this.problemCount > 0) continue;
      if (this.updateIndex >= 0) {
        const u = values[this.updateIndex]!;
        if (u !== COPY_NULL && (stats.dataThrough === null || u > stats.dataThrough)) stats.dataThrough = u;
      }
      stats.lines.push(line);
      out += `${values.join('\t')}\t${this.fileId}\t${line}\t${this.extra(fields)}${this.tail}`;
    }
    return this.problemCount > 0 ? '' : out;
  }

  /** Unknown columns are kept per row as a JSON object (only non-empty values). */
  private extra(fields: string[]): string {
    if (this.extras.length === 0) return COPY_NULL;
    const obj: Record<string, string> = {};
    let any = false;
    for (const e of this.extras) {
      const v = fields[e.position]!;
      if (v !== '') {
        obj[e.header] = v;
        any = true;
      }
    }
    return any ? copyText(JSON.stringify(obj)) : COPY_NULL;
  }
}
