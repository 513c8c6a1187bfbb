/**
 * What the service counts, as events any module may report without knowing who listens. The
 * service installs the Prometheus sink (src/ops/prometheus.ts); in a CLI command nothing listens
 * and a report costs a property lookup, so the CLI never loads prom-client.
 */
import type { Freshness } from './deliveries/freshness.ts';

export type QueueEvent = 'received' | 'deleted' | 'dead-lettered' | 'failed';

export interface TelemetrySink {
  /** A file went through ingest: its status (loaded, unchanged, rejected, no-data), rows, time. */
  fileIngested(file: { dataset: string | null; status: string; rowsInserted: number; durationMs: number }): void;
  queueMessage(event: QueueEvent): void;
  /** The delivery watch's latest view of every dataset. */
  freshness(rows: Freshness[]): void;
  digest(kind: string, outcome: 'sent' | 'failed'): void;
  slackCommand(command: string, outcome: 'answered' | 'refused' | 'invalid' | 'error'): void;
  metricQuery(metric: string, seconds: number): void;
}

let sink: Partial<TelemetrySink> = {};

/** Installs the listener (the service, once); `{}` removes it. */
export function setTelemetrySink(next: Partial<TelemetrySink>): void {
  sink = next;
}

export const telemetry: TelemetrySink = {
  fileIngested: (file) => sink.fileIngested?.(file),
  queueMessage: (event) => sink.queueMessage?.(event),
  freshness: (rows) => sink.freshness?.(rows),
  digest: (kind, outcome) => sink.digest?.(kind, outcome),
  slackCommand: (command, outcome) => sink.slackCommand?.(command, outcome),
  metricQuery: (metric, seconds) => sink.metricQuery?.(metric, seconds),
};
