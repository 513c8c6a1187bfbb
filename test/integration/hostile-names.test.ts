/**
 * Names a buyer writes (company names) and titles from the feeds, hostile on purpose: Slack
 * mentions and disguised links, mrkdwn styling, spreadsheet formulas. Through every surface that
 * shows them (Slack answers, alerts, file comments, CSV uploads, exports, `query --format csv`,
 * digest attachments) none is live; and personal data reaches only SLACK_PII_USERS, in a DM.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildDailyDigest, buildMonthlyDigest, digestPeriod } from '../../src/email/digests.ts';
import { createMailer } from '../../src/email/mailer.ts';
import { renderEmail } from '../../src/email/render.ts';
import { ingestObject } from '../../src/ingest/load.ts';
import { localObject } from '../../src/ingest/local.ts';
import { textLog } from '../../src/log.ts';
import { runAlerts } from '../../src/slack/alerts.ts';
import { createSlackService, type SlackService } from '../../src/slack/app.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, putFile, tempDir } from '../support/files.ts';
import { postCommand, SIGNING_SECRET, startSlackDouble, type SlackDouble } from '../support/slack.ts';
import { until } from '../support/wait.ts';

const NOW = new Date('2026-11-29T08:00:00Z');
const MENTIONS = '<!channel> <!here> <@U123> <https://evil.example|click here> *bold* _it_ ~gone~ `tick`';
const FORMULAS = ['=HYPERLINK("http://x.example","y") Echo', "+cmd|' /C calc'!A0 Ltd", '-2+3 Corp', '@SUM(1) Inc', '\tTabbed Co'];
const PRODUCT = '<!everyone> Acme *Platform*';
const OFFER = '=1+1 offer <https://evil.example|promo>';

/** What Slack would act on, or restyle, if any of the data were live. */
const LIVE = [/<[!]/, /<@U123/, /<https?:/, /\*bold\*/, /(^|\s)_it_(\s|$)/, /~gone~/, /`tick`/];

/** RFC 4180, small: enough to read back what we wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

/** Every cell a spreadsheet would run as a formula. */
function formulaCells(text: string): string[] {
  return parseCsv(text)
    .flat()
    .filter((c) => /^[=+\-@\t\r]/.test(c) && !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(c));
}

/** Every text Slack renders as mrkdwn in a payload (blocks, fallback text, file comments). */
function slackTexts(payload: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key = '') => {
    if (typeof v === 'string') {
      if (key === 'text' || key === 'initial_comment') out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') {
      // a plain_text object is shown as written, never parsed
      if ((v as { type?: string }).type === 'plain_text') return;
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  walk(payload);
  return out;
}

async function seed(t: TestDatabase, root: string): Promise<void> {
  const at = { now: () => new Date('2026-11-28T07:00:00Z') };
  const names = [MENTIONS, ...FORMULAS];
  await ingestContent(t.db, root, 'AccountFeed_V1/year=2026/month=01/data.csv', csv([
    ['valid_from', 'account_id', 'aws_account_id', 'mailing_address_id', 'tax_legal_name'],
    ...names.map((_, i) => ['2026-01-01T00:00:00Z', `acct-${i}`, String(200000000000 + i), `addr-${i}`, `Legal Person ${i}`]),
  ]), at);
  await ingestContent(t.db, root, 'AddressFeed_V1/year=2026/month=01/data.csv', csv([
    ['valid_from', 'address_id', 'company_name', 'email_domain', 'country_code', 'state_or_region', 'city', 'postal_code', 'address_line_1'],
    ...names.map((name, i) => ['2026-01-01T00:00:00Z', `addr-${i}`, name, `buyer${i}.example`, 'US', 'WA', `=City${i}`, `9810${i}`, `${i} Secret Street`]),
  ]), at);
  await ingestContent(t.db, root, 'ProductFeed_V1/year=2026/month=01/data.csv', csv([['valid_from', 'product_id', 'product_code', 'title'], ['2026-01-01T00:00:00Z', 'prod-1', 'pc-1', PRODUCT]]), at);
  await ingestContent(t.db, root, 'OfferFeed_V1/year=2026/month=01/data.csv', csv([['valid_from', 'offer_id', 'offer_revision', 'name'], ['2026-01-01T00:00:00Z', 'offer-1', '1', OFFER]]), at);
  await ingestContent(t.db, root, 'OfferProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,product_id\n2026-01-01T00:00:00Z,offer-1,1,prod-1\n', at);
  await ingestContent(t.db, root, 'AgreementFeed_V1/year=2026/month=11/data.csv', csv([
    ['valid_from', 'agreement_id', 'acceptor_account_id', 'offer_id', 'start_time', 'end_time', 'acceptance_time', 'status', 'intent', 'estimated_agreement_value', 'currency_code'],
    ...names.map((_, i) => ['2026-11-28T06:00:00Z', `agmt-${i}`, `acct-${i}`, 'offer-1', '2026-11-28T06:00:00Z', '2027-11-28T06:00:00Z', '2026-11-28T06:00:00Z', 'ACTIVE', 'NEW', '1200.00', 'USD']),
  ]), at);
  const H = ['valid_from', 'update_date', 'billing_event_id', 'end_user_account_id', 'payer_account_id', 'product_id', 'offer_id', 'agreement_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date', 'invoice_id'];
  await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=11/data.csv', csv([
    H,
    ...names.map((_, i) => ['2026-10-05T00:00:00Z', '2026-10-05T00:00:00Z', `ev-${i}`, `acct-${i}`, `acct-${i}`, 'prod-1', 'offer-1', `agmt-${i}`, 'INVOICED', 'SELLER_REV_SHARE', `${100 + i}.00`, 'USD', '1', '2026-10-05T00:00:00Z', '2026-11-04T00:00:00Z', `inv-${i}`]),
    ...names.map((_, i) => ['2026-10-05T00:00:00Z', '2026-10-05T00:00:00Z', `fee-${i}`, `acct-${i}`, `acct-${i}`, 'prod-1', 'offer-1', `agmt-${i}`, 'INVOICED', 'AWS_REV_SHARE', `-${3 + i}.00`, 'USD', '1', '2026-10-05T00:00:00Z', '2026-11-04T00:00:00Z', `inv-${i}`]),
  ]), at);
  // a file rejected for a value a buyer wrote: its reason quotes the value
  const file = await putFile(root, 'AgreementFeed_V1/year=2026/month=12/data.csv', `valid_from,agreement_id,estimated_agreement_value\n2026-11-28T00:00:00Z,agmt-x,"${MENTIONS.replace(/"/g, '""')}"\n`);
  await ingestObject(t.db, localObject(file, 'AgreementFeed_V1/year=2026/month=12/<!here> data.csv'), { now: () => new Date('2026-11-29T07:00:00Z') });
}

describe('names buyers write, through every surface', () => {
  let t: TestDatabase;
  let double: SlackDouble;
  let slack: SlackService;
  let server: Server;
  let url: string;
  let config: Config;
  let n = 0;

  const ask = async (text: string, o: { user?: string; channel?: string; channelName?: string } = {}) => {
    const id = `h${++n}`;
    const ack = await postCommand(url, { text, response_url: double.responseUrl(id), ...(o.user ? { user_id: o.user } : {}), ...(o.channel ? { channel_id: o.channel } : {}), ...(o.channelName ? { channel_name: o.channelName } : {}) });
    expect(ack.status).toBe(200);
    return (await until(() => double.responses.find((r) => r.id === id && r.body.delete_original !== true), `the answer to "${text}"`)).body as Record<string, any>;
  };

  beforeAll(async () => {
    t = await createPostgresDatabase();
    await seed(t, await tempDir());
    double = await startSlackDouble();
    config = loadConfig({
      DATABASE_URL: t.url!,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: double.apiUrl,
      SLACK_ALLOWED_CHANNELS: 'C0FINANCE',
      SLACK_ALLOWED_USERS: 'UCFO',
      SLACK_PII_USERS: 'UCFO',
      SLACK_ALERT_CHANNEL: 'C0ALERTS',
      QUICKCHART_URL: 'https://charts.example.com',
      DATA_DIR: await tempDir(),
    });
    double.emails.set('UFINANCE', 'fin@example.com');
    double.emails.set('UCFO', 'cfo@example.com');
    slack = createSlackService({ config, settings: config.slack!, db: t.db, log: () => {}, now: () => NOW, mailer: createMailer(config.email) });
    server = createServer(slack.requestListener!);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/slack/events`;
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await double?.stop();
    await t?.drop();
  });

  it('no mention, link or styling from the data is live in any Slack answer, alert or file comment', async () => {
    const questions = [
      'revenue last-month', 'revenue last-month by customer', 'revenue last-month by offer', 'revenue last-month by product', 'subscribers last-7-days', 'active',
      'past-due', 'collections last-month by customer', 'mrr 2026-11 by customer', 'customer 200000000000', 'customer Echo', 'customer Corp', 'freshness',
      'export revenue last-month by customer', 'export sdds_address today', 'export billed-revenue 2026-10', 'email revenue last-month by customer',
    ];
    for (const q of questions) await ask(q);
    await ask('customer 200000000000', { user: 'UCFO', channel: 'C0FINANCE' });
    await runAlerts({ db: t.db, client: slack.client, settings: config.slack!, config, freshness: [], now: NOW, log: () => {} });
    const payloads = [...double.responses.map((r) => r.body), ...double.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'files.completeUploadExternal').map((c) => c.args)];
    const all = payloads.flatMap(slackTexts);
    // the answers did reach the data: names and alerts are there, made inert
    expect(all.some((x) => x.includes('&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil.example|click here&gt; ∗bold∗ ˍitˍ ∼gone∼ ˋtickˋ'))).toBe(true);
    expect(all.some((x) => x.startsWith(':tada: New subscriber: *&lt;!channel&gt;'))).toBe(true);
    expect(all.some((x) => x.startsWith(':no_entry: Rejected `AgreementFeed_V1/year=2026/month=12/&lt;!here&gt; data.csv`'))).toBe(true);
    const live = all.filter((x) => LIVE.some((p) => p.test(x)));
    expect(live).toEqual([]);
  });

  it('no CSV cell runs as a formula: Slack uploads, exports, query --format csv, digest attachments', async () => {
    const files: Array<[string, string]> = double.uploads.map((u) => [`slack upload ${u.fileId}`, u.bytes.toString('utf8')]);
    const env = { DATABASE_URL: t.url!, DATA_DIR: config.dataDir };
    for (const argv of [
      ['query', 'revenue', '2026-10', '--by', 'customer', '--format', 'csv'],
      ['query', 'past-due', 'today', '--format', 'csv'],
      ['query', 'subscribers', '2026-11', '--format', 'csv'],
      ['export', 'sdds_address', 'today'],
      ['export', 'billed-revenue', '2026-10'],
      ['export', 'collections-and-disbursements', '2026-11'],
      ['export', 'sdds_billing_event', '2026-10'],
    ]) {
      const out: string[] = [];
      const chunks: Buffer[] = [];
      const stream = new (await import('node:stream')).Writable({ write: (c, _e, cb) => (chunks.push(Buffer.from(c)), cb()) });
      const err: string[] = [];
      const code = await main(argv, { out: (x) => out.push(x), err: (x) => err.push(x), stream }, env);
      expect(code, `${argv.join(' ')}: ${err.join('\n')}`).toBe(0);
      files.push([argv.join(' '), out.join('\n') + Buffer.concat(chunks).toString('utf8')]);
    }
    const o = { now: NOW, timeZone: 'UTC', fiscalYearStartMonth: 1, quickChartUrl: 'https://quickchart.io', late: [] };
    for (const email of [await renderEmail(await buildDailyDigest(t.db, digestPeriod('daily', '2026-11-29', 'UTC'), o), { attachCsv: true }), await renderEmail(await buildMonthlyDigest(t.db, digestPeriod('monthly', '2026-11-03', 'UTC'), o), { attachCsv: true })]) {
      for (const a of email.attachments) files.push([`digest ${a.filename}`, String(a.content)]);
    }
    // the formula names did reach the files, as text
    const everything = files.map(([, text]) => text).join('\n');
    expect(everything).toContain(`"'=HYPERLINK(""http://x.example"",""y"") Echo"`);
    expect(everything).toContain("'-2+3 Corp");
    expect(files.length).toBeGreaterThan(10);
    for (const [where, text] of files) expect(formulaCells(text), where).toEqual([]);
  });

  it('personal data: left out for everyone but SLACK_PII_USERS, who get it in a direct message only', async () => {
    const uploadFor = async (text: string, o: { user?: string; channel?: string } = {}) => {
      const before = double.uploads.length;
      const reply = await ask(text, o);
      await until(() => double.uploads.length > before, 'the upload');
      return { reply, csv: parseCsv(double.uploads.at(-1)!.bytes.toString('utf8')), channel: double.callsTo('files.completeUploadExternal').at(-1)!.args.channel_id };
    };
    for (const dataset of ['sdds_address', 'sdds_pii', 'sdds_account']) {
      // a finance person in the allowed channel: into the channel, personal columns empty, and said so
      const open = await uploadFor(`export ${dataset} today`);
      expect(open.channel, dataset).toBe('C0FINANCE');
      expect(open.reply.text, dataset).toMatch(/Personal data \(.+\) is left out: only the people in SLACK_PII_USERS see it/);
      const header = open.csv[0]!;
      const personal = header.map((h, i) => [h, i] as const).filter(([h]) => /email|city|postal|address_line|legal_name|registration/.test(h));
      expect(personal.length, dataset).toBeGreaterThan(0);
      for (const row of open.csv.slice(1)) for (const [, i] of personal) expect(row[i], `${dataset} ${header[i]}`).toBe('');
      // the CFO (a PII user) asking in the same channel: everything, but only in a direct message
      const cfo = await uploadFor(`export ${dataset} today`, { user: 'UCFO' });
      expect(cfo.channel, dataset).toBe('DCFO');
      expect(cfo.reply.text, dataset).toContain('to our direct messages');
      if (dataset === 'sdds_address') expect(cfo.csv.flat()).toContain('0 Secret Street');
    }
    // a report with addresses: the same rule
    const report = await uploadFor('export billed-revenue 2026-10');
    expect(report.channel).toBe('C0FINANCE');
    expect(report.csv.map((r) => r.join(',')).join('\n')).not.toMatch(/buyer\d\.example|Secret Street/);
    // a customer's address goes to the PII user's DM, never into the channel
    const before = double.callsTo('chat.postMessage').length;
    const inChannel = await ask('customer 200000000001', { user: 'UCFO', channel: 'C0FINANCE' });
    expect(JSON.stringify(inChannel)).not.toContain('Secret Street');
    const dm = double.callsTo('chat.postMessage').slice(before).find((c) => c.args.channel === 'DCFO')!;
    expect(JSON.stringify(dm.args)).toContain('1 Secret Street');
    // email: a person not in SLACK_PII_USERS gets the file without them
    const { readdir, readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const { simpleParser } = await import('mailparser');
    await ask('email sdds_address today');
    const outbox = path.join(config.dataDir, 'outbox');
    const emls = (await readdir(outbox)).filter((f) => f.endsWith('.eml')).sort();
    const mails = await Promise.all(emls.map(async (f) => simpleParser(await readFile(path.join(outbox, f)))));
    const toFinance = mails.find((m) => m.attachments.some((a) => a.filename?.startsWith('sdds_address')))!;
    expect(toFinance.attachments[0]!.content.toString('utf8')).not.toContain('Secret Street');
    expect(toFinance.text).toMatch(/Personal data \(.+\) is left out/);
  });
});
