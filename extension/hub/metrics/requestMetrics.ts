// Server-wide request series from the agents' per-interval deltas: duration histogram and failures.
import { Counter, type Registry } from 'prom-client';
import type { RequestTotals } from '../requestLedger';
import type { Store } from '../store';
import { registerPrecomputedHistogram, type HistogramSeries } from './precomputedHistogram';

/** A failure is a 5xx answer or an exception raised by the app; client disconnects are not. */
export function failures(t: RequestTotals): number {
  return t.status >= 500 ? t.count : t.exceptions;
}

export function registerRequestMetrics(registry: Registry, store: Store): void {
  const connected = () => store.servers().filter((s) => s.connected);

  registerPrecomputedHistogram(registry, {
    name: 'gunicorn_worker_request_duration_seconds',
    help: 'Request duration in seconds, all workers of the server, by method and route.',
    collect() {
      const series: HistogramSeries[] = [];
      for (const server of connected()) {
        const data = store.requestTotals(server.id);
        if (!data) continue;
        const byRoute = new Map<string, HistogramSeries>();
        for (const t of data.totals) {
          const key = `${t.method} ${t.route}`;
          let s = byRoute.get(key);
          if (!s) {
            s = { labels: { server: server.serviceName, method: t.method, route: t.route }, bounds: data.durationBuckets,
              counts: new Array(data.durationBuckets.length + 1).fill(0), sum: 0 };
            byRoute.set(key, s);
          }
          t.buckets.forEach((c, i) => (s.counts[i] += c));
          s.sum += t.durationSum;
        }
        series.push(...byRoute.values());
      }
      return series;
    },
  });

  new Counter({
    name: 'gunicorn_requests_total', help: 'Requests completed by all workers of the server, by method, route and status.',
    labelNames: ['server', 'method', 'route', 'status'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const server of connected()) {
        for (const t of store.requestTotals(server.id)?.totals ?? []) {
          this.inc({ server: server.serviceName, method: t.method, route: t.route, status: String(t.status) }, t.count);
        }
      }
    },
  });

  new Counter({
    name: 'gunicorn_worker_failed_requests_total', help: 'Requests answered with 5xx or whose app code raised, by method and route.',
    labelNames: ['server', 'method', 'route'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const server of connected()) {
        for (const t of store.requestTotals(server.id)?.totals ?? []) {
          const n = failures(t);
          if (n > 0) this.inc({ server: server.serviceName, method: t.method, route: t.route }, n);
        }
      }
    },
  });

  new Counter({
    name: 'gunicorn_worker_client_disconnects_total', help: 'Requests the client abandoned (broken pipe, reset); not failures.',
    labelNames: ['server'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const server of connected()) this.inc({ server: server.serviceName }, store.counters(server.id)?.clientDisconnects ?? 0);
    },
  });
}
