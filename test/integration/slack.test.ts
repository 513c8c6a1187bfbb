/**
 * /marketplace end to end through Bolt's HTTP receiver: signed requests in, the ack, the answer on
 * the response URL, files uploaded with files.uploadV2, all against a local Slack Web API double;
 * who may see what; and the alerts (posted once, repeated, resolved in thread, snoozed).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import type { Freshness } from '../../src/deliveries/freshness.ts';
import { runAlerts } from '../../src/slack/alerts.ts';
import { createSlackService, type SlackService } from '../../src/slack/app.ts';
import { SUBCOMMANDS } from '../../src/slack/commands.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, putFile, tempDir } from '../support/files.ts';
import { postCommand, SIGNING_SECRET, startSlackDouble, type SlackDouble } from '../support/slack.ts';
import { until } from '../support/wait.ts';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createMailer } from '../../src/email/mailer.ts';
import { ingestObject } from '../../src/ingest/load.ts';
import { localObject } from '../../src/ingest/local.ts';
import { textLog } from '../../src/log.ts';

const NOW = new Date('2026-11-29T08:00:00Z');
type Blocks = Array<Record<string, any>>;

/** Every text in a Block Kit message, joined, for "does it say …" checks. */
function texts(blocks: Blocks): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'text' || k === 'image_url' || k === 'alt_text') && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(blocks);
  return out.join('\n');
}

async function seed(db: Database, root: string): Promise<void> {
  const at = { now: () => new Date('2026-11-28T07:00:00Z') };
  const customers = Array.from({ length: 12 }, (_, i) => i + 1);
  await ingestContent(db, root, 'AccountFeed_V1/year=2026/month=01/data.csv', csv([
    ['valid_from', 'account_id', 'aws_account_id', 'mailing_address_id'],
    ['2026-01-01T00:00:00Z', 'acct-a', '012345678901', 'addr-a'],
    ...customers.map((i) => ['2026-01-01T00:00:00Z', `acct-${i}`, String(100000000000 + i), `addr-${i}`]),
  ]), at);
  await ingestContent(db, root, 'AddressFeed_V1/year=2026/month=01/data.csv', csv([
    ['valid_from', 'address_id', 'company_name', 'email_domain', 'country_code', 'state_or_region', 'city', 'postal_code', 'address_line_1'],
    ['2026-01-01T00:00:00Z', 'addr-a', 'Example Corp', 'example.com', 'US', 'WA', 'Seattle', '98101', '410 Terry Ave N'],
    ...customers.map((i) => ['2026-01-01T00:00:00Z', `addr-${i}`, `Customer ${String(i).padStart(2, '0')} Ltd`, 'c.test', 'GB', '', 'London', 'N1', '1 High St']),
  ]), at);
  await ingestContent(db, root, 'ProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,product_id,product_code,title\n2026-01-01T00:00:00Z,prod-1,pc-1,Acme Analytics\n', at);
  await ingestContent(db, root, 'OfferFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,name\n2026-01-01T00:00:00Z,offer-1,1,Acme Analytics public offer\n', at);
  await ingestContent(db, root, 'OfferProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,product_id\n2026-01-01T00:00:00Z,offer-1,1,prod-1\n', at);
  await ingestContent(db, root, 'AgreementFeed_V1/year=2026/month=11/data.csv', csv([
    ['valid_from', 'agreement_id', 'acceptor_account_id', 'offer_id', 'start_time', 'end_time', 'acceptance_time', 'status', 'intent', 'estimated_agreement_value', 'currency_code'],
    ['2026-10-05T00:00:00Z', 'agmt-1', 'acct-a', 'offer-1', '2026-10-05T00:00:00Z', '2027-10-05T00:00:00Z', '2026-10-05T00:00:00Z', 'ACTIVE', 'NEW', '12000.00', 'USD'],
    // accepted yesterday: a new-subscriber alert
    ['2026-11-28T06:00:00Z', 'agmt-2', 'acct-1', 'offer-1', '2026-11-28T06:00:00Z', '2027-11-28T06:00:00Z', '2026-11-28T06:00:00Z', 'ACTIVE', 'NEW', '6000.00', 'USD'],
  ]), at);
  const H = ['valid_from', 'update_date', 'billing_event_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date', 'invoice_id'];
  await ingestContent(db, root, 'BillingEventFeed_V1/year=2026/month=11/data.csv', csv([
    H,
    ['2026-09-01T00:00:00Z', '2026-09-01T00:00:00Z', 'sep-1', 'acct-a', 'prod-1', 'INVOICED', 'SELLER_REV_SHARE', '800.00', 'USD', '1', '2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z', 'inv-sep'],
    ['2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z', 'oct-a', 'acct-a', 'prod-1', 'INVOICED', 'SELLER_REV_SHARE', '1000.00', 'USD', '1', '2026-10-01T00:00:00Z', '2026-10-31T00:00:00Z', 'inv-oct-a'],
    ['2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z', 'oct-a-fee', 'acct-a', 'prod-1', 'INVOICED', 'AWS_REV_SHARE', '-30.00', 'USD', '1', '2026-10-01T00:00:00Z', '2026-10-31T00:00:00Z', 'inv-oct-a'],
    ...customers.map((i) => [`2026-10-0${1 + (i % 9)}T00:00:00Z`, '2026-10-10T00:00:00Z', `oct-${i}`, `acct-${i}`, 'prod-1', 'INVOICED', 'SELLER_REV_SHARE', `${i * 10}.00`, 'USD', '1', `2026-10-0${1 + (i % 9)}T00:00:00Z`, '2026-11-30T00:00:00Z', `inv-oct-${i}`]),
  ]), at);
}

describe('Slack', () => {
  let t: TestDatabase;
  let double: SlackDouble;
  let slack: SlackService;
  let server: Server;
  let url: string;
  let config: Config;
  const logs: string[] = [];
  let n = 0;

  const ask = async (text: string, o: { user?: string; channel?: string; channelName?: string } = {}) => {
    const id = `r${++n}`;
    const ack = await postCommand(url, { text, response_url: double.responseUrl(id), ...(o.user ? { user_id: o.user } : {}), ...(o.channel ? { channel_id: o.channel } : {}), ...(o.channelName ? { channel_name: o.channelName } : {}) });
    expect(ack.status).toBe(200);
    // the answer: what was posted to the response URL other than removing the "Working on…" note
    const answer = () => double.responses.find((r) => r.id === id && r.body.delete_original !== true);
    return {
      ack: ack.text ? (JSON.parse(ack.text) as Record<string, any>) : null,
      reply: async () => (await until(answer, `the answer to "${text}"`)).body as Record<string, any>,
      posted: () => double.responses.filter((r) => r.id === id).map((r) => r.body),
    };
  };

  beforeAll(async () => {
    t = await createPostgresDatabase();
    await seed(t.db, await tempDir());
    double = await startSlackDouble();
    config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: double.apiUrl,
      SLACK_ALLOWED_CHANNELS: 'C0FINANCE',
      SLACK_ALLOWED_USERS: 'UCFO',
      SLACK_ALLOWED_USERGROUPS: 'SFINANCE',
      SLACK_PII_USERS: 'UCFO',
      SLACK_ALERT_CHANNEL: 'C0ALERTS',
      SLACK_ALERT_CHANNEL_SUBSCRIBERS: 'C0SALES',
      QUICKCHART_URL: 'https://charts.example.com',
      DATA_DIR: await tempDir(),
    });
    double.usergroups.set('SFINANCE', ['UGROUPIE']);
    double.emails.set('UFINANCE', 'fin@example.com');
    slack = createSlackService({ config, settings: config.slack!, db: t.db, log: textLog((l) => logs.push(l)), now: () => NOW, mailer: createMailer(config.email) });
    server = createServer(slack.requestListener!);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/slack/events`;
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await double?.stop();
    await t?.drop();
  });

  it('acknowledges at once, then answers revenue with headline, change, table, chart and freshness', async () => {
    const q = await ask('revenue last-month');
    expect(q.ack).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Working on') });
    const reply = await q.reply();
    expect(reply.response_type).toBe('in_channel');
    // the "Working on…" note goes: removed, then the answer posted for the channel
    expect(q.posted()).toEqual([{ delete_original: true }, reply]);
    const blocks = reply.blocks as Blocks;
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Billed revenue · October 2026' } });
    // October 1,000 + 780 (customers 1-12) = 1,780 gross against September's 800: +122.5%, good news
    expect(blocks[1]!.text.text).toBe('*Gross revenue* $1,780.00  :large_green_circle: _▲ 122.5% vs September 2026_\n*Net revenue* $1,750.00\n*Refunds* $0.00\n*Listing fees* -$30.00');
    // a plain question still shows what is behind it: the top products, and how to break it down
    expect(blocks[2]!.text.text).toMatch(/^```\nProduct\s+Gross\s+Net\nAcme Analytics\s+\$1,780\.00\s+\$1,750\.00\n```$/);
    expect(texts(blocks)).toContain('Break it down: `/marketplace revenue last-month by customer` · `/marketplace revenue last-month by offer` · `/marketplace revenue last-month by month`');
    expect(blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: expect.stringMatching(/^Source: Seller Data Feeds · (data complete through 2026-\d\d-\d\d|nothing delivered yet) · compared with September 2026$/) }] });
    expect(reply.text).toBe('Billed revenue, October 2026: Gross revenue $1,780.00 (▲ 122.5%)');
  });

  it('breaks down by customer with names, truncates long lists with an offer to export, and charts them', async () => {
    const reply = await (await ask('revenue last-month by customer')).reply();
    const blocks = reply.blocks as Blocks;
    const table = blocks.find((b) => b.type === 'section' && String(b.text?.text).startsWith('```'))!.text.text as string;
    const lines = table.split('\n');
    expect(lines[1]).toMatch(/^Customer\s+Gross\s+Net$/);
    expect(lines[2]).toMatch(/^Example Corp\s+\$1,000\.00\s+\$970\.00$/);
    expect(lines[3]).toMatch(/^Customer 12 Ltd\s+\$120\.00\s+\$120\.00$/);
    expect(lines).toHaveLength(2 + 10 + 1);
    expect(texts(blocks)).toContain('…and 3 more. All of them as CSV: `/marketplace export revenue last-month by customer`');
    const image = blocks.find((b) => b.type === 'image')!;
    expect(image.image_url).toMatch(/^https:\/\/charts\.example\.com\/chart\?/);
    expect(decodeURIComponent(String(image.image_url).replace(/\+/g, ' '))).toMatch(/labels:\['Example Corp','Customer 12 Ltd',/);
  });

  it('answers every metric, freshness and a customer; help is generated from the command list', async () => {
    for (const text of ['subscribers last-month', 'cancellations 2026-10', 'active', 'usage mtd', 'collections last-month', 'disbursements last-quarter', 'past-due', 'reconcile 2026-10']) {
      const reply = await (await ask(text)).reply();
      expect(reply.blocks[0].type, text).toBe('header');
      expect(texts(reply.blocks as Blocks), text).toMatch(/Source: /);
    }
    const subs = await (await ask('subscribers last-month')).reply();
    expect(texts(subs.blocks as Blocks)).toContain('*New subscribers* 1');
    expect(texts(subs.blocks as Blocks)).toMatch(/Example Corp\s+Acme Analytics\s+\$12,000\.00/);
    const pastDue = await (await ask('past-due')).reply();
    expect(texts(pastDue.blocks as Blocks)).toContain('*Past due* $1,800.00');
    expect((pastDue.blocks as Blocks).find((b) => b.type === 'image')!.image_url).toContain('charts.example.com');

    const fresh = await (await ask('freshness')).reply();
    expect(fresh.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Data freshness' } });
    expect(texts(fresh.blocks as Blocks)).toContain('`sdds_billing_event`');

    const help = await ask('help');
    expect(help.ack!.response_type).toBe('ephemeral');
    for (const s of SUBCOMMANDS) expect(texts(help.ack!.blocks as Blocks)).toContain(`/marketplace ${s.usage}`);
  });

  it('shows a customer, with the address only to people allowed to see contact details', async () => {
    const asFinance = await (await ask('customer 0123-4567-8901')).reply();
    expect(asFinance.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Example Corp' } });
    const seen = texts(asFinance.blocks as Blocks);
    expect(seen).toContain('Acme Analytics');
    expect(seen).toContain('*Revenue, last 12 months*\n$1,800.00 gross, $1,770.00 net');
    expect(seen).toMatch(/inv-sep\s+2026-10-01\s+\$800\.00\s+59 days late/);
    expect(seen).not.toContain('Terry Ave');
    const asCfo = await (await ask('customer Example', { user: 'UCFO', channel: 'D0CFO', channelName: 'directmessage' })).reply();
    expect(asCfo.response_type).toBe('ephemeral');
    expect(texts(asCfo.blocks as Blocks)).toContain('410 Terry Ave N, Seattle WA 98101, US');
    const several = await (await ask('customer Customer 1')).reply();
    expect(several.text).toContain('matches 3 customers');
    const none = await (await ask('customer Nobody Inc')).reply();
    expect(none.response_type).toBe('ephemeral');
    expect(none.text).toContain('No customer matches "Nobody Inc"');
  });

  it('tells what was wrong with bad input, with examples, privately', async () => {
    for (const [text, says] of [
      ['revenu last-month', '"revenu" is not something I answer'],
      ['revenue last-fortnight', '"last-fortnight" is not a period I know'],
      ['revenue last-month by color', 'revenue can be broken down by product, customer, offer, month, country, state, charge, not "color"'],
      ['snooze sdds_billing_event forever', '"forever" is not a duration'],
    ] as const) {
      const q = await ask(text);
      const reply = await q.reply();
      expect(reply.response_type, text).toBe('ephemeral');
      expect(reply.text, text).toContain(says);
      expect(reply.text, text).toMatch(/Try: `\/marketplace [^`]+` · `\/marketplace [^`]+`/);
    }
  });

  it('refuses people and channels not allowed, politely, and logs the attempt', async () => {
    const reply = await (await ask('revenue last-month', { user: 'UINTERN', channel: 'C0RANDOM', channelName: 'random' })).reply();
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe("Sorry, these numbers are confidential and you don't have access to them here. Ask whoever looks after marketplace-pulse in your company to give you (or this channel) access.");
    expect(reply.text).not.toMatch(/SLACK_|ALLOWED/);
    expect(logs.some((l) => l.includes('refused /marketplace revenue last-month from UINTERN') && l.includes('on no allow list'))).toBe(true);
    // a listed user anywhere, and a member of a listed group, get private answers
    expect((await (await ask('revenue last-month', { user: 'UCFO', channel: 'C0RANDOM' })).reply()).response_type).toBe('ephemeral');
    const asked = await ask('revenue last-month', { user: 'UGROUPIE', channel: 'C0RANDOM' });
    const groupie = await asked.reply();
    expect(groupie.response_type).toBe('ephemeral');
    // a private answer takes the place of the "Working on…" note
    expect(groupie.replace_original).toBe(true);
    expect(asked.posted()).toHaveLength(1);
    expect(groupie.text).toContain('Billed revenue');
  });

  it('rejects forged and replayed requests before any handler runs', async () => {
    const before = double.responses.length;
    const forged = await postCommand(url, { text: 'revenue last-month', response_url: double.responseUrl('forged') }, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const replayed = await postCommand(url, { text: 'revenue last-month', response_url: double.responseUrl('replayed') }, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(replayed.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(double.responses.length).toBe(before);
  });

  it('uploads an export as CSV: into an allowed channel, else to a direct message', async () => {
    const reply = await (await ask('export revenue last-month by customer')).reply();
    expect(reply.text).toBe(':page_facing_up: Uploaded revenue-by-customer-2026-10-01_to_2026-10-31.csv here.');
    const complete = double.callsTo('files.completeUploadExternal').at(-1)!;
    expect(complete.args.channel_id).toBe('C0FINANCE');
    const upload = double.uploads.at(-1)!;
    const rows = upload.bytes.toString('utf8').trim().split('\n');
    expect(rows[0]).toBe('currency,key,name,detail,gross_revenue,refunds,listing_fees,seller_tax_share,wholesale_cost,net_revenue');
    expect(rows[1]).toBe('USD,acct-a,Example Corp,012345678901,1000.00,0,-30.00,0,0,970.00');
    expect(rows).toHaveLength(14);

    const report = await (await ask('export billed-revenue 2026-10', { user: 'UCFO', channel: 'C0RANDOM' })).reply();
    expect(report.text).toContain('to our direct messages');
    expect(double.callsTo('conversations.open').at(-1)!.args.users).toBe('UCFO');
    expect(double.callsTo('files.completeUploadExternal').at(-1)!.args.channel_id).toBe('DCFO');
    expect(double.uploads.at(-1)!.bytes.toString('utf8').split('\n')[0]).toMatch(/^invoice_date,payment_due_date,payment_term,invoice_id,/);
  });

  it('emails an answer to the address on the requester\'s Slack profile', async () => {
    const reply = await (await ask('email revenue last-month by product')).reply();
    expect(reply.text).toBe(':email: Sent revenue by product, last-month to fin@example.com.');
    const outbox = path.join(config.dataDir, 'outbox');
    const eml = (await readdir(outbox)).find((f) => f.endsWith('.eml'))!;
    const mail = await simpleParser(await readFile(path.join(outbox, eml)));
    expect(mail.subject).toBe('Billed revenue by product, October 2026: gross revenue $1,780.00, net revenue $1,750.00');
    expect(mail.to).toMatchObject({ text: 'fin@example.com' });
    expect(mail.attachments[0]!.filename).toBe('revenue-by-product-2026-10-01_to_2026-10-31.csv');
    const noAddress = await (await ask('email revenue last-month', { user: 'UCFO', channel: 'C0FINANCE' })).reply();
    expect(noAddress.text).toContain('your Slack profile has no email address I can see');
  });

  it('apologises with an error id that is also in the log when something breaks inside', async () => {
    const broken = new Proxy(t.db, { get: (target, p) => (p === 'query' ? async () => { throw new Error('connection reset by peer'); } : (target as any)[p]) });
    const other = createSlackService({ config, settings: config.slack!, db: broken, log: textLog((l) => logs.push(l)), now: () => NOW });
    const s2 = createServer(other.requestListener!);
    await new Promise<void>((r) => s2.listen(0, '127.0.0.1', () => r()));
    try {
      const r = await postCommand(`http://127.0.0.1:${(s2.address() as { port: number }).port}/slack/events`, { text: 'revenue last-month', response_url: double.responseUrl('broken') });
      expect(r.status).toBe(200);
      const reply = (await until(() => double.responses.find((x) => x.id === 'broken'), 'the apology')).body;
      expect(reply.response_type).toBe('ephemeral');
      const id = /error ([0-9a-f]{8})/.exec(String(reply.text))![1]!;
      expect(logs.some((l) => l.includes(`slack: error ${id} answering "/marketplace revenue last-month"`) && l.includes('connection reset by peer'))).toBe(true);
    } finally {
      await new Promise((r) => s2.close(r));
    }
  });

  describe('alerts', () => {
    const late = (dataset: string, completeThrough: string, hoursLate: number): Freshness => ({
      dataset,
      title: dataset === 'sdds_daily_usage' ? 'Daily usage' : 'Billing events',
      category: 'Finance Operations' as never,
      status: hoursLate >= 48 ? 'missing' : 'late',
      hoursLate,
      completeThrough,
      expectedThrough: '2026-11-28',
      lastDelivery: null,
      thresholds: { warnAfterHours: 12, errorAfterHours: 48 },
      summary: `late by ${hoursLate} hours: data through ${completeThrough}, expected through 2026-11-28`,
    });
    const onTime = (dataset: string, at: string): Freshness => ({ ...late(dataset, '2026-11-28', 0), status: 'on time', hoursLate: null, lastDelivery: { at, object: 'x', outcome: 'loaded' }, summary: 'on time' });
    const alerts = (freshness: Freshness[], now: Date) => runAlerts({ db: t.db, client: slack.client, settings: config.slack!, config, freshness, now, log: textLog((l) => logs.push(l)) });
    const posts = (channel: string) => double.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
    beforeEach(() => double.calls.splice(0));

    it('announces new subscribers and cancellations once, from events or the daily data', async () => {
      await t.db.query(
        `insert into marketplace_event (event_id, source, detail_type, kind, role, agreement_id, product_id, acceptor_account_id, event_time, body, received_at)
         values ('ev-1', 'aws.agreement-marketplace', 'Purchase Agreement Ended - Proposer', 'Purchase Agreement Ended', 'Proposer', 'agmt-1', null, '012345678901', '2026-11-29T05:00:00Z',
                 '{"detail":{"agreement":{"id":"agmt-1","status":"CANCELLED"}}}', '2026-11-29T05:00:05Z')`,
      );
      await alerts([], NOW);
      await alerts([], NOW);
      const sales = posts('C0SALES').map((c) => String(c.args.text));
      expect(sales).toEqual([
        ':tada: New subscriber: Customer 01 Ltd (100000000001) · Acme Analytics · contract $6,000.00',
        ':wave: Cancellation: Example Corp (012345678901) · contract $12,000.00 (CANCELLED)',
      ]);
    });

    it('posts a late delivery once however many replicas check, repeats it in thread, and resolves it there', async () => {
      const now = new Date('2026-11-29T08:00:00Z');
      await Promise.all([alerts([late('sdds_billing_event', '2026-11-26', 20)], now), alerts([late('sdds_billing_event', '2026-11-26', 20)], now)]);
      expect(posts('C0ALERTS').map((c) => c.args.text)).toEqual([expect.stringContaining('Billing events (sdds_billing_event) is late: late by 20 hours')]);
      const [{ message_ts: ts }] = (await t.db.query<{ message_ts: string }>(`select message_ts from slack_alert where alert_key = 'delivery:sdds_billing_event:2026-11-26'`)) as [{ message_ts: string }];
      await alerts([late('sdds_billing_event', '2026-11-26', 22)], new Date('2026-11-29T10:00:00Z'));
      expect(posts('C0ALERTS')).toHaveLength(1);
      // a day later, still late: once more, in the thread
      await alerts([late('sdds_billing_event', '2026-11-26', 44)], new Date('2026-11-30T08:30:00Z'));
      const again = posts('C0ALERTS')[1]!;
      expect(again.args.thread_ts).toBe(ts);
      expect(String(again.args.text)).toContain('Still late');
      // it lands at 10:00 on the 30th, 34 hours after it was due (08:00 on the 29th, less 20 hours late = 12:00 on the 28th)
      await alerts([onTime('sdds_billing_event', '2026-11-30T10:00:00Z')], new Date('2026-11-30T10:15:00Z'));
      const resolved = posts('C0ALERTS')[2]!;
      expect(resolved.args.thread_ts).toBe(again.args.thread_ts);
      expect(String(resolved.args.text)).toBe(':white_check_mark: Resolved: Billing events arrived 46 hours late; data complete through 2026-11-28.');
      await alerts([onTime('sdds_billing_event', '2026-11-30T10:00:00Z')], new Date('2026-11-30T11:00:00Z'));
      expect(posts('C0ALERTS')).toHaveLength(3);
    });

    it('stays quiet while snoozed, and speaks again when unsnoozed', async () => {
      expect((await (await ask('snooze sdds_daily_usage 2d')).reply()).text).toContain('Alerts about sdds_daily_usage are muted for 2d');
      await alerts([late('sdds_daily_usage', '2026-11-25', 30)], NOW);
      expect(posts('C0ALERTS')).toHaveLength(0);
      expect((await (await ask('unsnooze sdds_daily_usage')).reply()).text).toContain('on again');
      await alerts([late('sdds_daily_usage', '2026-11-25', 30)], NOW);
      expect(posts('C0ALERTS')).toHaveLength(1);
    });

    it('posts a rejected file once, with its reason and key', async () => {
      const dir = await tempDir();
      const file = await putFile(dir, 'AgreementFeed_V1/year=2026/month=11/data.csv', 'valid_from,agreement_id,estimated_agreement_value\n2026-11-01T00:00:00Z,agmt-9,"1,000"\n');
      await ingestObject(t.db, localObject(file, 'AgreementFeed_V1/year=2026/month=11/data.csv'), { now: () => new Date('2026-11-29T07:00:00Z') });
      await alerts([], NOW);
      await alerts([], new Date('2026-11-29T09:00:00Z'));
      const rejected = posts('C0ALERTS');
      expect(rejected).toHaveLength(1);
      expect(String(rejected[0]!.args.text)).toContain('Rejected AgreementFeed_V1/year=2026/month=11/data.csv (sdds_agreement): ');
      expect(String(rejected[0]!.args.text)).toContain('Nothing already stored was changed.');
    });

  });
});
