// One server's metrics as OpenTelemetry data points, read from the store at export time. The agents
// count requests into histogram buckets already, so the points are built directly (a MetricProducer)
// rather than re-recorded value by value through instruments, which could not reproduce the sums.
import { ValueType, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType, type CollectionResult, type MetricData, type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { WorkerView } from '../../protocol/ui';
import type { RequestTotals } from '../requestLedger';
import type { Store } from '../store';

export const SCOPE = { name: 'gunicorn-live', version: '1' };

function hrTime(seconds: number): HrTime {
  const whole = Math.floor(seconds);
  return [whole, Math.round((seconds - whole) * 1e9)];
}

export class StoreMetricProducer implements MetricProducer {
  /** Cumulative series start when the hub first saw the server. */
  private readonly startTime = hrTime(Date.now() / 1000);

  constructor(private readonly store: Store, private readonly serverId: string) {}

  async collect(): Promise<CollectionResult> {
    return { resourceMetrics: { resource: resourceFromAttributes({}), scopeMetrics: [{ scope: SCOPE, metrics: this.metrics() }] }, errors: [] };
  }

  metrics(): MetricData[] {
    const server = this.store.summary(this.serverId);
    const requests = this.store.requestTotals(this.serverId);
    if (!server || !requests || !server.connected) return [];
    const now = hrTime(Date.now() / 1000);
    const startTime = this.startTime;
    const requestAttributes = (t: { method: string; route: string; status: number }) => ({
      'http.method': t.method, 'http.target': t.route, 'http.status_code': t.status,
    });
    const workerAttributes = (w: { pid: number; age: number }) => ({ 'worker.pid': w.pid, 'worker.id': w.age });
    const gauge = (name: string, description: string, unit: string, value: (w: WorkerView) => number | null): MetricData => ({
      descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: server.workers.flatMap((w) => {
        const v = value(w);
        return v === null ? [] : [{ startTime: now, endTime: now, attributes: workerAttributes(w), value: v }];
      }),
    });

    return [
      {
        descriptor: { name: 'gunicorn.requests', description: 'Total number of HTTP requests', unit: '{request}', valueType: ValueType.INT },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: requests.totals.map((t) => ({ startTime, endTime: now, attributes: requestAttributes(t), value: t.count })),
      },
      requestDuration(requests.durationBuckets, requests.totals, startTime, now, requestAttributes),
      gauge('gunicorn.worker.cpu.percent', 'Worker CPU usage percentage', '%', (w) => w.cpuPercent),
      gauge('gunicorn.worker.memory.rss', 'Worker memory usage in bytes', 'By', (w) => w.rssBytes),
    ];
  }
}

const DURATION = { name: 'gunicorn.request.duration', description: 'Request duration in seconds', unit: 's', valueType: ValueType.DOUBLE };

/**
 * Request durations: an ExponentialHistogram, bucket for bucket what the agents measured, when they send
 * exponential histograms (protocol 1.1); else the classic buckets they send. Either counts the durations
 * known: requests lost at a worker's exit count in gunicorn.requests but have none.
 */
function requestDuration(
  bounds: number[], totals: RequestTotals[], startTime: HrTime, endTime: HrTime,
  attributes: (t: RequestTotals) => Record<string, string | number>,
): MetricData {
  if (totals.some((t) => t.latency.exp.count > 0)) {
    return {
      descriptor: DURATION,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
      dataPoints: totals.map((t) => {
        const wire = t.latency.exp.toWire();
        const range = t.latency.range();
        return {
          startTime, endTime, attributes: attributes(t),
          value: {
            count: t.latency.exp.count, sum: t.durationSum, scale: wire.scale, zeroCount: wire.zeroCount,
            positive: { offset: wire.offset, bucketCounts: wire.counts }, negative: { offset: 0, bucketCounts: [] },
            ...(range ?? {}),
          },
        };
      }),
    };
  }
  return {
    descriptor: DURATION,
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: totals.map((t) => ({
      startTime, endTime, attributes: attributes(t),
      // The durations counted: requests lost at a worker's exit count in gunicorn.requests but have none.
      value: { buckets: { boundaries: bounds, counts: t.buckets }, sum: t.durationSum, count: t.buckets.reduce((a, b) => a + b, 0) },
    })),
  };
}
