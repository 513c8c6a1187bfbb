/**
 * The Slack app inside the service: Bolt with its HTTP receiver (requests at /slack/events on the
 * service's own listener, signatures checked before any handler runs) or Socket Mode. The
 * /marketplace command is acknowledged at once and answered through its response_url.
 */
import { withFields, type Log } from '../log.ts';
import { telemetry } from '../telemetry.ts';
import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, LogLevel, type Logger, type RespondFn, type SlashCommand } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Config, SlackSettings } from '../config.ts';
import { exportDataset } from '../datasets/export.ts';
import type { Database } from '../db/client.ts';
import type { Mailer } from '../email/mailer.ts';
import { fileSpan, sendAnswer } from '../email/on-demand.ts';
import { computeFreshness } from '../deliveries/freshness.ts';
import { AppError, describeError } from '../errors.ts';
import { findCustomers, getCustomerProfile } from '../metrics/customer.ts';
import { answerFor, answerToCsv, checkQuestion, METRICS } from '../metrics/query.ts';
import { parsePeriod, type PeriodOptions } from '../periods.ts';
import { presentAnswer } from '../present/answer.ts';
import { AccessControl, type Verdict } from './access.ts';
import { codeText, mrkdwnText } from './mrkdwn.ts';
import { RequestError, examplesFor, parseRequest, type Request } from './commands.ts';
import {
  apologyMessage,
  customerChoiceMessage,
  customerMessage,
  errorMessage,
  freshnessMessage,
  helpMessage,
  metricMessage,
  metricTitle,
  refusalMessage,
  workingMessage,
  type Message,
} from './render.ts';

/** Largest CSV uploaded into Slack; bigger exports are for the CLI. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** Where the connection to Slack stands, for /healthz and the log. */
export interface SlackStatus {
  state: 'connecting' | 'ok' | 'failing';
  /** Why it is failing, in words an operator can act on. */
  detail: string | null;
  since: string;
  nextAttemptAt: string | null;
}

export interface SlackService {
  settings: SlackSettings;
  /** HTTP mode: the handler for POST /slack/events; null in Socket Mode. */
  requestListener: RequestListener | null;
  client: WebClient;
  status(): SlackStatus;
  /** Checks the token (and opens Socket Mode) in the background, retrying with backoff; never throws. */
  start(): void;
  /** Stops within a few seconds whatever Slack does. */
  stop(): Promise<void>;
}

export interface SlackDeps {
  config: Config;
  settings: SlackSettings;
  db: Database;
  log: Log;
  now?: () => Date;
  /** For /marketplace email; without it the command says email is not set up. */
  mailer?: Mailer;
}

/** A Slack call gives up after this long; Bolt's default retries for about 30 minutes. */
const SLACK_TIMEOUT_MS = 15_000;
const SLACK_RETRY = { retries: 2, factor: 2, minTimeout: 1_000, maxTimeout: 5_000 };
/** Waits between attempts to reach Slack while it fails: 15 s doubling to 30 minutes. */
const RETRY_FIRST_MS = 15_000;
const RETRY_MAX_MS = 30 * 60_000;
/** How long a stop waits for Socket Mode to close. */
const STOP_TIMEOUT_MS = 3_000;

function boltLogger(log: Log): Logger {
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: () => {},
    warn: (...m: unknown[]) => log(m.map(String).join(' '), { level: 'warn' }),
    error: (...m: unknown[]) => log(m.map(String).join(' '), { level: 'error' }),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * Slack trouble degrades Slack only. Bolt is given the token through `authorize`, so it never
 * calls auth.test itself (with `token`, a rejected token was an unhandled rejection that ended the
 * whole service); we check the token in the background instead, say what is wrong, and retry.
 */
export function createSlackService(given: SlackDeps): SlackService {
  const log = withFields(given.log, { component: 'slack' });
  const deps = { ...given, log };
  const { settings } = deps;
  const logger = boltLogger(log);
  const clientOptions = { ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}), retryConfig: SLACK_RETRY, timeout: SLACK_TIMEOUT_MS };
  const client = new WebClient(settings.botToken, { ...clientOptions, logger });
  let identity: { botId?: string; botUserId?: string } = {};
  const authorize = async () => ({ botToken: settings.botToken, ...identity });
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (settings.mode === 'http') {
    receiver = new HTTPReceiver({ signingSecret: settings.signingSecret!, endpoints: '/slack/events', logger });
    app = new App({ authorize, receiver, logger, clientOptions });
  } else {
    app = new App({ authorize, appToken: settings.appToken!, socketMode: true, logger, clientOptions });
  }
  const access = new AccessControl(settings, client);
  const handler = new CommandHandler(deps, access, client);
  app.command('/marketplace', async ({ command, ack, respond }) => {
    const request = safeParse(command.text);
    // acknowledge at once (Slack allows 3 seconds); the answer follows through response_url
    await ack(request.kind === 'help' ? { response_type: 'ephemeral', ...helpMessage() } : request.kind === 'error' ? undefined : { response_type: 'ephemeral', ...workingMessage(`/marketplace ${command.text.trim()}`) });
    if (request.kind === 'help') return;
    await handler.handle(command, request, respond);
  });

  let status: SlackStatus = { state: 'connecting', detail: null, since: new Date().toISOString(), nextAttemptAt: null };
  let stopped = false;
  let socketOpen = false;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (attempt: number): Promise<void> => {
    try {
      const who = await client.auth.test();
      identity = { ...(who.bot_id ? { botId: who.bot_id } : {}), ...(who.user_id ? { botUserId: who.user_id } : {}) };
      if (settings.mode === 'socket' && !socketOpen && !stopped) {
        await withTimeout(app.start(), 30_000, 'Socket Mode did not connect within 30 s');
        socketOpen = true;
      }
      if (stopped) return;
      if (status.state !== 'ok') log(`connected as ${who.user ?? who.user_id ?? 'the app'} in ${who.team ?? who.team_id ?? 'the workspace'}${settings.mode === 'socket' ? ' (Socket Mode)' : ''}`);
      status = { state: 'ok', detail: null, since: new Date().toISOString(), nextAttemptAt: null };
    } catch (error) {
      if (socketOpen === false && settings.mode === 'socket') await withTimeout(app.stop(), STOP_TIMEOUT_MS, 'Socket Mode did not close').catch(() => {});
      if (stopped) return;
      const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** attempt);
      const detail = explainSlackError(error, settings);
      const next = new Date(Date.now() + wait).toISOString();
      status = { state: 'failing', detail, since: status.state === 'failing' ? status.since : new Date().toISOString(), nextAttemptAt: next };
      log(`${detail}; ingest and email carry on without Slack; trying again in ${Math.round(wait / 1000)} s`, { level: 'warn' });
      timer = setTimeout(() => void connect(attempt + 1), wait);
      timer.unref();
    }
  };
  return {
    settings,
    requestListener: receiver ? receiver.requestListener : null,
    client,
    status: () => status,
    start() {
      void connect(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (settings.mode === 'socket') await withTimeout(app.stop(), STOP_TIMEOUT_MS, 'Socket Mode did not close').catch((error: unknown) => log(describeError(error), { level: 'warn' }));
    },
  };
}

/** The subcommand as a metric label: the metric's name, else the kind (export, email, …). */
function commandName(request: Parsed): string {
  if (request.kind === 'error') return 'unknown';
  return request.kind === 'metric' ? request.metric : request.kind;
}

/** What an operator should do about a failed Slack call. */
export function explainSlackError(error: unknown, settings: SlackSettings): string {
  const code = (error as { data?: { error?: string } })?.data?.error;
  if (code === 'invalid_auth' || code === 'not_authed' || code === 'token_revoked' || code === 'account_inactive' || code === 'token_expired') {
    return `Slack rejected the bot token (${code}): set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-…, OAuth & Permissions)`;
  }
  if (code === 'invalid_app_token' || code === 'not_allowed_token_type') {
    return `Slack rejected the app-level token (${code}): set SLACK_APP_TOKEN to an xapp-… token with connections:write (Basic Information, App-Level Tokens)`;
  }
  if (code) return `Slack answered ${code}`;
  const message = describeError(error);
  return `Slack's API cannot be reached at ${settings.apiUrl ?? 'https://slack.com/api/'} (${message})`;
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

type Parsed = Request | { kind: 'error'; error: RequestError };

function safeParse(text: string): Parsed {
  try {
    return parseRequest(text);
  } catch (error) {
    if (error instanceof RequestError) return { kind: 'error', error };
    throw error;
  }
}

export class CommandHandler {
  constructor(
    private readonly deps: SlackDeps,
    private readonly access: AccessControl,
    private readonly client: WebClient,
  ) {}

  private options(): PeriodOptions {
    return { now: (this.deps.now ?? (() => new Date()))(), timeZone: this.deps.config.reportTimeZone, fiscalYearStartMonth: this.deps.config.fiscalYearStartMonth };
  }

  /** Answers one command; never throws and never leaves the person without a reply. */
  async handle(command: SlashCommand, request: Parsed, respond: RespondFn): Promise<void> {
    const who = `${command.user_id} (${command.user_name}) in ${command.channel_id}`;
    const name = commandName(request);
    const log = withFields(this.deps.log, { slackRequestId: command.trigger_id, command: name });
    try {
      if (request.kind === 'error') {
        telemetry.slackCommand(name, 'invalid');
        await respond({ response_type: 'ephemeral', ...errorMessage(request.error.message, request.error.examples) });
        return;
      }
      const verdict = await this.access.check({ userId: command.user_id, channelId: command.channel_id, channelName: command.channel_name });
      if (!verdict.allowed) {
        telemetry.slackCommand(name, 'refused');
        log(`refused /marketplace ${command.text.trim()} from ${who}: ${verdict.reason}`, { level: 'warn' });
        await respond({ response_type: 'ephemeral', ...refusalMessage() });
        return;
      }
      const message = await this.answer(command, request as Request, verdict);
      // the answer takes the place of the "Working on…" note: replaced in place when only the
      // person sees it, else the note is removed and the answer posted for the channel
      if (verdict.visibility === 'channel') {
        await respond({ delete_original: true });
        await respond({ response_type: 'in_channel', ...message });
      } else {
        await respond({ response_type: 'ephemeral', replace_original: true, ...message });
      }
      telemetry.slackCommand(name, 'answered');
    } catch (error) {
      if (error instanceof RequestError || (error as { code?: string })?.code === 'usage') {
        telemetry.slackCommand(name, 'invalid');
        const examples = error instanceof RequestError ? error.examples : examplesFor((request as { metric?: string }).metric);
        await respond({ response_type: 'ephemeral', ...errorMessage(describeError(error), examples) }).catch((e: unknown) => log(`could not reply to ${who}: ${describeError(e)}`, { level: 'warn' }));
        return;
      }
      telemetry.slackCommand(name, 'error');
      const id = randomBytes(4).toString('hex');
      log(`error ${id} answering "/marketplace ${command.text.trim()}" for ${who}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, { level: 'error', errorId: id });
      await respond({ response_type: 'ephemeral', ...apologyMessage(id) }).catch((e: unknown) => log(`could not send the apology for error ${id}: ${describeError(e)}`, { level: 'warn' }));
    }
  }

  private async answer(command: SlashCommand, request: Request, verdict: Verdict): Promise<Message> {
    const { db, config } = this.deps;
    switch (request.kind) {
      case 'help':
        return helpMessage();
      case 'freshness':
        return freshnessMessage(await computeFreshness(db, this.options().now, config.deliveries));
      case 'metric':
        return this.metric(request);
      case 'customer': {
        const matches = await findCustomers(db, request.query);
        if (matches.length === 0) throw new RequestError(`No customer matches "${request.query}" (searched AWS account IDs and company names)`, ['customer 123456789012', 'revenue last-month by customer', 'help']);
        if (matches.length > 1 && !/^\d{12}$/.test(request.query.replace(/[\s-]/g, ''))) return customerChoiceMessage(request.query, matches);
        const profile = await getCustomerProfile(db, matches[0]!, this.options());
        // an address goes to a person in SLACK_PII_USERS in a direct message, never into a channel
        const inDirectMessage = command.channel_id.startsWith('D') || command.channel_name === 'directmessage';
        if (!verdict.pii || inDirectMessage || !profile.address) return customerMessage(profile, verdict.pii);
        await this.client.chat.postMessage({ channel: await this.dmWith(command.user_id), ...customerMessage(profile, true) });
        const answer = customerMessage(profile, false);
        answer.blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: ':lock: The address and contact details are in our direct messages.' }] });
        return answer;
      }
      case 'export':
        return this.export(command, request, verdict);
      case 'email':
        return this.email(command, request, verdict);
      case 'snooze': {
        const until = new Date(this.options().now.getTime() + request.hours * 3_600_000).toISOString();
        await db.query(
          `insert into slack_snooze (target, until, by_user, created_at) values ($1, $2, $3, $4)
           on conflict (target) do update set until = excluded.until, by_user = excluded.by_user, created_at = excluded.created_at`,
          [request.target, until, command.user_id, this.options().now.toISOString()],
        );
        this.deps.log(`${command.user_id} snoozed ${request.target} alerts until ${until}`);
        return plain(`:zzz: Alerts about *${mrkdwnText(request.target)}* are muted for ${request.duration}, until ${until.slice(0, 16).replace('T', ' ')} UTC. \`/marketplace unsnooze ${codeText(request.target)}\` unmutes them.`);
      }
      case 'unsnooze': {
        const r = await db.query<{ target: string }>(`delete from slack_snooze where target = $1 returning target`, [request.target]);
        return plain(r.length ? `:bell: Alerts about *${mrkdwnText(request.target)}* are on again.` : `Alerts about *${mrkdwnText(request.target)}* were not muted.`);
      }
    }
  }

  private async metric(request: Extract<Request, { kind: 'metric' }>): Promise<Message> {
    const options = { ...this.options(), ...(request.days ? { days: request.days } : {}) };
    checkQuestion(request.metric, request.by);
    const p = await presentAnswer(this.deps.db, request.metric, parsePeriod(request.period, options), request.by, options);
    const exportCommand = `export ${request.metric} ${request.period}${p.by ? ` by ${p.by}` : ''}`;
    return metricMessage(p.answer, {
      previous: p.previous,
      exportCommand,
      quickChartUrl: this.deps.config.quickChartUrl,
      ...(p.by ? { by: p.by } : {}),
      ...(p.defaulted ? { defaultBreakdown: { metric: request.metric, period: request.period, dimensions: p.dimensions } } : {}),
    });
  }

  private async export(command: SlashCommand, request: Extract<Request, { kind: 'export' }>, verdict: Verdict): Promise<Message> {
    const options = this.options();
    const period = parsePeriod(request.period, options);
    let csv: Buffer;
    let title: string;
    let personal: { columns: readonly string[]; leftOut: boolean } = { columns: [], leftOut: false };
    if (METRICS.some((m) => m.name === request.what)) {
      const a = await answerFor(this.deps.db, request.what, period, request.by, options);
      csv = Buffer.from(answerToCsv(a));
      title = `${metricTitle(request.what)}${request.by ? ` by ${request.by}` : ''}, ${period.label}`;
    } else {
      const chunks: Buffer[] = [];
      let size = 0;
      // personal data (addresses, email domains, legal names) only for SLACK_PII_USERS
      const rows = exportDataset(this.deps.db, request.what, period, { withoutPersonal: !verdict.pii });
      for await (const chunk of rows) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
        size += b.length;
        if (size > MAX_UPLOAD_BYTES) {
          throw new RequestError(`${request.what} for ${period.label} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; export it with the CLI: marketplace-pulse export ${request.what} ${request.period} --out file.csv`, ['export revenue last-month', `export ${request.what} yesterday`, 'help']);
        }
        chunks.push(b);
      }
      csv = Buffer.concat(chunks);
      title = `${request.what}, ${period.label}`;
      personal = { columns: rows.personalColumns, leftOut: rows.personalLeftOut };
    }
    // into the channel only when the channel itself may see the numbers, and never with personal
    // data in it; else a DM with the requester
    const withPersonal = personal.columns.length > 0 && !personal.leftOut;
    const channel = verdict.visibility === 'channel' && !withPersonal ? command.channel_id : await this.dmWith(command.user_id);
    const filename = `${request.what}${request.by ? `-by-${request.by}` : ''}-${fileSpan(period)}.csv`;
    const note = personalNote(personal);
    await this.client.files.uploadV2({ channel_id: channel, file: csv, filename, title, initial_comment: `${mrkdwnText(title)} (${csv.length.toLocaleString('en-US')} bytes), as asked by <@${command.user_id}>.${note ? ` ${note}` : ''}` });
    return plain(`:page_facing_up: Uploaded *${mrkdwnText(filename)}* ${channel === command.channel_id ? 'here' : 'to our direct messages'}.${note ? ` ${note}` : ''}`);
  }

  private async email(command: SlashCommand, request: Extract<Request, { kind: 'email' }>, verdict: Verdict): Promise<Message> {
    const mailer = this.deps.mailer;
    if (!mailer) throw new RequestError('email is not set up in this marketplace-pulse; use export instead', ['export revenue last-month', 'help']);
    const profile = await this.client.users.info({ user: command.user_id });
    const address = profile.user?.profile?.email;
    if (!address) throw new RequestError('your Slack profile has no email address I can see (the app needs the users:read.email scope, see the manifest)', ['export revenue last-month', 'help']);
    try {
      await sendAnswer(
        { db: this.deps.db, mailer, config: this.deps.config, log: this.deps.log, now: () => this.options().now },
        // personal data only to the address of a person in SLACK_PII_USERS
        { what: request.what, period: request.period, by: request.by, to: [address], requester: command.user_id, withPersonal: verdict.pii },
      );
    } catch (error) {
      // the mail server said no (or could not be reached): the person is told in plain words
      if (error instanceof AppError && error.code === 'email') throw new RequestError(`I could not email it to ${address}: ${error.message}`, ['export revenue last-month', 'help']);
      throw error;
    }
    return plain(`:email: Sent *${mrkdwnText(`${request.what}${request.by ? ` by ${request.by}` : ''}, ${request.period}`)}* to ${mrkdwnText(address)}.`);
  }

  private async dmWith(user: string): Promise<string> {
    const r = await this.client.conversations.open({ users: user });
    if (!r.channel?.id) throw new Error(`conversations.open gave no channel for ${user}`);
    return r.channel.id;
  }
}

/** What a file says of the personal data it has or had: left out for this reader, or sent only to them. */
export function personalNote(personal: { columns: readonly string[]; leftOut: boolean }): string {
  if (personal.columns.length === 0) return '';
  const list = mrkdwnText(personal.columns.join(', '));
  return personal.leftOut
    ? `Personal data (${list}) is left out: only the people in SLACK_PII_USERS see it, in a direct message.`
    : `It holds personal data (${list}): it goes only to you, in a direct message.`;
}

/** A one-line answer; the notification text keeps its emoji (:email:) and loses only the bold marks. */
function plain(text: string): Message {
  return { text: text.replace(/\*/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

