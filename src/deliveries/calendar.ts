/**
 * The expected-delivery calendar: for each dataset's cadence, when the data for a period is due,
 * and how far data should be complete at a given moment. Dates are ISO days; "through" dates are
 * exclusive ends (data through 2026-11-28 inclusive is `2026-11-29`).
 */
import { addDays, addMonths } from '../datasets/catalog.ts';
import type { Cadence, DatasetDef } from '../datasets/types.ts';

const HOUR_MS = 3_600_000;

export const day = (t: Date): string => t.toISOString().slice(0, 10);
export const midnight = (isoDay: string): Date => new Date(`${isoDay}T00:00:00Z`);

/**
 * When the period ending (exclusive) at `end` is due, for calendar cadences. Disbursement reports
 * follow disbursements, not the calendar: `null`.
 */
export function dueAt(cadence: Cadence, end: string): Date | null {
  switch (cadence.kind) {
    case 'sdds-daily':
      // appended at 00:00 UTC with the previous day's records
      return midnight(end);
    case 'daily':
      // the file published on D covers D - lag, so the day ending at `end` is published on end - 1 + lag
      return midnight(addDays(end, cadence.lagDays - 1));
    case 'monthly':
      // published "by 24:00 UTC" on the publish day of the month the period ends in
      return midnight(addDays(`${end.slice(0, 7)}-${String(cadence.publishDay).padStart(2, '0')}`, 1));
    case 'after-disbursement':
      return null;
  }
}

/** The exclusive end of everything that should have been delivered by `at`. */
export function expectedThrough(cadence: Cadence, at: Date): string | null {
  const today = day(at);
  switch (cadence.kind) {
    case 'sdds-daily':
      return today;
    case 'daily':
      return addDays(today, 1 - cadence.lagDays);
    case 'monthly': {
      const thisMonth = `${today.slice(0, 7)}-01`;
      const published = at.getTime() >= midnight(addDays(`${today.slice(0, 7)}-${String(cadence.publishDay).padStart(2, '0')}`, 1)).getTime();
      const periodEnd = cadence.coverage === 'mid-month' ? `${today.slice(0, 7)}-15` : thisMonth;
      return published ? periodEnd : addMonths(periodEnd, -1);
    }
    case 'after-disbursement':
      return null;
  }
}

export interface Thresholds {
  /** Hours after the due time before a delivery counts as late. */
  warnAfterHours: number;
  /** Hours after the due time before it counts as missing. */
  errorAfterHours: number;
}

/**
 * Defaults from the specs: SDDS lands at 00:00 UTC but "data usually lands 36-48 hours after the
 * activity", CAS daily sets are "sometimes late", monthly and disbursement reports move by days.
 */
export function defaultThresholds(def: DatasetDef): Thresholds {
  switch (def.cadence.kind) {
    case 'sdds-daily':
      return { warnAfterHours: 24, errorAfterHours: 48 };
    case 'daily':
      return { warnAfterHours: 24, errorAfterHours: 72 };
    case 'monthly':
      return { warnAfterHours: 48, errorAfterHours: 120 };
    case 'after-disbursement':
      return { warnAfterHours: 24, errorAfterHours: 96 };
  }
}

export function hoursBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / HOUR_MS);
}
