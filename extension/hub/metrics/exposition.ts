// Route-cardinality and per-worker series written straight to the Prometheus text format. prom-client's
// registry formats each value through generic label handling; at 200 routes × 13 histogram lines that
// cost ~15 ms a scrape, this ~1 ms. Lifecycle series (a few per server) stay with prom-client.
import type { ServerSummary } from '../store';

export interface HistogramSeries {
  /** Already rendered label pairs, e.g. `server="a",method="GET",route="/"`. */
  labels: string;
  /** Upper bounds, ascending; `counts` has one more slot, for +Inf. Counts are per bucket, not cumulative. */
  bounds: number[];
  counts: number[];
  sum: number;
}

export interface CounterSeries {
  labels: string;
  value: number;
}

/** `server` is the service name, which servers may share (two hosts or binds running `app:app`); `server_id`,
 * the store's id (stable across restarts, one per host, service and binds), keeps every series unique. */
export function serverLabels(s: ServerSummary): { server: string; server_id: string } {
  return { server: s.serviceName, server_id: s.id };
}

/** Label pairs with values escaped as the exposition format requires (backslash, quote, newline). */
export function labelPairs(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

export function renderCounter(name: string, help: string, series: CounterSeries[]): string {
  let text = `# HELP ${name} ${help}\n# TYPE ${name} counter\n`;
  for (const s of series) text += `${name}{${s.labels}} ${s.value}\n`;
  return text;
}

export function renderGauge(name: string, help: string, series: CounterSeries[]): string {
  let text = `# HELP ${name} ${help}\n# TYPE ${name} gauge\n`;
  for (const s of series) text += `${name}{${s.labels}} ${s.value}\n`;
  return text;
}

export function renderHistogram(name: string, help: string, series: HistogramSeries[]): string {
  let text = `# HELP ${name} ${help}\n# TYPE ${name} histogram\n`;
  for (const s of series) {
    const open = `${name}_bucket{${s.labels}${s.labels ? ',' : ''}le="`;
    let cumulative = 0;
    for (let i = 0; i < s.bounds.length; i++) {
      cumulative += s.counts[i] ?? 0;
      text += `${open}${s.bounds[i]}"} ${cumulative}\n`;
    }
    cumulative += s.counts[s.bounds.length] ?? 0;
    text += `${open}+Inf"} ${cumulative}\n${name}_sum{${s.labels}} ${s.sum}\n${name}_count{${s.labels}} ${cumulative}\n`;
  }
  return text;
}
