// The "Latency p95" card: the newest interval that had requests, and how long ago that was. The newest
// interval alone read "— no requests" whenever the server was idle for one sample, after any number of requests.
import type { HistoryPoint } from '../extension/protocol/ui';
import { formatLatency } from './format';

export function latencyCard(history: readonly HistoryPoint[]): { value: string; note: string } {
  const latest = history[history.length - 1];
  if (!latest) return { value: '—', note: 'no samples yet' };
  for (let i = history.length - 1; i >= 0; i--) {
    const latency = history[i].latency;
    if (!latency) continue;
    const spread = `p50 ${formatLatency(latency.p50)} · p99 ${formatLatency(latency.p99)}`;
    const ago = Math.round(latest.at - history[i].at);
    return { value: formatLatency(latency.p95), note: i === history.length - 1 ? spread : `${spread} · last requests ${ago} s ago` };
  }
  // `undefined` (not null): the agent does not report latencies at all.
  return { value: '—', note: history.some((p) => p.latency === null) ? 'no requests yet' : 'not reported' };
}
