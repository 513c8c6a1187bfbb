/** One measured process for bench/memory.ts: opens the database, then ingests argv[2] if given; prints its peak RSS. */
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { ingestPaths } from '../src/ingest/run.ts';

const db = await openDatabase(loadConfig(), 'bench');
const path = process.argv[2];
if (path) {
  const summary = await ingestPaths(db, [path], { refreshRollups: false });
  if (summary.loaded !== 1) throw new Error(`expected one loaded file, got ${JSON.stringify(summary.results[0])}`);
}
await db.close();
console.log(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 }));
