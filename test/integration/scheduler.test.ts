/** Bree runs the jobs in jobs/ as workers that hand their task to the main thread, once at a time. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { jobDefinitions, JOB_NAMES, startScheduler, type JobName } from '../../src/scheduler.ts';
import { until } from '../support/wait.ts';
import { textLog } from '../../src/log.ts';

describe('scheduler', () => {
  it('schedules each job from configuration, in the digest time zone', () => {
    const config = loadConfig({ DIGEST_DAILY_AT: '06:30', DIGEST_MONTHLY_AT: '5 09:15', DIGEST_TIMEZONE: 'Europe/Berlin', DELIVERY_CHECK_MINUTES: '10' });
    expect(jobDefinitions(config)).toEqual([
      { name: 'daily-digest', cron: '30 6 * * *', timezone: 'Europe/Berlin' },
      { name: 'monthly-digest', cron: '15 9 5 * *', timezone: 'Europe/Berlin' },
      { name: 'digest-check', interval: '5m' },
      { name: 'delivery-watch', interval: '10m' },
      { name: 'housekeeping', cron: '17 3 * * *', timezone: 'Europe/Berlin' },
    ]);
  });

  it('runs a job through its worker, and never the same task twice at once', async () => {
    const ran: JobName[] = [];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const tasks = Object.fromEntries(JOB_NAMES.map((n) => [n, async () => void ran.push(n)])) as Record<JobName, () => Promise<void>>;
    tasks['digest-check'] = async () => {
      ran.push('digest-check');
      await slow;
    };
    const log: string[] = [];
    const scheduler = await startScheduler(loadConfig({}), tasks, textLog((l) => log.push(l)), [{ name: 'digest-check', interval: '300ms' }, { name: 'housekeeping', interval: '300ms' }]);
    try {
      await until(() => ran.filter((n) => n === 'housekeeping').length >= 2, 'housekeeping to run twice from its worker', 10_000);
      // digest-check is still running: its worker fired again, the task did not start again
      expect(ran.filter((n) => n === 'digest-check')).toHaveLength(1);
      release();
      await until(() => ran.filter((n) => n === 'digest-check').length >= 2, 'digest-check to run again once free', 10_000);
      expect(log).toEqual([]);
    } finally {
      await scheduler.stop();
    }
  });
});
