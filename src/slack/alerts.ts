/**
 * Slack alerts: a dataset late or missing (repeated while it stays so, resolved in the same thread
 * when it lands), a file rejected by ingestion, new subscribers and cancellations as they arrive
 * (Marketplace events or the daily data, whichever comes first). Each alert has a key in
 * slack_alert claimed before it is posted, so it posts once across restarts and replicas.
 * `/marketplace snooze` mutes a dataset or a kind of alert until a moment.
 */
import type { Log } from '../log.ts';
import type { WebClient } from '@slack/web-api';
import type { AlertKind, Config, SlackSettings } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { Freshness } from '../deliveries/freshness.ts';
import { describeError } from '../errors.ts';
import { getCancellations, getSubscribers, type AgreementRow } from '../metrics/agreements.ts';
import type { Period } from '../periods.ts';
import { codeText, mrkdwnText } from './mrkdwn.ts';
import { formatMoney } from './render.ts';

type Block = import('@slack/web-api').KnownBlock;

export interface AlertDeps {
  db: Database;
  client: WebClient;
  settings: SlackSettings;
  config: Config;
  freshness: Freshness[];
  now: Date;
  log: Log;
}

/** How far back rejected files and new agreements are alerted (the first run does not replay history). */
export const LOOKBACK_HOURS = 48;
/** A claim whose post never completed (a crash between the two) may be taken over after this. */
const ABANDONED_MINUTES = 10;

/** The snoozes in force for this round: is any of these targets muted? */
type Muted = (...targets: string[]) => boolean;

export async function runAlerts(d: AlertDeps): Promise<void> {
  const rows = await d.db.query<{ target: string }>(`select target from slack_snooze where until > $1`, [d.now.toISOString()]);
  const muted: Muted = (...targets) => targets.some((t) => rows.some((r) => r.target === t));
  // one kind failing (Slack down, a bad row) does not keep the others from posting
  for (const step of [deliveryAlerts, rejectedAlerts, agreementAlerts]) {
    try {
      await step(d, muted);
    } catch (error) {
      d.log(`alerts: ${step.name}: ${describeError(error)}; trying again at the next check`, { component: 'slack', level: 'warn' });
    }
  }
}

interface NewAlert {
  key: string;
  kind: AlertKind;
  subject: string;
  text: string;
  blocks: Block[];
  details?: Record<string, unknown>;
}

/** Claims the key and posts; false when another process has it (or it was posted before). */
async function post(d: AlertDeps, a: NewAlert): Promise<boolean> {
  const channel = d.settings.alertChannels[a.kind];
  if (!channel) return false;
  const now = d.now.toISOString();
  const claimed = await d.db.query<{ alert_key: string }>(
    `insert into slack_alert (alert_key, kind, subject, channel, first_posted_at, last_posted_at, details) values ($1, $2, $3, $4, $5, $5, $6::jsonb)
     on conflict (alert_key) do update set channel = excluded.channel, first_posted_at = excluded.first_posted_at, last_posted_at = excluded.last_posted_at, details = excluded.details
       where slack_alert.message_ts is null and slack_alert.last_posted_at < $5::timestamptz - interval '${ABANDONED_MINUTES} minutes'
     returning alert_key`,
    [a.key, a.kind, a.subject, channel, now, a.details ? JSON.stringify(a.details) : null],
  );
  if (claimed.length === 0) return false;
  try {
    const r = await d.client.chat.postMessage({ channel, text: a.text, blocks: a.blocks });
    await d.db.query(`update slack_alert set message_ts = $2 where alert_key = $1`, [a.key, r.ts ?? '']);
    d.log(`alert posted: ${a.key}`, { component: 'slack' });
    return true;
  } catch (error) {
    // let the next round try again
    await d.db.query(`delete from slack_alert where alert_key = $1 and message_ts is null`, [a.key]);
    throw error;
  }
}

async function reply(d: AlertDeps, channel: string, ts: string | null, text: string): Promise<void> {
  await d.client.chat.postMessage({ channel, text, ...(ts ? { thread_ts: ts } : {}), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
}

const hours = (ms: number) => Math.max(0, Math.round(ms / 3_600_000));

async function deliveryAlerts(d: AlertDeps, muted: Muted): Promise<void> {
  const repeatMs = d.settings.alertRepeatHours * 3_600_000;
  // datasets that never delivered anything are a set-up question, not an outage: one alert for all
  const never = d.freshness.filter((f) => (f.status === 'late' || f.status === 'missing') && !f.completeThrough && !f.lastDelivery);
  const neverNames = never.filter((f) => !muted(f.dataset, 'late')).map((f) => f.dataset);
  if (neverNames.length > 0) {
    const text = `:grey_question: ${neverNames.length} expected dataset${neverNames.length === 1 ? ' has' : 's have'} never arrived: ${neverNames.map((n) => `\`${codeText(n)}\``).join(', ')}. If the bucket is set up, check the SNS/SQS notifications; if you do not receive a feed, list it in DATASETS_NOT_EXPECTED.`;
    await post(d, { key: `delivery:never-delivered:${neverNames.sort().join(',')}`, kind: 'delivery', subject: 'never-delivered', text: text.replace(/`/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  }
  for (const f of d.freshness) {
    const bad = (f.status === 'late' || f.status === 'missing') && !never.includes(f);
    if (bad) {
      if (muted(f.dataset, 'late')) continue;
      const key = `delivery:${f.dataset}:${f.completeThrough ?? 'nothing-yet'}`;
      const [existing] = await d.db.query<{ channel: string; message_ts: string | null; last_posted_at: string; resolved_at: string | null }>(
        `select channel, message_ts, last_posted_at::text, resolved_at::text from slack_alert where alert_key = $1`,
        [key],
      );
      const icon = f.status === 'missing' ? ':red_circle:' : ':large_yellow_circle:';
      if (!existing) {
        const dueAt = new Date(d.now.getTime() - (f.hoursLate ?? 0) * 3_600_000).toISOString();
        const text = `${icon} *${mrkdwnText(f.title)}* (\`${codeText(f.dataset)}\`) is ${f.status}: ${mrkdwnText(f.summary)}`;
        await post(d, { key, kind: 'delivery', subject: f.dataset, text: text.replace(/[*`]/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, { type: 'context', elements: [{ type: 'mrkdwn', text: `\`/marketplace snooze ${f.dataset} 1d\` mutes this · \`/marketplace freshness\` shows every dataset` }] }], details: { dueAt, status: f.status } });
        continue;
      }
      if (existing.resolved_at || !existing.message_ts) continue;
      // still late: say so again in the thread, once per repeat interval, by one replica
      const due = await d.db.query(
        `update slack_alert set last_posted_at = $2 where alert_key = $1 and resolved_at is null and last_posted_at <= $2::timestamptz - ($3::double precision * interval '1 millisecond') returning alert_key`,
        [key, d.now.toISOString(), repeatMs],
      );
      if (due.length > 0) await reply(d, existing.channel, existing.message_ts, `${icon} Still ${f.status}: ${mrkdwnText(f.summary)}`);
    } else {
      const open = await d.db.query<{ alert_key: string; channel: string; message_ts: string | null; details: { dueAt?: string } | null }>(
        `update slack_alert set resolved_at = $2 where kind = 'delivery' and subject = $1 and resolved_at is null and message_ts is not null returning alert_key, channel, message_ts, details`,
        [f.dataset, d.now.toISOString()],
      );
      for (const a of open) {
        const arrived = f.lastDelivery ? new Date(f.lastDelivery.at) : d.now;
        const late = a.details?.dueAt ? hours(arrived.getTime() - Date.parse(a.details.dueAt)) : null;
        await reply(d, a.channel, a.message_ts, `:white_check_mark: Resolved: ${mrkdwnText(f.title)} arrived${late !== null ? ` ${late} hour${late === 1 ? '' : 's'} late` : ''}${f.completeThrough ? `; data complete through ${mrkdwnText(f.completeThrough)}` : ''}.`);
      }
    }
  }
}

async function rejectedAlerts(d: AlertDeps, muted: Muted): Promise<void> {
  const since = new Date(d.now.getTime() - LOOKBACK_HOURS * 3_600_000).toISOString();
  const rejected = await d.db.query<{ id: number; object_key: string; location: string; dataset: string | null; error: string | null; problem_count: number | null }>(
    `select f.id, f.object_key, f.location, f.dataset, f.error, (f.error_details->>'problemCount')::int as problem_count
       from ingest_file f
      where f.status = 'rejected' and f.finished_at > $1 and f.finished_at <= $2
        and not exists (select 1 from slack_alert a where a.alert_key = 'rejected:' || f.id)
      order by f.id`,
    [since, d.now.toISOString()],
  );
  for (const r of rejected) {
    if (muted('rejected', ...(r.dataset ? [r.dataset] : []))) continue;
    const text = `:no_entry: Rejected \`${codeText(r.object_key)}\`${r.dataset ? ` (${mrkdwnText(r.dataset)})` : ''}: ${mrkdwnText(r.error ?? 'no reason recorded')}${r.problem_count && r.problem_count > 1 ? ` (${r.problem_count} problems; \`marketplace-pulse ledger --status rejected\` lists them)` : ''}. Nothing already stored was changed.`;
    await post(d, { key: `rejected:${r.id}`, kind: 'rejected', subject: r.object_key, text: text.replace(/[`]/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }], details: { location: r.location } });
  }
}

interface AgreementNews {
  agreementId: string;
  company: string | null;
  awsAccountId: string | null;
  product: string | null;
  value: string | null;
  currency: string | null;
  status: string | null;
}

async function agreementAlerts(d: AlertDeps, muted: Muted): Promise<void> {
  const start = new Date(d.now.getTime() - LOOKBACK_HOURS * 3_600_000);
  const period: Period = { start: start.toISOString(), end: d.now.toISOString(), label: `the last ${LOOKBACK_HOURS} hours`, startDate: start.toISOString().slice(0, 10), endDate: d.now.toISOString().slice(0, 10) };
  const fromRows = (rows: AgreementRow[]): AgreementNews[] =>
    rows.filter((r) => r.agreement_id).map((r) => ({ agreementId: r.agreement_id!, company: r.company, awsAccountId: r.aws_account_id, product: r.product, value: r.contract_value, currency: r.currency, status: r.status }));
  const subscribers = [...(await fromEvents(d, period, 'Purchase Agreement Created')), ...fromRows((await getSubscribers(d.db, period)).rows)];
  const cancellations = [...(await fromEvents(d, period, 'Purchase Agreement Ended')), ...fromRows((await getCancellations(d.db, period)).rows)];
  for (const [kind, list] of [['subscribers', subscribers], ['cancellations', cancellations]] as const) {
    if (muted(kind)) continue;
    const seen = new Set<string>();
    for (const n of list) {
      if (seen.has(n.agreementId)) continue;
      seen.add(n.agreementId);
      const who = `*${mrkdwnText(n.company ?? `AWS account ${n.awsAccountId ?? 'unknown'}`)}*${n.company && n.awsAccountId ? ` (${mrkdwnText(n.awsAccountId)})` : ''}`;
      const what = mrkdwnText(`${n.product ? ` · ${n.product}` : ''}${n.value ? ` · contract ${formatMoney(n.value, n.currency)}` : ''}`);
      const text = kind === 'subscribers' ? `:tada: New subscriber: ${who}${what}` : `:wave: Cancellation: ${who}${what}${n.status ? ` (${mrkdwnText(n.status)})` : ''}`;
      await post(d, { key: `${kind === 'subscribers' ? 'subscriber' : 'cancellation'}:${n.agreementId}`, kind: 'subscribers', subject: n.agreementId, text: text.replace(/\*/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
    }
  }
}

/** New agreements (intent NEW) or ended ones (CANCELLED, TERMINATED) from Marketplace events, named from the feeds. */
async function fromEvents(d: AlertDeps, period: Period, kind: 'Purchase Agreement Created' | 'Purchase Agreement Ended'): Promise<AgreementNews[]> {
  const created = kind === 'Purchase Agreement Created';
  return d.db.query<AgreementNews>(
    `select distinct on (e.agreement_id) e.agreement_id as "agreementId", ad.company_name as company,
            coalesce(a.aws_account_id, e.acceptor_account_id) as "awsAccountId",
            coalesce(e.body #>> '{detail,product,title}', p.title) as product,
            g.estimated_agreement_value::text as value, g.currency_code as currency, e.body #>> '{detail,agreement,status}' as status
       from marketplace_event e
       left join sdds_account_current a on a.aws_account_id = e.acceptor_account_id
       left join sdds_address_current ad on ad.address_id = coalesce(a.tax_address_id, a.mailing_address_id)
       left join sdds_agreement_current g on g.agreement_id = e.agreement_id
       left join sdds_product_current p on p.product_id = e.product_id
      where e.kind = $1 and e.agreement_id is not null and coalesce(e.event_time, e.received_at) >= $2 and coalesce(e.event_time, e.received_at) < $3
        and ${created ? `coalesce(e.body #>> '{detail,agreement,intent}', 'NEW') = 'NEW'` : `e.body #>> '{detail,agreement,status}' in ('CANCELLED', 'TERMINATED')`}
      order by e.agreement_id, e.received_at`,
    [kind, period.start, period.end],
  );
}
