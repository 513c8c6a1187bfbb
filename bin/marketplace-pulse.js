#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npx marketplace-pulse` works right after `npm ci`.
import { tsImport } from 'tsx/esm/api';

// `marketplace-pulse export ... | head`: the reader leaving early is a normal end, not a crash
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = await tsImport('../src/cli/main.ts', import.meta.url);
const code = await main(process.argv.slice(2));
// The command has finished its work and closed what it opened. Whatever still holds the event
// loop (a Slack request that never gets an answer, a socket a library keeps) must not keep the
// process from ending, so we end it once our output is written.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
