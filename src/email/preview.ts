/**
 * `npm run email:preview`: the daily and monthly digests built from the demo seller in a throwaway
 * embedded database, written as .html and .txt for a person to look at.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../config.ts';
import { addDays } from '../datasets/catalog.ts';
import { openPglite } from '../db/client.ts';
import { writeDemoData } from '../demo/generate.ts';
import { computeFreshness } from '../deliveries/freshness.ts';
import { ingestPaths } from '../ingest/run.ts';
import { buildDailyDigest, buildMonthlyDigest, DIGEST_DATASETS, digestPeriod } from './digests.ts';
import { renderEmail } from './render.ts';

/** The demo seller's last day; the digests are those a reader would get the morning after. */
const THROUGH = '2026-11-02';

export async function writeEmailPreview(outDir: string, config: Config, options: { screenshots?: boolean; log?: (line: string) => void } = {}): Promise<string[]> {
  const demo = await mkdtemp(path.join(os.tmpdir(), 'mp-preview-'));
  const db = await openPglite(undefined);
  try {
    await writeDemoData(demo, { seed: 42, through: THROUGH });
    const sendDate = addDays(THROUGH, 1);
    const now = new Date(`${sendDate}T08:00:00Z`);
    await ingestPaths(db, [demo], { now: () => new Date(`${sendDate}T06:00:00Z`) });
    const freshness = await computeFreshness(db, now, config.deliveries);
    await mkdir(outDir, { recursive: true });
    const written: string[] = [];
    for (const kind of ['daily', 'monthly'] as const) {
      const late = freshness.filter((f) => DIGEST_DATASETS[kind].includes(f.dataset) && (f.status === 'late' || f.status === 'missing'));
      const options = { now, timeZone: 'UTC', fiscalYearStartMonth: config.fiscalYearStartMonth, quickChartUrl: config.quickChartUrl, late };
      const period = digestPeriod(kind, kind === 'daily' ? sendDate : '2026-11-03', 'UTC');
      const model = kind === 'daily' ? await buildDailyDigest(db, period, options) : await buildMonthlyDigest(db, period, options);
      const email = await renderEmail(model, { attachCsv: true });
      for (const [ext, body] of [['html', email.html], ['txt', `Subject: ${email.subject}\nAttachments: ${email.attachments.map((a) => a.filename).join(', ')}\n\n${email.text}`]] as const) {
        const file = path.join(outDir, `${kind}-digest.${ext}`);
        await writeFile(file, body);
        written.push(file);
      }
    }
    if (options.screenshots) written.push(...(await screenshot(written.filter((f) => f.endsWith('.html')), config.chromiumPath, options.log ?? (() => {}))));
    return written;
  } finally {
    await db.close();
    await rm(demo, { recursive: true, force: true });
  }
}

/** The widths a digest is judged at: a desktop mail client and a phone. */
export const SCREENSHOT_WIDTHS = [800, 390] as const;

/** Where Chromium usually is (Debian's package, then others); CHROMIUM_PATH wins. */
function findChromium(configured: string | undefined): string | null {
  const candidates = [configured, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];
  return candidates.find((c): c is string => Boolean(c) && existsSync(c!)) ?? null;
}

/**
 * Full-page PNGs of each HTML file at each width, through puppeteer-core and an installed
 * Chromium. Without either, it says how to get them and writes none. Images the page links to
 * (charts on quickchart.io) load only where the network reaches them.
 */
async function screenshot(files: string[], chromiumPath: string | undefined, log: (line: string) => void): Promise<string[]> {
  const chromium = findChromium(chromiumPath);
  if (!chromium) {
    log('screenshots skipped: no Chromium found (apt install chromium, or set CHROMIUM_PATH to a Chrome or Chromium binary)');
    return [];
  }
  let puppeteer: { launch: typeof import('puppeteer-core').launch };
  try {
    puppeteer = await import('puppeteer-core');
  } catch {
    log('screenshots skipped: puppeteer-core is not installed (it is a development dependency: npm install)');
    return [];
  }
  const browser = await puppeteer.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const written: string[] = [];
  try {
    const page = await browser.newPage();
    for (const file of files) {
      for (const width of SCREENSHOT_WIDTHS) {
        await page.setViewport({ width, height: 900, deviceScaleFactor: 1 });
        // charts come from the network: wait for it briefly, and show the page either way
        await page.goto(pathToFileURL(file).href, { waitUntil: 'networkidle0', timeout: 15_000 }).catch(() => {});
        const png = file.replace(/\.html$/, `-${width}.png`);
        await page.screenshot({ path: png as `${string}.png`, fullPage: true });
        written.push(png);
      }
    }
  } finally {
    await browser.close();
  }
  return written;
}
