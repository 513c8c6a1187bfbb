/** One timed ingest for bench/ingest.ts and bench/append.ts; prints { seconds, foldSeconds, maxRssMb, rowsRead, appendedTo } as its last line. */
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { ingestPaths } from '../src/ingest/run.ts';
import { refreshRollups } from '../src/rollups/refresh.ts';

const db = await openDatabase(loadConfig());
const t = performance.now();
const summary = await ingestPaths(db, [process.argv[2]!], { refreshRollups: false });
const seconds = (performance.now() - t) / 1000;
// folding into the invoice rollup happens after the load, off its path: timed on its own
const f = performance.now();
await refreshRollups(db);
const foldSeconds = (performance.now() - f) / 1000;
await db.close();
const file = summary.results[0];
if (summary.loaded !== 1 || !file) throw new Error(`expected one loaded file, got ${JSON.stringify(file)}`);
console.log(JSON.stringify({ seconds, foldSeconds, maxRssMb: process.resourceUsage().maxRSS / 1024, rowsRead: file.rowsRead, appendedTo: file.appendedTo }));
