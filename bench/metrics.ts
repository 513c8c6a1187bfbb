/**
 * npm run bench:metrics — a large seller generated in PostgreSQL (5 years, 5,000 customers,
 * BENCH_EVENTS billing events (6.2 million, of which the unpaid invoices skip some) + BENCH_USAGE
 * daily usage rows (4 million): at least 10 million rows by default; BENCH_SIZE=quick: 2 million),
 * then p50/p95 latency of every metric and breakdown for the last month and 12 months and for the
 * same spans three years back, next to a plain SQL aggregate over the same rows run directly in
 * the same run (no current-state resolution, no names). Targets: p95 < 300 ms for a month,
 * < 1.5 s for 12 months.
 */
import { answer } from '../src/metrics/query.ts';
import { refreshInvoiceBalances } from '../src/rollups/invoice-balance.ts';
import { freshDatabase } from './database.ts';
import { percentile, QUICK, report, RUNS, type Figure } from './report.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? (QUICK ? 1_200_000 : 6_200_000));
const USAGE = Number(process.env.BENCH_USAGE ?? (QUICK ? 800_000 : 4_000_000));
const NOW = new Date('2026-11-29T08:00:00Z');
const options = { now: NOW, timeZone: 'UTC', fiscalYearStartMonth: 1 };

async function main(): Promise<void> {
  const { db } = await freshDatabase('marketplace_pulse_bench_metrics');
  const t0 = performance.now();
  process.stdout.write(`generating ${EVENTS.toLocaleString('en-US')} billing events and ${USAGE.toLocaleString('en-US')} usage rows... `);
  await db.query(`insert into sdds_product (valid_from, product_id, product_code, title, _file_id, _line)
    select '2021-01-01', 'prod-' || i, 'pc-' || i, 'Product ' || i, 0, i from generate_series(1, 10) i`);
  // customers in eight countries (US ones in four states); every third has a tax address too
  await db.query(`insert into sdds_address (valid_from, address_id, company_name, country_code, state_or_region, _file_id, _line)
    select '2021-01-01', a.id, 'Customer ' || i || ' Inc.', c.country, case when c.country = 'US' then (array['CA', 'NY', 'TX', 'WA'])[i % 4 + 1] end, 0, i
      from generate_series(1, 5000) i,
           lateral (select (array['US', 'US', 'DE', 'GB', 'JP', 'FR', 'CA', 'IN', 'AU'])[i % 9 + 1] as country) c,
           lateral (select unnest(case when i % 3 = 0 then array['addr-' || i, 'taxaddr-' || i] else array['addr-' || i] end) as id) a`);
  await db.query(`insert into sdds_account (valid_from, account_id, aws_account_id, mailing_address_id, tax_address_id, _file_id, _line)
    select '2021-01-01', 'acct-' || i, lpad(i::text, 12, '0'), 'addr-' || i, case when i % 3 = 0 then 'taxaddr-' || i end, 0, i from generate_series(1, 5000) i`);
  await db.query(`insert into sdds_offer_product (valid_from, offer_id, offer_revision, product_id, _file_id, _line)
    select '2021-01-01', 'offer-' || i, 1, 'prod-' || i, 0, i from generate_series(1, 10) i`);
  await db.query(`insert into sdds_agreement (valid_from, agreement_id, status, intent, acceptor_account_id, offer_id, acceptance_time, start_time, end_time, estimated_agreement_value, currency_code, _file_id, _line)
    select t, 'agmt-' || i, 'ACTIVE', 'NEW', 'acct-' || (i % 5000 + 1), 'offer-' || (i % 10 + 1), t, t, t + interval '1 year', 12000, 'USD', 0, i
      from generate_series(1, 20000) i, lateral (select timestamptz '2021-12-01' + (i % 1825) * interval '1 day' as t) x`);
  // pricing terms: every fourth agreement usage only, the rest upfront; every 50th starts with a free trial
  await db.query(`insert into sdds_agreement_term (valid_from, agreement_id, term_id, term_type, _file_id, _line)
    select '2021-12-01', 'agmt-' || i, 'term-' || i || '-' || k, k, 0, i
      from generate_series(1, 20000) i,
           lateral unnest(array[case when i % 4 = 0 then 'UsageBasedPricingTerm' else 'ConfigurableUpfrontPricingTerm' end] || case when i % 50 = 0 then array['FreeTrialPricingTerm'] else array[]::text[] end) k`);
  // Invoices spread over five years, four events each: the buyer's charge, the listing fee, the
  // buyer's payment 20 days later and the disbursement 35 days later; every 25th invoice is never
  // paid (past due). All from one ledger file, so the invoice rollup folds them as it would a load.
  const [file] = await db.query<{ id: number }>(
    `insert into ingest_file (source, object_key, location, dataset, status, rows_read, rows_inserted, started_at, finished_at)
     values ('local', 'BillingEventFeed_V1/bench', 'bench', 'sdds_billing_event', 'loaded', ${EVENTS}, ${EVENTS}, now(), now()) returning id`,
  );
  await db.query(`insert into sdds_billing_event (valid_from, update_date, billing_event_id, from_account_id, to_account_id, end_user_account_id, product_id, action, transaction_type, amount, currency, balance_impacting, invoice_date, payment_due_date, invoice_id, agreement_id, action_date, _file_id, _line)
    select case k when 2 then d + interval '20 days' when 3 then d + interval '35 days' else d end, d, 'be-' || i,
           case k when 1 then 'seller' else 'acct-' || c end, case k when 1 then 'aws' else 'seller' end, 'acct-' || c, 'prod-' || (inv % 10 + 1),
           case k when 2 then 'COLLECTED' when 3 then 'DISBURSED' else 'INVOICED' end,
           case k when 1 then 'AWS_REV_SHARE' else 'SELLER_REV_SHARE' end,
           -- the payout is the seller's net: the buyer's charge less the listing fee
           case k when 0 then g when 1 then -round(g * 0.03, 2) when 2 then g else -(g - round(g * 0.03, 2)) end, 'USD', k < 2, d,
           case when k < 2 then d + interval '30 days' end, 'inv-' || inv, 'agmt-' || (inv % 20000 + 1),
           case k when 2 then d + interval '20 days' end, ${file!.id}, i
      from generate_series(0, ${EVENTS} - 1) i,
           lateral (select i / 4 as inv, i % 4 as k) n,
           lateral (select timestamptz '2021-12-01' + (i::bigint * 157680000 / ${EVENTS}) * interval '1 second' as d, inv % 5000 + 1 as c, (inv % 997) * 3.3 + 1 as g) x
     where k < 2 or inv % 25 <> 0`);
  // tax lines for every fourth invoice: state sales tax, AWS or the seller liable
  await db.query(`insert into sdds_tax_item (valid_from, tax_item_id, invoice_id, line_item_id, tax_liable_party, transaction_type_code, product_id, invoice_date, taxed_customer_account_id,
                                             taxed_customer_country, taxed_customer_state_or_region, tax_type_code, jurisdiction_level, taxed_jurisdiction, taxable_amount, tax_amount, tax_currency, _file_id, _line)
    select d, 'tax-' || inv || '_0001', 'inv-' || inv, 'line-' || inv, case when inv % 8 = 0 then 'Seller' else 'AWS' end, 'AWS', 'prod-' || (inv % 10 + 1), d, 'acct-' || (inv % 5000 + 1),
           'US', (array['CA', 'NY', 'TX', 'WA'])[inv % 4 + 1], 'Sales', 'State', (array['CALIFORNIA', 'NEW YORK', 'TEXAS', 'WASHINGTON'])[inv % 4 + 1],
           (inv % 997) * 3.3 + 1, round(((inv % 997) * 3.3 + 1) * 0.07, 2), 'USD', 0, inv
      from generate_series(0, ${EVENTS} / 4 - 1, 4) inv,
           lateral (select timestamptz '2021-12-01' + (inv::bigint * 4 * 157680000 / ${EVENTS}) * interval '1 second' as d) x`);
  await db.query(`insert into sdds_daily_usage (valid_from, update_date, usage_feed_id, usage_date, product_id, end_user_account_id, dimension_key, usage_unit, usage_quantity, pricing_currency, estimated_revenue_in_pricing_currency, _file_id, _line)
    select d, d, 'u-' || i, d::date, 'prod-' || (i % 10 + 1), 'acct-' || (i % 5000 + 1), 'api_calls', 'Units', i % 1000, 'USD', (i % 1000) / 100.0, 0, 0
      from generate_series(1, ${USAGE}) i, lateral (select timestamptz '2021-12-01' + (i::bigint * 157680000 / ${USAGE}) * interval '1 second' as d) x`);
  await db.query('vacuum analyze');
  console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const t1 = performance.now();
  await refreshInvoiceBalances(db);
  await db.query('vacuum analyze invoice_balance');
  console.log(`folding the billing events into the invoice rollup (once, as a load would): ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  const cases: Array<[string, string | undefined]> = [
    ['revenue', undefined],
    ['revenue', 'product'],
    ['revenue', 'customer'],
    ['revenue', 'offer'],
    ['revenue', 'country'],
    ['revenue', 'state'],
    ['revenue', 'charge'],
    ['subscribers', undefined],
    ['cancellations', undefined],
    ['active', undefined],
    ['usage', undefined],
    ['usage', 'dimension'],
    ['usage', 'country'],
    ['usage', 'state'],
    ['collections', undefined],
    ['collections', 'customer'],
    ['disbursements', undefined],
    ['past-due', undefined],
    ['reconcile', undefined],
    ['reconcile', 'invoice'],
    ['mrr', undefined],
    ['mrr', 'product'],
    ['mrr', 'customer'],
    ['retention', undefined],
    ['retention', 'cohort'],
    ['next-payout', undefined],
    ['tax', undefined],
    ['tax', 'jurisdiction'],
    ['tax', 'invoice'],
    ['trials', undefined],
    ['trials', 'product'],
  ];
  const plain: Record<string, string> = {
    revenue: `select currency, sum(amount) from sdds_billing_event where invoice_date >= $1 and invoice_date < $2 and action = 'INVOICED' group by currency`,
    usage: `select pricing_currency, sum(estimated_revenue_in_pricing_currency) from sdds_daily_usage where usage_date >= $1::date and usage_date < $2::date group by 1`,
    collections: `select currency, sum(amount) from sdds_billing_event where action = 'COLLECTED' and coalesce(action_date, valid_from) >= $1 and coalesce(action_date, valid_from) < $2 group by currency`,
    // invoices due before the period's end and not paid by then, straight from the events
    'past-due': `select currency, sum(owed) from (
        select invoice_id, currency, sum(amount) filter (where action = 'INVOICED' and transaction_type = 'SELLER_REV_SHARE')
                 - coalesce(sum(amount) filter (where action = 'COLLECTED' and action_date < $2), 0) as owed
          from sdds_billing_event where invoice_date < $2 and $1::timestamptz is not null group by invoice_id, currency
        having max(payment_due_date) < $2) i where owed > 0 group by currency`,
    disbursements: `select currency, sum(amount) from sdds_billing_event where transaction_type = 'DISBURSEMENT' and invoice_date >= $1 and invoice_date < $2 group by currency`,
  };
  // the latest month and year, and the same spans three years back: a past as-of date reads
  // differently (past-due works back from today's balances)
  const periods: Array<{ period: string; kind: 'month' | 'year'; label: string }> = [
    { period: 'last-month', kind: 'month', label: 'last-month' },
    { period: '2023-10', kind: 'month', label: '2023-10 (past)' },
    { period: 'last-12-months', kind: 'year', label: 'last-12-months' },
    { period: '2022-11-01..2023-10-31', kind: 'year', label: '12 months to 2023-10' },
  ];
  const limit = { month: 300, year: 1500 };
  const { parsePeriod } = await import('../src/periods.ts');
  const measured: Array<{ name: string; period: (typeof periods)[number]; p50: number; p95: number; base: number | null }> = [];
  console.log('');
  console.log(`metric                 period                  p50 ms   p95 ms   plain SQL p50 ms   (${RUNS} runs; targets p95 < 300 ms for a month, < 1500 ms for 12 months)`);
  for (const period of periods) {
    for (const [metric, by] of cases) {
      const times: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t = performance.now();
        await answer(db, metric, period.period, by, options);
        times.push(performance.now() - t);
      }
      let base: number | null = null;
      const sql = plain[metric];
      if (sql && !by) {
        const p = parsePeriod(period.period, options);
        const bt: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          const t = performance.now();
          await db.query(sql, metric === 'usage' ? [p.startDate, p.endDate] : [p.start, p.end]);
          bt.push(performance.now() - t);
        }
        base = percentile(bt, 50);
      }
      const name = by ? `${metric} by ${by}` : metric;
      measured.push({ name, period, p50: percentile(times, 50), p95: percentile(times, 95), base });
      const m = measured.at(-1)!;
      console.log(`${name.padEnd(22)} ${period.label.padEnd(22)} ${m.p50.toFixed(0).padStart(7)}  ${m.p95.toFixed(0).padStart(7)}   ${(base === null ? '' : base.toFixed(0)).padStart(16)}`);
    }
  }
  // the summary: per span, the slowest metric's p95 against its target, beside plain SQL revenue
  const figures: Figure[] = periods.map((period) => {
    const mine = measured.filter((m) => m.period === period);
    const worst = mine.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    const revenue = mine.find((m) => m.name === 'revenue')!;
    return {
      bench: 'metrics',
      what: `slowest metric p95, ${period.label}: ${worst.name}`,
      figure: `${worst.p95.toFixed(0)} ms`,
      baseline: `plain SQL revenue: ${revenue.base!.toFixed(0)} ms`,
      ratio: worst.p95 / revenue.base!,
      target: `p95 < ${limit[period.kind]} ms`,
      met: worst.p95 < limit[period.kind],
    };
  });
  report(figures);
  await db.close();
}

await main();
