import { describe, expect, it } from 'vitest';
import * as schema from '../../../db/schema/index.ts';
import { getTableName, isTable } from 'drizzle-orm';
import { normalizeHeader } from '../../../src/datasets/columns.ts';
import { DATASETS, casCoverage, getDataset, recogniseKey } from '../../../src/datasets/catalog.ts';
import type { CasDataset } from '../../../src/datasets/types.ts';

describe('the dataset catalog', () => {
  it('covers every CAS data set and SDDS feed the product supports', () => {
    const cas = DATASETS.filter((d) => d.source === 'cas').map((d) => d.awsName);
    expect(cas).toHaveLength(21);
    expect(cas).toEqual(expect.arrayContaining(['daily_business_fees', 'customer_subscriber_annual_subscriptions', 'disbursed_amount_by_age_of_past_due_funds', 'sales_compensation_billed_revenue', 'us_sales_and_use_tax_records']));
    const sdds = DATASETS.filter((d) => d.source === 'sdds').map((d) => d.awsName);
    expect(sdds).toEqual(['AccountFeed_V1', 'AddressFeed_V1', 'PIIFeed', 'ProductFeed_V1', 'OfferFeed_V1', 'OfferProductFeed_V1', 'OfferTargetFeed_V1', 'LegacyIdMappingFeed_V1', 'BillingEventFeed_V1', 'TaxItemFeed_V1', 'AgreementFeed_V1', 'AgreementTermFeed_V1', 'AgreementChargeFeed_V1', 'DailyUsageFeed_V1']);
  });

  it('gives every dataset a table in the Drizzle schema', () => {
    const tables = Object.values(schema).filter((t) => isTable(t)).map((t) => getTableName(t as never));
    for (const d of DATASETS) expect(tables, d.name).toContain(d.name);
  });

  it.each(DATASETS.map((d) => [d.name, d] as const))('%s: headers, aliases and names never collide; key columns exist', (_, d) => {
    const seen = new Map<string, string>();
    for (const c of d.columns) {
      for (const h of new Set([c.header, c.name, ...c.aliases].map(normalizeHeader))) {
        const owner = seen.get(h);
        // an alias may point back at another column only within the same column
        expect(owner === undefined || owner === c.name || d.columns.some((o) => o.name === owner && o.aliases.some((a) => normalizeHeader(a) === h)), `${h} in ${d.name}`).toBe(true);
        if (!owner) seen.set(h, c.name);
      }
    }
    expect(new Set(d.columns.map((c) => c.name)).size).toBe(d.columns.length);
    for (const k of d.key) expect(d.columns.map((c) => c.name)).toContain(k);
  });

  it('recognises SDDS month files, including the 2010 backfill partition', () => {
    const r = recogniseKey('feeds/BillingEventFeed_V1/year=2024/month=03/data.csv');
    expect(r).toMatchObject({ kind: 'sdds', dataset: { name: 'sdds_billing_event' }, period: { start: '2024-03-01', end: '2024-04-01' } });
    expect(recogniseKey('ProductFeed_V1/year=2010/month=01/data.csv')).toMatchObject({ period: { start: '2010-01-01', end: '2020-05-01' } });
    expect(recogniseKey('PIIFeed/year=2021/month=12/data.csv')).toMatchObject({ dataset: { name: 'sdds_pii' } });
    expect(recogniseKey('agreementfeed/year=2022/month=12/data.csv')).toMatchObject({ dataset: { name: 'sdds_agreement' } });
    expect(recogniseKey('UnknownFeed_V1/year=2024/month=03/data.csv')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('UnknownFeed_V1') });
    expect(recogniseKey('BillingEventFeed_V1/year=2024/month=13/data.csv')).toMatchObject({ kind: 'unknown' });
  });

  it('recognises CAS files and their metadata companions', () => {
    expect(recogniseKey('demo_prefix/customer_subscriber_hourly_monthly_subscriptions_2014-06-09.csv')).toMatchObject({
      kind: 'cas',
      publicationDate: '2014-06-09',
      period: { start: '2014-06-08', end: '2014-06-09' },
    });
    expect(recogniseKey('x/daily_business_fees_2024-05-24.meta.json')).toMatchObject({ kind: 'cas-meta', dataKey: 'x/daily_business_fees_2024-05-24.csv' });
    expect(recogniseKey('customer_profile_by_industry_2016-01-01.csv')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('deprecated') });
    expect(recogniseKey('daily_business_fees_2024-02-30.csv')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('not a calendar date') });
    expect(recogniseKey('notes/readme.txt')).toMatchObject({ kind: 'unknown' });
  });

  it('derives the period a CAS file covers from its cadence', () => {
    const cas = (n: string) => getDataset(n) as CasDataset;
    // "if the report is generated on May 24, the data covers the 24-hour period for May 21"
    expect(casCoverage(cas('daily_business_fees'), '2024-05-24')).toEqual({ start: '2024-05-21', end: '2024-05-22' });
    expect(casCoverage(cas('daily_business_new_product_subscribers'), '2024-03-01')).toEqual({ start: '2024-02-29', end: '2024-03-01' });
    expect(casCoverage(cas('monthly_revenue_annual_subscriptions'), '2024-01-15')).toEqual({ start: '2023-12-01', end: '2024-01-01' });
    expect(casCoverage(cas('monthly_revenue_billing_and_revenue_data'), '2024-03-15')).toEqual({ start: '2024-02-15', end: '2024-03-15' });
    expect(casCoverage(cas('disbursed_amount_by_product'), '2024-03-12')).toEqual({ start: '2024-02-10', end: '2024-03-12' });
  });
});
