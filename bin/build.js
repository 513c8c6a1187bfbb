#!/usr/bin/env node
// `npm run build` (and `npm ci`, through `prepare`): bundles src/ into dist/ so a command starts in
// a fraction of the time: Node 20 has no compile cache, and loading a few bundled files is much
// faster than compiling TypeScript or resolving hundreds of small modules at every start.
//
// - One entry, dist/cli.js; what a command loads lazily (`await import(...)`) becomes a chunk of its
//   own, loaded only by the commands that need it (bench:cli).
// - The few packages every database command loads are bundled in (zod, postgres, drizzle-orm);
//   the others stay in node_modules and load when used: PGlite and Bree find files next to
//   themselves, and the AWS SDK, Slack, MJML and nodemailer are needed by few commands.
// - Chunk names carry a hash and a build never deletes a recent chunk, so a process still running
//   an earlier build can go on loading its own. dist/build.json lists every source with its
//   modification time: bin/marketplace-pulse.js runs the sources instead when one has changed.
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const BUNDLED = /^(zod|postgres|drizzle-orm)(\/|$)/;
/** Chunks of earlier builds are kept this long for processes still running them. */
const KEEP_OLD_CHUNKS_MS = 24 * 3600_000;

const started = performance.now();
await mkdir(path.join(DIST, 'chunks'), { recursive: true });
const staging = path.join(DIST, `.build-${process.pid}`);
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { cli: 'src/cli/main.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: staging,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // bundled CommonJS calls require(); ESM output has none of its own
  banner: { js: "import { createRequire as __mpCreateRequire } from 'node:module'; const require = __mpCreateRequire(import.meta.url);" },
  plugins: [
    {
      name: 'external-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('node:') || !BUNDLED.test(args.path) ? { path: args.path, external: true } : undefined));
      },
    },
  ],
});

// chunks first (new names), then the entry and the manifest, each replaced in one step
const written = new Set();
for (const file of Object.keys(result.metafile.outputs)) {
  const rel = path.relative(staging, path.join(ROOT, file));
  written.add(rel);
  if (rel.startsWith('chunks')) await rename(path.join(staging, rel), path.join(DIST, rel));
}
const sources = {};
for (const input of Object.keys(result.metafile.inputs)) {
  if (input.startsWith('node_modules/')) continue;
  const s = await stat(path.join(ROOT, input));
  sources[input] = s.mtimeMs;
}
await writeFile(path.join(staging, 'build.json'), `${JSON.stringify({ builtAt: new Date().toISOString(), sources }, null, 1)}\n`);
for (const rel of ['cli.js', 'cli.js.map', 'build.json']) await rename(path.join(staging, rel), path.join(DIST, rel));
await rm(staging, { recursive: true, force: true });

for (const name of await readdir(path.join(DIST, 'chunks'))) {
  const file = path.join(DIST, 'chunks', name);
  if (!written.has(path.join('chunks', name)) && Date.now() - (await stat(file)).mtimeMs > KEEP_OLD_CHUNKS_MS) await rm(file, { force: true });
}
const chunks = [...written].filter((f) => f.endsWith('.js')).length;
console.error(`built dist/ (${chunks} files from ${Object.keys(sources).length} sources) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
