// The master's view: worker counts, restarts by cause, stuck requests, signals received, its own CPU and memory.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ServerCounters, Store } from '../store';
import { serverLabels } from './exposition';

export function registerLifecycleMetrics(registry: Registry, store: Store): void {
  const connected = () => store.summaries().filter((s) => s.connected);

  new Gauge({
    name: 'gunicorn_workers', help: 'Workers by state (busy, idle, unknown), and the target count (state="target").',
    labelNames: ['server', 'server_id', 'state'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const server of connected()) {
        const counts = { busy: 0, idle: 0, unknown: 0 };
        for (const w of server.workers) counts[w.state ?? 'unknown'] += 1;
        for (const [state, n] of Object.entries(counts)) this.set({ ...serverLabels(server), state }, n);
        this.set({ ...serverLabels(server), state: 'target' }, server.targetWorkers);
      }
    },
  });
  /** A counter per name in one of a server's tallies (exit reasons, signals). */
  const tallied = (name: string, help: string, label: string, tally: (c: ServerCounters) => Map<string, number>) =>
    new Counter({
      name, help, labelNames: ['server', 'server_id', label], registers: [registry],
      collect() {
        this.reset();
        for (const server of connected()) {
          const counters = store.counters(server.id);
          if (counters) for (const [value, n] of tally(counters)) this.inc({ ...serverLabels(server), [label]: value }, n);
        }
      },
    });
  tallied('gunicorn_worker_restarts_total', 'Worker exits by cause (timeout, max_requests, signal, crash, reload, scale_down, shutdown, unknown).',
    'reason', (c) => c.exits);
  new Counter({
    name: 'gunicorn_worker_oom_kills_total', help: "Worker exits by SIGKILL that the kernel counted as OOM kills in the workers' memory cgroup.",
    labelNames: ['server', 'server_id'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const s of connected()) this.inc(serverLabels(s), store.counters(s.id)?.oomKills ?? 0);
    },
  });
  new Counter({
    name: 'gunicorn_requests_stuck_total', help: 'Requests that ran longer than the worker timeout (or GUNICORN_LIVE_STUCK_AFTER), each counted once, whatever ended them.',
    labelNames: ['server', 'server_id'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const s of connected()) this.inc(serverLabels(s), store.counters(s.id)?.requestsStuck ?? 0);
    },
  });
  tallied('gunicorn_master_signals_total', 'Signals the master received, by name.', 'signal', (c) => c.signals);
  new Counter({
    name: 'gunicorn_live_samples_lost_total', help: "Samples that never reached the hub (gaps in the agent's sequence, and what it dropped while the hub was away).",
    labelNames: ['server', 'server_id'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const s of connected()) this.inc(serverLabels(s), s.samplesLost ?? 0);
    },
  });
  new Gauge({
    name: 'gunicorn_master_cpu_percent', help: 'Master CPU use over the last interval, percent of one core.',
    labelNames: ['server', 'server_id'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const s of connected()) if (s.master?.cpuPercent != null) this.set(serverLabels(s), s.master.cpuPercent);
    },
  });
  new Gauge({
    name: 'gunicorn_master_memory_bytes', help: "The master's own resident set size.",
    labelNames: ['server', 'server_id'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const s of connected()) if (s.master?.rssBytes != null) this.set(serverLabels(s), s.master.rssBytes);
    },
  });
}
