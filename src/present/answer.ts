/**
 * A question as every surface answers it: the metric for the period, compared with the previous
 * comparable period, and with rows to show: the breakdown asked for, or when none was asked, the
 * metric's usual one (revenue by product), so a plain question still shows what is behind it.
 */
import type { Database } from '../db/client.ts';
import { answerFor, checkQuestion, type MetricAnswer } from '../metrics/query.ts';
import { comparablePeriods, type Period, type PeriodOptions } from '../periods.ts';
import { viewOf } from './views.ts';

export interface PresentedAnswer {
  answer: MetricAnswer;
  previous: MetricAnswer | null;
  /** The breakdown of the rows shown. */
  by: string | undefined;
  /** No breakdown was asked for: the rows are the metric's default one. */
  defaulted: boolean;
  dimensions: readonly string[];
}

export async function presentAnswer(db: Database, metric: string, period: Period, asked: string | undefined, options: PeriodOptions & { days?: number }): Promise<PresentedAnswer> {
  const def = checkQuestion(metric, asked);
  const defaultBy = viewOf(metric).defaultBy;
  const by = asked ?? (defaultBy && def.dimensions.includes(defaultBy) ? defaultBy : undefined);
  // reconciliation is a statement of months, not a figure with a trend
  const comparable = metric === 'reconcile' ? null : comparablePeriods(period, options.now, options.timeZone);
  const answer = await answerFor(db, metric, comparable?.current ?? period, by, options);
  const previous = comparable && answer.source !== 'none' ? await answerFor(db, metric, comparable.previous, undefined, options) : null;
  return { answer, previous, by, defaulted: asked === undefined && by !== undefined, dimensions: def.dimensions };
}
