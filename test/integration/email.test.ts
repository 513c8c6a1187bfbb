/**
 * Digests through a real SMTP server (smtp-server), read back with mailparser: subject,
 * recipients, HTML and text parts, chart URLs, the CSV attachments' exact contents; sent once when
 * schedulers race; not resent after a crash mid-send; caught up after downtime; the "data is
 * late" variant; retries; and the outbox when no SMTP server is configured. The clock is pinned.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { writeDemoData } from '../../src/demo/generate.ts';
import { createMailer } from '../../src/email/mailer.ts';
import { runDueDigests, sendOnce, type SendDeps } from '../../src/email/send.ts';
import { ingestPaths } from '../../src/ingest/run.ts';
import { answerFor, answerToCsv } from '../../src/metrics/query.ts';
import { parsePeriod } from '../../src/periods.ts';
import { createPgliteDatabase, createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { buildDailyDigest, buildMonthlyDigest, digestPeriod } from '../../src/email/digests.ts';
import { renderEmail } from '../../src/email/render.ts';
import { tempDir } from '../support/files.ts';
import { until } from '../support/wait.ts';
import { runService } from '../../src/service.ts';
import { main } from '../../src/cli/main.ts';
import { writeEmailPreview } from '../../src/email/preview.ts';
import { textLog } from '../../src/log.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Smtp {
  url: string;
  mails: ParsedMail[];
  envelopes: string[][];
  refuse: boolean;
  /** Recipients refused at RCPT TO (550), the others accepted. */
  refuseRecipients: Set<string>;
  stop(): Promise<void>;
}

async function startSmtp(): Promise<Smtp> {
  const state = { mails: [] as ParsedMail[], envelopes: [] as string[][], refuse: false, refuseRecipients: new Set<string>() };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (state.refuseRecipients.has(address.address)) return callback(Object.assign(new Error('550 5.1.1 no such user here'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (state.refuse) return callback(Object.assign(new Error('451 mailbox temporarily unavailable'), { responseCode: 451 }));
        state.envelopes.push(session.envelope.rcptTo.map((r) => r.address));
        void simpleParser(Buffer.concat(chunks)).then((m) => {
          state.mails.push(m);
          callback();
        });
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  return Object.assign(state, { url: `smtp://127.0.0.1:${port}`, stop: () => new Promise<void>((r) => server.close(() => r())) });
}

const THROUGH = '2026-11-01';
const at = (iso: string) => () => new Date(iso);

describe('email digests', () => {
  let t: TestDatabase;
  let smtp: Smtp;
  let dataDir: string;
  const logs: string[] = [];
  const config = (extra: Record<string, string> = {}): Config =>
    loadConfig({ DATA_DIR: dataDir, SMTP_URL: smtp.url, EMAIL_FROM: 'Pulse <pulse@example.com>', DIGEST_DAILY_TO: 'cfo@example.com, ceo@example.com', DIGEST_MONTHLY_TO: 'board@example.com', DATASETS_NOT_EXPECTED: 'sdds_agreement_charge,sdds_agreement_term,sdds_offer_target,sdds_legacy_id_mapping', ...extra });
  const deps = (c: Config, now: () => Date): SendDeps => ({ db: t.db, mailer: createMailer(c.email), config: c, log: textLog((l) => logs.push(l)), now });

  beforeAll(async () => {
    t = await createPostgresDatabase();
    smtp = await startSmtp();
    dataDir = await tempDir('mp-email-');
    const demo = await tempDir('mp-demo-');
    await writeDemoData(demo, { seed: 11, through: THROUGH });
    await ingestPaths(t.db, [demo], { now: at('2026-11-02T06:30:00Z') });
  }, 120_000);
  afterAll(async () => {
    await smtp?.stop();
    await t?.drop();
  });
  beforeEach(async () => {
    smtp.mails.splice(0);
    smtp.envelopes.splice(0);
    smtp.refuse = false;
    smtp.refuseRecipients.clear();
    await t.db.query('delete from email_send');
  });

  it('sends the daily digest at 07:00 with every part a reader needs, and its CSVs exactly', async () => {
    const c = config();
    await runDueDigests(deps(c, at('2026-11-02T06:59:00Z')));
    expect(smtp.mails).toHaveLength(0);
    await runDueDigests(deps(c, at('2026-11-02T07:05:00Z')));
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(smtp.envelopes[0]!.sort()).toEqual(['ceo@example.com', 'cfo@example.com']);
    expect(mail.subject).toMatch(/^AWS Marketplace daily · 1 Nov 2026: \d+ new, \d+ cancelled, \$[\d,]+\.\d\d past due$/);
    expect(mail.from?.value[0]).toMatchObject({ name: 'Pulse', address: 'pulse@example.com' });
    expect(mail.headers.get('x-marketplace-pulse-digest')).toBe('daily 2026-11-01');
    const html = String(mail.html);
    for (const title of ['New subscribers', 'Cancellations', 'Usage revenue (estimated)', 'Free trials', 'Next payout', 'Past-due funds']) expect(html).toContain(title);
    expect(html).toMatch(/<img[^>]+src="https:\/\/quickchart\.io\/chart\?c=/);
    // every number is in the text part too
    expect(mail.text).toContain('PAST-DUE FUNDS');
    // the headline first: five figures, each with its change (the payout with its date)
    const head = mail.text!.split('\n').slice(3, 8);
    expect(head[0]).toMatch(/^New subscribers: \d+ \((▲|▼|no change|new)/);
    expect(head[1]).toMatch(/^Cancellations: \d+ \(/);
    expect(head[2]).toMatch(/^Usage, month to date: \$[\d,]+\.\d\d \([▲▼] [\d.]+% vs the same point last month\)/);
    expect(head[3]).toMatch(/^Past due: \$[\d,]+\.\d\d \(/);
    expect(head[4]).toMatch(/^Next payout: \$[\d,]+\.\d\d \((on \d+ \w{3}|date not known yet)\)/);
    const names = mail.attachments.map((a) => a.filename).sort();
    expect(names).toEqual(['cancellations.csv', 'new-subscribers.csv', 'next-payout.csv', 'past-due.csv', 'trials.csv', 'usage-month-to-date.csv']);
    // every CSV has its header row, with the rows' own columns, even with no rows
    for (const a of mail.attachments) expect(a.content.toString('utf8').split('\n')[0], a.filename).toMatch(/^[a-z_]+(,[a-z_]+)+$/);
    expect(mail.attachments.find((a) => a.filename === 'new-subscribers.csv')!.content.toString('utf8').split('\n')[0]).toBe('agreement_id,company,aws_account_id,product,offer,status,at,contract_value,currency');
    const options = { now: new Date('2026-11-02T07:05:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };
    const pastDue = await answerFor(t.db, 'past-due', parsePeriod('2026-11-01..2026-11-01', options), undefined, options);
    expect(mail.attachments.find((a) => a.filename === 'past-due.csv')!.content.toString('utf8')).toBe(answerToCsv(pastDue));
    expect(pastDue.rows.length).toBeGreaterThan(0);
    // the same run again sends nothing
    await runDueDigests(deps(c, at('2026-11-02T09:00:00Z')));
    expect(smtp.mails).toHaveLength(1);
  });

  it('sends the monthly digest on the 3rd at 08:00 with revenue by product, trend and reconciliation', async () => {
    const c = config({ DIGEST_DAILY_TO: '' });
    await runDueDigests(deps(c, at('2026-11-03T08:01:00Z')));
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toMatch(/^AWS Marketplace monthly · October 2026: net revenue \$[\d,]+\.\d\d \([▲▼] [\d.]+%\), ARR \$[\d,]+\.\d\d, \d+ new, \d+ churned$/);
    expect(smtp.envelopes[0]).toEqual(['board@example.com']);
    for (const title of ['Revenue by product', 'Recurring revenue', 'MRR bridge (USD)', 'Free trials', 'Top countries', 'Revenue, last 12 months', 'Collections and disbursements', 'New customers', 'Churned customers', 'Top customers', 'Renewals due in the next 90 days', 'Past-due funds', 'What does not add up']) {
      expect(String(mail.html), title).toContain(title);
    }
    const head = mail.text!.split('\n').slice(3, 9).map((l) => l.replace(/:.*/, ''));
    expect(head).toEqual(['Net revenue', 'ARR', 'Net revenue retention', 'New customers', 'Churned customers', 'Past due']);
    expect(mail.text).toMatch(/ARR: \$[\d,]+\.\d\d \(([▲▼] [\d.]+%|no change) vs end of Sep\)/);
    expect(mail.text).toMatch(/Net revenue retention: \d+\.\d% \(([▲▼] [\d.]+ pts|no change) vs Sep\)/);
    // a 12-month trend is one line per currency, not a line per month
    const trend = mail.text!.split('REVENUE, LAST 12 MONTHS\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(trend.length).toBeLessThanOrEqual(2);
    expect(trend[0]).toMatch(/^  USD: (\w{3} \d\d \$[\d.]+K?( · )?)+$/);
    expect(mail.attachments.map((a) => a.filename)).toContain('revenue-by-product.csv');
    // attachments can be turned off per digest
    await t.db.query('delete from email_send');
    await runDueDigests(deps(config({ DIGEST_DAILY_TO: '', DIGEST_ATTACH_CSV: 'daily' }), at('2026-11-03T08:01:00Z')));
    expect(smtp.mails[1]!.attachments).toEqual([]);
    expect(() => config({ DIGEST_ATTACH_CSV: 'weekly' })).toThrow(/"weekly" is not a digest/);
  });

  it('sends once when two schedulers race for the same digest', async () => {
    const c = config({ DIGEST_MONTHLY_TO: '' });
    const now = at('2026-11-02T07:30:00Z');
    await Promise.all([runDueDigests(deps(c, now)), runDueDigests(deps(c, now)), runDueDigests(deps(c, now))]);
    expect(smtp.mails).toHaveLength(1);
  });

  it('does not resend after a restart mid-send, and says it was interrupted', async () => {
    const c = config({ DIGEST_MONTHLY_TO: '' });
    // a process claimed the digest at 07:00 and died before finishing
    await t.db.query(`insert into email_send (digest, period_key, recipients, status, attempts, claimed_at) values ('daily', '2026-11-01', 'ceo@example.com,cfo@example.com', 'sending', 1, '2026-11-02T07:00:00Z')`);
    await runDueDigests(deps(c, at('2026-11-02T07:10:00Z')));
    await runDueDigests(deps(c, at('2026-11-02T07:45:00Z')));
    expect(smtp.mails).toHaveLength(0);
    const [row] = await t.db.query<{ status: string }>(`select status from email_send where period_key = '2026-11-01'`);
    expect(row!.status).toBe('interrupted');
    expect(logs.some((l) => l.includes('daily 2026-11-01 to ceo@example.com,cfo@example.com was interrupted mid-send; not resending it'))).toBe(true);
  });

  it('catches up after downtime: only the latest, or every missed one, each labelled with its period', async () => {
    await t.db.query(`insert into email_send (digest, period_key, recipients, status, attempts, claimed_at, sent_at) values ('daily', '2026-10-28', 'ceo@example.com,cfo@example.com', 'sent', 1, '2026-10-29T07:00:00Z', '2026-10-29T07:00:01Z')`);
    await runDueDigests(deps(config({ DIGEST_MONTHLY_TO: '' }), at('2026-11-02T07:05:00Z')));
    expect(smtp.mails.map((m) => m.headers.get('x-marketplace-pulse-digest'))).toEqual(['daily 2026-11-01']);
    smtp.mails.splice(0);
    await t.db.query(`delete from email_send where period_key = '2026-11-01'`);
    await runDueDigests(deps(config({ DIGEST_MONTHLY_TO: '', DIGEST_CATCH_UP: 'all' }), at('2026-11-02T07:05:00Z')));
    expect(smtp.mails.map((m) => m.headers.get('x-marketplace-pulse-digest'))).toEqual(['daily 2026-10-29', 'daily 2026-10-30', 'daily 2026-10-31', 'daily 2026-11-01']);
    expect(smtp.mails.map((m) => m.subject!.replace(/:.*$/, ''))).toEqual(['AWS Marketplace daily · 29 Oct 2026', 'AWS Marketplace daily · 30 Oct 2026', 'AWS Marketplace daily · 31 Oct 2026', 'AWS Marketplace daily · 1 Nov 2026']);
  });

  it('waits for late data up to the grace, then goes out saying what is late', async () => {
    // on the 4th, the feeds (complete through the 1st) are late
    const c = config({ DIGEST_MONTHLY_TO: '', DIGEST_GRACE_HOURS: '2' });
    await runDueDigests(deps(c, at('2026-11-04T08:00:00Z')));
    expect(smtp.mails).toHaveLength(0);
    expect(logs.some((l) => /email: daily 2026-11-03 waits for .*sdds_billing_event/.test(l))).toBe(true);
    await runDueDigests(deps(c, at('2026-11-04T09:01:00Z')));
    expect(smtp.mails).toHaveLength(1);
    expect(String(smtp.mails[0]!.html)).toContain('Figures that depend on late data may be low until it arrives.');
    expect(smtp.mails[0]!.text).toContain('! Billing events: nothing since 1 Nov (3 days)');
    expect(smtp.mails[0]!.subject).toMatch(/ · data late$/);
    const [row] = await t.db.query<{ late_datasets: string[] }>(`select late_datasets from email_send where period_key = '2026-11-03'`);
    expect(row!.late_datasets).toContain('sdds_billing_event');
  });

  it('retries a failed send with backoff', async () => {
    const c = config({ DIGEST_MONTHLY_TO: '' });
    smtp.refuse = true;
    await runDueDigests(deps(c, at('2026-11-02T07:05:00Z')));
    const [failed] = await t.db.query<{ status: string; next_attempt_at: string; last_error: string }>(`select status, next_attempt_at::text, last_error from email_send`);
    expect(failed).toMatchObject({ status: 'failed', next_attempt_at: '2026-11-02 07:10:00+00' });
    expect(failed!.last_error).toContain('mailbox temporarily unavailable');
    smtp.refuse = false;
    await runDueDigests(deps(c, at('2026-11-02T07:06:00Z')));
    expect(smtp.mails).toHaveLength(0);
    await runDueDigests(deps(c, at('2026-11-02T07:11:00Z')));
    expect(smtp.mails).toHaveLength(1);
    expect((await t.db.query<{ status: string; attempts: number }>(`select status, attempts from email_send`))[0]).toEqual({ status: 'sent', attempts: 2 });
  });

  it('writes to the outbox when no SMTP server is configured', async () => {
    const c = loadConfig({ DATA_DIR: dataDir, DIGEST_DAILY_TO: 'cfo@example.com' });
    const d = deps(c, at('2026-11-02T07:05:00Z'));
    const outcome = await sendOnce(d, { digest: 'on-demand', periodKey: 'test', recipients: ['cfo@example.com'] }, async () => ({
      email: { subject: 'Outbox check', html: '<p>hello</p>', text: 'hello\n', attachments: [{ filename: 'x.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' }] },
      late: [],
    }));
    expect(outcome).toBe('sent');
    const files = (await readdir(path.join(dataDir, 'outbox'))).sort();
    expect(files.filter((f) => f.endsWith('outbox-check.eml'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('outbox-check.html'))).toHaveLength(1);
    const eml = await simpleParser(await readFile(path.join(dataDir, 'outbox', files.find((f) => f.endsWith('.eml'))!)));
    expect(eml.subject).toBe('Outbox check');
    expect(eml.attachments[0]!.content.toString()).toBe('a,b\n1,2\n');
    expect(logs.some((l) => l.includes('email: sent on-demand test to cfo@example.com') && l.includes(path.join(dataDir, 'outbox')))).toBe(true);
  });

  it('goes out from the running service: at start it sends the digest that is due', async () => {
    const c = loadConfig({ DATA_DIR: await tempDir('mp-serve-email-'), DEMO_DATA: 'off', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SMTP_URL: smtp.url, DIGEST_DAILY_TO: 'ops@example.com', DIGEST_GRACE_HOURS: '0' });
    const log: string[] = [];
    let stop!: () => void;
    const done = runService(c, { log: textLog((l) => log.push(l)), now: at('2026-11-29T07:05:00Z'), stopSignal: new Promise<void>((r) => (stop = r)) });
    try {
      await until(() => smtp.mails.length > 0, 'the daily digest from the service', 60_000);
      expect(log).toContain(`email: daily at 07:00 to 1 recipient, monthly off (DIGEST_MONTHLY_TO) (UTC); SMTP 127.0.0.1:${new URL(smtp.url).port}`);
      expect(smtp.mails[0]!.subject).toMatch(/^AWS Marketplace daily · 28 Nov 2026: .* · data late$/);
      // nothing was ever delivered: the digest says so rather than showing zeros as if they were true
      expect(smtp.mails[0]!.text).toContain('! Billing events: nothing delivered yet');
    } finally {
      stop();
      await done;
    }
  });

  it('mails one answer on demand from the CLI, and lists every email in `digests`', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { DATABASE_URL: t.url!, DATA_DIR: dataDir, SMTP_URL: smtp.url, EMAIL_FROM: 'pulse@example.com' };
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await main(['send', 'revenue', '2026-10', '--by', 'product', '--to', 'cfo@example.com'], io, env)).toBe(0);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toMatch(/^Billed revenue by product, October 2026: gross revenue \$[\d,]+\.\d\d, net revenue \$[\d,]+\.\d\d$/);
    const options = { now: new Date(), timeZone: 'UTC', fiscalYearStartMonth: 1 };
    const expected = answerToCsv(await answerFor(t.db, 'revenue', parsePeriod('2026-10', options), 'product', options));
    expect(mail.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toEqual([['revenue-by-product-2026-10-01_to_2026-10-31.csv', expected]]);
    // as rich as the Slack answer: headline figures with their change, human headers, a chart
    expect(mail.text).toMatch(/^Gross revenue: \$[\d,]+\.\d\d \([▲▼] [\d.]+% vs September 2026\)/m);
    expect(mail.text).toMatch(/^  Product\s+Gross\s+Net$/m);
    expect(mail.text).not.toMatch(/gross_revenue|seller tax share/);
    expect(String(mail.html)).toMatch(/<img[^>]+src="https:\/\/quickchart\.io\/chart\?c=/);
    expect(await main(['send', 'billed-revenue', '2026-10', '--to', 'cfo@example.com'], io, env)).toBe(0);
    expect(smtp.mails[1]!.attachments[0]!.content.toString('utf8').split('\n')[0]).toMatch(/^invoice_date,payment_due_date,/);
    expect(await main(['send', 'revenue', '2026-10', '--to', 'not-an-address'], io, env)).toBe(2);
    expect(err.at(-1)).toContain('"not-an-address" is not an email address');

    out.splice(0);
    expect(await main(['digests', '--json'], io, env)).toBe(0);
    const history = JSON.parse(out.join('\n')) as Array<{ digest: string; status: string; recipients: string; subject: string }>;
    expect(history.map((h) => [h.digest, h.status, h.recipients, h.subject])).toEqual([
      ['on-demand', 'sent', 'cfo@example.com', 'billed-revenue: October 2026'],
      ['on-demand', 'sent', 'cfo@example.com', mail.subject],
    ]);
  });

  it('says so when an on-demand email cannot be sent, records it, and does not retry it on its own', async () => {
    const err: string[] = [];
    const env = { DATABASE_URL: t.url!, DATA_DIR: dataDir, SMTP_URL: smtp.url };
    smtp.refuse = true;
    expect(await main(['send', 'revenue', '2026-10', '--to', 'cfo@example.com'], { out: () => {}, err: (l) => err.push(l) }, env)).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^marketplace-pulse: could not send on-demand revenue 2026-10 @ .* to cfo@example.com: .*mailbox temporarily unavailable/)]);
    expect(await t.db.query(`select status, next_attempt_at from email_send`)).toEqual([{ status: 'failed', next_attempt_at: null }]);
  });

  it('writes the digests of the demo seller for a person to look at (npm run email:preview)', async () => {
    const dir = await tempDir('mp-preview-');
    const files = await writeEmailPreview(dir, loadConfig({ DATA_DIR: dataDir }));
    expect(files.map((f) => path.basename(f))).toEqual(['daily-digest.html', 'daily-digest.txt', 'monthly-digest.html', 'monthly-digest.txt']);
    const html = await readFile(path.join(dir, 'monthly-digest.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('Revenue, last 12 months');
    expect(await readFile(path.join(dir, 'daily-digest.txt'), 'utf8')).toMatch(/^Subject: AWS Marketplace daily · 2 Nov 2026: /);
  }, 60_000);

  it('leads with the main currency and charts each currency, largest first; a public chart never names a customer', async () => {
    await runDueDigests(deps(config({ DIGEST_DAILY_TO: '' }), at('2026-11-03T08:01:00Z')));
    const mail = smtp.mails[0]!;
    // dollars are this seller's main currency; euros beneath
    expect(mail.text).toMatch(/^Net revenue: \$[\d,]+\.\d\d \([▲▼] [\d.]+% vs Sep\); €[\d,]+\.\d\d$/m);
    const images = [...String(mail.html).matchAll(/<img[^>]*src="([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!.replace(/&amp;/g, '&').replace(/\+/g, ' ')));
    const trend = images.filter((u) => u.includes('Gross revenue by month'));
    expect(trend.map((u) => /by month \((\w+)\)/.exec(u)![1])).toEqual(['USD', 'EUR']);
    const customers = await t.db.query<{ name: string }>(`select distinct company_name as name from sdds_address where company_name is not null`);
    expect(customers.length).toBeGreaterThan(5);
    for (const u of images) for (const c of customers) expect(u, c.name).not.toContain(c.name);

    // asked by customer: no chart on the public server, one on a self-hosted QuickChart
    const env = { DATABASE_URL: t.url!, DATA_DIR: dataDir, SMTP_URL: smtp.url };
    expect(await main(['send', 'revenue', '2026-10', '--by', 'customer', '--to', 'cfo@example.com'], { out: () => {}, err: () => {} }, env)).toBe(0);
    expect(String(smtp.mails[1]!.html)).not.toMatch(/<img/);
    // the self-hosted server is asked by the service, and the picture travels inside the message
    const asked: string[] = [];
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const charts = createServer((req, res) => (asked.push(req.url ?? ''), res.writeHead(200, { 'content-type': 'image/png' }).end(png)));
    await new Promise<void>((r) => charts.listen(0, '127.0.0.1', r));
    try {
      const chartServer = `http://127.0.0.1:${(charts.address() as AddressInfo).port}`;
      expect(await main(['send', 'revenue', '2026-10', '--by', 'customer', '--to', 'cfo@example.com'], { out: () => {}, err: () => {} }, { ...env, QUICKCHART_URL: chartServer })).toBe(0);
    } finally {
      charts.close();
    }
    const inline = smtp.mails[2]!;
    expect(asked).toEqual([expect.stringMatching(/^\/chart\?c=/)]);
    // (mailparser turns cid: references into data: URIs as a mail client shows them)
    expect(String(inline.html)).toContain(`src="data:image/png;base64,${png.toString('base64')}"`);
    expect(String(inline.html)).not.toContain('127.0.0.1');
    expect(inline.attachments.filter((a) => a.contentType === 'image/png').map((a) => ({ cid: a.cid, bytes: a.content.length }))).toEqual([{ cid: 'chart-1@marketplace-pulse', bytes: png.length }]);
  });

  it('records recipients the mail server refuses, sends to the others, and the CLI says which and exits 1', async () => {
    smtp.refuseRecipients.add('gone@example.com');
    const c = config({ DIGEST_DAILY_TO: 'cfo@example.com, gone@example.com', DIGEST_MONTHLY_TO: '' });
    await runDueDigests(deps(c, at('2026-11-02T07:05:00Z')));
    expect(smtp.envelopes).toEqual([['cfo@example.com']]);
    const [row] = await t.db.query<{ status: string; last_error: string }>(`select status, last_error from email_send`);
    expect(row).toEqual({ status: 'partly-sent', last_error: expect.stringMatching(/^refused by the mail server for gone@example\.com \(550 .*no such user here\)$/) });
    expect(logs.some((l) => l.includes('email: sent daily 2026-11-01 to cfo@example.com') && l.includes('but the mail server refused gone@example.com'))).toBe(true);
    // not resent: the others have it
    await runDueDigests(deps(c, at('2026-11-02T09:05:00Z')));
    expect(smtp.mails).toHaveLength(1);

    const err: string[] = [];
    const env = { DATABASE_URL: t.url!, DATA_DIR: dataDir, SMTP_URL: smtp.url };
    expect(await main(['send', 'revenue', '2026-10', '--to', 'cfo@example.com,gone@example.com'], { out: () => {}, err: (l) => err.push(l) }, env)).toBe(1);
    expect(err.join('\n')).toMatch(/but the mail server refused gone@example\.com \(550 .*no such user here\)/);
  });
});

describe('digests with nothing to say', () => {
  it('say so in words, and attach CSVs with their header rows', async () => {
    const t = await createPgliteDatabase();
    try {
      const now = new Date('2026-11-02T07:00:00Z');
      const o = { now, timeZone: 'UTC', fiscalYearStartMonth: 1, quickChartUrl: 'https://quickchart.io', late: [] };
      const daily = await renderEmail(await buildDailyDigest(t.db, digestPeriod('daily', '2026-11-02', 'UTC'), o), { attachCsv: true });
      for (const said of ['No new subscribers on 1 Nov.', 'No cancellations on 1 Nov.', 'No metered usage this month through 1 Nov.', 'Nothing is past due.']) expect(daily.text).toContain(said);
      expect(daily.html).not.toMatch(/<img/);
      for (const a of daily.attachments) expect(String(a.content).split('\n')[0], a.filename).toMatch(/^[a-z_]+(,[a-z_]+)+$/);
      expect(daily.attachments.find((a) => a.filename === 'cancellations.csv')!.content).toBe('agreement_id,company,aws_account_id,product,offer,status,at,contract_value,currency\n');
      const monthly = await renderEmail(await buildMonthlyDigest(t.db, digestPeriod('monthly', '2026-11-03', 'UTC'), { ...o, now: new Date('2026-11-03T08:00:00Z') }), { attachCsv: true });
      for (const said of ['No revenue was billed in October 2026.', 'No customer churned in October 2026.', 'No agreement ends in the next 90 days.', "Everything collected has been paid out on AWS's schedule"]) expect(monthly.text).toContain(said);
      for (const a of monthly.attachments) expect(String(a.content).split('\n')[0], a.filename).not.toBe('');
    } finally {
      await t.drop();
    }
  }, 60_000);
});
