/**
 * bin/marketplace-pulse.js runs the build when it is current and the sources otherwise, so what
 * runs is always what is in src/. Tried on a copy of the launcher in a folder of its own: a build
 * and sources that say which one ran.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/files.ts';
import { ROOT } from '../support/processes.ts';

const run = promisify(execFile);

async function layout(): Promise<{ dir: string; source: string; run: () => Promise<string> }> {
  const dir = await tempDir();
  await mkdir(path.join(dir, 'bin'));
  await cp(path.join(ROOT, 'bin', 'marketplace-pulse.js'), path.join(dir, 'bin', 'marketplace-pulse.js'));
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}\n');
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await mkdir(path.join(dir, 'src', 'cli'), { recursive: true });
  const source = path.join(dir, 'src', 'cli', 'main.ts');
  await writeFile(source, "export async function main(argv: string[]): Promise<number> { console.log('sources', argv.join(' ')); return 3; }\n");
  await mkdir(path.join(dir, 'dist'));
  await writeFile(path.join(dir, 'dist', 'cli.js'), "export async function main(argv) { console.log('build', argv.join(' ')); return 4; }\n");
  return {
    dir,
    source,
    run: async () => {
      try {
        await run(process.execPath, [path.join(dir, 'bin', 'marketplace-pulse.js'), 'query', 'revenue']);
        throw new Error('expected a non-zero exit');
      } catch (error) {
        const e = error as { stdout: string; stderr: string; code: number };
        return `${e.stdout.trim()} (exit ${e.code})${e.stderr ? ` ${e.stderr.trim()}` : ''}`;
      }
    },
  };
}

describe('the launcher', () => {
  it('runs the build while it matches the sources, passing the arguments and the exit code through', async () => {
    const l = await layout();
    const { mtimeMs } = await stat(l.source);
    await writeFile(path.join(l.dir, 'dist', 'build.json'), JSON.stringify({ sources: { 'src/cli/main.ts': mtimeMs } }));
    expect(await l.run()).toBe('build query revenue (exit 4)');
  });

  it('runs the sources when one has changed since the build, or the build is missing', async () => {
    const l = await layout();
    const { mtimeMs } = await stat(l.source);
    await writeFile(path.join(l.dir, 'dist', 'build.json'), JSON.stringify({ sources: { 'src/cli/main.ts': mtimeMs } }));
    await utimes(l.source, new Date(), new Date(mtimeMs + 5000));
    expect(await l.run()).toBe('sources query revenue (exit 3)');
    await writeFile(path.join(l.dir, 'dist', 'build.json'), JSON.stringify({ sources: { 'src/cli/main.ts': mtimeMs + 5000, 'src/gone.ts': 1 } }));
    expect(await l.run()).toBe('sources query revenue (exit 3)');
  });

  it('runs the build where there are no sources (an image of the build alone)', async () => {
    const l = await layout();
    await writeFile(path.join(l.dir, 'dist', 'build.json'), JSON.stringify({ sources: { 'src/cli/main.ts': 1 } }));
    await rm(path.join(l.dir, 'src'), { recursive: true });
    expect(await l.run()).toBe('build query revenue (exit 4)');
  });
});
