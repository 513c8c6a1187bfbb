/**
 * The service's counters for Prometheus (GET /metrics): files and rows by dataset, queue
 * messages, delivery freshness, digests, Slack commands and query latency, plus Node's own
 * process metrics. Fed by src/telemetry.ts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Freshness, FreshnessStatus } from '../deliveries/freshness.ts';
import type { TelemetrySink } from '../telemetry.ts';

const PREFIX = 'marketplace_pulse_';
const FRESHNESS_STATUSES: FreshnessStatus[] = ['on time', 'late', 'missing', 'not expected', 'retired', 'no schedule'];

export interface PrometheusMetrics {
  registry: Registry;
  sink: TelemetrySink;
}

export interface PrometheusOptions {
  now?: () => Date;
  /** The service's readiness (as GET /readyz answers it), read at each scrape. */
  ready?: () => boolean;
}

export function createPrometheusMetrics(options: PrometheusOptions = {}): PrometheusMetrics {
  const now = options.now ?? (() => new Date());
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const ready = options.ready;
  if (ready) {
    new Gauge({
      name: `${PREFIX}ready`,
      help: '1 when the service is ready (GET /readyz answers 200): neither the database nor the queue has failed for longer than READINESS_WINDOW_SECONDS.',
      registers: [registry],
      collect() {
        this.set(ready() ? 1 : 0);
      },
    });
  }
  const files = new Counter({ name: `${PREFIX}files_total`, help: 'Files through ingest, by dataset and outcome (loaded, unchanged, rejected, no-data).', labelNames: ['dataset', 'status'], registers: [registry] });
  const rows = new Counter({ name: `${PREFIX}rows_loaded_total`, help: 'Rows stored by ingest, by dataset.', labelNames: ['dataset'], registers: [registry] });
  const ingestSeconds = new Histogram({
    name: `${PREFIX}ingest_duration_seconds`,
    help: 'Time to ingest one file (identify, parse, load, commit), by dataset.',
    labelNames: ['dataset'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const queue = new Counter({
    name: `${PREFIX}queue_messages_total`,
    help: 'SQS messages: received, deleted once handled, dead-lettered (not understood: left for the redrive policy), failed (to be received again).',
    labelNames: ['event'],
    registers: [registry],
  });
  for (const event of ['received', 'deleted', 'dead-lettered', 'failed']) queue.inc({ event }, 0);
  const digests = new Counter({ name: `${PREFIX}digests_total`, help: 'Email digests by kind and outcome (sent, failed: gave up after its retries).', labelNames: ['kind', 'outcome'], registers: [registry] });
  for (const kind of ['daily', 'monthly']) for (const outcome of ['sent', 'failed']) digests.inc({ kind, outcome }, 0);
  const commands = new Counter({ name: `${PREFIX}slack_commands_total`, help: 'Slack /marketplace commands by subcommand and outcome (answered, refused, invalid, error).', labelNames: ['command', 'outcome'], registers: [registry] });
  const querySeconds = new Histogram({
    name: `${PREFIX}query_duration_seconds`,
    help: 'Time to answer one metric question, by metric.',
    labelNames: ['metric'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  let latest: Freshness[] = [];
  // ages are computed when scraped, so they grow between delivery checks
  new Gauge({
    name: `${PREFIX}dataset_last_delivery_age_seconds`,
    help: 'Seconds since the last delivery of each dataset (a file, a no-data file or an SDDS notification); absent until one arrived.',
    labelNames: ['dataset'],
    registers: [registry],
    collect() {
      this.reset();
      const at = now().getTime();
      for (const f of latest) if (f.lastDelivery) this.set({ dataset: f.dataset }, Math.max(0, (at - Date.parse(f.lastDelivery.at)) / 1000));
    },
  });
  new Gauge({
    name: `${PREFIX}dataset_status`,
    help: 'The delivery watch: 1 on the current status of each dataset (on time, late, missing, not expected, retired, no schedule), 0 on the others.',
    labelNames: ['dataset', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of latest) for (const status of FRESHNESS_STATUSES) this.set({ dataset: f.dataset, status }, status === f.status ? 1 : 0);
    },
  });
  new Gauge({
    name: `${PREFIX}dataset_hours_late`,
    help: 'Hours since the first undelivered period of a late or missing dataset was due; 0 otherwise.',
    labelNames: ['dataset'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of latest) this.set({ dataset: f.dataset }, f.hoursLate ?? 0);
    },
  });

  const sink: TelemetrySink = {
    fileIngested(file) {
      const dataset = file.dataset ?? 'unknown';
      files.inc({ dataset, status: file.status });
      if (file.rowsInserted > 0) rows.inc({ dataset }, file.rowsInserted);
      if (file.status !== 'unchanged') ingestSeconds.observe({ dataset }, file.durationMs / 1000);
    },
    queueMessage: (event) => queue.inc({ event }),
    freshness: (rows) => (latest = rows),
    digest: (kind, outcome) => digests.inc({ kind, outcome }),
    slackCommand: (command, outcome) => commands.inc({ command, outcome }),
    metricQuery: (metric, seconds) => querySeconds.observe({ metric }, seconds),
  };
  return { registry, sink };
}
