import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createPrometheusMetrics } from '../../src/ops/prometheus.ts';

const ROOT = new URL('../../', import.meta.url);

describe('Prometheus metrics', () => {
  it('count files, rows, queue messages, digests, Slack commands and query time as they are reported', async () => {
    const { registry, sink } = createPrometheusMetrics({ now: () => new Date('2026-11-30T12:00:00Z'), ready: () => true });
    sink.fileIngested({ dataset: 'sdds_offer', status: 'loaded', rowsInserted: 2, durationMs: 120 });
    sink.fileIngested({ dataset: 'sdds_offer', status: 'unchanged', rowsInserted: 0, durationMs: 3 });
    sink.queueMessage('received');
    sink.digest('daily', 'failed');
    sink.slackCommand('revenue', 'answered');
    sink.metricQuery('revenue', 0.042);
    sink.freshness([
      { dataset: 'sdds_offer', title: 'Offer', category: 'sdds', status: 'late', hoursLate: 30, completeThrough: '2026-11-27', expectedThrough: '2026-11-28', lastDelivery: { at: '2026-11-30T11:00:00Z', object: null, outcome: 'loaded' }, thresholds: { warnAfterHours: 24, errorAfterHours: 48 }, summary: '' },
    ] as never);
    const text = await registry.metrics();
    for (const line of [
      'marketplace_pulse_files_total{dataset="sdds_offer",status="loaded"} 1',
      'marketplace_pulse_files_total{dataset="sdds_offer",status="unchanged"} 1',
      'marketplace_pulse_rows_loaded_total{dataset="sdds_offer"} 2',
      'marketplace_pulse_ingest_duration_seconds_count{dataset="sdds_offer"} 1',
      'marketplace_pulse_queue_messages_total{event="received"} 1',
      'marketplace_pulse_queue_messages_total{event="deleted"} 0',
      'marketplace_pulse_digests_total{kind="daily",outcome="failed"} 1',
      'marketplace_pulse_digests_total{kind="monthly",outcome="sent"} 0',
      'marketplace_pulse_slack_commands_total{command="revenue",outcome="answered"} 1',
      'marketplace_pulse_query_duration_seconds_count{metric="revenue"} 1',
      'marketplace_pulse_dataset_last_delivery_age_seconds{dataset="sdds_offer"} 3600',
      'marketplace_pulse_dataset_status{dataset="sdds_offer",status="late"} 1',
      'marketplace_pulse_dataset_status{dataset="sdds_offer",status="on time"} 0',
      'marketplace_pulse_dataset_hours_late{dataset="sdds_offer"} 30',
      'marketplace_pulse_ready 1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('the starter alert rules use only metrics the service exports', async () => {
    const rules = parse(await readFile(new URL('deploy/prometheus/alerts.yml', ROOT), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const exported = new Set(
      (await createPrometheusMetrics({ ready: () => true }).registry.getMetricsAsJSON()).flatMap((m) => (String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name])),
    );
    const alerts = rules.groups.flatMap((g) => g.rules);
    expect(alerts.map((a) => a.alert)).toEqual(expect.arrayContaining(['MarketplacePulseNotReady', 'MarketplaceDatasetLate', 'MarketplaceMessagesDeadLettered', 'MarketplaceDigestGaveUp']));
    for (const a of alerts) {
      const used = a.expr.match(/marketplace_pulse_[a-z_]+/g) ?? [];
      expect(used.length, a.alert).toBeGreaterThan(0);
      for (const name of used) expect(exported, `${a.alert} uses ${name}`).toContain(name);
    }
  });
});
