// Bree job entry point (a worker thread): it asks the service's main thread, which holds the
// database connection (PGlite allows only one), to run "daily-digest"; see src/scheduler.ts.
import { parentPort } from 'node:worker_threads';

parentPort?.postMessage('daily-digest');
