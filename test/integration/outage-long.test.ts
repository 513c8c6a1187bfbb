/** The long outage (two minutes, a slow failover) in a file of its own, so it runs beside the others. */
import { afterAll, describe, expect, it } from 'vitest';
import { survivesOutage } from '../support/outage.ts';
import { killAll } from '../support/processes.ts';

describe('a long PostgreSQL outage under serve', () => {
  afterAll(() => killAll());

  it('an outage of 120 s ends with the service healthy by itself and every file loaded once', { timeout: 300_000 }, async () => {
    const r = await survivesOutage(120);
    console.log(`outage of 120 s: healthy ${r.healthyAfterSeconds.toFixed(1)} s after the database returned, every file loaded after ${r.loadedAfterSeconds.toFixed(1)} s, stopped in ${r.stopSeconds.toFixed(1)} s`);
    expect(r.healthyAfterSeconds).toBeLessThan(15);
  });
});
