// One server's metrics as OpenTelemetry data points, read from the store at export time. The agents
// count requests into histogram buckets already, so the points are built directly (a MetricProducer)
// rather than re-recorded value by value through instruments, which could not reproduce the sums.
import { ValueType, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType, type CollectionResult, type MetricData, type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { WorkerView } from '../../protocol/ui';
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
      {
        descriptor: { name: 'gunicorn.request.duration', description: 'Request duration in seconds', unit: 's', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: requests.totals.map((t) => ({
          startTime, endTime: now, attributes: requestAttributes(t),
          // The durations counted: requests lost at a worker's exit count in gunicorn.requests but have none.
          value: { buckets: { boundaries: requests.durationBuckets, counts: t.buckets }, sum: t.durationSum,
            count: t.buckets.reduce((a, b) => a + b, 0) },
        })),
      },
      gauge('gunicorn.worker.cpu.percent', 'Worker CPU usage percentage', '%', (w) => w.cpuPercent),
      gauge('gunicorn.worker.memory.rss', 'Worker memory usage in bytes', 'By', (w) => w.rssBytes),
    ];
  }
}
