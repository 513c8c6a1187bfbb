/**
 * CSV that finance opens in Excel: a text cell beginning with `=`, `+`, `-`, `@`, a tab or a
 * carriage return is a formula there (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`), and buyers choose
 * their company names. OWASP's rule: such a cell gets a leading `'`, which spreadsheets show as
 * text and do not run. Numbers (-12.50, +3) stay numbers.
 */

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** One cell's text as a spreadsheet may read it safely. */
export function safeCell(value: string): string {
  return value.length > 0 && FORMULA_START.has(value[0]!) && !NUMBER.test(value) ? `'${value}` : value;
}

const enum State {
  /** At the first character of a field. */
  Start,
  Unquoted,
  Quoted,
  /** After a quoted field's closing quote: a delimiter comes next. */
  Closed,
}

/**
 * Rewrites RFC 4180 CSV text as it streams (PostgreSQL's COPY output): cells that would run as
 * formulas get their `'`; every other byte passes through unchanged. A field that might need it is
 * held until its end, so chunk boundaries anywhere give the same output.
 */
export class SpreadsheetSafeCsv {
  /** The header names `mark` chose, in order. */
  readonly marked: string[] = [];
  private carry = '';
  private record = 0;
  private field = 0;
  private readonly blankFields = new Set<number>();
  private state = State.Start;
  /** Whether the field in progress began as a formula would, and so is held until its end. */
  private holding = false;
  private quoted = false;

  /**
   * `mark`: columns to note by their header (personal data); with `blankMarked` their values are
   * written empty, for a reader who may not see them.
   */
  constructor(private readonly options: { mark?: (header: string) => boolean; blankMarked?: boolean } = {}) {}

  push(text: string, final = false): string {
    const buf = this.carry + text;
    const n = buf.length;
    const out: string[] = [];
    this.carry = '';
    let emitted = 0;
    let fieldStart = 0;
    // what is not yet decided waits for the next chunk: a held field whole, else from `from`
    const pause = (from: number): string => {
      if (this.holding) {
        out.push(buf.slice(emitted, fieldStart));
        this.carry = buf.slice(fieldStart);
        this.state = State.Start;
        this.holding = false;
      } else {
        out.push(buf.slice(emitted, from));
        this.carry = buf.slice(from);
      }
      return out.join('');
    };
    const endField = (end: number) => {
      if (!this.holding) return;
      const raw = buf.slice(fieldStart, end);
      const value = this.quoted ? raw.slice(1, -1).replace(/""/g, '"') : raw;
      if (this.record === 0 && this.options.mark?.(value)) {
        if (this.options.blankMarked) this.blankFields.add(this.field);
        this.marked.push(value);
      }
      const dangerous = value.length > 0 && FORMULA_START.has(value[0]!) && !NUMBER.test(value);
      out.push(buf.slice(emitted, fieldStart), this.record > 0 && this.blankFields.has(this.field) ? '' : !dangerous ? raw : this.quoted ? `"'${raw.slice(1)}` : `'${raw}`);
      emitted = end;
      this.holding = false;
    };
    let i = 0;
    while (i < n) {
      if (this.state === State.Start) {
        fieldStart = i;
        const c = buf[i]!;
        // the character that decides is not here yet
        if ((c === '"' || c === '\r') && i + 1 >= n && !final) return pause(i);
        this.quoted = c === '"';
        const first = this.quoted ? buf[i + 1] : c;
        // the header is read whole when columns may be blanked, and so is every blanked value
        this.holding =
          (this.options.mark !== undefined && (this.record === 0 || this.blankFields.has(this.field))) ||
          (first !== undefined && FORMULA_START.has(first) && !(first === '\r' && buf[i + (this.quoted ? 2 : 1)] === '\n'));
        this.state = this.quoted ? State.Quoted : State.Unquoted;
        if (this.quoted) i += 1;
      } else if (this.state === State.Unquoted) {
        let j = i;
        while (j < n && buf[j] !== ',' && buf[j] !== '\n' && !(buf[j] === '\r' && buf[j + 1] === '\n')) j++;
        if (j >= n && !final) return pause(n);
        endField(j);
        this.next(buf[j]);
        i = buf[j] === '\r' ? j + 2 : j + 1;
      } else if (this.state === State.Quoted) {
        const q = buf.indexOf('"', i);
        if (q < 0) return final ? (endField(n), this.finish(out, buf, emitted)) : pause(n);
        // a quote at the end of the chunk may be the first of a doubled one
        if (q + 1 >= n && !final) return pause(q);
        if (buf[q + 1] === '"') i = q + 2;
        else {
          this.state = State.Closed;
          i = q + 1;
        }
      } else {
        endField(i);
        this.next(buf[i]);
        i = buf[i] === '\r' ? i + 2 : i + 1;
      }
    }
    if (!final) return pause(n);
    if (this.state !== State.Start) endField(n);
    return this.finish(out, buf, emitted);
  }

  /** After a field, at its delimiter: the next field, or the next record. */
  private next(delimiter: string | undefined): void {
    this.state = State.Start;
    if (delimiter === ',') this.field += 1;
    else {
      this.record += 1;
      this.field = 0;
    }
  }

  private finish(out: string[], buf: string, emitted: number): string {
    this.state = State.Start;
    this.holding = false;
    out.push(buf.slice(emitted));
    return out.join('');
  }
}

/** The CSV chunks with formula-like cells neutralised; closing it early closes the source. */
export async function* spreadsheetSafe(source: AsyncIterable<Uint8Array>, guard = new SpreadsheetSafeCsv()): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  for await (const chunk of source) {
    const text = guard.push(decoder.decode(chunk, { stream: true }));
    if (text) yield encoder.encode(text);
  }
  const rest = guard.push(decoder.decode(), true);
  if (rest) yield encoder.encode(rest);
}
