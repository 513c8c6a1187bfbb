/**
 * Charts as QuickChart image URLs, one per currency, the largest currency first. A chart URL
 * carries its data, so what goes to the public quickchart.io is aggregates and product titles
 * only: charts of customers are drawn only by a self-hosted QUICKCHART_URL.
 */
import QuickChartModule from 'quickchart-js';
import type { MetricAnswer } from '../metrics/query.ts';
import { compactMoney, currenciesBySize } from './format.ts';
import { cut, nameOf, rowsNameCustomers, str, totalsList, viewOf } from './views.ts';

// quickchart-js ships CJS typings with `export default`; at runtime the ESM default is the class
const QuickChart = ((QuickChartModule as unknown as { default?: unknown }).default ?? QuickChartModule) as unknown as typeof QuickChartModule.default;

/** Bars charted at most. */
export const CHART_BARS = 12;

export interface Chart {
  currency: string;
  url: string;
  /** What the chart shows, in words, for readers without images. */
  alt: string;
}

/** quickchart.io (and its subdomains) is public: anything in a chart URL is seen by a third party. */
export function isPublicChartServer(quickChartUrl: string): boolean {
  const host = new URL(quickChartUrl).hostname.toLowerCase();
  return host === 'quickchart.io' || host.endsWith('.quickchart.io');
}

export function barChartUrl(quickChartUrl: string, title: string, labels: string[], values: number[]): string {
  const url = new URL(quickChartUrl);
  return new QuickChart()
    .setVersion('4')
    .setConfig({ type: 'bar', data: { labels, datasets: [{ label: title, data: values, backgroundColor: '#2f6fdf' }] }, options: { plugins: { legend: { display: false }, title: { display: true, text: title } } } })
    .setWidth(600)
    .setHeight(300)
    .setBackgroundColor('white')
    .setScheme(url.protocol.replace(':', ''))
    .setHost(url.host)
    .getUrl();
}

/**
 * The answer's charts, one per currency, largest first: past-due's aging buckets, or the top rows
 * of a breakdown (by month: the trend). None for rows naming customers on a public chart server.
 */
export function metricCharts(a: MetricAnswer, by: string | undefined, quickChartUrl: string): Chart[] {
  if (a.source === 'none') return [];
  const view = viewOf(a.metric);
  if (a.metric === 'past-due') {
    const totals = totalsList(a);
    return currenciesBySize(totals, (t) => Number(t.total)).flatMap((currency) => {
      const t = totals.find((x) => str(x.currency) === currency)!;
      const buckets = t.buckets as Record<string, string>;
      if (Number(t.total) === 0) return [];
      const title = `Past due by age (${currency})`;
      const alt = `${title}: ${Object.entries(buckets).map(([k, v]) => `${k} days ${compactMoney(v, currency)}`).join(', ')}`;
      return [{ currency, url: barChartUrl(quickChartUrl, title, Object.keys(buckets).map((b) => `${b} days`), Object.values(buckets).map(Number)), alt }];
    });
  }
  if (!view.chart || (rowsNameCustomers(a.metric, by) && isPublicChartServer(quickChartUrl))) return [];
  const chartOf = view.chart;
  return currenciesBySize(a.rows, chartOf).flatMap((currency) => {
    const rows = a.rows.filter((r) => str(r.currency) === currency).slice(0, CHART_BARS);
    if (rows.length < 2) return [];
    const title = `${view.title}${by ? ` by ${by}` : ''}${currency ? ` (${currency})` : ''}`;
    const alt = `${title}: ${rows.map((r) => `${nameOf(r)} ${compactMoney(chartOf(r), currency)}`).join(', ')}`;
    return [{ currency, url: barChartUrl(quickChartUrl, title, rows.map((r) => cut(nameOf(r), 24)), rows.map(chartOf)), alt }];
  });
}
