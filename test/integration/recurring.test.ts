/**
 * MRR, ARR, the MRR bridge and retention on a hand-built seller whose answers are worked out by
 * hand below. October 2026: start 2026-10-01, end 2026-11-01.
 *
 *  cust-a  upfront 12 months, 12,000 USD, Jan 2026 - Jan 2027            1,000 -> 1,000  flat
 *  cust-b  payment schedule 24 months, 48,000 USD, from 2026-10-10           0 -> 2,000  new
 *  cust-c  usage only: invoiced 300 in Jul, Aug, Sep and 600 in Oct          300 -> 400    expansion 100 (usage)
 *  cust-d  6,000/12 months, replaced 2026-10-15 by 9,600/12 months           500 -> 800    expansion 300
 *  cust-e  24,000/12 months, replaced 2026-10-20 by 12,000/12 months       2,000 -> 1,000  contraction 1,000
 *  cust-f  3,600/12 months, cancelled 2026-10-05                             300 -> 0      churned 300
 *  cust-g  expired Jan 2026; new 2,400/12 months from 2026-10-03              0 -> 200    reactivation 200
 *  cust-h  1,200 EUR / 12 months                                         100 EUR -> 100 EUR
 *
 * USD: start 4,100; end contract 5,000 + usage 400 = 5,400; 4,100 + 2,000 + 400 - 1,000 - 300 + 200 = 5,400.
 * Retention (customers with MRR on Oct 1: a, c, d, e, f = 4,100): end 1,000 + 400 + 800 + 1,000 + 0 =
 * 3,200 -> NRR 0.7805; capped 1,000 + 300 + 500 + 1,000 + 0 = 2,800 -> GRR 0.6829; 1 of 5 gone -> 0.2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../src/metrics/query.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const options = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };
const ARRIVED = { now: () => new Date('2026-11-28T06:00:00Z') };
const AH = ['valid_from', 'update_date', 'agreement_id', 'status', 'intent', 'acceptor_account_id', 'offer_id', 'acceptance_time', 'start_time', 'end_time', 'estimated_agreement_value', 'currency_code', 'preceding_agreement_id'];
const ag = (id: string, status: string, validFrom: string, buyer: string, start: string, end: string, value: string, o: { currency?: string; preceding?: string; offer?: string } = {}) => [
  validFrom, validFrom, id, status, o.preceding ? 'REPLACE' : 'NEW', buyer, o.offer ?? 'offer-1', start, start, end, value, o.currency ?? 'USD', o.preceding ?? '',
];
const term = (agreement: string, type: string) => ['2026-01-01T00:00:00Z', agreement, `term-${agreement}-${type}`, type];
const BH = ['valid_from', 'billing_event_id', 'from_account_id', 'to_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'agreement_id'];
const usage = (id: string, day: string, amount: string) => [`${day}T00:00:00Z`, id, 'cust-c', 'acct-seller', 'prod-2', 'INVOICED', 'SELLER_REV_SHARE', amount, 'USD', '1', `${day}T00:00:00Z`, 'agmt-c'];

describe('recurring revenue and retention', () => {
  let t: TestDatabase;
  let root: string;
  const ingest = (key: string, content: string) => ingestContent(t.db, root, key, content, ARRIVED);

  beforeAll(async () => {
    t = await createPostgresDatabase();
    root = await tempDir();
    await ingest('ProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,product_id,title\n2026-01-01T00:00:00Z,prod-1,Acme Analytics\n2026-01-01T00:00:00Z,prod-2,Acme Pipeline\n');
    await ingest('OfferProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,product_id\n2026-01-01T00:00:00Z,offer-1,1,prod-1\n2026-01-01T00:00:00Z,offer-2,1,prod-2\n');
    await ingest('AccountFeed_V1/year=2026/month=01/data.csv', 'valid_from,account_id,aws_account_id,mailing_address_id\n2026-01-01T00:00:00Z,cust-a,111111111111,addr-a\n2026-01-01T00:00:00Z,cust-e,555555555555,addr-e\n');
    await ingest('AddressFeed_V1/year=2026/month=01/data.csv', 'valid_from,address_id,company_name\n2026-01-01T00:00:00Z,addr-a,Alpha Corp\n2026-01-01T00:00:00Z,addr-e,Echo GmbH\n');
    await ingest('AgreementFeed_V1/year=2026/month=10/data.csv', csv([
      AH,
      ag('agmt-a', 'ACTIVE', '2026-01-01T00:00:00Z', 'cust-a', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '12000'),
      ag('agmt-b', 'ACTIVE', '2026-10-10T00:00:00Z', 'cust-b', '2026-10-10T00:00:00Z', '2028-10-10T00:00:00Z', '48000'),
      ag('agmt-c', 'ACTIVE', '2026-01-01T00:00:00Z', 'cust-c', '2026-01-01T00:00:00Z', '', '', { offer: 'offer-2' }),
      ag('agmt-d1', 'ACTIVE', '2026-04-01T00:00:00Z', 'cust-d', '2026-04-01T00:00:00Z', '2027-04-01T00:00:00Z', '6000'),
      ag('agmt-d1', 'REPLACED', '2026-10-15T00:00:00Z', 'cust-d', '2026-04-01T00:00:00Z', '2027-04-01T00:00:00Z', '6000'),
      ag('agmt-d2', 'ACTIVE', '2026-10-15T00:00:00Z', 'cust-d', '2026-10-15T00:00:00Z', '2027-10-15T00:00:00Z', '9600', { preceding: 'agmt-d1' }),
      ag('agmt-e1', 'ACTIVE', '2026-03-01T00:00:00Z', 'cust-e', '2026-03-01T00:00:00Z', '2027-03-01T00:00:00Z', '24000'),
      ag('agmt-e1', 'REPLACED', '2026-10-20T00:00:00Z', 'cust-e', '2026-03-01T00:00:00Z', '2027-03-01T00:00:00Z', '24000'),
      ag('agmt-e2', 'ACTIVE', '2026-10-20T00:00:00Z', 'cust-e', '2026-10-20T00:00:00Z', '2027-10-20T00:00:00Z', '12000', { preceding: 'agmt-e1' }),
      ag('agmt-f', 'ACTIVE', '2026-02-01T00:00:00Z', 'cust-f', '2026-02-01T00:00:00Z', '2027-02-01T00:00:00Z', '3600'),
      ag('agmt-f', 'CANCELLED', '2026-10-05T00:00:00Z', 'cust-f', '2026-02-01T00:00:00Z', '2027-02-01T00:00:00Z', '3600'),
      ag('agmt-g1', 'ACTIVE', '2025-01-01T00:00:00Z', 'cust-g', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '1200'),
      ag('agmt-g1', 'EXPIRED', '2026-01-01T00:00:00Z', 'cust-g', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '1200'),
      ag('agmt-g2', 'ACTIVE', '2026-10-03T00:00:00Z', 'cust-g', '2026-10-03T00:00:00Z', '2027-10-03T00:00:00Z', '2400'),
      ag('agmt-h', 'ACTIVE', '2026-06-01T00:00:00Z', 'cust-h', '2026-06-01T00:00:00Z', '2027-06-01T00:00:00Z', '1200', { currency: 'EUR' }),
    ]));
    await ingest('AgreementTermFeed_V1/year=2026/month=10/data.csv', csv([
      ['valid_from', 'agreement_id', 'term_id', 'term_type'],
      term('agmt-a', 'ConfigurableUpfrontPricingTerm'),
      term('agmt-b', 'PaymentScheduleTerm'),
      term('agmt-c', 'UsageBasedPricingTerm'),
      ...['agmt-d1', 'agmt-d2', 'agmt-e1', 'agmt-e2', 'agmt-f', 'agmt-g1', 'agmt-g2', 'agmt-h'].map((a) => term(a, 'ConfigurableUpfrontPricingTerm')),
    ]));
    await ingest('BillingEventFeed_V1/year=2026/month=10/data.csv', csv([
      BH,
      usage('u-jun', '2026-06-15', '999'),
      usage('u-jul', '2026-07-03', '300'),
      usage('u-aug', '2026-08-03', '300'),
      usage('u-sep', '2026-09-03', '300'),
      usage('u-oct', '2026-10-03', '600'),
    ]));
  });
  afterAll(() => t?.drop());

  it('gives MRR and ARR at the end of the period and the bridge from its start', async () => {
    const a = await answer(t.db, 'mrr', '2026-10', undefined, options);
    expect(a.source).toBe('sdds');
    expect(a.totals).toEqual([
      { currency: 'USD', mrr: '5000.00', usage_mrr: '400.00', total_mrr: '5400.00', arr: '64800.00', start_mrr: '4100.00', new: '2000.00', expansion: '400.00', contraction: '1000.00', churned: '300.00', reactivation: '200.00', net_new: '1300.00' },
      { currency: 'EUR', mrr: '100.00', usage_mrr: '0.00', total_mrr: '100.00', arr: '1200.00', start_mrr: '100.00', new: '0.00', expansion: '0.00', contraction: '0.00', churned: '0.00', reactivation: '0.00', net_new: '0.00' },
    ]);
    // ARR is the same answer, led by ARR
    expect((await answer(t.db, 'arr', '2026-10', undefined, options)).totals).toEqual(a.totals);
  });

  it('breaks the bridge down by customer and by product, adding up to the totals', async () => {
    const byCustomer = await answer(t.db, 'mrr', '2026-10', 'customer', options);
    const usd = byCustomer.rows.filter((r) => r.currency === 'USD');
    expect(usd.map((r) => [r.key, r.total_mrr, r.start_mrr])).toEqual([
      ['cust-b', '2000.00', '0.00'],
      ['cust-e', '1000.00', '2000.00'],
      ['cust-a', '1000.00', '1000.00'],
      ['cust-d', '800.00', '500.00'],
      ['cust-c', '400.00', '300.00'],
      ['cust-g', '200.00', '0.00'],
      ['cust-f', '0.00', '300.00'],
    ]);
    expect(usd.find((r) => r.key === 'cust-e')).toMatchObject({ name: 'Echo GmbH', detail: '555555555555', contraction: '1000.00' });
    expect(usd.find((r) => r.key === 'cust-g')).toMatchObject({ reactivation: '200.00', new: '0.00' });
    const byProduct = await answer(t.db, 'mrr', '2026-10', 'product', options);
    expect(byProduct.rows.filter((r) => r.currency === 'USD').map((r) => [r.name, r.mrr, r.usage_mrr, r.net_new])).toEqual([
      ['Acme Analytics', '5000.00', '0.00', '1200.00'],
      ['Acme Pipeline', '0.00', '400.00', '100.00'],
    ]);
  });

  it('moves nothing before anything happened: MRR on a day in September', async () => {
    const sep = await answer(t.db, 'mrr', '2026-09-30..2026-09-30', undefined, options);
    // a, c (Jun 999 leaves the window: Jul-Sep 900 / 3), d, e, f
    expect(sep.totals).toEqual([
      expect.objectContaining({ currency: 'USD', total_mrr: '4100.00', start_mrr: '4100.00', net_new: '0.00' }),
      expect.objectContaining({ currency: 'EUR', total_mrr: '100.00' }),
    ]);
  });

  it('gives gross and net revenue retention and logo churn among the customers of the start', async () => {
    const r = await answer(t.db, 'retention', '2026-10', undefined, options);
    expect(r.totals).toEqual([
      { currency: 'USD', start_mrr: '4100.00', retained_mrr: '2800.00', end_mrr: '3200.00', gross_revenue_retention: '0.6829', net_revenue_retention: '0.7805', customers_at_start: 5, customers_churned: 1, logo_churn_rate: '0.2000' },
      { currency: 'EUR', start_mrr: '100.00', retained_mrr: '100.00', end_mrr: '100.00', gross_revenue_retention: '1.0000', net_revenue_retention: '1.0000', customers_at_start: 1, customers_churned: 0, logo_churn_rate: '0.0000' },
    ]);
  });

  it('tables cohorts: customers by first month and the share still active each month after', async () => {
    const r = await answer(t.db, 'retention', '2026-01-01..2026-10-31', 'cohort', options);
    // January: a and c (g started in 2025); February: f, cancelled 2026-10-05; March: e; April: d; June: h; October: b
    const jan = r.rows.find((x) => x.cohort === '2026-01')!;
    expect(jan).toMatchObject({ customers: 2, month_1: '1.0000', month_9: '1.0000', month_10: null });
    expect(r.rows.find((x) => x.cohort === '2026-02')).toMatchObject({ customers: 1, month_1: '1.0000', month_7: '1.0000', month_8: '0.0000', month_9: null });
    expect(r.rows.map((x) => x.cohort)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-06', '2026-10']);
  });
});
