/**
 * Email from a typed view model: the MJML layout and partials in templates/ (with `{{name}}`
 * escaped and `{{{name}}}` raw placeholders, partials pulled in by `<mj-include>`), sections
 * written as MJML here, compiled with strict validation; and a plain-text part that carries every
 * number, so a client that blocks images (or HTML) loses nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mjml2html from 'mjml';

export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

export interface EmailTable {
  header: string[];
  rows: string[][];
  /** Columns to right-align (numbers). */
  numeric?: number[];
}

export interface EmailSection {
  title: string;
  /** Headline figures, e.g. ["Gross revenue $12,345.00 (▲ 4.0% vs October)"]. */
  figures?: string[];
  lines?: string[];
  table?: EmailTable;
  /** A chart image; its numbers are also in `figures`, `lines` or `table`. */
  chart?: { url: string; alt: string };
  /** The rows behind the section, attached when attachments are on. */
  csv?: { filename: string; content: string };
}

export interface EmailModel {
  subject: string;
  title: string;
  subtitle: string;
  preheader: string;
  /** Datasets still late when the digest went out; shown first. */
  warnings: string[];
  sections: EmailSection[];
  freshness: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  attachments: Array<{ filename: string; content: string; contentType: string }>;
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

function sectionMjml(s: EmailSection): string {
  const parts: string[] = [`<mj-text font-size="16px" font-weight="600" padding-top="12px">${escape(s.title)}</mj-text>`];
  for (const f of s.figures ?? []) parts.push(`<mj-text css-class="figure">${escape(f)}</mj-text>`);
  for (const l of s.lines ?? []) parts.push(`<mj-text>${escape(l)}</mj-text>`);
  if (s.table && s.table.rows.length > 0) {
    const align = (i: number) => (s.table!.numeric?.includes(i) ? 'right' : 'left');
    const head = s.table.header.map((h, i) => `<th style="text-align:${align(i)};border-bottom:1px solid #e5e7eb;padding:4px 6px">${escape(h)}</th>`).join('');
    const rows = s.table.rows.map((r) => `<tr>${r.map((c, i) => `<td style="text-align:${align(i)};padding:4px 6px;border-bottom:1px solid #f3f4f6">${escape(c)}</td>`).join('')}</tr>`).join('');
    parts.push(`<mj-table><tr>${head}</tr>${rows}</mj-table>`);
  }
  if (s.chart) parts.push(`<mj-image src="${escape(s.chart.url)}" alt="${escape(s.chart.alt)}" width="560px" padding="8px 20px" />`);
  return `<mj-section><mj-column>${parts.join('\n')}</mj-column></mj-section>`;
}

function textPart(m: EmailModel): string {
  const out: string[] = [m.title, m.subtitle, ''];
  for (const w of m.warnings) out.push(`! ${w}`);
  if (m.warnings.length) out.push('');
  for (const s of m.sections) {
    out.push(s.title.toUpperCase());
    for (const f of s.figures ?? []) out.push(`  ${f}`);
    for (const l of s.lines ?? []) out.push(`  ${l}`);
    if (s.table && s.table.rows.length > 0) {
      const all = [s.table.header, ...s.table.rows];
      const widths = s.table.header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
      for (const r of all) out.push('  ' + r.map((c, i) => (s.table!.numeric?.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
    }
    out.push('');
  }
  out.push(m.freshness);
  return out.join('\n') + '\n';
}

/** Compiles the model with the layout; any MJML warning is an error (a template bug, not a user's). */
export async function renderEmail(m: EmailModel, options: { attachCsv: boolean }): Promise<RenderedEmail> {
  const layout = await loadTemplate(path.join(TEMPLATES_DIR, 'layout.mjml'));
  const warnings = m.warnings.map((w) => `<mj-text css-class="late" padding="8px 20px">⚠ ${escape(w)}</mj-text>`).join('');
  const content = (warnings ? `<mj-section><mj-column>${warnings}</mj-column></mj-section>` : '') + m.sections.map(sectionMjml).join('\n');
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
