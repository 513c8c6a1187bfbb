/** Subscribers and cancellations on hand-built agreements, and the CAS fallback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../src/metrics/query.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const options = { now: new Date('2026-11-29T08:00:00Z'), timeZone: 'UTC', fiscalYearStartMonth: 1 };
const AH = ['valid_from', 'update_date', 'agreement_id', 'status', 'intent', 'acceptor_account_id', 'offer_id', 'acceptance_time', 'start_time', 'end_time', 'estimated_agreement_value', 'currency_code', 'preceding_agreement_id'];
const ag = (id: string, status: string, validFrom: string, accepted: string, o: { intent?: string; value?: string; preceding?: string; buyer?: string } = {}) => [
  validFrom, validFrom, id, status, o.intent ?? 'NEW', o.buyer ?? 'acct-a', 'offer-1', accepted, accepted, '', o.value ?? '12000.00', 'USD', o.preceding ?? '',
];

describe('subscribers and cancellations', () => {
  let t: TestDatabase;
  let root: string;
  beforeAll(async () => {
    t = await createPostgresDatabase();
    root = await tempDir();
    await ingestContent(t.db, root, 'AccountFeed_V1/year=2026/month=01/data.csv', 'valid_from,account_id,aws_account_id,mailing_address_id\n2026-01-01T00:00:00Z,acct-a,012345678901,addr-a\n2026-01-01T00:00:00Z,acct-b,444455556666,addr-b\n');
    await ingestContent(t.db, root, 'AddressFeed_V1/year=2026/month=01/data.csv', 'valid_from,address_id,company_name\n2026-01-01T00:00:00Z,addr-a,"Example, Inc."\n2026-01-01T00:00:00Z,addr-b,Beispiel GmbH\n');
    await ingestContent(t.db, root, 'OfferFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,name\n2026-01-01T00:00:00Z,offer-1,1,Private offer for Example\n');
    await ingestContent(t.db, root, 'OfferProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,offer_id,offer_revision,product_id\n2026-01-01T00:00:00Z,offer-1,1,prod-1\n2026-01-01T00:00:00Z,offer-1,1,prod-2\n');
    await ingestContent(t.db, root, 'ProductFeed_V1/year=2026/month=01/data.csv', 'valid_from,product_id,title\n2026-01-01T00:00:00Z,prod-1,Acme Analytics\n2026-01-01T00:00:00Z,prod-2,Acme Gateway\n');
    await ingestContent(t.db, root, 'AgreementFeed_V1/year=2026/month=10/data.csv', csv([
      AH,
      ag('a1', 'ACTIVE', '2026-10-05T10:00:00Z', '2026-10-05T10:00:00Z', { value: '24000.00' }),
      ag('a2', 'ACTIVE', '2026-09-20T10:00:00Z', '2026-09-20T10:00:00Z'),
      ag('a4', 'ACTIVE', '2025-10-10T00:00:00Z', '2025-10-10T00:00:00Z'),
      ag('a4', 'RENEWED', '2026-10-10T00:00:00Z', '2025-10-10T00:00:00Z'),
      ag('a3', 'ACTIVE', '2026-10-10T00:00:00Z', '2026-10-10T00:00:00Z', { intent: 'RENEW', preceding: 'a4' }),
      ag('a5', 'ACTIVE', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z', { buyer: 'acct-b' }),
      ag('a5', 'CANCELLED', '2026-10-15T00:00:00Z', '2026-06-01T00:00:00Z', { buyer: 'acct-b' }),
      ag('a6', 'ACTIVE', '2025-10-20T00:00:00Z', '2025-10-20T00:00:00Z'),
      ag('a6', 'EXPIRED', '2026-10-20T00:00:00Z', '2025-10-20T00:00:00Z'),
      ag('a7', 'ACTIVE', '2025-10-22T00:00:00Z', '2025-10-22T00:00:00Z'),
      ag('a7', 'EXPIRED', '2026-10-22T00:00:00Z', '2025-10-22T00:00:00Z'),
      ag('a8', 'ACTIVE', '2026-10-22T00:00:00Z', '2026-10-22T00:00:00Z', { intent: 'RENEW', preceding: 'a7' }),
      ag('a9', 'ROLLED_BACK', '2026-10-25T00:00:00Z', '2026-10-25T00:00:00Z'),
    ]));
    await ingestContent(t.db, root, 'cas/daily_business_new_product_subscribers_2019-03-02.csv', 'Customer Reference ID,Product Title,Product Code,Offer ID,Customer Email Domain\nref-9,Acme Analytics,pc-1,offer-old,example.org\n');
  });
  afterAll(() => t?.drop());

  it('counts new subscribers, not renewals or rolled-back agreements, with names', async () => {
    const a = await answer(t.db, 'subscribers', '2026-10', undefined, options);
    expect(a).toMatchObject({ source: 'sdds', totals: { count: 1 } });
    expect(a.rows).toEqual([
      { agreement_id: 'a1', company: 'Example, Inc.', aws_account_id: '012345678901', product: 'Acme Analytics, Acme Gateway', offer: 'Private offer for Example', status: 'ACTIVE', at: '2026-10-05T10:00:00Z', contract_value: '24000.00', currency: 'USD' },
    ]);
    expect((await answer(t.db, 'subscribers', '2026-09', undefined, options)).totals).toEqual({ count: 1 });
  });

  it('counts cancellations and expiries without renewal as churn, not renewals', async () => {
    const a = await answer(t.db, 'cancellations', '2026-10', undefined, options);
    expect(a.rows.map((r) => [r.agreement_id, r.company, r.status, r.at])).toEqual([
      ['a5', 'Beispiel GmbH', 'CANCELLED', '2026-10-15T00:00:00Z'],
      ['a6', 'Example, Inc.', 'EXPIRED', '2026-10-20T00:00:00Z'],
    ]);
    expect(a.totals).toEqual({ count: 2 });
  });

  it('counts agreements active at the end of the period, as they stood then', async () => {
    const end = await answer(t.db, 'active', '2026-10', undefined, options);
    expect(end.rows.map((r) => r.agreement_id).sort()).toEqual(['a1', 'a2', 'a3', 'a8']);
    expect(end.totals).toMatchObject({ count: 4, expiring: 0, expiring_within_days: 90 });
    const mid = await answer(t.db, 'active', '2026-10-01..2026-10-11', undefined, { ...options, days: 30 });
    expect(mid.rows.map((r) => [r.agreement_id, r.status]).sort()).toEqual([['a1', 'ACTIVE'], ['a2', 'ACTIVE'], ['a3', 'ACTIVE'], ['a5', 'ACTIVE'], ['a6', 'ACTIVE'], ['a7', 'ACTIVE']]);
    expect(mid.totals).toMatchObject({ count: 6, expiring_within_days: 30 });
  });

  it('answers older periods from the CAS daily business report', async () => {
    const a = await answer(t.db, 'subscribers', '2019-03', undefined, options);
    expect(a).toMatchObject({ source: 'cas', totals: { count: 1 }, rows: [{ company: 'example.org', product: 'Acme Analytics', offer: 'offer-old', at: '2019-03-01T00:00:00Z' }] });
    expect(await answer(t.db, 'cancellations', '2019-03', undefined, options)).toMatchObject({ source: 'none', totals: { count: 0 } });
    await expect(answer(t.db, 'subscribers', '2026-10', 'product', options)).rejects.toThrow('subscribers has no breakdowns; drop --by');
  });

  it('dates a cancellation by the revisions that stand: a corrected or retracted one is not an end', async () => {
    const H = ['valid_from', 'update_date', 'delete_date', 'agreement_id', 'status', 'intent', 'acceptor_account_id', 'offer_id', 'acceptance_time', 'start_time', 'estimated_agreement_value', 'currency_code'];
    const r = (id: string, status: string, validFrom: string, updated: string, deleted = '') => [validFrom, updated, deleted, id, status, 'NEW', 'acct-b', 'offer-1', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z', '6000.00', 'USD'];
    await ingestContent(t.db, root, 'AgreementFeed_V1/year=2026/month=11/data.csv', csv([
      H,
      r('b1', 'ACTIVE', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z'),
      // cancelled on 15 September, corrected the next day (same valid_from): still active
      r('b1', 'CANCELLED', '2026-09-15T00:00:00Z', '2026-09-15T00:00:00Z'),
      r('b1', 'ACTIVE', '2026-09-15T00:00:00Z', '2026-09-16T00:00:00Z'),
      r('b1', 'CANCELLED', '2026-10-12T00:00:00Z', '2026-10-12T00:00:00Z'),
      r('b2', 'ACTIVE', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z'),
      // a cancellation on 20 September retracted (soft-deleted), then a real one in October
      r('b2', 'CANCELLED', '2026-09-20T00:00:00Z', '2026-09-20T00:00:00Z'),
      r('b2', 'CANCELLED', '2026-09-20T00:00:00Z', '2026-09-21T00:00:00Z', '2026-09-21T00:00:00Z'),
      r('b2', 'CANCELLED', '2026-10-08T00:00:00Z', '2026-10-08T00:00:00Z'),
      r('b3', 'ACTIVE', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z'),
      // ended, reinstated, ended again: it ended when it ended the last time
      r('b3', 'TERMINATED', '2026-09-05T00:00:00Z', '2026-09-05T00:00:00Z'),
      r('b3', 'ACTIVE', '2026-09-07T00:00:00Z', '2026-09-07T00:00:00Z'),
      r('b3', 'TERMINATED', '2026-10-20T00:00:00Z', '2026-10-20T00:00:00Z'),
    ]));
    const september = await answer(t.db, 'cancellations', '2026-09', undefined, options);
    expect(september.rows.map((x) => x.agreement_id)).toEqual([]);
    const october = await answer(t.db, 'cancellations', '2026-10', undefined, options);
    expect(october.rows.map((x) => [x.agreement_id, x.at])).toEqual([
      ['b2', '2026-10-08T00:00:00Z'],
      ['b1', '2026-10-12T00:00:00Z'],
      ['a5', '2026-10-15T00:00:00Z'],
      ['b3', '2026-10-20T00:00:00Z'],
      ['a6', '2026-10-20T00:00:00Z'],
    ]);
  });
});
