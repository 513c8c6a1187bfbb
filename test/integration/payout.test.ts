/**
 * The next payout on a hand-built seller whose answers are worked out by hand below: monthly
 * payouts around the 10th, collected funds waiting (net of the listing fee, AWS-remitted tax not
 * the seller's), a refund taken back from the next payout, uncollected invoices due before and
 * after the next date, one already past due, a second currency without payouts of its own, and
 * the same question as of a past month's end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { answer } from '../../src/metrics/query.ts';
import { presentAnswer } from '../../src/present/answer.ts';
import { parsePeriod } from '../../src/periods.ts';
import { parseRequest } from '../../src/slack/commands.ts';
import { metricMessage } from '../../src/slack/render.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const NOW = new Date('2026-11-29T08:00:00Z');
const ARRIVED = { now: () => new Date('2026-11-28T06:00:00Z') };
const options = { now: NOW, timeZone: 'UTC', fiscalYearStartMonth: 1 };

const H = ['valid_from', 'update_date', 'billing_event_id', 'end_user_account_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'payment_due_date', 'invoice_id', 'action_date', 'disbursement_billing_event_id'];
let n = 0;
const at = (day: string) => `${day}T00:00:00Z`;
/** An invoice line: `day` its invoice date, `due` its payment due date. */
const invoiced = (invoice: string, type: string, amount: string, day: string, due: string, cur = 'USD', bi = '1') =>
  [at(day), at(day), `be-${++n}`, 'acct-a', 'INVOICED', type, amount, cur, bi, at(day), at(due), invoice, '', ''];
const collected = (invoice: string, type: string, amount: string, invoiceDay: string, day: string, cur = 'USD') =>
  [at(day), at(day), `be-${++n}`, 'acct-a', 'COLLECTED', type, amount, cur, '1', at(invoiceDay), '', invoice, `${day} 10:00:00`, ''];
const disbursed = (invoice: string, type: string, amount: string, invoiceDay: string, payout: string) =>
  [at(payout.slice(7)), at(payout.slice(7)), `be-${++n}`, 'acct-a', 'DISBURSED', type, amount, 'USD', '0', at(invoiceDay), '', invoice, '', payout];
const payout = (day: string, amount: string) => [at(day), at(day), `payout-${day}`, '', 'DISBURSED', 'DISBURSEMENT', amount, 'USD', '0', at(day), '', '', '', ''];

describe('next-payout', () => {
  let t: TestDatabase;
  let root: string;

  beforeAll(async () => {
    t = await createPostgresDatabase();
    root = await tempDir();
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=11/data.csv', csv([
      H,
      // past payouts: 10 Aug, 10 Sep, 12 Oct (a weekend moved it), 10 Nov: monthly, on the 10th
      payout('2026-08-10', '700.000000'),
      payout('2026-09-10', '650.000000'),
      payout('2026-10-12', '720.000000'),
      payout('2026-11-10', '873.000000'),
      // A: 1,000 less a 30 fee, collected 15 Nov, not paid out yet; the tax AWS remits is not the seller's
      invoiced('inv-a', 'SELLER_REV_SHARE', '1000.000000', '2026-10-01', '2026-10-31'),
      invoiced('inv-a', 'AWS_REV_SHARE', '-30.000000', '2026-10-01', '2026-10-31'),
      invoiced('inv-a', 'AWS_TAX_SHARE', '80.000000', '2026-10-01', '2026-10-31', 'USD', '0'),
      collected('inv-a', 'SELLER_REV_SHARE', '1000.000000', '2026-10-01', '2026-11-15'),
      // B: 500 less 15, collected 18 Oct, paid out 10 Nov
      invoiced('inv-b', 'SELLER_REV_SHARE', '500.000000', '2026-09-20', '2026-10-20'),
      invoiced('inv-b', 'AWS_REV_SHARE', '-15.000000', '2026-09-20', '2026-10-20'),
      collected('inv-b', 'SELLER_REV_SHARE', '500.000000', '2026-09-20', '2026-10-18'),
      disbursed('inv-b', 'SELLER_REV_SHARE', '-500.000000', '2026-09-20', 'payout-2026-11-10'),
      disbursed('inv-b', 'AWS_REV_SHARE', '15.000000', '2026-09-20', 'payout-2026-11-10'),
      // E: 400 less 12, collected 28 Oct, paid out 10 Nov; then 150 refunded (fee 4.50 back) on 20 Nov
      invoiced('inv-e', 'SELLER_REV_SHARE', '400.000000', '2026-10-03', '2026-11-02'),
      invoiced('inv-e', 'AWS_REV_SHARE', '-12.000000', '2026-10-03', '2026-11-02'),
      collected('inv-e', 'SELLER_REV_SHARE', '400.000000', '2026-10-03', '2026-10-28'),
      disbursed('inv-e', 'SELLER_REV_SHARE', '-400.000000', '2026-10-03', 'payout-2026-11-10'),
      disbursed('inv-e', 'AWS_REV_SHARE', '12.000000', '2026-10-03', 'payout-2026-11-10'),
      invoiced('inv-e', 'SELLER_REV_SHARE_REFUND', '-150.000000', '2026-11-20', '2026-11-20'),
      invoiced('inv-e', 'AWS_REV_SHARE_REFUND', '4.500000', '2026-11-20', '2026-11-20'),
      // K: 160 less 4.80, due 7 Nov, collected 6 Nov, not paid out yet
      invoiced('inv-k', 'SELLER_REV_SHARE', '160.000000', '2026-10-08', '2026-11-07'),
      invoiced('inv-k', 'AWS_REV_SHARE', '-4.800000', '2026-10-08', '2026-11-07'),
      collected('inv-k', 'SELLER_REV_SHARE', '160.000000', '2026-10-08', '2026-11-06'),
      // C: 300 less 9, plus 20 of tax the seller remits, due 5 Dec (before 10 Dec), not collected
      invoiced('inv-c', 'SELLER_REV_SHARE', '300.000000', '2026-11-05', '2026-12-05'),
      invoiced('inv-c', 'AWS_REV_SHARE', '-9.000000', '2026-11-05', '2026-12-05'),
      invoiced('inv-c', 'SELLER_TAX_SHARE', '20.000000', '2026-11-05', '2026-12-05'),
      // D: 200 less 6, due 20 Dec (after 10 Dec), not collected; the fee on a listing-fee invoice of its own,
      // taken with D when D is paid, not from the next payout
      invoiced('inv-d', 'SELLER_REV_SHARE', '200.000000', '2026-11-20', '2026-12-20'),
      invoiced('fee-d', 'AWS_REV_SHARE', '-6.000000', '2026-11-20', '2026-12-20'),
      // F: due 1 Oct and never paid: past due, left to the past-due metric
      invoiced('inv-f', 'SELLER_REV_SHARE', '800.000000', '2026-09-01', '2026-10-01'),
      invoiced('inv-f', 'AWS_REV_SHARE', '-24.000000', '2026-09-01', '2026-10-01'),
      // EUR, never paid out in EUR yet: G collected 25 Nov; H due 8 Dec
      invoiced('inv-g', 'SELLER_REV_SHARE', '600.000000', '2026-11-01', '2026-12-01', 'EUR'),
      invoiced('inv-g', 'AWS_REV_SHARE', '-18.000000', '2026-11-01', '2026-12-01', 'EUR'),
      collected('inv-g', 'SELLER_REV_SHARE', '600.000000', '2026-11-01', '2026-11-25', 'EUR'),
      invoiced('inv-h', 'SELLER_REV_SHARE', '250.000000', '2026-11-10', '2026-12-08', 'EUR'),
      invoiced('inv-h', 'AWS_REV_SHARE', '-7.500000', '2026-11-10', '2026-12-08', 'EUR'),
    ]), ARRIVED);
  });
  afterAll(() => t?.drop());

  // the last 100 days hold the payouts of 10 Sep, 12 Oct and 10 Nov: gaps of 32 and 29 days, days of the month 10, 12, 10
  const MONTHLY = 'monthly on the 10th: median gap 30.5 days between the last 3 disbursements';

  it('adds up what is waiting today, on the next date of the schedule the payouts show', async () => {
    const a = await answer(t.db, 'next-payout', 'today', undefined, options);
    expect(a.source).toBe('sdds');
    // USD collected, not paid out: A 1000 - 30 = 970; K 160 - 4.80 = 155.20; E's refund taken back:
    //   billed 400 - 12 - 150 + 4.50 = 242.50, paid out 400 - 12 = 388, so -145.50. 970 + 155.20 - 145.50 = 979.70
    //   (B is paid out; A's 80 of AWS-remitted tax is not the seller's.)
    // Could join 10 Dec: C, due 5 Dec, 300 - 9 + 20 = 311 (F is past due: not counted); 10 Jan: D, due 20 Dec, 194
    // EUR: G 600 - 18 = 582 collected; H, due 8 Dec, 250 - 7.50 = 242.50 could join; paid on the schedule of all payouts
    expect(a.totals).toEqual([
      {
        currency: 'EUR', next_disbursement_date: '2026-12-10', collected: '582.000000', could_join: '242.500000', schedule: 'monthly',
        schedule_basis: 'monthly on the 10th: median gap 30.5 days between the last 3 disbursements in any currency (2026-09-10 to 2026-11-10)', last_disbursement_date: '2026-11-10',
      },
      { currency: 'USD', next_disbursement_date: '2026-12-10', collected: '979.700000', could_join: '311.000000', schedule: 'monthly', schedule_basis: `${MONTHLY} (2026-09-10 to 2026-11-10)`, last_disbursement_date: '2026-11-10' },
    ]);
    expect(a.rows).toEqual([
      { currency: 'EUR', disbursement_date: '2026-12-10', collected: '582.000000', could_join: '242.500000' },
      { currency: 'EUR', disbursement_date: '2027-01-10', collected: '0', could_join: '0' },
      { currency: 'EUR', disbursement_date: '2027-02-10', collected: '0', could_join: '0' },
      { currency: 'USD', disbursement_date: '2026-12-10', collected: '979.700000', could_join: '311.000000' },
      { currency: 'USD', disbursement_date: '2027-01-10', collected: '0', could_join: '194.000000' },
      { currency: 'USD', disbursement_date: '2027-02-10', collected: '0', could_join: '0' },
    ]);
  });

  it('answers as of a past month end from what was known to have happened by then', async () => {
    const a = await answer(t.db, 'next-payout', '2026-10', undefined, options);
    // as of 1 Nov, the last 100 days: payouts 10 Aug, 10 Sep, 12 Oct (gaps 31 and 32 days) give 10 Nov next
    // collected, not yet paid out: B 485 and E 388 (both paid 10 Nov; E's refund came later) = 873
    // could join 10 Nov: K, due 7 Nov, collected only on 6 Nov: 155.20; A was already past due
    // (due 31 Oct); C, D, G and H were not invoiced yet
    expect(a.totals).toEqual([
      { currency: 'USD', next_disbursement_date: '2026-11-10', collected: '873.000000', could_join: '155.200000', schedule: 'monthly', schedule_basis: 'monthly on the 10th: median gap 31.5 days between the last 3 disbursements (2026-08-10 to 2026-10-12)', last_disbursement_date: '2026-10-12' },
    ]);
    expect(a.rows.map((r) => [r.disbursement_date, r.collected, r.could_join])).toEqual([
      ['2026-11-10', '873.000000', '155.200000'],
      ['2026-12-10', '0', '0'],
      ['2027-01-10', '0', '0'],
    ]);
    expect(await answer(t.db, 'next-payout', '2026-01', undefined, options)).toMatchObject({ source: 'none', totals: [], rows: [] });
  });

  it('says when one payout cannot tell the schedule, and dates the next ones as AWS’s default would', async () => {
    // as of 5 Sep: only the payout of 10 Aug in the last 100 days; F (due 1 Oct, 800 - 24) could join the one after next
    const a = await answer(t.db, 'next-payout', '2026-09-01..2026-09-04', undefined, options);
    expect(a.totals).toEqual([
      {
        currency: 'USD', next_disbursement_date: '2026-09-10', collected: '0', could_join: '0', schedule: 'unknown',
        schedule_basis: "only one disbursement in the last 100 days (2026-08-10): dates assume AWS's default monthly cadence, on the 10th", last_disbursement_date: '2026-08-10',
      },
    ]);
    expect(a.rows.map((r) => [r.disbursement_date, r.collected, r.could_join])).toEqual([
      ['2026-09-10', '0', '0'],
      ['2026-10-10', '0', '776.000000'],
      ['2026-11-10', '0', '0'],
    ]);
  });

  it('answers `query next-payout` without a period, in JSON and CSV, and in Slack', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => {} };
    const env = { DATABASE_URL: t.url!, DATA_DIR: root };
    expect(await main(['query', 'next-payout', '--format', 'json'], io, env)).toBe(0);
    const json = JSON.parse(out.pop()!);
    expect(json.totals[1]).toMatchObject({ currency: 'USD', next_disbursement_date: '2026-12-10', collected: '979.700000', schedule: 'monthly' });
    expect(await main(['query', 'next-payout', 'today', '--format', 'csv'], io, env)).toBe(0);
    expect(out.pop()!.split('\n').slice(0, 2)).toEqual(['currency,disbursement_date,collected,could_join', 'EUR,2026-12-10,582.000000,242.500000']);

    const request = parseRequest('next-payout');
    expect(request).toMatchObject({ kind: 'metric', metric: 'next-payout', period: 'today' });
    const p = await presentAnswer(t.db, 'next-payout', parsePeriod('today', options), undefined, options);
    const message = metricMessage(p.answer, { previous: p.previous, exportCommand: 'export next-payout today', quickChartUrl: 'https://quickchart.io' });
    const text = JSON.stringify(message.blocks);
    expect(message.text).toContain('Next disbursement, ');
    expect(text).toContain('*Collected, to be paid out* $979.70');
    expect(text).toContain('*Could join if paid when due* $311.00');
    expect(text).toContain(`Expected on 2026-12-10; schedule ${MONTHLY}`);
  });
});

describe('next-payout before the first payout', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    const root = await tempDir();
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=11/data.csv', csv([
      H,
      invoiced('inv-1', 'SELLER_REV_SHARE', '1000.000000', '2026-11-01', '2026-12-01'),
      invoiced('inv-1', 'AWS_REV_SHARE', '-30.000000', '2026-11-01', '2026-12-01'),
      collected('inv-1', 'SELLER_REV_SHARE', '1000.000000', '2026-11-01', '2026-11-20'),
    ]), ARRIVED);
  });
  afterAll(() => t?.drop());

  it('has the amount but no date, and says why', async () => {
    const a = await answer(t.db, 'next-payout', 'today', undefined, options);
    const basis = "no disbursement in the 100 days before 2026-11-29; AWS's default is monthly, on a day the seller picks";
    expect(a.totals).toEqual([{ currency: 'USD', next_disbursement_date: null, collected: '970.000000', could_join: null, schedule: 'unknown', schedule_basis: basis, last_disbursement_date: null }]);
    expect(a.rows).toEqual([{ currency: 'USD', disbursement_date: null, collected: '970.000000', could_join: null }]);
    const message = metricMessage(a, { previous: null, exportCommand: 'export next-payout today', quickChartUrl: 'https://quickchart.io' });
    expect(JSON.stringify(message.blocks)).toContain(`Date unknown: ${basis}`);
  });
});
