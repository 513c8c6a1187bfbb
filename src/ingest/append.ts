/**
 * SDDS month files grow: each daily run appends to the month's object (sdds-feeds.md §1). When a
 * new version of an object starts with exactly the bytes of the version loaded before (same
 * SHA-256 over that length, ending at a line break), only what follows is new: it is parsed and
 * loaded, and the rest is read only to hash it. Anything else (a rewritten object, a shorter
 * one) is loaded whole, as before.
 */
import { createHash, type Hash } from 'node:crypto';

export interface PrefixCheck {
  bytes: number;
  /** SHA-256 of the first `bytes` bytes. */
  sha256: string;
  /** Line breaks in them: the rest starts on line `lines + 1`. */
  lines: number;
  /** The first line (the header row), as bytes. */
  header: Uint8Array;
  /** Whether they end with a line break: only then does the rest start with a new record. */
  endsAtLineBreak: boolean;
}

export interface SplitObject {
  prefix: PrefixCheck;
  /** The bytes after the prefix. Once read to the end, `sha256()` is the whole object's. */
  rest: AsyncIterable<Uint8Array>;
  sha256(): string | null;
  /** Stops reading (closes the file or the download) when the rest is not wanted. */
  cancel(): Promise<void>;
}

const LF = 0x0a;
/** A header row is a few hundred bytes; this bounds what is kept of a first line. */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Reads the first `bytes` bytes of `input` (hashing, counting line breaks, keeping the first line)
 * and returns them with the rest of the stream, not yet read. Null when the object is shorter.
 * A piece of `input` is used before the next is asked for, so a reader may reuse its buffer.
 */
export async function splitAfter(input: AsyncIterable<Uint8Array>, bytes: number): Promise<SplitObject | null> {
  const iterator = input[Symbol.asyncIterator]();
  const whole = createHash('sha256');
  let seen = 0;
  let lines = 0;
  let lastByte = -1;
  const header: Uint8Array[] = [];
  let headerBytes = 0;
  let headerDone = false;
  let leftover: Uint8Array | null = null;

  while (seen < bytes) {
    const next = await iterator.next();
    if (next.done) return null;
    const chunk = next.value;
    const take = Math.min(chunk.length, bytes - seen);
    const part = take === chunk.length ? chunk : chunk.subarray(0, take);
    whole.update(part);
    for (let i = part.indexOf(LF); i !== -1; i = part.indexOf(LF, i + 1)) lines++;
    if (!headerDone) {
      const end = part.indexOf(LF);
      const piece = end === -1 ? part : part.subarray(0, end);
      // copied: a reader may reuse its buffer for the next piece
      if (headerBytes + piece.length <= MAX_HEADER_BYTES) header.push(new Uint8Array(piece));
      headerBytes += piece.length;
      headerDone = end !== -1;
    }
    if (take > 0) lastByte = part[take - 1]!;
    seen += take;
    if (take < chunk.length) leftover = chunk.subarray(take);
  }
  const prefixHash: Hash = whole.copy();
  let digest: string | null = null;
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (leftover) {
      whole.update(leftover);
      yield leftover;
    }
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      whole.update(next.value);
      yield next.value;
    }
    digest = whole.digest('hex');
  }
  return {
    prefix: { bytes, sha256: prefixHash.digest('hex'), lines, header: concat(header), endsAtLineBreak: lastByte === LF },
    rest: rest(),
    sha256: () => digest,
    async cancel() {
      await iterator.return?.();
    },
  };
}

/** Passes `input` through, hashing it: `sha256()` once it has been read to the end. */
export function hashing(input: AsyncIterable<Uint8Array>): { stream: AsyncIterable<Uint8Array>; sha256(): string | null } {
  const hash = createHash('sha256');
  let digest: string | null = null;
  async function* stream(): AsyncGenerator<Uint8Array> {
    for await (const chunk of input) {
      hash.update(chunk);
      yield chunk;
    }
    digest = hash.digest('hex');
  }
  return { stream: stream(), sha256: () => digest };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
