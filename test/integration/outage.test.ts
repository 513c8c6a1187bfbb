/** Database outages under the running service: short, failover-long, and SIGTERM in the middle. */
import { afterAll, describe, expect, it } from 'vitest';
import { stopsDuringOutage, survivesOutage } from '../support/outage.ts';
import { killAll } from '../support/processes.ts';

describe('a PostgreSQL outage under serve', () => {
  afterAll(() => killAll());

  it.each([5, 30])('an outage of %i s ends with the service healthy by itself and every file loaded once', { timeout: 180_000 }, async (seconds) => {
    const r = await survivesOutage(seconds);
    console.log(`outage of ${seconds} s: healthy ${r.healthyAfterSeconds.toFixed(1)} s after the database returned, every file loaded after ${r.loadedAfterSeconds.toFixed(1)} s, stopped in ${r.stopSeconds.toFixed(1)} s`);
    expect(r.healthyAfterSeconds).toBeLessThan(15);
  });

  it('SIGTERM during an outage stops the service within 10 s', { timeout: 120_000 }, async () => {
    expect(await stopsDuringOutage()).toBeLessThan(10);
  });
});
