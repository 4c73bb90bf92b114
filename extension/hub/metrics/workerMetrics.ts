// Per-worker series: requests, CPU, memory, uptime and state — for live workers only.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkerView } from '../../protocol/ui';
import type { Store } from '../store';
import { serverLabels } from './exposition';

type WorkerLabels = { server: string; server_id: string; pid: string };

export function registerWorkerMetrics(registry: Registry, store: Store): void {
  const labelNames = ['server', 'server_id', 'pid'] as const;
  const eachWorker = (fn: (labels: WorkerLabels, w: WorkerView) => void) => {
    for (const server of store.summaries()) {
      if (!server.connected) continue;
      for (const worker of server.workers) fn({ ...serverLabels(server), pid: String(worker.pid) }, worker);
    }
  };
  const gauge = (name: string, help: string, value: (w: WorkerView, now: number) => number | null) =>
    new Gauge({
      name, help, labelNames, registers: [registry],
      collect() {
        this.reset();
        const now = Date.now() / 1000;
        eachWorker((labels, w) => {
          const v = value(w, now);
          if (v !== null) this.set(labels, v);
        });
      },
    });

  new Counter({
    name: 'gunicorn_worker_requests_total',
    help: 'Requests completed by each live worker since it booted; pid="exited" holds the totals of workers that have exited, so sums never go backwards.',
    labelNames, registers: [registry],
    collect() {
      this.reset();
      eachWorker((labels, w) => this.inc(labels, w.requests));
      for (const server of store.summaries()) {
        if (!server.connected) continue; // a disconnected server leaves /metrics whole, as its workers do
        const exited = store.counters(server.id)?.exitedWorkerRequests ?? 0;
        if (exited > 0) this.inc({ ...serverLabels(server), pid: 'exited' }, exited);
      }
    },
  });
  gauge('gunicorn_worker_cpu_percent', 'Worker CPU use over the last interval, percent of one core.', (w) => w.cpuPercent);
  gauge('gunicorn_worker_memory_bytes', "Worker resident set size (the worker's own, from /proc).", (w) => w.rssBytes);
  gauge('gunicorn_worker_memory_pss_bytes', 'Worker proportional set size: its share of memory shared with the master and siblings.', (w) => w.pssBytes);
  gauge('gunicorn_worker_uptime_seconds', 'Seconds since the worker booted.', (w, now) => Math.max(0, now - w.bootedAt));

  new Gauge({
    name: 'gunicorn_worker_state', help: '1 for the state the worker is in now (busy or idle), else 0.',
    labelNames: ['server', 'server_id', 'pid', 'state'] as const, registers: [registry],
    collect() {
      this.reset();
      eachWorker((labels, w) => {
        if (w.state === null) return;
        this.set({ ...labels, state: 'busy' }, w.state === 'busy' ? 1 : 0);
        this.set({ ...labels, state: 'idle' }, w.state === 'idle' ? 1 : 0);
      });
    },
  });
}
