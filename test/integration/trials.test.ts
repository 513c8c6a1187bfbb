/**
 * Free trials on a hand-built seller whose answers are worked out by hand below; now = 2026-11-29 08:00 UTC.
 * Trial offers: offer-ft1 (Acme Analytics, prod-1), offer-ft2 (Acme Gateway, prod-2); paid offer: offer-paid1 (prod-1).
 *
 *  trial  buyer   offer      start        free period ends              what happens                                      outcome
 *  t1     acct-a  ft1        09-20 09:00  10-20 09:00 (end_time)         p1: acct-a buys prod-1 10-12 15:00; t1 cancelled   converted 10-12 15:00 (new-agreement)
 *                                                                         10-13 (buying wins)
 *  t2     acct-b  ft1        10-03 12:00  11-02 12:00 (end_time)         p2 REPLACEs it (preceding t2) 10-25 10:00          converted 10-25 10:00 (replacement)
 *  t3     acct-c  ft1        09-10        10-10 (end_time)               EXPIRED 10-10; p0 bought 09-01 (before the trial)  expired 10-10
 *                                                                         and p3 11-20 (after 10-10 + 7 days grace) don't count
 *  t4     acct-d  ft1 + usage 10-25 08:00 11-15 08:00 (term "P21D")      usage-priced, never cancelled: converts in place   converted 11-15 08:00 (in-place)
 *  t5     acct-e  ft2        10-05        11-04 (end_time)               cancelled 10-28; p5 by acct-e 10-20 is prod-1,     expired 10-28
 *                                                                         another product: not a conversion
 *  t8     acct-f  ft2        10-08        11-07 (end_time)               marked REPLACED 10-18, successor not in the feeds  converted 10-18 (replacement)
 *  t6     acct-a  ft2        11-20        12-20 (end_time)               running                                            active
 *  t7     acct-a  ft2        10-15        ROLLED_BACK                    not a trial                                        -
 *
 * October (2026-10-01 .. 11-01):
 *   started: t2, t5, t8, t4 = 4; converted: t1 (10-12), t8 (10-18), t2 (10-25) = 3; expired: t3 (10-10), t5 (10-28) = 2;
 *   running at 11-01: t4 (free until 11-15) = 1 (t1, t2, t8 converted; t3, t5 over); rate 3 / (3 + 2) = 0.6000.
 *   Rows: the six trials touching October, by start: t3, t1, t2, t5, t8, t4 (t4's final outcome: converted 11-15).
 *   By product: Acme Analytics (t1-t4): started t2, t4 = 2, converted 2, expired t3 = 1, running t4 = 1, rate 2/3 = 0.6667;
 *               Acme Gateway (t5, t8): started 2, converted 1, expired 1, running 0, rate 1/2 = 0.5000.
 * November (11-01 .. now 11-29 08:00): started t6 = 1; converted t4 = 1; expired 0; running t6 = 1; rate 1.0000.
 * Days: 2026-10-12: started 0, converted 1 (t1); 2026-10-25: started 1 (t4), converted 1 (t2).
 *
 * CAS, March 2019 (daily files dated the day after the day they cover):
 *   03-01: pc-1 new 3, current 10, converted 1, not converted 2; pc-2 new 1, current 4, converted 0, not converted 1
 *   03-02: pc-1 new 2, current 11, converted 1, not converted 0
 *   04-01: pc-1 new 5 (April: ignored)
 *   started 3 + 1 + 2 = 6; converted 1 + 0 + 1 = 2; expired 2 + 1 + 0 = 3; running = current on the last day with
 *   rows (03-02) = 11; rate 2 / 5 = 0.4000. pc-1: 5, 2, 2, 11, 0.5000; pc-2: 1, 0, 1, 0, 0.0000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, answerToCsv } from '../../src/metrics/query.ts';
import { rate } from '../../src/metrics/trials.ts';
import { metricMessage } from '../../src/slack/render.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const options = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };
const ARRIVED = { now: () => new Date('2026-11-28T06:00:00Z') };
const AH = ['valid_from', 'update_date', 'agreement_id', 'status', 'intent', 'acceptor_account_id', 'offer_id', 'acceptance_time', 'start_time', 'end_time', 'estimated_agreement_value', 'currency_code', 'preceding_agreement_id'];
const ag = (id: string, status: string, validFrom: string, buyer: string, offer: string, start: string, end: string, o: { value?: string; preceding?: string } = {}) => [
  validFrom, validFrom, id, status, o.preceding ? 'REPLACE' : 'NEW', buyer, offer, start, start, end, o.value ?? '0', 'USD', o.preceding ?? '',
];
const term = (agreement: string, type: string, configuration = '') => ['2026-09-01T00:00:00Z', agreement, `term-${agreement}-${type}`, type, configuration];
const CASH = 'Product Title,Product Code,New Free Trials,Total Current Free Trials,Converted Free Trials,Non-Converted Free Trials,Solution Title,Solution ID\n';

describe('free trials', () => {
  let t: TestDatabase;
  let root: string;
  const ingest = (key: string, content: string) => ingestContent(t.db, root, key, content, ARRIVED);

  beforeAll(async () => {
    t = await createPostgresDatabase();
    root = await tempDir();
    await ingest('ProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,product_id,title\n2026-01-01T00:00:00Z,prod-1,Acme Analytics\n2026-01-01T00:00:00Z,prod-2,Acme Gateway\n');
    await ingest(
      'OfferProductFeed_V1/year=2026/month=01/data.csv',
      'valid_from,offer_id,offer_revision,product_id\n2026-01-01T00:00:00Z,offer-ft1,1,prod-1\n2026-01-01T00:00:00Z,offer-ft2,1,prod-2\n2026-01-01T00:00:00Z,offer-paid1,1,prod-1\n',
    );
    await ingest('OfferFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,name\n2026-01-01T00:00:00Z,offer-ft1,1,Acme Analytics free trial\n');
    await ingest('AccountFeed_V1/year=2026/month=01/data.csv', 'valid_from,account_id,aws_account_id,mailing_address_id\n2026-01-01T00:00:00Z,acct-a,012345678901,addr-a\n2026-01-01T00:00:00Z,acct-b,444455556666,addr-b\n');
    await ingest('AddressFeed_V1/year=2026/month=01/data.csv', 'valid_from,address_id,company_name\n2026-01-01T00:00:00Z,addr-a,"Example, Inc."\n2026-01-01T00:00:00Z,addr-b,Beispiel GmbH\n');
    await ingest('AgreementFeed_V1/year=2026/month=09/data.csv', csv([
      AH,
      ag('p0', 'ACTIVE', '2026-09-01T00:00:00Z', 'acct-c', 'offer-paid1', '2026-09-01T00:00:00Z', '2027-09-01T00:00:00Z', { value: '12000' }),
      ag('t3', 'ACTIVE', '2026-09-10T00:00:00Z', 'acct-c', 'offer-ft1', '2026-09-10T00:00:00Z', '2026-10-10T00:00:00Z'),
      ag('t1', 'ACTIVE', '2026-09-20T09:00:00Z', 'acct-a', 'offer-ft1', '2026-09-20T09:00:00Z', '2026-10-20T09:00:00Z'),
    ]));
    await ingest('AgreementFeed_V1/year=2026/month=10/data.csv', csv([
      AH,
      ag('t2', 'ACTIVE', '2026-10-03T12:00:00Z', 'acct-b', 'offer-ft1', '2026-10-03T12:00:00Z', '2026-11-02T12:00:00Z'),
      ag('t5', 'ACTIVE', '2026-10-05T00:00:00Z', 'acct-e', 'offer-ft2', '2026-10-05T00:00:00Z', '2026-11-04T00:00:00Z'),
      ag('t3', 'EXPIRED', '2026-10-10T00:00:00Z', 'acct-c', 'offer-ft1', '2026-09-10T00:00:00Z', '2026-10-10T00:00:00Z'),
      ag('p1', 'ACTIVE', '2026-10-12T15:00:00Z', 'acct-a', 'offer-paid1', '2026-10-12T15:00:00Z', '2027-10-12T15:00:00Z', { value: '12000' }),
      ag('t1', 'CANCELLED', '2026-10-13T00:00:00Z', 'acct-a', 'offer-ft1', '2026-09-20T09:00:00Z', '2026-10-20T09:00:00Z'),
      ag('t8', 'ACTIVE', '2026-10-08T00:00:00Z', 'acct-f', 'offer-ft2', '2026-10-08T00:00:00Z', '2026-11-07T00:00:00Z'),
      ag('t7', 'ROLLED_BACK', '2026-10-15T00:00:00Z', 'acct-a', 'offer-ft2', '2026-10-15T00:00:00Z', '2026-11-14T00:00:00Z'),
      ag('t8', 'REPLACED', '2026-10-18T00:00:00Z', 'acct-f', 'offer-ft2', '2026-10-08T00:00:00Z', '2026-11-07T00:00:00Z'),
      ag('p5', 'ACTIVE', '2026-10-20T00:00:00Z', 'acct-e', 'offer-paid1', '2026-10-20T00:00:00Z', '2027-10-20T00:00:00Z', { value: '6000' }),
      ag('t4', 'ACTIVE', '2026-10-25T08:00:00Z', 'acct-d', 'offer-ft1', '2026-10-25T08:00:00Z', ''),
      ag('p2', 'ACTIVE', '2026-10-25T10:00:00Z', 'acct-b', 'offer-paid1', '2026-10-25T10:00:00Z', '2027-10-25T10:00:00Z', { value: '24000', preceding: 't2' }),
      ag('t2', 'REPLACED', '2026-10-25T10:00:00Z', 'acct-b', 'offer-ft1', '2026-10-03T12:00:00Z', '2026-11-02T12:00:00Z'),
      ag('t5', 'CANCELLED', '2026-10-28T00:00:00Z', 'acct-e', 'offer-ft2', '2026-10-05T00:00:00Z', '2026-11-04T00:00:00Z'),
    ]));
    await ingest('AgreementFeed_V1/year=2026/month=11/data.csv', csv([
      AH,
      ag('p3', 'ACTIVE', '2026-11-20T00:00:00Z', 'acct-c', 'offer-paid1', '2026-11-20T00:00:00Z', '2027-11-20T00:00:00Z', { value: '12000' }),
      ag('t6', 'ACTIVE', '2026-11-20T00:00:00Z', 'acct-a', 'offer-ft2', '2026-11-20T00:00:00Z', '2026-12-20T00:00:00Z'),
    ]));
    await ingest('AgreementTermFeed_V1/year=2026/month=09/data.csv', csv([
      ['valid_from', 'agreement_id', 'term_id', 'term_type', 'term_configuration'],
      ...['t1', 't2', 't3', 't5', 't6', 't7', 't8'].flatMap((a) => [term(a, 'FreeTrialPricingTerm'), term(a, 'LegalTerm')]),
      term('t4', 'FreeTrialPricingTerm', '{"duration":"P21D"}'),
      term('t4', 'UsageBasedPricingTerm'),
      term('t4', 'LegalTerm'),
      ...['p0', 'p1', 'p3', 'p5'].map((a) => term(a, 'ConfigurableUpfrontPricingTerm')),
      term('p2', 'FixedUpfrontPricingTerm'),
    ]));
    await ingest('cas/daily_business_free_trial_conversions_2019-03-02.csv', `${CASH}Acme Analytics,pc-1,3,10,1,2,,\nAcme Gateway,pc-2,1,4,0,1,,\n`);
    await ingest('cas/daily_business_free_trial_conversions_2019-03-03.csv', `${CASH}Acme Analytics,pc-1,2,11,1,0,,\n`);
    await ingest('cas/daily_business_free_trial_conversions_2019-04-02.csv', `${CASH}Acme Analytics,pc-1,5,16,0,0,,\n`);
  });
  afterAll(() => t?.drop());

  it('counts trials started, converted three ways, expired and running in a month', async () => {
    const a = await answer(t.db, 'trials', '2026-10', undefined, options);
    expect(a).toMatchObject({ metric: 'trials', source: 'sdds', totals: { started: 4, converted: 3, expired: 2, active_at_end: 1, conversion_rate: '0.6000' } });
    expect(a.complete_through).toMatch(/^2026-11-\d\d$/);
    expect(a.rows).toEqual([
      { agreement_id: 't3', company: null, aws_account_id: null, product: 'Acme Analytics', offer: 'Acme Analytics free trial', started: '2026-09-10T00:00:00Z', ends: '2026-10-10T00:00:00Z', outcome: 'expired', outcome_at: '2026-10-10T00:00:00Z', conversion: null, paid_agreement_id: null },
      { agreement_id: 't1', company: 'Example, Inc.', aws_account_id: '012345678901', product: 'Acme Analytics', offer: 'Acme Analytics free trial', started: '2026-09-20T09:00:00Z', ends: '2026-10-20T09:00:00Z', outcome: 'converted', outcome_at: '2026-10-12T15:00:00Z', conversion: 'new-agreement', paid_agreement_id: 'p1' },
      { agreement_id: 't2', company: 'Beispiel GmbH', aws_account_id: '444455556666', product: 'Acme Analytics', offer: 'Acme Analytics free trial', started: '2026-10-03T12:00:00Z', ends: '2026-11-02T12:00:00Z', outcome: 'converted', outcome_at: '2026-10-25T10:00:00Z', conversion: 'replacement', paid_agreement_id: 'p2' },
      { agreement_id: 't5', company: null, aws_account_id: null, product: 'Acme Gateway', offer: 'offer-ft2', started: '2026-10-05T00:00:00Z', ends: '2026-11-04T00:00:00Z', outcome: 'expired', outcome_at: '2026-10-28T00:00:00Z', conversion: null, paid_agreement_id: null },
      { agreement_id: 't8', company: null, aws_account_id: null, product: 'Acme Gateway', offer: 'offer-ft2', started: '2026-10-08T00:00:00Z', ends: '2026-11-07T00:00:00Z', outcome: 'converted', outcome_at: '2026-10-18T00:00:00Z', conversion: 'replacement', paid_agreement_id: null },
      { agreement_id: 't4', company: null, aws_account_id: null, product: 'Acme Analytics', offer: 'Acme Analytics free trial', started: '2026-10-25T08:00:00Z', ends: '2026-11-15T08:00:00Z', outcome: 'converted', outcome_at: '2026-11-15T08:00:00Z', conversion: 'in-place', paid_agreement_id: null },
    ]);
  });

  it('breaks trials down by product', async () => {
    const a = await answer(t.db, 'trials', '2026-10', 'product', options);
    expect(a.totals).toEqual({ started: 4, converted: 3, expired: 2, active_at_end: 1, conversion_rate: '0.6000' });
    expect(a.rows).toEqual([
      { key: 'prod-1', name: 'Acme Analytics', started: 2, converted: 2, expired: 1, active_at_end: 1, conversion_rate: '0.6667' },
      { key: 'prod-2', name: 'Acme Gateway', started: 2, converted: 1, expired: 1, active_at_end: 0, conversion_rate: '0.5000' },
    ]);
    expect(answerToCsv(a)).toBe('key,name,started,converted,expired,active_at_end,conversion_rate\nprod-1,Acme Analytics,2,2,1,1,0.6667\nprod-2,Acme Gateway,2,1,1,0,0.5000\n');
    await expect(answer(t.db, 'trials', '2026-10', 'customer', options)).rejects.toThrow('trials cannot be broken down by "customer"; use --by product');
  });

  it('answers the month under way as of now, and one day for the digest', async () => {
    const nov = await answer(t.db, 'trials', '2026-11', undefined, options);
    expect(nov.totals).toEqual({ started: 1, converted: 1, expired: 0, active_at_end: 1, conversion_rate: '1.0000' });
    expect(nov.rows.map((r) => [r.agreement_id, r.outcome])).toEqual([['t4', 'converted'], ['t6', 'active']]);
    // a day, as the daily digest asks
    const day = async (d: string) => {
      const a = await answer(t.db, 'trials', d, undefined, options);
      return { started: (a.totals as { started: number }).started, converted: (a.totals as { converted: number }).converted, source: a.source };
    };
    expect(await day('2026-10-12..2026-10-12')).toEqual({ started: 0, converted: 1, source: 'sdds' });
    expect(await day('2026-10-25..2026-10-25')).toEqual({ started: 1, converted: 1, source: 'sdds' });
  });

  it('answers older months from the CAS daily business report', async () => {
    const a = await answer(t.db, 'trials', '2019-03', undefined, options);
    expect(a).toMatchObject({ source: 'cas', totals: { started: 6, converted: 2, expired: 3, active_at_end: 11, conversion_rate: '0.4000' }, rows: [] });
    const p = await answer(t.db, 'trials', '2019-03', 'product', options);
    expect(p.rows).toEqual([
      { key: 'pc-1', name: 'Acme Analytics', started: 5, converted: 2, expired: 2, active_at_end: 11, conversion_rate: '0.5000' },
      { key: 'pc-2', name: 'Acme Gateway', started: 1, converted: 0, expired: 1, active_at_end: 0, conversion_rate: '0.0000' },
    ]);
    expect(await answer(t.db, 'trials', '2019-05', undefined, options)).toMatchObject({ source: 'none', totals: { started: 0, conversion_rate: null } });
  });

  it('says it in Slack: the count, what became of the trials, the rows', async () => {
    const a = await answer(t.db, 'trials', '2026-10', undefined, options);
    const m = metricMessage(a, { previous: null, exportCommand: 'export trials 2026-10', quickChartUrl: 'https://quickchart.io' });
    expect(m.text).toBe('Free trials, October 2026: Trials started 4');
    expect(JSON.stringify(m.blocks)).toContain('*Trials started* 4 (converted 3, expired 2, conversion rate 60.0%; 1 running at the end)');
    expect(JSON.stringify(m.blocks)).toContain('Beispiel GmbH');
  });

  it('rounds the conversion rate half up in exact arithmetic', () => {
    expect([rate(2, 3), rate(1, 8), rate(0, 5), rate(5, 5), rate(1, 0)]).toEqual(['0.6667', '0.1250', '0.0000', '1.0000', null]);
  });
});
