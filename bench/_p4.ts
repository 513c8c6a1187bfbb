import { createReadStream } from 'node:fs';
import { encodeRows } from '../src/ingest/load.ts';
import { getDataset } from '../src/datasets/catalog.ts';
const def = getDataset('sdds_billing_event')!;
let t = Date.now(); let n = 0;
const stats = { rowsRead: 0, extraColumns: [], dataThrough: null, lines: [] as number[] };
for await (const s of encodeRows(def, createReadStream('/tmp/csvb/b.csv', { highWaterMark: 1 << 20 }), 1, { start: 'a', end: 'b' }, stats as any)) n += Buffer.byteLength(s);
console.log('encode+utf8', stats.rowsRead, n, Date.now() - t, 'ms');
