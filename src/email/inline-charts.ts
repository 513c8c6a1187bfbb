/**
 * With a self-hosted QuickChart (QUICKCHART_URL other than quickchart.io), chart images travel
 * inside the message as inline parts (`cid:`), fetched by the service: the chart server need not
 * be reachable from readers' mail clients, and no figure leaves the seller's network. Charts from
 * the public quickchart.io stay links, which mail clients load themselves.
 */
import { isPublicChartServer } from '../present/charts.ts';
import type { RenderedEmail } from './render.ts';

/** How long one chart may take to draw before the message goes without it. */
const CHART_FETCH_TIMEOUT_MS = 10_000;

export interface Inlined {
  email: RenderedEmail;
  /** Charts that could not be fetched, with the reason: left as links (their alt text shows). */
  failed: string[];
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export async function inlineCharts(email: RenderedEmail, chartServer: string, fetchImage: typeof fetch = fetch): Promise<Inlined> {
  if (isPublicChartServer(chartServer)) return { email, failed: [] };
  const base = chartServer.replace(/\/$/, '');
  const sources = [...new Set([...email.html.matchAll(/<img\b[^>]*?\bsrc="([^"]+)"/g)].map((m) => m[1]!))].filter((src) => unescape(src).startsWith(`${base}/`));
  const failed: string[] = [];
  const attachments: RenderedEmail['attachments'] = [];
  let html = email.html;
  for (const [i, src] of sources.entries()) {
    const url = unescape(src);
    try {
      const response = await fetchImage(url, { signal: AbortSignal.timeout(CHART_FETCH_TIMEOUT_MS) });
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !type.startsWith('image/')) throw new Error(`the chart server answered ${response.status} ${type || 'without a content type'}`);
      const cid = `chart-${i + 1}@marketplace-pulse`;
      attachments.push({ filename: `chart-${i + 1}.${type.includes('svg') ? 'svg' : 'png'}`, content: Buffer.from(await response.arrayBuffer()), contentType: type.split(';')[0]!, cid });
      html = html.split(`src="${src}"`).join(`src="cid:${cid}"`);
    } catch (error) {
      failed.push(`${new URL(url).origin}: ${(error as Error).message}`);
    }
  }
  return { email: { ...email, html, attachments: [...email.attachments, ...attachments] }, failed };
}

/** The HTML with inline charts as data: URIs, for a person to open in a browser (the outbox). */
export function htmlForBrowser(email: RenderedEmail): string {
  let html = email.html;
  for (const a of email.attachments) {
    if (!a.cid || typeof a.content === 'string') continue;
    html = html.split(`src="cid:${a.cid}"`).join(`src="data:${a.contentType};base64,${a.content.toString('base64')}"`);
  }
  return html;
}
