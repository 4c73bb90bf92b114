// Per-worker series: requests, CPU, memory, uptime and state — for live workers only. Written as text
// (exposition.ts) like the route series: through prom-client's label handling the ~450 series of 64
// workers cost ~1.7 ms of a scrape that has 5 ms in all; rendered here, ~0.2 ms.
import type { WorkerView } from '../../protocol/ui';
import type { ServerSummary, Store } from '../store';
import { labelPairs, renderCounter, renderGauge, serverLabels, type CounterSeries } from './exposition';

type Value = (w: WorkerView, now: number) => number | null;

/** Rendered `server`, `server_id` and `pid` pairs, and the worker, for every live worker of connected servers. */
function liveWorkers(servers: readonly ServerSummary[]): { labels: string; worker: WorkerView }[] {
  const out: { labels: string; worker: WorkerView }[] = [];
  for (const server of servers) {
    if (!server.connected) continue;
    for (const worker of server.workers) out.push({ labels: labelPairs({ ...serverLabels(server), pid: String(worker.pid) }), worker });
  }
  return out;
}

export function workerMetricsText(store: Store): string {
  const servers = store.summaries();
  const workers = liveWorkers(servers);
  const now = Date.now() / 1000;
  const series = (value: Value): CounterSeries[] => {
    const out: CounterSeries[] = [];
    for (const { labels, worker } of workers) {
      const v = value(worker, now);
      if (v !== null) out.push({ labels, value: v });
    }
    return out;
  };

  const requests = series((w) => w.requests);
  for (const server of servers) {
    if (!server.connected) continue; // a disconnected server leaves /metrics whole, as its workers do
    const exited = store.counters(server.id)?.exitedWorkerRequests ?? 0;
    if (exited > 0) requests.push({ labels: labelPairs({ ...serverLabels(server), pid: 'exited' }), value: exited });
  }
  const state: CounterSeries[] = [];
  for (const { labels, worker } of workers) {
    if (worker.state === null) continue;
    state.push({ labels: `${labels},state="busy"`, value: worker.state === 'busy' ? 1 : 0 });
    state.push({ labels: `${labels},state="idle"`, value: worker.state === 'idle' ? 1 : 0 });
  }
  return [
    renderCounter('gunicorn_worker_requests_total',
      'Requests completed by each live worker since it booted; pid="exited" holds the totals of workers that have exited, so sums never go backwards.', requests),
    renderGauge('gunicorn_worker_cpu_percent', 'Worker CPU use over the last interval, percent of one core.', series((w) => w.cpuPercent)),
    renderGauge('gunicorn_worker_memory_bytes', "Worker resident set size (the worker's own, from /proc).", series((w) => w.rssBytes)),
    renderGauge('gunicorn_worker_memory_pss_bytes', 'Worker proportional set size: its share of memory shared with the master and siblings.', series((w) => w.pssBytes)),
    renderGauge('gunicorn_worker_uptime_seconds', 'Seconds since the worker booted.', series((w, t) => Math.max(0, t - w.bootedAt))),
    renderGauge('gunicorn_worker_state', '1 for the state the worker is in now (busy or idle), else 0.', state),
  ].join('\n');
}
