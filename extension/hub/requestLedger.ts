// Server-wide request totals per method, route and status, summed from the agents' per-interval
// deltas. Counts only grow; the number of series is capped so a misbehaving agent cannot blow up /metrics.
import type { RequestGroup } from '../protocol/agent';
import { Latency, durationsOf } from './latency';
import { addBuckets } from './quantile';

export interface RequestTotals {
  method: string;
  route: string;
  status: number;
  count: number;
  /** Of `count`, requests whose app code raised. */
  exceptions: number;
  /** Of `count`, requests a worker was serving as it died (status 0, protocol 1.3). */
  aborted: number;
  durationSum: number;
  /** Per-bucket counts (not cumulative), aligned with the histogram bounds plus +Inf. */
  buckets: number[];
  responseBytes: number;
  /** The durations as an exponential histogram, with min and max, when the agent sends them (protocol 1.1). */
  latency: Latency;
}

/** Distinct method/route/status series a server may have; more fold into route `other`, by method and status. */
export const MAX_REQUEST_SERIES = 1000;

/** Methods `other` keeps by name (the agent's list); any other verb from the wire is `OTHER`, so the series
 * past the cap stay bounded by methods × statuses whatever an agent sends. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'OTHER']);

export class RequestLedger {
  private readonly series = new Map<string, RequestTotals>();

  /** `bounds`: the classic buckets of /metrics — the hub's own when the agent sends exponential histograms
   * (they are derived from those), else the agent's. */
  constructor(readonly bounds: number[]) {}

  add(group: RequestGroup): void {
    let { method, route } = group;
    if (this.series.size >= MAX_REQUEST_SERIES && !this.series.has(key(method, group.status, route))) {
      route = 'other';
      if (!KNOWN_METHODS.has(method)) method = 'OTHER';
    }
    const k = key(method, group.status, route);
    let totals = this.series.get(k);
    if (!totals) {
      totals = { method, route, status: group.status, count: 0, exceptions: 0, aborted: 0, durationSum: 0,
        buckets: new Array<number>(this.bounds.length + 1).fill(0), responseBytes: 0, latency: new Latency(this.bounds) };
      this.series.set(k, totals);
    }
    totals.count += group.count;
    totals.exceptions += group.exceptions ?? 0;
    totals.aborted += group.aborted ?? 0;
    totals.durationSum += group.durationSum;
    totals.responseBytes += group.responseBytes;
    const durations = durationsOf(group);
    if (durations) {
      addBuckets(totals.buckets, durations.classic(this.bounds));
      totals.latency.add(group);
    } else {
      addBuckets(totals.buckets, group.buckets.slice(0, this.bounds.length + 1));
    }
  }

  totals(): RequestTotals[] {
    return [...this.series.values()];
  }
}

function key(method: string, status: number, route: string): string {
  return `${method} ${status} ${route}`;
}
