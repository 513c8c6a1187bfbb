/**
 * Email from a typed view model: the MJML layout and partials in templates/ (with `{{name}}`
 * escaped and `{{{name}}}` raw placeholders, partials pulled in by `<mj-include>`), sections
 * written as MJML here, compiled with strict validation; and a plain-text part that carries every
 * number, so a client that blocks images (or HTML) loses nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import mjml2html from 'mjml';
import type { Change } from '../present/format.ts';
import { TEMPLATES_DIR } from '../paths.ts';

export { TEMPLATES_DIR };

export interface EmailTable {
  header: string[];
  rows: string[][];
  /** Columns to right-align and never wrap (numbers, money, dates). */
  numeric?: number[];
  /** The columns kept on a phone (the name and the one number that matters); the rest are in the CSV. */
  keep?: number[];
}

/** A figure at the top of a digest: one number, its change coloured by meaning, other currencies beneath. */
export interface HeadlineTile {
  label: string;
  value: string;
  change?: Change | null;
  /** The same figure in the other currencies, largest first. */
  others?: string[];
}

export interface EmailSection {
  title: string;
  /** Headline figures, e.g. ["Gross revenue $12,345.00 (▲ 4.0% vs October)"]. */
  figures?: string[];
  lines?: string[];
  table?: EmailTable;
  /** After the table: "…and 12 more, in the attached CSV". */
  more?: string;
  /** Chart images, the main currency first; their numbers are also in figures, lines or the table. */
  charts?: Array<{ url: string; alt: string }>;
  /** Said instead when the section has nothing to show ("No new subscribers yesterday."). */
  empty?: string;
  /** The rows behind the section, attached when attachments are on. */
  csv?: { filename: string; content: string };
}

export interface EmailModel {
  subject: string;
  title: string;
  subtitle: string;
  preheader: string;
  /** The four to six numbers that matter, first. */
  headline?: HeadlineTile[];
  /** Datasets still late when the digest went out, in plain words; shown first. */
  warnings: string[];
  sections: EmailSection[];
  freshness: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** CSV rows behind sections; inline chart images (with `cid`) once charts are inlined. */
  attachments: Array<{ filename: string; content: string | Buffer; contentType: string; cid?: string }>;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

async function loadTemplate(file: string, depth = 0): Promise<string> {
  if (depth > 5) throw new Error(`templates: includes nested too deep at ${file}`);
  const source = await readFile(file, 'utf8');
  let out = source;
  for (const m of source.matchAll(/<mj-include\s+path="([^"]+)"\s*\/>/g)) {
    out = out.replace(m[0], await loadTemplate(path.resolve(path.dirname(file), m[1]!), depth + 1));
  }
  return out;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}/g, (_, raw: string | undefined, plain: string | undefined) => {
    const name = (raw ?? plain)!;
    if (!(name in values)) throw new Error(`templates: no value for {{${name}}}`);
    return raw ? values[name]! : escape(values[name]!);
  });
}

const TONE_CLASS = { good: 'good', bad: 'bad', neutral: 'muted' } as const;
const NOWRAP = 'white-space:nowrap';

/** Two tiles a row: side by side on a phone too (mj-group), so six figures read at a glance. */
function headlineMjml(tiles: HeadlineTile[]): string {
  const rows: string[] = [];
  for (let i = 0; i < tiles.length; i += 2) {
    const columns = tiles.slice(i, i + 2).map((t) => {
      const parts = [`<mj-text css-class="tile-label" padding="10px 12px 0">${escape(t.label)}</mj-text>`, `<mj-text css-class="tile-value" padding="2px 12px 0">${escape(t.value)}</mj-text>`];
      if (t.change) parts.push(`<mj-text css-class="${TONE_CLASS[t.change.tone]} tile-change" padding="2px 12px 0">${escape(t.change.text)}</mj-text>`);
      if (t.others?.length) parts.push(`<mj-text css-class="muted" padding="2px 12px 0">${escape(t.others.join(' · '))}</mj-text>`);
      return `<mj-column width="50%" padding="0 4px">${parts.join('')}</mj-column>`;
    });
    rows.push(`<mj-section padding="${i === 0 ? '12px' : '0'} 12px 8px"><mj-group>${columns.join('')}</mj-group></mj-section>`);
  }
  return rows.join('\n');
}

function hasContent(s: EmailSection): boolean {
  return Boolean(s.figures?.length || s.lines?.length || (s.table && s.table.rows.length > 0) || s.charts?.length);
}

function sectionMjml(s: EmailSection): string {
  const parts: string[] = [`<mj-text font-size="16px" font-weight="600" padding-top="12px">${escape(s.title)}</mj-text>`];
  if (!hasContent(s) && s.empty) parts.push(`<mj-text css-class="empty">${escape(s.empty)}</mj-text>`);
  for (const f of s.figures ?? []) parts.push(`<mj-text css-class="figure">${escape(f)}</mj-text>`);
  for (const l of s.lines ?? []) parts.push(`<mj-text>${escape(l)}</mj-text>`);
  if (s.table && s.table.rows.length > 0) {
    const t = s.table;
    const numeric = (i: number) => t.numeric?.includes(i) ?? false;
    // on a phone only the kept columns show; the full table is in the CSV
    const cls = (i: number) => (t.keep && !t.keep.includes(i) ? ' class="wide"' : '');
    const cell = (i: number) => `text-align:${numeric(i) ? 'right' : 'left'};padding:4px 6px${numeric(i) ? `;${NOWRAP}` : ''}`;
    const head = t.header.map((h, i) => `<th${cls(i)} style="${cell(i)};${NOWRAP};border-bottom:1px solid #e5e7eb;font-weight:600">${escape(h)}</th>`).join('');
    const rows = t.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)} style="${cell(i)};border-bottom:1px solid #f3f4f6">${escape(c)}</td>`).join('')}</tr>`).join('');
    parts.push(`<mj-table><tr>${head}</tr>${rows}</mj-table>`);
  }
  if (s.more) parts.push(`<mj-text css-class="muted">${escape(s.more)}</mj-text>`);
  for (const c of s.charts ?? []) parts.push(`<mj-image src="${escape(c.url)}" alt="${escape(c.alt)}" width="560px" padding="8px 20px" />`);
  return `<mj-section><mj-column>${parts.join('\n')}</mj-column></mj-section>`;
}

function textPart(m: EmailModel): string {
  const out: string[] = [m.title, m.subtitle, ''];
  for (const w of m.warnings) out.push(`! ${w}`);
  if (m.warnings.length) out.push('');
  for (const t of m.headline ?? []) out.push(`${t.label}: ${t.value}${t.change ? ` (${t.change.text})` : ''}${t.others?.length ? `; ${t.others.join(', ')}` : ''}`);
  if (m.headline?.length) out.push('');
  for (const s of m.sections) {
    out.push(s.title.toUpperCase());
    if (!hasContent(s) && s.empty) out.push(`  ${s.empty}`);
    for (const f of s.figures ?? []) out.push(`  ${f}`);
    for (const l of s.lines ?? []) out.push(`  ${l}`);
    if (s.table && s.table.rows.length > 0) {
      const all = [s.table.header, ...s.table.rows];
      const widths = s.table.header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
      for (const r of all) out.push('  ' + r.map((c, i) => (s.table!.numeric?.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
    }
    if (s.more) out.push(`  ${s.more}`);
    out.push('');
  }
  out.push(m.freshness);
  return out.join('\n') + '\n';
}

/** Compiles the model with the layout; any MJML warning is an error (a template bug, not a user's). */
export async function renderEmail(m: EmailModel, options: { attachCsv: boolean }): Promise<RenderedEmail> {
  const layout = await loadTemplate(path.join(TEMPLATES_DIR, 'layout.mjml'));
  const warnings = m.warnings.map((w) => `<mj-text css-class="late" padding="8px 20px">⚠ ${escape(w)}</mj-text>`).join('');
  const content = (warnings ? `<mj-section><mj-column>${warnings}</mj-column></mj-section>` : '') + (m.headline?.length ? headlineMjml(m.headline) : '') + m.sections.map(sectionMjml).join('\n');
  const mjml = fill(layout, { title: m.title, subtitle: m.subtitle, preheader: m.preheader, content, freshness: m.freshness });
  const result = await mjml2html(mjml, { validationLevel: 'strict', filePath: TEMPLATES_DIR });
  if (result.errors.length > 0) throw new Error(`templates: MJML: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
  return {
    subject: m.subject,
    html: result.html,
    text: textPart(m),
    attachments: options.attachCsv ? m.sections.filter((s) => s.csv).map((s) => ({ filename: s.csv!.filename, content: s.csv!.content, contentType: 'text/csv' })) : [],
  };
}
