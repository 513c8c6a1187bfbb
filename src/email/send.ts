/**
 * Exactly-once sending: a row in email_send is claimed (unique per digest, period and recipients)
 * before anything is built or sent, so two schedulers racing for the same digest send it once.
 * A failed send is retried with backoff (5 min, doubling, at most 6 h) and after five attempts
 * gives up and says so (log, Slack). A claim left 'sending' by a process that died is marked
 * 'interrupted' and not resent on its own.
 */
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { addDays, addMonths } from '../datasets/catalog.ts';
import { computeFreshness } from '../deliveries/freshness.ts';
import { describeError } from '../errors.ts';
import { withFields, type Log } from '../log.ts';
import { localDate, zonedMidnight } from '../periods.ts';
import { telemetry } from '../telemetry.ts';
import { inlineCharts } from './inline-charts.ts';
import { buildDailyDigest, buildMonthlyDigest, DIGEST_DATASETS, digestPeriod, type DigestKind } from './digests.ts';
import type { Mailer } from './mailer.ts';
import { renderEmail, type RenderedEmail } from './render.ts';

export const MAX_ATTEMPTS = 5;
/** A claim older than this still 'sending' was interrupted. */
export const INTERRUPTED_AFTER_MINUTES = 30;

export interface SendDeps {
  db: Database;
  mailer: Mailer;
  config: Config;
  log: Log;
  now: () => Date;
  /** Tell people (Slack) when an email gave up or was interrupted. */
  alert?: (text: string) => Promise<void>;
}

export interface SendKey {
  digest: DigestKind | 'on-demand';
  periodKey: string;
  recipients: string[];
}

/** 'partly': the mail server took it for some recipients and refused the others (not retried: the others have it). */
export type SendOutcome = 'sent' | 'partly' | 'already' | 'failed';

function backoffMs(attempts: number): number {
  return Math.min(6 * 3_600_000, 5 * 60_000 * 2 ** (attempts - 1));
}

/**
 * Sends `build()`'s email to the key's recipients unless that was done (or is being done) already.
 * With `retry: false` (someone is waiting for the answer) a failure is recorded without a retry.
 */
export async function sendOnce(d: SendDeps, key: SendKey, build: () => Promise<{ email: RenderedEmail; late: string[] }>, options: { retry?: boolean } = {}): Promise<SendOutcome> {
  const recipients = [...new Set(key.recipients.map((r) => r.toLowerCase()))].sort();
  const now = d.now().toISOString();
  const claimed = await d.db.query<{ id: number; attempts: number }>(
    `insert into email_send (digest, period_key, recipients, status, attempts, claimed_at) values ($1, $2, $3, 'sending', 1, $4)
     on conflict (digest, period_key, recipients) do update set status = 'sending', attempts = email_send.attempts + 1, claimed_at = excluded.claimed_at
       where email_send.status = 'failed' and email_send.next_attempt_at <= excluded.claimed_at
     returning id, attempts`,
    [key.digest, key.periodKey, recipients.join(','), now],
  );
  if (claimed.length === 0) return 'already';
  const { id, attempts } = claimed[0]!;
  const log = withFields(d.log, { component: 'email', digestId: `${key.digest} ${key.periodKey}` });
  try {
    const built = await build();
    const late = built.late;
    const { email, failed } = await inlineCharts(built.email, d.config.quickChartUrl);
    if (failed.length) log(`sending without ${failed.length} chart${failed.length === 1 ? '' : 's'}: ${failed[0]}`, { level: 'warn' });
    const sent = await d.mailer.send(recipients, email, { 'X-Marketplace-Pulse-Digest': `${key.digest} ${key.periodKey}` });
    const refused = sent.refused.map((r) => `${r.address} (${r.reason})`).join('; ');
    await d.db.query(
      `update email_send set status = $7, sent_at = $2, subject = $3, message_id = $4, delivered_to = $5, late_datasets = $6::text[], last_error = $8 where id = $1`,
      [id, d.now().toISOString(), email.subject, sent.messageId, sent.where, late, refused ? 'partly-sent' : 'sent', refused ? `refused by the mail server for ${refused}` : null],
    );
    if (refused) {
      const accepted = recipients.filter((r) => !sent.refused.some((x) => x.address.toLowerCase() === r));
      telemetry.digest(key.digest, 'sent');
      log(`sent ${key.digest} ${key.periodKey} to ${accepted.join(', ')} (${sent.where}), but the mail server refused ${refused}`, { level: 'warn' });
      await raise(d, `:email: The ${key.digest} ${key.periodKey} email reached ${accepted.join(', ')}, but the mail server refused ${refused}.`);
      return 'partly';
    }
    telemetry.digest(key.digest, 'sent');
    log(`sent ${key.digest} ${key.periodKey} to ${recipients.join(', ')} (${sent.where})`);
    return 'sent';
  } catch (error) {
    const retry = options.retry !== false;
    const gaveUp = retry && attempts >= MAX_ATTEMPTS;
    const next = new Date(d.now().getTime() + backoffMs(attempts)).toISOString();
    await d.db.query(`update email_send set status = $2, last_error = $3, next_attempt_at = $4 where id = $1`, [id, gaveUp ? 'gave-up' : 'failed', describeError(error), retry && !gaveUp ? next : null]);
    const what = `${key.digest} ${key.periodKey} to ${recipients.join(', ')}`;
    if (!retry || gaveUp) telemetry.digest(key.digest, 'failed');
    if (!retry) log(`could not send ${what}: ${describeError(error)}`, { level: 'error' });
    else log(`could not send ${what} (attempt ${attempts} of ${MAX_ATTEMPTS}): ${describeError(error)}${gaveUp ? '; giving up' : `; retrying at ${next}`}`, { level: gaveUp ? 'error' : 'warn' });
    if (gaveUp) await raise(d, `:email: The ${what} email could not be sent after ${attempts} attempts: ${describeError(error)}. \`marketplace-pulse digests\` shows its history.`);
    return 'failed';
  }
}

/** Claims left 'sending' by a process that died: marked interrupted (and said), never resent on their own. */
export async function markInterrupted(d: SendDeps): Promise<number> {
  const stale = await d.db.query<{ digest: string; period_key: string; recipients: string }>(
    `update email_send set status = 'interrupted', last_error = 'the process stopped while sending; not resent automatically, it may or may not have gone out'
      where status = 'sending' and claimed_at < $1::timestamptz - interval '${INTERRUPTED_AFTER_MINUTES} minutes'
      returning digest, period_key, recipients`,
    [d.now().toISOString()],
  );
  for (const s of stale) {
    d.log(`${s.digest} ${s.period_key} to ${s.recipients} was interrupted mid-send; not resending it`, { component: 'email', level: 'warn', digestId: `${s.digest} ${s.period_key}` });
    await raise(d, `:email: The ${s.digest} ${s.period_key} email to ${s.recipients} was interrupted while sending and may not have gone out; it is not resent automatically.`);
  }
  return stale.length;
}

/** Tells people (Slack, when configured); if that fails too, the log still has it. */
async function raise(d: SendDeps, text: string): Promise<void> {
  try {
    await d.alert?.(text);
  } catch (error) {
    d.log(`could not post this to Slack (${describeError(error)}): ${text}`, { component: 'email', level: 'warn' });
  }
}

/** When a digest for `sendDate` is due, as an instant. */
export function dueAt(kind: DigestKind, sendDate: string, config: Config): Date {
  const at = kind === 'daily' ? config.email.dailyAt : config.email.monthlyAt;
  const [h, m] = at.split(':').map(Number) as [number, number];
  return new Date(zonedMidnight(sendDate, config.email.timeZone).getTime() + (h * 60 + m) * 60_000);
}

/** The send dates due by now, oldest first: the latest only, or every one since the last sent when catching up. */
export async function dueSendDates(d: SendDeps, kind: DigestKind): Promise<string[]> {
  const { config } = d;
  const now = d.now();
  const today = localDate(now, config.email.timeZone);
  const candidate = (date: string) => (kind === 'daily' ? date : `${date.slice(0, 7)}-${String(config.email.monthlyDay).padStart(2, '0')}`);
  const step = (date: string, n: number) => (kind === 'daily' ? addDays(date, n) : addMonths(`${date.slice(0, 7)}-01`, n).slice(0, 8) + String(config.email.monthlyDay).padStart(2, '0'));
  let latest = candidate(today);
  if (latest > today || dueAt(kind, latest, config) > now) latest = step(latest, -1);
  // what already went out (or was tried for good); a failed send stays due until it gives up
  const [last] = await d.db.query<{ period_key: string }>(`select max(period_key) as period_key from email_send where digest = $1 and status <> 'failed'`, [kind]);
  const lastPeriod = last?.period_key ?? null;
  // a first start does not replay the past: only a digest due today goes out
  if (lastPeriod === null && localDate(dueAt(kind, latest, config), config.email.timeZone) !== today) return [];
  const dates: string[] = [];
  for (let date = latest; dates.length < 62; date = step(date, -1)) {
    const p = digestPeriod(kind, date, config.email.timeZone);
    const key = kind === 'daily' ? p.startDate : p.startDate.slice(0, 7);
    if (lastPeriod !== null && key <= lastPeriod) break;
    dates.unshift(date);
    if (lastPeriod === null || config.email.catchUp === 'latest') break;
  }
  return dates;
}

/**
 * Sends every digest that is due: each waits up to DIGEST_GRACE_HOURS past its time for late data,
 * then goes out saying which datasets are late.
 */
export async function runDueDigests(d: SendDeps): Promise<void> {
  await markInterrupted(d);
  for (const kind of ['daily', 'monthly'] as const) {
    const recipients = kind === 'daily' ? d.config.email.dailyTo : d.config.email.monthlyTo;
    if (recipients.length === 0) continue;
    for (const sendDate of await dueSendDates(d, kind)) {
      const period = digestPeriod(kind, sendDate, d.config.email.timeZone);
      const periodKey = kind === 'daily' ? period.startDate : period.startDate.slice(0, 7);
      const late = (await computeFreshness(d.db, d.now(), d.config.deliveries)).filter((f) => DIGEST_DATASETS[kind].includes(f.dataset) && (f.status === 'late' || f.status === 'missing'));
      const graceEnds = dueAt(kind, sendDate, d.config).getTime() + d.config.email.graceHours * 3_600_000;
      if (late.length > 0 && d.now().getTime() < graceEnds) {
        d.log(`${kind} ${periodKey} waits for ${late.map((f) => f.dataset).join(', ')} (until ${new Date(graceEnds).toISOString()})`, { component: 'email', digestId: `${kind} ${periodKey}` });
        continue;
      }
      await sendOnce(d, { digest: kind, periodKey, recipients }, async () => {
        const options = { now: d.now(), timeZone: d.config.email.timeZone, fiscalYearStartMonth: d.config.fiscalYearStartMonth, quickChartUrl: d.config.quickChartUrl, late };
        const model = kind === 'daily' ? await buildDailyDigest(d.db, period, options) : await buildMonthlyDigest(d.db, period, options);
        return { email: await renderEmail(model, { attachCsv: d.config.email.attachCsv.includes(kind) }), late: late.map((f) => f.dataset) };
      });
    }
  }
}
