// Server-wide request series from the agents' per-interval deltas: the duration histogram, requests by
// status and failures. Rendered as text (see exposition.ts); labels are bounded by the route caps.
import type { RequestTotals } from '../requestLedger';
import type { ServerSummary, Store } from '../store';
import { labelPairs, renderCounter, renderHistogram, serverLabels, type CounterSeries, type HistogramSeries } from './exposition';

/** A failure is a 5xx answer, an exception raised by the app, or a request aborted as its worker died;
 * client disconnects are not. */
export function failures(t: RequestTotals): number {
  return t.status >= 500 ? t.count : t.exceptions + t.aborted;
}

/** Rendered label pairs per ledger entry (each belongs to one server id) and service name: built once. */
const labelCache = new WeakMap<RequestTotals, { service: string; request: string; route: string }>();

function labelsOf(t: RequestTotals, server: ServerSummary): { request: string; route: string } {
  let cached = labelCache.get(t);
  const service = server.serviceName;
  if (!cached || cached.service !== service) {
    const labels = serverLabels(server);
    cached = {
      service,
      request: labelPairs({ ...labels, method: t.method, route: t.route, status: String(t.status) }),
      route: labelPairs({ ...labels, method: t.method, route: t.route }),
    };
    labelCache.set(t, cached);
  }
  return cached;
}

export function requestMetricsText(store: Store): string {
  const histograms: HistogramSeries[] = [];
  const requests: CounterSeries[] = [];
  const failed: CounterSeries[] = [];
  const aborted: CounterSeries[] = [];
  const disconnects: CounterSeries[] = [];
  for (const server of store.summaries()) {
    if (!server.connected) continue;
    const data = store.requestTotals(server.id);
    if (!data) continue;
    const byRoute = new Map<string, HistogramSeries & { failed: number; aborted: number }>();
    for (const t of data.totals) {
      const labels = labelsOf(t, server);
      requests.push({ labels: labels.request, value: t.count });
      const key = `${t.method} ${t.route}`;
      let s = byRoute.get(key);
      if (!s) {
        s = { labels: labels.route, bounds: data.durationBuckets,
          counts: new Array<number>(data.durationBuckets.length + 1).fill(0), sum: 0, failed: 0, aborted: 0 };
        byRoute.set(key, s);
      }
      for (let i = 0; i < t.buckets.length; i++) s.counts[i] += t.buckets[i];
      s.sum += t.durationSum;
      s.failed += failures(t);
      s.aborted += t.aborted;
    }
    for (const s of byRoute.values()) {
      histograms.push(s);
      if (s.failed > 0) failed.push({ labels: s.labels, value: s.failed });
      if (s.aborted > 0) aborted.push({ labels: s.labels, value: s.aborted });
    }
    disconnects.push({ labels: labelPairs(serverLabels(server)), value: store.counters(server.id)?.clientDisconnects ?? 0 });
  }
  return [
    renderHistogram('gunicorn_worker_request_duration_seconds', 'Request duration in seconds, all workers of the server, by method and route.', histograms),
    renderCounter('gunicorn_requests_total', 'Requests completed by all workers of the server, by method, route and status (0: aborted, no response).', requests),
    renderCounter('gunicorn_worker_failed_requests_total', 'Requests answered with 5xx, whose app code raised, or aborted, by method and route.', failed),
    renderCounter('gunicorn_requests_aborted_total', 'Requests a worker was serving as it died (the master\'s timeout, a signal, the OOM killer), by method and route; their durations count up to the death.', aborted),
    renderCounter('gunicorn_worker_client_disconnects_total', 'Requests the client abandoned (broken pipe, reset); not failures.', disconnects),
  ].join('\n');
}
