// Requests a worker served but had not handed over when it was killed arrive as route
// "(lost at worker exit)" (method "", status class, no durations). The hub counts them everywhere a total
// is shown — per-worker totals, requests by route, failures, the routes table, OpenTelemetry — and nowhere
// a duration is: no histogram holds them.
import assert from 'node:assert/strict';
import test from 'node:test';
import { requestMetricsText } from '../../../extension/hub/metrics/requestMetrics';
import { workerMetricsText } from '../../../extension/hub/metrics/workerMetrics';
import { StoreMetricProducer } from '../../../extension/hub/otel/storeMetricProducer';
import { Store } from '../../../extension/hub/store';
import type { HelloFrame, SampleFrame } from '../../../extension/protocol/agent';

const LOST = '(lost at worker exit)';
const hello: HelloFrame = {
  type: 'hello', protocol: '1.0', agent: { version: '0', python: '3', gunicorn: '20.1.0' },
  server: { masterPid: 10, host: 'h', app: 'app:app', bind: ['127.0.0.1:9000'], workerClass: 'sync', serviceName: 's',
    startedAt: 0, targetWorkers: 2, interval: 1, durationBuckets: [0.5] },
};
const worker = (pid: number, requests: number) => ({ pid, age: pid, bootedAt: 0, cpuPercent: 0, rssBytes: 1, requests });
const sample = (seq: number, workers: SampleFrame['workers'], requests: SampleFrame['requests']): SampleFrame => ({
  type: 'sample', seq, at: 100 + seq, master: { pid: 10, cpuPercent: 0, rssBytes: 1 }, targetWorkers: 2, workers, requests,
});

/** Σ of a metric's samples in Prometheus text, over the series whose labels include `having`. */
function total(text: string, name: string, having = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(having)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

test('requests lost at a worker\'s exit count in every total and in no duration', () => {
  const store = new Store();
  const id = store.connect(hello);
  store.sample(id, sample(0, [worker(2, 5), worker(3, 4)],
    [{ method: 'GET', route: '/', status: 200, count: 9, durationSum: 1, buckets: [8, 1], responseBytes: 90 }]));
  // Worker 2 was killed with 4 requests not handed over (3 answered 2xx, one 5xx); worker 3 served 2 more.
  store.sample(id, sample(1, [worker(3, 6)], [
    { method: 'GET', route: '/', status: 200, count: 2, durationSum: 0.2, buckets: [2, 0], responseBytes: 20 },
    { method: '', route: LOST, status: 200, count: 3, durationSum: 0, buckets: [0, 0], responseBytes: 0 },
    { method: '', route: LOST, status: 500, count: 1, durationSum: 0, buckets: [0, 0], responseBytes: 0 },
  ]));

  assert.equal(store.server(id)!.requestsTotal, 15);
  const workers = workerMetricsText(store);
  assert.equal(total(workers, 'gunicorn_worker_requests_total'), 15);
  assert.equal(total(workers, 'gunicorn_worker_requests_total', 'pid="exited"'), 9);
  const requests = requestMetricsText(store);
  assert.equal(total(requests, 'gunicorn_requests_total'), 15);
  assert.equal(total(requests, 'gunicorn_requests_total', `route="${LOST}",status="500"`), 1);
  assert.equal(total(requests, 'gunicorn_worker_failed_requests_total', `route="${LOST}"`), 1);
  assert.equal(total(requests, 'gunicorn_worker_request_duration_seconds_count'), 11);
  assert.equal(total(requests, 'gunicorn_worker_request_duration_seconds_count', `route="${LOST}"`), 0);

  const row = store.server(id)!.routes!.find((r) => r.route === LOST);
  assert.deepEqual(row && { method: row.method, count: row.count, errors: row.errors, p50: row.p50 },
    { method: '', count: 4, errors: 1, p50: null });

  const metrics = new StoreMetricProducer(store, id).metrics();
  const counter = metrics.find((m) => m.descriptor.name === 'gunicorn.requests')!;
  assert.equal(counter.dataPoints.reduce((a, p) => a + (p.value as number), 0), 15);
  const histogram = metrics.find((m) => m.descriptor.name === 'gunicorn.request.duration')!;
  const lost = histogram.dataPoints.filter((p) => p.attributes['http.target'] === LOST)
    .map((p) => (p.value as { count: number }).count);
  assert.deepEqual(lost, [0, 0]);
});
