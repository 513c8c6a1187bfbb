/**
 * The service's schedule, run by Bree: the daily digest (DIGEST_DAILY_AT), the monthly digest
 * (DIGEST_MONTHLY_AT), a digest check every five minutes (retries, catch-up, data arriving within
 * the grace), the delivery watch (DELIVERY_CHECK_MINUTES) and nightly housekeeping, all in the
 * digest time zone. Each job in jobs/ is a worker that asks this thread to run its task: the
 * database connection lives here (the embedded PGlite cannot be opened twice). A task still running
 * when its job fires again is not started twice.
 */
import Bree from 'bree';
import type { Config } from './config.ts';
import { describeError } from './errors.ts';
import { withFields, type Log } from './log.ts';
import { JOBS_DIR } from './paths.ts';

export const JOB_NAMES = ['daily-digest', 'monthly-digest', 'digest-check', 'delivery-watch', 'housekeeping'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export { JOBS_DIR };

export interface Scheduler {
  /** Runs a task now (start-up, tests), waiting for it. */
  run(name: JobName): Promise<void>;
  stop(): Promise<void>;
}

export function jobDefinitions(config: Config): Bree.JobOptions[] {
  const [dh, dm] = config.email.dailyAt.split(':').map(Number) as [number, number];
  const [mh, mm] = config.email.monthlyAt.split(':').map(Number) as [number, number];
  const timezone = config.email.timeZone;
  return [
    { name: 'daily-digest', cron: `${dm} ${dh} * * *`, timezone },
    { name: 'monthly-digest', cron: `${mm} ${mh} ${config.email.monthlyDay} * *`, timezone },
    { name: 'digest-check', interval: '5m' },
    { name: 'delivery-watch', interval: `${config.deliveryCheckMinutes}m` },
    { name: 'housekeeping', cron: '17 3 * * *', timezone },
  ];
}

export async function startScheduler(config: Config, tasks: Record<JobName, () => Promise<void>>, rootLog: Log, jobs: Bree.JobOptions[] = jobDefinitions(config)): Promise<Scheduler> {
  const log = withFields(rootLog, { component: 'scheduler' });
  const running = new Map<JobName, Promise<void>>();
  const run = (name: JobName): Promise<void> => {
    const current = running.get(name);
    if (current) return current;
    const p = tasks[name]()
      .catch((error: unknown) => log(`${name}: ${describeError(error)}`, { level: 'error', job: name }))
      .finally(() => running.delete(name));
    running.set(name, p);
    return p;
  };
  const bree = new Bree({
    root: JOBS_DIR,
    defaultExtension: 'js',
    logger: false,
    jobs,
    workerMessageHandler: ({ message }) => {
      if ((JOB_NAMES as readonly string[]).includes(String(message))) void run(message as JobName);
    },
    errorHandler: (error, data) => log(`job ${data.name} failed: ${describeError(error)}`, { level: 'error', job: data.name }),
  });
  await bree.start();
  return {
    run,
    async stop() {
      await bree.stop();
      await Promise.all(running.values());
    },
  };
}
