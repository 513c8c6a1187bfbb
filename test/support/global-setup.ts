/**
 * Before any test: build dist/ from the sources, so every test that starts the CLI as a process
 * runs what a user runs (the build), not the sources through tsx.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../bin/build.js', import.meta.url))], { stdio: 'inherit' });
}
