import type { ColumnDef, ColumnType } from './types.ts';

/**
 * Header matching key: case, spacing, punctuation, curly vs straight apostrophes and en dash vs
 * hyphen all vary across AWS doc versions and real files, so only letters and digits count.
 */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** "User’s State" -> users_state, "U.S. Sales Tax Refunds Amount" -> us_sales_tax_refunds_amount. */
export function columnNameFor(header: string): string {
  return header
    .toLowerCase()
    .replace(/u\.s\./g, 'us')
    .replace(/['’‘]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export interface ColumnOptions {
  aliases?: string[];
  required?: boolean;
  /** Override the derived PostgreSQL column name. */
  name?: string;
}

export function col(header: string, type: ColumnType = 'text', options: ColumnOptions = {}): ColumnDef {
  return {
    name: options.name ?? columnNameFor(header),
    header,
    aliases: options.aliases ?? [],
    type,
    required: options.required ?? false,
  };
}
