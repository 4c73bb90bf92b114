// A Prometheus histogram whose buckets are already counted (by the agents): prom-client's Histogram
// only observes one value at a time, so this metric hands the registry finished bucket lines instead.
import type { MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

export interface HistogramSeries {
  labels: Record<string, string>;
  /** Upper bounds, ascending; `counts` has one more slot, for +Inf. Counts are per bucket, not cumulative. */
  bounds: number[];
  counts: number[];
  sum: number;
}

export function registerPrecomputedHistogram(
  registry: Registry,
  options: { name: string; help: string; collect: () => HistogramSeries[] },
): void {
  const { name, help } = options;
  const metric = {
    name,
    help,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    reset() {},
    async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
      const values: MetricValueWithName<string>[] = [];
      for (const series of options.collect()) {
        let cumulative = 0;
        series.bounds.forEach((le, i) => {
          cumulative += series.counts[i] ?? 0;
          values.push({ metricName: `${name}_bucket`, labels: { ...series.labels, le }, value: cumulative });
        });
        cumulative += series.counts[series.bounds.length] ?? 0;
        values.push({ metricName: `${name}_bucket`, labels: { ...series.labels, le: '+Inf' }, value: cumulative });
        values.push({ metricName: `${name}_sum`, labels: series.labels, value: series.sum });
        values.push({ metricName: `${name}_count`, labels: series.labels, value: cumulative });
      }
      return { name, help, type: 'histogram' as never, aggregator: 'sum', collect: () => undefined, values };
    },
  };
  // The registry only calls name/help/type/get/reset; it has no public interface for custom metrics.
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}
