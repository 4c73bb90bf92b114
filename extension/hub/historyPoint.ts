// One sample turned into a point on the charts' shared time axis.
import type { SampleFrame } from '../protocol/agent';
import type { HistoryPoint } from '../protocol/ui';
import { Latency } from './latency';

export interface PreviousSample {
  at: number;
  workerRequests: Map<number, number>;
}

export function historyPoint(frame: SampleFrame, bounds: number[], previous: PreviousSample | null): HistoryPoint {
  const elapsed = previous ? frame.at - previous.at : 0;
  const seconds = elapsed > 0 ? elapsed : 1; // the first sample covers about one interval
  const latency = new Latency(bounds);
  const status = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  let completed = 0;
  for (const group of frame.requests) {
    completed += group.count;
    latency.add(group);
    const cls = `${Math.floor(group.status / 100)}xx`;
    if (cls in status) status[cls as keyof typeof status] += group.count / seconds;
  }
  const q = (p: number) => latency.quantile(p);
  const p50 = q(0.5);
  return {
    at: frame.at,
    rps: completed / seconds,
    workers: frame.workers.map((w) => {
      const before = previous?.workerRequests.get(w.pid);
      return {
        pid: w.pid, cpuPercent: w.cpuPercent, rssBytes: w.rssBytes, pssBytes: w.pssBytes ?? null,
        rps: before === undefined ? 0 : Math.max(0, w.requests - before) / seconds,
      };
    }),
    latency: p50 === null ? null : { p50, p95: q(0.95) ?? p50, p99: q(0.99) ?? p50 },
    status,
    ...(frame.workers.some((w) => w.state) ? { busy: frame.workers.filter((w) => w.state === 'busy').length } : {}),
  };
}
