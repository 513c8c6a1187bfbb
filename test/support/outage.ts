/**
 * A database outage under a running service, as a managed database's failover causes one: the
 * service on a throwaway PostgreSQL, files arriving before, during and after, the server stopped
 * for a while and started again. What is checked is what is stored, and how the service answers.
 */
import { expect } from 'vitest';
import postgres from 'postgres';
import { csv, putFile, tempDir } from './files.ts';
import { startPgServer } from './pg-server.ts';
import { startProcess } from './processes.ts';
import { until } from './wait.ts';

const offers = (tag: string) =>
  csv([['valid_from', 'offer_id', 'offer_revision', 'name'], ...Array.from({ length: 10 }, (_, i) => ['2026-11-01T00:00:00Z', `offer-${tag}-${i}`, '1', `Offer ${tag} ${i}`])]);

async function health(url: string): Promise<number | 'no answer'> {
  return (await healthBody(url)).status;
}

async function healthBody(url: string): Promise<{ status: number | 'no answer'; body: { status?: string; problems?: string[] } }> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return { status: r.status, body: (await r.json()) as { status?: string; problems?: string[] } };
  } catch {
    return { status: 'no answer', body: {} };
  }
}

/** Runs the scenario for an outage of `seconds`; returns what was measured. */
export async function survivesOutage(seconds: number): Promise<{ healthyAfterSeconds: number; loadedAfterSeconds: number; stopSeconds: number }> {
  const pg = await startPgServer();
  try {
    const admin = postgres(pg.url(), { max: 1, onnotice: () => {} });
    await admin`create database pulse`;
    await admin.end();
    const dataDir = await tempDir('mp-outage-');
    const inbox = `${dataDir}/inbox`;
    const env = { DATABASE_URL: pg.url('pulse'), DATA_DIR: dataDir, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', INBOX_POLL_SECONDS: '1', READINESS_WINDOW_SECONDS: '2' };
    const service = startProcess(['serve'], env);
    try {
      const url = (await service.waitFor(/health check: (http:\S+)/, 'the service to start'))[1]!;
      const ready = url.replace('/healthz', '/readyz');
      await until(async () => (await health(ready)) === 200, 'the service to be ready', 30_000);
      await putFile(inbox, 'OfferFeed_V1/year=2026/month=01/data.csv', offers('before'));
      await service.waitFor(/loaded OfferFeed_V1\/year=2026\/month=01/, 'the first file to load');

      await pg.stop('immediate');
      const down = Date.now();
      await putFile(inbox, 'OfferFeed_V1/year=2026/month=02/data.csv', offers('during'));
      // while the database is away the service keeps answering: alive (a restart would not
      // help) but degraded, and not ready once the window has passed
      await until(async () => (await health(ready)) === 503, 'readiness to answer 503 during the outage', 20_000);
      while (Date.now() - down < seconds * 1000) {
        expect(await health(ready)).toBe(503);
        const live = await healthBody(url);
        expect(live.status).toBe(200);
        expect(live.body).toMatchObject({ status: 'degraded', problems: [expect.stringMatching(/^database failing since /)] });
        await new Promise((r) => setTimeout(r, Math.min(5_000, Math.max(0, seconds * 1000 - (Date.now() - down)))));
      }

      await pg.start();
      const back = Date.now();
      await putFile(inbox, 'OfferFeed_V1/year=2026/month=03/data.csv', offers('after'));
      await until(async () => (await health(ready)) === 200, 'readiness to recover within 15 s of the database', 15_000);
      const healthyAfterSeconds = (Date.now() - back) / 1000;
      expect((await healthBody(url)).body).toMatchObject({ status: 'ok', problems: [] });
      await service.waitFor(/loaded OfferFeed_V1\/year=2026\/month=02[\s\S]*loaded OfferFeed_V1\/year=2026\/month=03|loaded OfferFeed_V1\/year=2026\/month=03[\s\S]*loaded OfferFeed_V1\/year=2026\/month=02/, 'the files of and after the outage to load', 20_000);
      const loadedAfterSeconds = (Date.now() - back) / 1000;

      const stopping = Date.now();
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      const stopSeconds = (Date.now() - stopping) / 1000;
      expect(stopSeconds).toBeLessThan(10);

      const check = postgres(pg.url('pulse'), { max: 1, onnotice: () => {} });
      try {
        const files = await check<{ object_key: string; loaded: number }[]>`
          select object_key, count(*) filter (where status = 'loaded')::int as loaded from ingest_file group by object_key order by object_key`;
        expect(files).toEqual(['01', '02', '03'].map((m) => ({ object_key: `OfferFeed_V1/year=2026/month=${m}/data.csv`, loaded: 1 })));
        const [rows] = await check<{ n: number; d: number }[]>`select count(*)::int as n, count(distinct offer_id)::int as d from sdds_offer`;
        expect(rows).toEqual({ n: 30, d: 30 });
      } finally {
        await check.end();
      }
      return { healthyAfterSeconds, loadedAfterSeconds, stopSeconds };
    } finally {
      service.child.kill('SIGKILL');
    }
  } finally {
    await pg.destroy();
  }
}

/** SIGTERM while the database is away: the service still stops, within 10 s. */
export async function stopsDuringOutage(): Promise<number> {
  const pg = await startPgServer();
  try {
    const admin = postgres(pg.url(), { max: 1, onnotice: () => {} });
    await admin`create database pulse`;
    await admin.end();
    const dataDir = await tempDir('mp-outage-stop-');
    const service = startProcess(['serve'], { DATABASE_URL: pg.url('pulse'), DATA_DIR: dataDir, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', INBOX_POLL_SECONDS: '1' });
    try {
      const url = (await service.waitFor(/health check: (http:\S+)/, 'the service to start'))[1]!;
      await until(async () => (await health(url)) === 200, 'the service to be healthy', 30_000);
      await pg.stop('immediate');
      await putFile(`${dataDir}/inbox`, 'OfferFeed_V1/year=2026/month=02/data.csv', offers('during'));
      await new Promise((r) => setTimeout(r, 4_000));
      const stopping = Date.now();
      service.child.kill('SIGTERM');
      const code = await Promise.race([service.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000))]);
      expect(code, service.output()).toBe(0);
      return (Date.now() - stopping) / 1000;
    } finally {
      service.child.kill('SIGKILL');
    }
  } finally {
    await pg.destroy();
  }
}
