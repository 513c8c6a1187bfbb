import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { README_PATH, renderReadme } from '../../src/cli/readme.ts';

describe('README', () => {
  it('has the command reference and catalog generated from the code (run `npm run readme`)', async () => {
    const readme = await readFile(README_PATH, 'utf8');
    expect(renderReadme(readme)).toBe(readme);
  });

  it('keeps the two Quick start commands', async () => {
    const readme = await readFile(README_PATH, 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('\nnpm test\n');
  });
});
