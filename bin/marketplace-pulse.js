#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npx marketplace-pulse` works right after `npm ci`.
import { tsImport } from 'tsx/esm/api';

// `marketplace-pulse export ... | head`: the reader leaving early is a normal end, not a crash
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = await tsImport('../src/cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
