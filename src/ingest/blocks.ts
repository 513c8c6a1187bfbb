/**
 * A local file's fingerprint: the SHA-256 of each 16 MiB block (the last one shorter). Blocks
 * hash independently, so two threads take half each, and a version that grew shares its first
 * blocks with the version before: the part already loaded is checked block by block against the
 * ledger (src/ingest/load.ts, appendedPart). One SHA-256 over a 500 MB file is a single thread's
 * 0.3 s on the path of every append; the blocks take half of that.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export const BLOCK_BYTES = 16 * 1024 * 1024;

/** The byte ranges [start, end) of a file's blocks. */
export function blockRanges(size: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let start = 0; start < size; start += BLOCK_BYTES) ranges.push([start, Math.min(size, start + BLOCK_BYTES)]);
  return ranges;
}

/** Plain JavaScript, so the same source runs from src/ and from the build. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { file, ranges } = workerData;
const buffer = Buffer.allocUnsafe(1 << 20);
const fd = openSync(file, 'r');
const hashes = [];
try {
  for (const [start, end] of ranges) {
    const hash = createHash('sha256');
    for (let at = start; at < end; ) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
      if (n === 0) throw new Error('the file is shorter than it was a moment ago');
      hash.update(buffer.subarray(0, n));
      at += n;
    }
    hashes.push(hash.digest('hex'));
  }
} finally {
  closeSync(fd);
}
parentPort.postMessage(hashes);
`;

/** SHA-256 (hex) of each range of the file, in order, hashed on up to two threads. */
export async function hashRanges(file: string, ranges: Array<[number, number]>): Promise<string[]> {
  if (ranges.length === 0) return [];
  const threads = Math.min(2, availableParallelism(), ranges.length);
  const shares = Array.from({ length: threads }, (_, t) => ranges.filter((_, i) => i % threads === t));
  const results = await Promise.all(shares.map((share) => runWorker(file, share)));
  return ranges.map((_, i) => results[i % threads]![Math.floor(i / threads)]!);
}

function runWorker(file: string, ranges: Array<[number, number]>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { file, ranges } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`the hashing thread stopped (exit ${code})`)));
  });
}

/** Passes `input` through, hashing its blocks: `hashes()` once it has been read to the end. */
export function blockHashing(input: AsyncIterable<Uint8Array>): { stream: AsyncIterable<Uint8Array>; hashes(): string[] | null } {
  let done: string[] | null = null;
  async function* stream(): AsyncGenerator<Uint8Array> {
    const hashes: string[] = [];
    let hash = createHash('sha256');
    let filled = 0;
    for await (const chunk of input) {
      for (let at = 0; at < chunk.length; ) {
        const take = Math.min(chunk.length - at, BLOCK_BYTES - filled);
        hash.update(chunk.subarray(at, at + take));
        filled += take;
        at += take;
        if (filled === BLOCK_BYTES) {
          hashes.push(hash.digest('hex'));
          hash = createHash('sha256');
          filled = 0;
        }
      }
      yield chunk;
    }
    if (filled > 0) hashes.push(hash.digest('hex'));
    done = hashes;
  }
  return { stream: stream(), hashes: () => done };
}
