/**
 * What people type for a period ("last-month", "2026-Q3", "2026-10-01..2026-10-15") resolved to a
 * half-open UTC interval [start, end) against an injected `now`, in the reporting time zone.
 * Quarters and years follow the fiscal year: FY N ends in calendar year N (with a January start,
 * FY N is calendar N).
 */
import { addDays, addMonths, isValidDate } from './datasets/catalog.ts';
import { AppError } from './errors.ts';

export interface Period {
  /** ISO 8601 instants, UTC; `end` is exclusive. */
  start: string;
  end: string;
  /** "October 2026", "2026-Q3 (Jul 1 – Sep 30, 2026)" */
  label: string;
  /** The local calendar days covered, `endDate` exclusive. */
  startDate: string;
  endDate: string;
}

export interface PeriodOptions {
  now: Date;
  /** IANA zone, e.g. "America/New_York". */
  timeZone: string;
  /** 1-12: the month the fiscal year starts. */
  fiscalYearStartMonth: number;
}

export const PERIOD_FORMS = [
  'today',
  'yesterday',
  'last-7-days',
  'last-30-days',
  'this-week',
  'last-week',
  'this-month',
  'mtd',
  'last-month',
  'this-quarter',
  'last-quarter',
  'ytd',
  'last-12-months',
  'YYYY-MM',
  'YYYY-Qn',
  'YYYY',
  'YYYY-MM-DD..YYYY-MM-DD',
];

/** Periods lie within these years: AWS Marketplace data starts in 2012; the far future is a typo. */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 9998;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];


const dateFormats = new Map<string, Intl.DateTimeFormat>();
const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** The instant an "as of the period's end" answer is for: the end, or now while the period is under way (ISO). */
export function asOfInstant(period: Period, now: Date): string {
  return new Date(Math.min(Date.parse(period.end), now.getTime())).toISOString();
}

/** The calendar day `instant` falls on in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) dateFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = format.formatToParts(instant);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Minutes `timeZone` is ahead of UTC at `instant`. */
function offsetMinutes(instant: number, timeZone: string): number {
  let format = clockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    clockFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

const HOURS_36_MS = 36 * 3_600_000;

/**
 * The first instant of the local date `date` in `timeZone`. Usually its midnight; where a clock
 * change skips midnight (DST starting at 00:00 in Santiago, Havana, once São Paulo) the day
 * begins at the change, 01:00; where a whole day is skipped (Apia, 2011-12-30) it begins and
 * ends at the same instant, so the day holds nothing.
 */
export function zonedMidnight(date: string, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`);
  // the offsets in force around that day; midnight is where one of them puts it, if anywhere
  const offsets = new Set([offsetMinutes(wall - HOURS_36_MS, timeZone), offsetMinutes(wall, timeZone), offsetMinutes(wall + HOURS_36_MS, timeZone)]);
  const midnights = [...offsets].map((o) => wall - o * 60_000).filter((t) => offsetMinutes(t, timeZone) * 60_000 === wall - t);
  if (midnights.length > 0) return new Date(Math.min(...midnights));
  // midnight does not exist that day: the first second whose local date is `date` or later
  let lo = Math.floor((wall - HOURS_36_MS) / 1000);
  let hi = Math.floor((wall + HOURS_36_MS) / 1000);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(new Date(mid * 1000), timeZone) >= date) hi = mid;
    else lo = mid + 1;
  }
  return new Date(lo * 1000);
}

const short = (date: string, withYear = false) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${MONTHS[m - 1]!.slice(0, 3)} ${d}${withYear ? `, ${y}` : ''}`;
};
const span = (start: string, endExclusive: string) => {
  const last = addDays(endExclusive, -1);
  return start === last ? short(start, true) : `${short(start, start.slice(0, 4) !== last.slice(0, 4))} – ${short(last, true)}`;
};
const monthLabel = (first: string) => `${MONTHS[Number(first.slice(5, 7)) - 1]} ${first.slice(0, 4)}`;

/** First day of fiscal year `fy` (which ends in calendar year fy). */
function fiscalYearStart(fy: number, startMonth: number): string {
  const year = startMonth === 1 ? fy : fy - 1;
  return `${year}-${String(startMonth).padStart(2, '0')}-01`;
}

/** The fiscal year a local date belongs to. */
function fiscalYearOf(date: string, startMonth: number): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return startMonth === 1 || m < startMonth ? y : y + 1;
}

function quarterOf(date: string, startMonth: number): { fy: number; q: number; start: string } {
  const fy = fiscalYearOf(date, startMonth);
  const fyStart = fiscalYearStart(fy, startMonth);
  const monthsIn = (Number(date.slice(0, 4)) - Number(fyStart.slice(0, 4))) * 12 + Number(date.slice(5, 7)) - Number(fyStart.slice(5, 7));
  const q = Math.floor(monthsIn / 3) + 1;
  return { fy, q, start: addMonths(fyStart, (q - 1) * 3) };
}

function unknownPeriod(text: string): AppError {
  return new AppError('usage', `"${text}" is not a period I know. Try one of: ${PERIOD_FORMS.join(', ')} (e.g. last-month, 2026-10, 2026-Q3, 2026-10-01..2026-10-15)`);
}

/** The local days [startDate, endDate) in `timeZone` as a period. */
function localPeriod(startDate: string, endDate: string, label: string, timeZone: string): Period {
  return { start: zonedMidnight(startDate, timeZone).toISOString(), end: zonedMidnight(endDate, timeZone).toISOString(), label, startDate, endDate };
}

/** Resolves what a person typed into a period. */
export function parsePeriod(input: string, options: PeriodOptions): Period {
  // checked before any date arithmetic, which goes wrong past year 9999 (and before 1970, means nothing here)
  const years = [/^\s*(?:fy)?(\d{4})\b/i.exec(input)?.[1], /\.\.(\d{4})-/.exec(input)?.[1], String(options.now.getUTCFullYear())];
  if (years.some((y) => y !== undefined && (Number(y) < MIN_YEAR || Number(y) > MAX_YEAR))) throw outOfRange(input);
  const period = resolvePeriod(input, options);
  if (period.startDate < `${MIN_YEAR}-01-01` || period.endDate > `${MAX_YEAR + 1}-01-01`) throw outOfRange(input);
  return period;
}

function outOfRange(input: string): AppError {
  return new AppError('usage', `"${input}": periods must lie between the years ${MIN_YEAR} and ${MAX_YEAR}`);
}

function resolvePeriod(input: string, options: PeriodOptions): Period {
  const text = input.trim().toLowerCase();
  const { timeZone, fiscalYearStartMonth: fm } = options;
  const today = localDate(options.now, timeZone);
  const make = (startDate: string, endDate: string, label: string) => localPeriod(startDate, endDate, label, timeZone);
  const monday = addDays(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
  const thisMonth = `${today.slice(0, 7)}-01`;
  const quarterLabel = (x: { fy: number; q: number; start: string }) => `${fm === 1 ? '' : 'FY'}${x.fy}-Q${x.q} (${span(x.start, addMonths(x.start, 3))})`;

  switch (text) {
    case 'today':
      return make(today, addDays(today, 1), `Today (${short(today, true)})`);
    case 'yesterday':
      return make(addDays(today, -1), today, `Yesterday (${short(addDays(today, -1), true)})`);
    case 'last-7-days':
      return make(addDays(today, -7), today, `Last 7 days (${span(addDays(today, -7), today)})`);
    case 'last-30-days':
      return make(addDays(today, -30), today, `Last 30 days (${span(addDays(today, -30), today)})`);
    case 'this-week':
      return make(monday, addDays(monday, 7), `This week (${span(monday, addDays(monday, 7))})`);
    case 'last-week':
      return make(addDays(monday, -7), monday, `Last week (${span(addDays(monday, -7), monday)})`);
    case 'this-month':
    case 'mtd':
      return make(thisMonth, addMonths(thisMonth, 1), monthLabel(thisMonth));
    case 'last-month':
      return make(addMonths(thisMonth, -1), thisMonth, monthLabel(addMonths(thisMonth, -1)));
    case 'this-quarter': {
      const q = quarterOf(today, fm);
      return make(q.start, addMonths(q.start, 3), quarterLabel(q));
    }
    case 'last-quarter': {
      const q = quarterOf(addMonths(quarterOf(today, fm).start, -3), fm);
      return make(q.start, addMonths(q.start, 3), quarterLabel(q));
    }
    case 'ytd': {
      const fy = fiscalYearOf(today, fm);
      const start = fiscalYearStart(fy, fm);
      return make(start, addDays(today, 1), `${fm === 1 ? '' : 'FY'}${fy} to date (${span(start, addDays(today, 1))})`);
    }
    case 'last-12-months': {
      const start = addMonths(thisMonth, -12);
      return make(start, thisMonth, `Last 12 months (${monthLabel(start)} – ${monthLabel(addMonths(thisMonth, -1))})`);
    }
  }

  let m = /^(\d{4})-(\d{2})$/.exec(text);
  if (m) {
    const first = `${m[1]}-${m[2]}-01`;
    if (!isValidDate(first)) throw unknownPeriod(input);
    return make(first, addMonths(first, 1), monthLabel(first));
  }
  m = /^(?:fy)?(\d{4})-q([1-4])$/.exec(text);
  if (m) {
    const start = addMonths(fiscalYearStart(Number(m[1]), fm), (Number(m[2]) - 1) * 3);
    return make(start, addMonths(start, 3), quarterLabel({ fy: Number(m[1]), q: Number(m[2]), start }));
  }
  m = /^(?:fy)?(\d{4})$/.exec(text);
  if (m) {
    const start = fiscalYearStart(Number(m[1]), fm);
    return make(start, addMonths(start, 12), fm === 1 ? m[1]! : `FY${m[1]} (${span(start, addMonths(start, 12))})`);
  }
  m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(text);
  if (m) {
    const [, from, to] = m as unknown as [string, string, string];
    if (!isValidDate(from) || !isValidDate(to)) throw new AppError('usage', `"${input}": ${isValidDate(from) ? to : from} is not a calendar date`);
    if (to < from) throw new AppError('usage', `"${input}": the range ends (${to}) before it starts (${from})`);
    // both ends are days people include
    return make(from, addDays(to, 1), span(from, addDays(to, 1)));
  }
  throw unknownPeriod(input);
}

/**
 * The period to compare `period` with: the same number of months before it when it is whole months
 * (a month, quarter, year), else the same number of days before it. A period still under way is
 * compared to date: only its days up to and including today count, against as many days of the
 * previous one ("this month so far" against "the same point last month").
 */
export function comparablePeriods(period: Period, now: Date, timeZone: string): { current: Period; previous: Period } {
  const today = localDate(now, timeZone);
  const make = (startDate: string, endDate: string, label: string) => localPeriod(startDate, endDate, label, timeZone);
  const months = period.startDate.endsWith('-01') && period.endDate.endsWith('-01')
    ? (Number(period.endDate.slice(0, 4)) - Number(period.startDate.slice(0, 4))) * 12 + Number(period.endDate.slice(5, 7)) - Number(period.startDate.slice(5, 7))
    : 0;
  const shift = (date: string) => (months > 0 ? addMonths(date, -months) : addDays(date, -daysBetween(period.startDate, period.endDate)));
  const prevStart = shift(period.startDate);
  if (period.endDate > addDays(today, 1) && period.startDate <= today) {
    const elapsed = daysBetween(period.startDate, addDays(today, 1));
    const current = make(period.startDate, addDays(today, 1), `${period.label} to date (${span(period.startDate, addDays(today, 1))})`);
    return { current, previous: make(prevStart, addDays(prevStart, elapsed), `same point before (${span(prevStart, addDays(prevStart, elapsed))})`) };
  }
  const prevEnd = shift(period.endDate);
  return { current: period, previous: make(prevStart, prevEnd, months === 1 ? monthLabel(prevStart) : span(prevStart, prevEnd)) };
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
