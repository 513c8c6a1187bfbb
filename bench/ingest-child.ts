/** One timed ingest for bench/ingest.ts; prints { seconds, maxRssMb } as its last line. */
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { ingestPaths } from '../src/ingest/run.ts';

const db = await openDatabase(loadConfig());
const t = performance.now();
const summary = await ingestPaths(db, [process.argv[2]!]);
const seconds = (performance.now() - t) / 1000;
await db.close();
if (summary.loaded !== 1) throw new Error(`expected one loaded file, got ${JSON.stringify(summary.results[0])}`);
console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
