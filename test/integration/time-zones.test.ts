/**
 * Metrics at the edges of the calendar: months that start at different instants in different
 * reporting time zones (behind UTC, ahead by a half hour, across a DST change) and leap days,
 * on both engines. Every expected figure is worked out from the timestamps by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../src/metrics/query.ts';
import { ENGINES, type TestDatabase } from '../support/db.ts';
import { csv, ingestContent, tempDir } from '../support/files.ts';

const BH = ['valid_from', 'update_date', 'billing_event_id', 'end_user_account_id', 'product_id', 'action', 'transaction_type', 'amount', 'currency', 'balance_impacting', 'invoice_date', 'action_date'];
const inv = (id: string, at: string, amount: string) => [at, at, id, 'acct-a', 'prod-1', 'INVOICED', 'SELLER_REV_SHARE', amount, 'USD', '1', at, ''];
const UH = ['valid_from', 'update_date', 'usage_feed_id', 'usage_date', 'product_id', 'end_user_account_id', 'dimension_key', 'usage_unit', 'usage_quantity', 'pricing_currency', 'estimated_revenue_in_pricing_currency'];

const at = (iso: string, timeZone: string) => ({ now: new Date(iso), timeZone, fiscalYearStartMonth: 1 });
const gross = (a: { totals: unknown }) => (a.totals as Array<{ gross_revenue: string }>).map((t) => t.gross_revenue);

describe.each(ENGINES)('time zones and leap days on %s', (_engine, create) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await create();
    const root = await tempDir();
    const loaded = { now: () => new Date('2026-11-20T00:00:00Z') };
    await ingestContent(t.db, root, 'BillingEventFeed_V1/year=2026/month=11/data.csv', csv([
      BH,
      // 1 October 03:00 UTC: still 30 September in Los Angeles (UTC-7)
      inv('la-edge', '2026-10-01T03:00:00Z', '100.00'),
      // 31 October 19:00 UTC: already 1 November in Kolkata (UTC+5:30)
      inv('in-edge', '2026-10-31T19:00:00Z', '10.00'),
      // mid-October, in every zone's October
      inv('mid', '2026-10-15T12:00:00Z', '1.00'),
      // leap day, noon UTC, and the first instant of 1 March
      inv('leap', '2024-02-29T12:00:00Z', '29.00'),
      inv('march', '2024-03-01T00:00:00Z', '31.00'),
    ]), loaded);
    await ingestContent(t.db, root, 'DailyUsageFeed_V1/year=2024/month=03/data.csv', csv([
      UH,
      ['2024-03-01 00:00:00.0', '2024-03-01 06:00:00.0', 'u-leap', '2024-02-29', 'prod-1', 'acct-a', 'api_calls', 'Units', '29', 'USD', '2.90'],
      ['2024-03-02 00:00:00.0', '2024-03-02 06:00:00.0', 'u-mar', '2024-03-01', 'prod-1', 'acct-a', 'api_calls', 'Units', '1', 'USD', '0.10'],
    ]), loaded);
  }, 60_000);
  afterAll(() => t?.drop());

  it('assigns an invoice to the month it fell in where the reader is', async () => {
    const utc = at('2026-11-29T08:00:00Z', 'UTC');
    expect(gross(await answer(t.db, 'revenue', '2026-10', undefined, utc))).toEqual(['111.00']);
    // Los Angeles: October runs 07:00 UTC 1 Oct to 07:00 UTC 1 Nov; the 03:00 UTC invoice is September's
    const la = at('2026-11-29T08:00:00Z', 'America/Los_Angeles');
    expect(gross(await answer(t.db, 'revenue', '2026-10', undefined, la))).toEqual(['11.00']);
    expect(gross(await answer(t.db, 'revenue', '2026-09', undefined, la))).toEqual(['100.00']);
    // Kolkata: the 19:00 UTC 31 October invoice is November's
    const ist = at('2026-11-29T08:00:00Z', 'Asia/Kolkata');
    expect(gross(await answer(t.db, 'revenue', '2026-10', undefined, ist))).toEqual(['101.00']);
    expect(gross(await answer(t.db, 'revenue', 'this-month', undefined, ist))).toEqual(['10.00']);
    // by month, each zone's months
    const byMonth = await answer(t.db, 'revenue', '2026-09-01..2026-11-30', 'month', la);
    expect(byMonth.rows.map((r) => [r.key, r.gross_revenue])).toEqual([['2026-09', '100.00'], ['2026-10', '11.00']]);
    expect(byMonth.period.label).toBe('Sep 1 – Nov 30, 2026');
  });

  it('spans the autumn DST change in Los Angeles: last-week covers exactly seven local days', async () => {
    // DST ended 1 November 2026 in Los Angeles: that week is 169 hours long
    const a = await answer(t.db, 'revenue', 'last-week', undefined, at('2026-11-04T20:00:00Z', 'America/Los_Angeles'));
    expect(a.period.start).toBe('2026-10-26T07:00:00.000Z');
    expect(a.period.end).toBe('2026-11-02T08:00:00.000Z');
    expect(gross(a)).toEqual(['10.00']);
  });

  it('counts the leap day in February, in "yesterday" on 1 March, and in a day range', async () => {
    const utc = at('2024-03-01T10:00:00Z', 'UTC');
    expect(gross(await answer(t.db, 'revenue', '2024-02', undefined, utc))).toEqual(['29.00']);
    expect(gross(await answer(t.db, 'revenue', 'yesterday', undefined, utc))).toEqual(['29.00']);
    expect(gross(await answer(t.db, 'revenue', '2024-02-29..2024-02-29', undefined, utc))).toEqual(['29.00']);
    expect(gross(await answer(t.db, 'revenue', '2024-02-28..2024-03-01', undefined, utc))).toEqual(['60.00']);
    const usage = await answer(t.db, 'usage', 'last-month', undefined, at('2024-03-15T10:00:00Z', 'UTC'));
    expect(usage.totals).toEqual([{ currency: 'USD', estimated_revenue: '2.90' }]);
    // in Los Angeles the March invoice at 00:00 UTC is still 29 February
    expect(gross(await answer(t.db, 'revenue', '2024-02-29..2024-02-29', undefined, at('2024-03-10T00:00:00Z', 'America/Los_Angeles')))).toEqual(['60.00']);
  });
});
