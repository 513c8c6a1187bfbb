#!/usr/bin/env node
// Runs the build in dist/ (made by `npm ci` through `prepare`, or `npm run build`): it starts in a
// fraction of the time the TypeScript sources take. When a source has changed since that build,
// the sources run instead, through tsx, so what runs is always what is in src/.
import { existsSync, readFileSync, statSync } from 'node:fs';

// `marketplace-pulse export ... | head`: the reader leaving early is a normal end, not a crash
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const root = new URL('../', import.meta.url);

/** Whether dist/ was built from the sources as they are now (an image without sources: always). */
function buildIsCurrent() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('dist/build.json', root), 'utf8'));
  } catch {
    return false;
  }
  if (!existsSync(new URL('src', root))) return true;
  for (const [file, mtimeMs] of Object.entries(manifest.sources)) {
    try {
      if (statSync(new URL(file, root)).mtimeMs !== mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function loadMain() {
  if (buildIsCurrent()) return import('../dist/cli.js');
  let tsImport;
  try {
    ({ tsImport } = await import('tsx/esm/api'));
  } catch {
    console.error('marketplace-pulse: dist/ is missing or older than src/, and tsx (a development dependency) is not installed to run the sources: run `npm run build`, or `npm ci`');
    process.exit(1);
  }
  if (process.stderr.isTTY) console.error('(running from the sources: dist/ is older than src/; `npm run build` makes commands start faster)');
  return tsImport('../src/cli/main.ts', import.meta.url);
}

const { main } = await loadMain();
const code = await main(process.argv.slice(2));
// The command has finished its work and closed what it opened. Whatever still holds the event
// loop (a Slack request that never gets an answer, a socket a library keeps) must not keep the
// process from ending, so we end it once our output is written.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
