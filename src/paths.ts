/**
 * The folders the service reads at run time (db/migrations, templates, jobs), found from the
 * package's root: the same whether the code runs from its sources (src/…) or bundled (dist/…).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`marketplace-pulse: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = packageRoot();
export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'db', 'migrations');
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
export const JOBS_DIR = path.join(PACKAGE_ROOT, 'jobs');
