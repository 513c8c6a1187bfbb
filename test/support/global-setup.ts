/**
 * Before any test: build dist/ from the sources, so every test that starts the CLI as a process
 * runs what a user runs (the build), not the sources through tsx; and decide the PostgreSQL the
 * tests use (test-postgres.ts), shared by every test file through TEST_DATABASE_URL.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeTestPostgres, ensureTestPostgres } from './test-postgres.ts';

export default async function setup(): Promise<() => Promise<void>> {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../bin/build.js', import.meta.url))], { stdio: 'inherit' });
  const pg = await ensureTestPostgres();
  // test workers start after this, with this environment
  process.env.TEST_DATABASE_URL = pg.url;
  console.log(describeTestPostgres(pg));
  return () => pg.stop();
}
