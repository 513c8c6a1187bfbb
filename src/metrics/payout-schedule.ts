/**
 * The seller's disbursement schedule, read from the days AWS paid out. AWS disburses monthly on a
 * day of the month the seller picks (1-28; monthly is the default) or daily when funds are
 * available (Seller Guide, "Managing disbursements"); a weekly cadence is recognised too. Neither
 * feed states the preference, so it is inferred: the median gap between the last few payouts
 * (at most 3 days: daily; 5-9: weekly; 26-35: monthly, on their median day of the month). Funds
 * are paid at the next date of the schedule after the as-of day (the payouts already seen
 * excluded). Too few payouts, or gaps that fit none of these, give 'unknown', with dates on
 * AWS's default monthly cadence on the last payout's day; with no payout at all, no dates.
 */
import { addDays, addMonths } from '../datasets/catalog.ts';

/** How far back payouts are read: three monthly ones (two gaps), or many more of a shorter cadence. */
export const PAYOUT_HISTORY_DAYS = 100;
/** The most recent payouts the cadence is read from. */
export const SCHEDULE_SAMPLE = 7;

export interface Schedule {
  schedule: 'monthly' | 'weekly' | 'daily' | 'unknown';
  /** How the schedule was inferred, in words. */
  basis: string;
  /** The latest payout day seen (YYYY-MM-DD), or null. */
  last: string | null;
  /** The next disbursement days (YYYY-MM-DD, UTC), soonest first; none without a payout to go by. */
  upcoming: string[];
}

const DAY_MS = 86_400_000;
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
const dayOfMonth = (d: string) => Number(d.slice(8, 10));
const ordinal = (n: number) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `count` days from `earliest` on that `fits`, in order. */
function nextDays(earliest: string, count: number, fits: (d: string) => boolean): string[] {
  const out: string[] = [];
  for (let d = earliest; out.length < count; d = addDays(d, 1)) if (fits(d)) out.push(d);
  return out;
}

/** On `anchor` (1-28) of each month, from `earliest` on. */
function monthlyDays(earliest: string, anchor: number, count: number): string[] {
  let d = `${earliest.slice(0, 8)}${String(anchor).padStart(2, '0')}`;
  if (d < earliest) d = addMonths(d, 1);
  return Array.from({ length: count }, (_, i) => addMonths(d, i));
}

/**
 * The schedule shown by payout days `days` (YYYY-MM-DD, any order), as of `asOfDay`, with the next
 * `count` disbursement days. `scope` qualifies the payouts in the basis text (" in any currency").
 */
export function inferSchedule(days: string[], asOfDay: string, scope = '', count = 3): Schedule {
  const sample = [...new Set(days)].sort().slice(-SCHEDULE_SAMPLE);
  const last = sample.at(-1) ?? null;
  if (!last) {
    return { schedule: 'unknown', basis: `no disbursement${scope} in the ${PAYOUT_HISTORY_DAYS} days before ${asOfDay}; AWS's default is monthly, on a day the seller picks`, last: null, upcoming: [] };
  }
  // never before the as-of day, nor on a day already paid
  const earliest = addDays(last, 1) > asOfDay ? addDays(last, 1) : asOfDay;
  const monthly = (anchor: number) => monthlyDays(earliest, Math.min(Math.max(anchor, 1), 28), count);
  const span = `the last ${sample.length} disbursements${scope} (${sample[0]} to ${last})`;
  if (sample.length < 2) {
    const anchor = Math.min(dayOfMonth(last), 28);
    return { schedule: 'unknown', basis: `only one disbursement${scope} in the last ${PAYOUT_HISTORY_DAYS} days (${last}): dates assume AWS's default monthly cadence, on the ${ordinal(anchor)}`, last, upcoming: monthly(anchor) };
  }
  const gaps = sample.slice(1).map((d, i) => daysBetween(sample[i]!, d));
  const gap = median(gaps);
  const gapText = `median gap ${gap} day${gap === 1 ? '' : 's'} between ${span}`;
  if (gap <= 3) {
    // AWS pays on business days unless the seller's own payouts show otherwise
    const weekends = sample.some((d) => weekday(d) === 0 || weekday(d) === 6);
    const upcoming = nextDays(earliest, count, (d) => weekends || (weekday(d) !== 0 && weekday(d) !== 6));
    return { schedule: 'daily', basis: `daily${weekends ? '' : ' (business days)'}: ${gapText}`, last, upcoming };
  }
  if (gap >= 5 && gap <= 9) {
    const day = weekday(last);
    return { schedule: 'weekly', basis: `weekly on ${WEEKDAYS[day]}: ${gapText}`, last, upcoming: nextDays(earliest, count, (d) => weekday(d) === day) };
  }
  if (gap >= 26 && gap <= 35) {
    const anchor = Math.min(Math.round(median(sample.map(dayOfMonth))), 28);
    return { schedule: 'monthly', basis: `monthly on the ${ordinal(anchor)}: ${gapText}`, last, upcoming: monthly(anchor) };
  }
  const anchor = Math.min(dayOfMonth(last), 28);
  return { schedule: 'unknown', basis: `irregular: ${gapText}; dates assume AWS's default monthly cadence, on the ${ordinal(anchor)}`, last, upcoming: monthly(anchor) };
}
