import { normalizeHeader } from '../datasets/columns.ts';
import type { DatasetDef } from '../datasets/types.ts';
import { AppError } from '../errors.ts';

export interface HeaderMapping {
  /** For each catalog column, its position in the file, or -1 when the file lacks it. */
  positions: number[];
  /** Headers the catalog does not know: kept per row in `_extra` and reported in the ledger. */
  extras: Array<{ header: string; position: number }>;
  /** Catalog columns absent from this file (they load as NULL). */
  missing: string[];
  width: number;
}

/** Maps a file's header row to the dataset's columns by name, accepting documented aliases. */
export function mapHeader(def: DatasetDef, header: string[]): HeaderMapping {
  const lookup = new Map<string, number>();
  def.columns.forEach((c, i) => {
    for (const name of [c.header, c.name, ...c.aliases]) {
      const key = normalizeHeader(name);
      if (!lookup.has(key)) lookup.set(key, i);
    }
  });
  const positions = def.columns.map(() => -1);
  const extras: HeaderMapping['extras'] = [];
  const problems: string[] = [];
  header.forEach((raw, position) => {
    const h = raw.replace(/^\uFEFF/, '').trim();
    const index = lookup.get(normalizeHeader(h));
    if (index === undefined) {
      if (h === '') problems.push(`column ${position + 1} has an empty header`);
      else extras.push({ header: h, position });
      return;
    }
    if (positions[index] !== -1) {
      problems.push(`"${header[positions[index]!]}" and "${h}" are both the ${def.columns[index]!.header} column`);
      return;
    }
    positions[index] = position;
  });
  const missingRequired = def.columns.filter((c, i) => c.required && positions[i] === -1).map((c) => c.header);
  if (missingRequired.length > 0) {
    problems.push(`required column${missingRequired.length > 1 ? 's' : ''} missing: ${missingRequired.join(', ')}`);
  }
  if (positions.every((p) => p === -1) && problems.length === 0) {
    problems.push(`none of the headers is a ${def.awsName} column (first headers: ${header.slice(0, 3).join(', ')})`);
  }
  if (problems.length > 0) {
    throw new AppError('rejected-file', `header (line 1): ${problems.join('; ')}`);
  }
  return {
    positions,
    extras,
    missing: def.columns.filter((_, i) => positions[i] === -1).map((c) => c.header),
    width: header.length,
  };
}
