/** The CLI as a user meets it, against real PostgreSQL: demo data in, catalog and ledger out. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/db.ts';
import { putFile, tempDir } from '../support/files.ts';
import { runProcess, startProcess } from '../support/processes.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('marketplace-pulse CLI', () => {
  let t: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let demo: string;
  const run = async (...argv: string[]) => {
    const c = capture();
    const code = await main(argv, c.io, env);
    return { code, out: c.out.join('\n'), err: c.err.join('\n') };
  };

  beforeAll(async () => {
    t = await createPostgresDatabase();
    env = { DATABASE_URL: t.url!, DATA_DIR: await tempDir() };
    demo = await tempDir('mp-demo-');
  });
  afterAll(() => t?.drop());

  it('prints help generated from the command definitions', async () => {
    const r = await run('help');
    expect(r.code).toBe(0);
    for (const c of ['serve', 'ingest <file-or-dir>...', 'datasets', 'ledger', 'demo-data <dir>', '--json']) expect(r.out).toContain(c);
  });

  it('writes the demo seller and ingests every file of it', async () => {
    expect((await run('demo-data', demo, '--through', '2026-10-31')).code).toBe(0);
    const r = await run('ingest', demo);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\d+ files: \d+ loaded, 0 unchanged, \d+ no data, 0 rejected; \d+ rows added/);
    const again = await run('ingest', demo, '--json');
    const results = again.out.split('\n').map((l) => JSON.parse(l) as { status: string });
    expect(new Set(results.map((x) => x.status))).toEqual(new Set(['unchanged']));
  });

  it('lists the catalog with what is stored', async () => {
    const r = await run('datasets', '--json');
    const list = JSON.parse(r.out) as Array<{ name: string; rowsStored: number; lastFileLoaded: string | null; coveredThrough: string | null; category: string }>;
    expect(list).toHaveLength(35);
    const billing = list.find((d) => d.name === 'sdds_billing_event')!;
    expect(billing.rowsStored).toBeGreaterThan(500);
    expect(billing.lastFileLoaded).toBe('BillingEventFeed_V1/year=2026/month=10/data.csv');
    expect(billing.coveredThrough! <= '2026-11-01').toBe(true);
    expect(list.find((d) => d.name === 'cas_sales_compensation_billed_revenue')).toMatchObject({ category: 'Finance Operations', coveredThrough: '2026-09-30' });
    const table = await run('datasets');
    expect(table.out.split('\n')[0]).toMatch(/^dataset\s+category\s+source\s+cadence\s+rows\s+last file loaded\s+covered through$/);
  });

  it('exits non-zero and says why when a file is rejected', async () => {
    const dir = await tempDir();
    await putFile(dir, 'AgreementFeed_V1/year=2026/month=11/data.csv', 'valid_from,agreement_id,estimated_agreement_value\n2026-11-01T00:00:00Z,agmt-1,"1,000"\n');
    const r = await run('ingest', dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('rejected  AgreementFeed_V1/year=2026/month=11/data.csv');
    expect(r.out).toContain('line 2: estimated_agreement_value "1,000" is not a decimal number');
    const ledger = JSON.parse((await run('ledger', '--json', '--status', 'rejected')).out) as Array<{ objectKey: string; errorDetails: { problems: Array<{ line: number; value: string }> } }>;
    expect(ledger[0]!.objectKey).toBe('AgreementFeed_V1/year=2026/month=11/data.csv');
    expect(ledger[0]!.errorDetails.problems[0]).toMatchObject({ line: 2, value: '1,000' });
  });

  it('export ends when its output fails: a missing folder, a full disk, a reader that stops early', { timeout: 90_000 }, async () => {
    const period = '2025-11-01..2026-11-01';
    const missing = await run('export', 'sdds_billing_event', period, '--out', '/nonexistent-folder/billing.csv');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('marketplace-pulse: export: cannot write /nonexistent-folder/billing.csv: no such folder /nonexistent-folder');
    // as processes: an open COPY must not keep them alive
    const full = await runProcess(['export', 'sdds_billing_event', period, '--out', '/dev/full'], env);
    expect(full.code).toBe(1);
    expect(full.err).toContain('export: cannot write /dev/full: ENOSPC');
    const head = startProcess(['export', 'sdds_billing_event', period], env);
    await new Promise<void>((resolve) => head.child.stdout!.once('data', () => resolve()));
    head.child.stdout!.destroy(); // `| head -1` has read its line and left
    expect(await head.exited).toBe(0);
    expect(head.stderr()).toBe('');
  });

  it('refuses numbers and dates out of range as usage, naming the argument, before any query', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['ledger', '--limit', '99999999999999999999'], /--limit must be a whole number of rows, not "99999999999999999999"|--limit must be between 1 and 1,000,000/],
      [['ledger', '--limit', '1e3'], /--limit must be a whole number of rows, not "1e3"/],
      [['freshness', '--at', '+275760-09-13T00:00:00Z'], /--at must lie between the years 1970 and 9998/],
      [['query', 'revenue', '9999-12'], /"9999-12": periods must lie between the years 1970 and 9998/],
      [['query', 'revenue', '0099-01'], /"0099-01": periods must lie between the years 1970 and 9998/],
      [['query', 'active', 'today', '--days', '1e308'], /--days must be a whole number of days, not "1e308"/],
      [['query', 'active', 'today', '--days', '99999'], /--days must be between 1 and 3,660, not 99999/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.err, argv.join(' ')).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at |select |insert /i);
      expect(r.code, argv.join(' ')).toBe(2);
    }
  });

  it('masks every form of a database password in what it prints', async () => {
    const c = capture();
    const code = await main(['datasets'], c.io, { DATA_DIR: env.DATA_DIR, DATABASE_URL: 'postgres://reader:s3cret-a@127.0.0.1:1/pulse?password=s3cret-b&sslpassword=s3cret-c&application_name=x' });
    expect(code).toBe(1);
    const printed = [...c.out, ...c.err].join('\n');
    expect(printed).toContain('could not open PostgreSQL at postgres://reader:***@127.0.0.1:1/pulse?password=***&sslpassword=***&application_name=x');
    expect(printed).not.toMatch(/s3cret/);
  });

  it('refuses bad usage with exit code 2', async () => {
    expect((await run('ingest')).code).toBe(2);
    expect((await run('ledger', '--limit', 'ten')).err).toContain('--limit must be a whole number of rows, not "ten"');
    expect((await run('nope')).err).toContain('unknown command "nope"');
    expect((await run('datasets', '--verbose')).code).toBe(2);
  });

  it('produces a consistent demo seller: every reference resolves and the money adds up', async () => {
    const orphans = await t.db.query(`
      select 'billing product' as what, count(*)::int as n from sdds_billing_event b where b.product_id is not null and not exists (select 1 from sdds_product p where p.product_id = b.product_id)
      union all select 'billing buyer', count(*)::int from sdds_billing_event b where not exists (select 1 from sdds_account a where a.account_id = b.from_account_id)
      union all select 'agreement offer', count(*)::int from sdds_agreement g where not exists (select 1 from sdds_offer o where o.offer_id = g.offer_id)
      union all select 'usage agreement', count(*)::int from sdds_daily_usage u where not exists (select 1 from sdds_agreement g where g.agreement_id = u.agreement_id)
      union all select 'account address', count(*)::int from sdds_account a where a.mailing_address_id is not null and not exists (select 1 from sdds_address d where d.address_id = a.mailing_address_id)`);
    for (const o of orphans) expect(o, JSON.stringify(o)).toMatchObject({ n: 0 });
    // each payout equals the lines it disburses, negated
    const payouts = await t.db.query<{ id: string; payout: string; lines: string }>(`
      select d.billing_event_id as id, d.amount::text as payout, (-sum(l.amount))::text as lines
        from sdds_billing_event d join sdds_billing_event l on l.disbursement_billing_event_id = d.billing_event_id
       where d.transaction_type = 'DISBURSEMENT' group by d.billing_event_id, d.amount`);
    expect(payouts.length).toBeGreaterThan(3);
    for (const p of payouts) expect(Number(p.payout)).toBeCloseTo(Number(p.lines), 6);
    // the legacy sales compensation report matches the SDDS invoices of the same month
    const compare = await t.db.query<{ cas: string; sdds: string }>(`
      select (select sum(gross_revenue)::text from cas_sales_compensation_billed_revenue where ar_period = date '2026-09-01' and currency = 'USD') as cas,
             (select sum(amount)::numeric(20,2)::text from sdds_billing_event where action = 'INVOICED' and transaction_type = 'SELLER_REV_SHARE' and currency = 'USD'
                 and invoice_date >= '2026-09-01' and invoice_date < '2026-10-01') as sdds`);
    expect(compare[0]!.cas).toBe(compare[0]!.sdds);
    // reconcile says the same: for every month both cover, CAS and SDDS gross agree to the cent
    const out: string[] = [];
    expect(await main(['query', 'reconcile', '2026-01-01..2026-09-30', '--format', 'json'], { out: (l) => out.push(l), err: () => {} }, env)).toBe(0);
    const rec = JSON.parse(out.pop()!) as { rows: Array<{ month: string; currency: string; cas_gross: string | null; sdds_gross: string | null; gross_difference: string | null }> };
    const usd = rec.rows.filter((r) => r.currency === 'USD');
    expect(usd.map((r) => r.month)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09']);
    for (const r of usd) expect(Number(r.gross_difference), r.month).toBe(0);
    const states = await t.db.query<{ status: string }>(`select distinct status from sdds_agreement order by 1`);
    expect(states.map((s) => s.status)).toEqual(expect.arrayContaining(['ACTIVE', 'CANCELLED', 'RENEWED']));
    const pastDue = await t.db.query<{ n: number }>(`
      select count(*)::int as n from sdds_billing_event i where i.action = 'INVOICED' and i.transaction_type = 'SELLER_REV_SHARE' and i.payment_due_date < '2026-10-31'
         and not exists (select 1 from sdds_billing_event c where c.action in ('COLLECTED', 'FORGIVEN') and c.invoice_id = i.invoice_id)`);
    expect(pastDue[0]!.n).toBeGreaterThan(0);
  });
});
