/**
 * The README's generated sections: the command reference (from the CLI definitions) and the
 * dataset catalog (from the catalog). `npm run readme` rewrites them; a test keeps them current.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS } from '../datasets/catalog.ts';
import { describeCadence } from '../datasets/status.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { helpText } from './main.ts';

export const README_PATH = path.join(PACKAGE_ROOT, 'README.md');

function catalogTable(): string {
  const rows = DATASETS.map((d) => [
    `\`${d.name}\``,
    `\`${d.awsName}\``,
    d.category,
    describeCadence(d.cadence),
    d.loadMode,
    d.key.length ? d.key.join(', ') : '(none documented)',
  ]);
  const header = ['table', 'AWS name', 'category', 'cadence', 'load mode', 'natural key'];
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const SECTIONS: Record<string, () => string> = {
  'cli-help': () => ['```text', helpText(), '```'].join('\n'),
  catalog: catalogTable,
};

export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- ${name}:start --> ... <!-- ${name}:end --> section`);
    out = out.replace(re, (_, a: string, b: string) => `${a}\n${render()}\n${b}`);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const readme = await readFile(README_PATH, 'utf8');
  await writeFile(README_PATH, renderReadme(readme));
}
