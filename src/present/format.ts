/**
 * Numbers as people read them, the same in Slack, email and the CLI: money in its currency,
 * compact money for charts and trend lines, counts, days, and a change with its meaning (an
 * increase in revenue is good news, in past-due funds bad).
 */

export function formatMoney(amount: string | number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '–';
  const n = Number(amount);
  if (!currency) return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(n);
  } catch {
    return `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
  }
}

/** "$41.6K", "€1.03K", "$1.2M": for trend lines and chart labels, where the cents do not matter. */
export function compactMoney(amount: string | number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '–';
  const n = Number(amount);
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD', notation: 'compact', maximumSignificantDigits: 3 }).format(n);
  } catch {
    return `${new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 }).format(n)} ${currency ?? ''}`.trim();
  }
}

/** A fraction as a percentage: "0.9712" -> "97.1%"; nothing to divide by -> "–". */
export function formatPercent(fraction: string | number | null | undefined): string {
  if (fraction === null || fraction === undefined || fraction === '') return '–';
  return `${(Number(fraction) * 100).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

export function formatCount(n: number | string | null | undefined): string {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2 Nov", or "2 Nov 2025" when the year is not `thisYear`. */
export function formatDay(isoDate: string, thisYear?: string): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-');
  return `${Number(d)} ${MONTHS[Number(m) - 1]}${thisYear !== undefined && y !== thisYear ? ` ${y}` : ''}`;
}

/** Whether a rise is good news (revenue, subscribers) or bad (cancellations, past due). */
export type Better = 'up' | 'down';
export type Tone = 'good' | 'bad' | 'neutral';

export interface Change {
  /** "▲ 12.5% vs September 2026", "no change vs …", "new vs … (nothing then)". */
  text: string;
  tone: Tone;
  direction: 'up' | 'down' | 'flat';
}

/** The change from `previous` to `current`, and whether it is good news; null without a previous figure. */
export function describeChange(current: number, previous: number | null, label: string, better: Better = 'up'): Change | null {
  if (previous === null) return null;
  if (current === previous) return { text: `no change vs ${label}`, tone: 'neutral', direction: 'flat' };
  const direction = current > previous ? 'up' : 'down';
  const tone: Tone = direction === better ? 'good' : 'bad';
  if (previous === 0) return { text: `new vs ${label} (nothing then)`, tone, direction };
  const pct = ((current - previous) / Math.abs(previous)) * 100;
  return { text: `${direction === 'up' ? '▲' : '▼'} ${Math.abs(pct).toFixed(1)}% vs ${label}`, tone, direction };
}

/** The change of a fraction in percentage points ("▲ 2.1 pts vs Sep"), for rates such as retention. */
export function describePointChange(current: number, previous: number | null, label: string, better: Better = 'up'): Change | null {
  if (previous === null) return null;
  const points = Math.round((current - previous) * 1000) / 10;
  if (points === 0) return { text: `no change vs ${label}`, tone: 'neutral', direction: 'flat' };
  const direction = points > 0 ? 'up' : 'down';
  return { text: `${direction === 'up' ? '▲' : '▼'} ${Math.abs(points).toFixed(1)} pts vs ${label}`, tone: direction === better ? 'good' : 'bad', direction };
}

/** The change as text only ("▲ 12.5% vs September 2026"); '' without a previous figure. */
export function change(current: number, previous: number | null, label: string): string {
  return describeChange(current, previous, label)?.text ?? '';
}

/** Orders currencies by the size of `amount` in them, largest first (ties: alphabetically). */
export function currenciesBySize<T extends Record<string, unknown>>(rows: T[], amount: (r: T) => number): string[] {
  const sums = new Map<string, number>();
  for (const r of rows) {
    const c = String(r.currency ?? '');
    sums.set(c, (sums.get(c) ?? 0) + Math.abs(amount(r)));
  }
  return [...sums.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}
