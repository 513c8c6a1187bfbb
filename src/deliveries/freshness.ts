/**
 * Per dataset: the last delivery, how far the data is complete, and whether that is on time, late,
 * or missing against the expected-delivery calendar. A header-only file and an SDDS "SKIPPED"
 * notification are deliveries of "no activity", not gaps.
 */
import { DATASETS, addDays } from '../datasets/catalog.ts';
import type { Category, DatasetDef } from '../datasets/types.ts';
import type { Database } from '../db/client.ts';
import { day, defaultThresholds, dueAt, expectedThrough, hoursBetween, midnight, type Thresholds } from './calendar.ts';

export type FreshnessStatus = 'on time' | 'late' | 'missing' | 'not expected' | 'retired' | 'no schedule';

export interface Freshness {
  dataset: string;
  title: string;
  category: Category;
  status: FreshnessStatus;
  /** For late and missing: hours since the first undelivered period was due. */
  hoursLate: number | null;
  /** Last day (inclusive) the data is complete through. */
  completeThrough: string | null;
  /** Last day (inclusive) that should have arrived by now, allowing the warn threshold. */
  expectedThrough: string | null;
  lastDelivery: { at: string; object: string | null; outcome: string } | null;
  thresholds: Thresholds;
  /** One line for people: "late by 30 hours: data through 2026-11-26, expected through 2026-11-27". */
  summary: string;
}

export interface DeliverySettings {
  /** Datasets this seller does not receive (not every seller gets every feed). */
  notExpected: ReadonlySet<string>;
  /** Per-dataset overrides of the default thresholds. */
  thresholds: ReadonlyMap<string, Thresholds>;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = { notExpected: new Set(), thresholds: new Map() };

interface Delivered {
  through: string | null;
  lastAt: string | null;
  lastObject: string | null;
  lastOutcome: string | null;
}

/** What had arrived by `now` (a judgement as of a past moment ignores later deliveries). */
async function deliveries(db: Database, now: Date): Promise<Map<string, Delivered>> {
  // a file's data reaches its period end, or the day it arrived if that is earlier (today's SDDS month file)
  const files = await db.query<{ dataset: string; through: string | null; last_at: string; last_key: string; last_status: string }>(`
    select dataset,
           max(case when status in ('loaded', 'no-data') then
                 case when starts_with(dataset, 'cas_') then period_end else least((finished_at at time zone 'UTC')::date, period_end) end end)::text as through,
           max(finished_at)::text as last_at,
           (array_agg(object_key order by id desc))[1] as last_key,
           (array_agg(status::text order by id desc))[1] as last_status
      from ingest_file where dataset is not null and status <> 'unchanged' and finished_at <= $1 group by dataset`,
    [now.toISOString()],
  );
  // an SDDS notification, COMPLETED or SKIPPED, says the feed is delivered up to the day it came
  const notes = await db.query<{ dataset: string; through: string | null; last_at: string; last_status: string }>(`
    select dataset,
           max((received_at at time zone 'UTC')::date) filter (where status in ('COMPLETED', 'SKIPPED', 'SUCCEEDED'))::text as through,
           max(received_at)::text as last_at,
           (array_agg(status order by received_at desc))[1] as last_status
      from feed_notification where dataset is not null and received_at <= $1 group by dataset`,
    [now.toISOString()],
  );
  const out = new Map<string, Delivered>();
  for (const f of files) out.set(f.dataset, { through: f.through, lastAt: f.last_at, lastObject: f.last_key, lastOutcome: f.last_status });
  for (const n of notes) {
    const prev = out.get(n.dataset);
    const through = [prev?.through, n.through].filter((x): x is string => Boolean(x)).sort().at(-1) ?? null;
    const newer = !prev?.lastAt || n.last_at > prev.lastAt;
    out.set(n.dataset, {
      through,
      lastAt: newer ? n.last_at : prev!.lastAt,
      lastObject: newer ? null : prev!.lastObject,
      lastOutcome: newer ? `notification ${n.last_status}` : prev!.lastOutcome,
    });
  }
  return out;
}

/** Disbursement reports follow disbursements: the latest one AWS paid out, from the billing feed. */
async function disbursementDates(db: Database, now: Date): Promise<string[]> {
  const rows = await db.query<{ d: string }>(
    `select distinct (invoice_date at time zone 'UTC')::date::text as d from sdds_billing_event
      where action = 'DISBURSED' and transaction_type = 'DISBURSEMENT' and invoice_date <= $1 order by 1`,
    [now.toISOString()],
  );
  return rows.map((r) => r.d);
}

export async function computeFreshness(db: Database, now: Date, settings: DeliverySettings = DEFAULT_DELIVERY_SETTINGS): Promise<Freshness[]> {
  const [delivered, payouts] = await Promise.all([deliveries(db, now), disbursementDates(db, now)]);
  return DATASETS.map((def) => judge(def, now, delivered.get(def.name), payouts, settings));
}

function judge(def: DatasetDef, now: Date, d: Delivered | undefined, payouts: string[], settings: DeliverySettings): Freshness {
  const thresholds = settings.thresholds.get(def.name) ?? defaultThresholds(def);
  const completeThrough = d?.through ? addDays(d.through, -1) : null;
  const base = {
    dataset: def.name,
    title: def.title,
    category: def.category,
    completeThrough,
    lastDelivery: d?.lastAt ? { at: d.lastAt, object: d.lastObject, outcome: d.lastOutcome ?? 'loaded' } : null,
    thresholds,
  };
  const result = (status: FreshnessStatus, summary: string, expected: string | null = null, hoursLate: number | null = null): Freshness => ({
    ...base,
    status,
    hoursLate,
    expectedThrough: expected ? addDays(expected, -1) : null,
    summary,
  });
  const through = completeThrough ? `data through ${completeThrough}` : 'nothing delivered yet';

  if (settings.notExpected.has(def.name)) return result('not expected', `marked not expected; ${through}`);
  // retired, unless this seller's deliveries go on past the date (then judge them as usual)
  if (def.retiredOn && day(now) > def.retiredOn && !(completeThrough && completeThrough >= def.retiredOn)) {
    return result('retired', `AWS retired it on ${def.retiredOn}; ${through}`);
  }

  const judgedAt = new Date(now.getTime() - thresholds.warnAfterHours * 3_600_000);
  let expected: string | null;
  let firstDue: Date | null;
  if (def.cadence.kind === 'after-disbursement') {
    const { maxDays } = def.cadence;
    const due = (x: string) => midnight(addDays(x, maxDays));
    if (payouts.length === 0) return result('no schedule', `no disbursement to expect a report for; ${through}`);
    const last = payouts.filter((x) => due(x) <= judgedAt).at(-1);
    if (!last) return result('on time', `nothing due yet; ${through}`);
    expected = addDays(last, 1);
    const missed = payouts.find((x) => (!d?.through || addDays(x, 1) > d.through) && due(x) <= judgedAt);
    firstDue = missed ? due(missed) : null;
  } else {
    expected = expectedThrough(def.cadence, judgedAt);
    firstDue = d?.through ? dueAt(def.cadence, addDays(d.through, 1)) : null;
  }
  if (!expected) return result('on time', `nothing due yet; ${through}`);
  if (d?.through && d.through >= expected) return result('on time', `${through}`, expected);

  const late = firstDue ? Math.max(0, hoursBetween(firstDue, now)) : null;
  const expectation = `expected through ${addDays(expected, -1)}`;
  if (late === null) return result('missing', `${through}; ${expectation}`, expected);
  const status: FreshnessStatus = late >= thresholds.errorAfterHours ? 'missing' : 'late';
  return result(status, `${status === 'late' ? `late by ${late} hours` : `missing for ${late} hours`}: ${through}, ${expectation}`, expected, late);
}

/** What changed between two checks, for the delivery watch's log (and later, alerts). */
export function describeChanges(previous: ReadonlyMap<string, Freshness>, current: Freshness[]): string[] {
  const lines: string[] = [];
  for (const f of current) {
    const before = previous.get(f.dataset);
    const bad = f.status === 'late' || f.status === 'missing';
    const wasBad = before?.status === 'late' || before?.status === 'missing';
    if (bad && (!before || before.status !== f.status)) lines.push(`${f.dataset}: ${f.summary}`);
    else if (!bad && wasBad) lines.push(`${f.dataset}: resolved, ${f.status}: ${f.summary}`);
  }
  return lines;
}

/** The last day one dataset's data is complete through, as of `now` (for "data complete through" lines). */
export async function completeThrough(db: Database, dataset: string, now: Date): Promise<string | null> {
  const d = (await deliveries(db, now)).get(dataset);
  return d?.through ? addDays(d.through, -1) : null;
}
