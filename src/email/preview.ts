/**
 * `npm run email:preview`: the daily and monthly digests built from the demo seller in a throwaway
 * embedded database, written as .html and .txt for a person to look at.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

export async function writeEmailPreview(outDir: string, config: Config): Promise<string[]> {
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
    return written;
  } finally {
    await db.close();
    await rm(demo, { recursive: true, force: true });
  }
}
