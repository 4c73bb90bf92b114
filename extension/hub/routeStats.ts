// The routes table: totals per method and route since the hub first saw the server, with a rate
// smoothed over about a minute so a quiet second does not read as zero.
import type { RequestGroup } from '../protocol/agent';
import type { RouteView } from '../protocol/ui';
import { addBuckets, histogramQuantile } from './quantile';

const SMOOTHING_SECONDS = 60;
const ROUTES_SHOWN = 200;

interface RouteTotals {
  method: string;
  route: string;
  count: number;
  errors: number;
  buckets: number[];
  rps: number;
}

export class RouteStats {
  private readonly routes = new Map<string, RouteTotals>();

  constructor(private readonly bounds: number[]) {}

  /** Adds one interval's groups; `seconds` is the interval's length. */
  add(groups: RequestGroup[], seconds: number, maxRoutes: number): void {
    const inInterval = new Map<RouteTotals, number>();
    for (const g of groups) {
      let key = `${g.method} ${g.route}`;
      if (!this.routes.has(key) && this.routes.size >= maxRoutes) key = `${g.method} other`;
      let r = this.routes.get(key);
      if (!r) {
        r = { method: g.method, route: key.slice(g.method.length + 1), count: 0, errors: 0, buckets: [], rps: 0 };
        this.routes.set(key, r);
      }
      r.count += g.count;
      r.errors += g.status >= 500 ? g.count : (g.exceptions ?? 0);
      addBuckets(r.buckets, g.buckets);
      inInterval.set(r, (inInterval.get(r) ?? 0) + g.count);
    }
    const alpha = 1 - Math.exp(-seconds / SMOOTHING_SECONDS);
    for (const r of this.routes.values()) r.rps += alpha * ((inInterval.get(r) ?? 0) / seconds - r.rps);
  }

  views(): RouteView[] {
    return [...this.routes.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, ROUTES_SHOWN)
      .map((r) => ({
        method: r.method, route: r.route, count: r.count, rps: r.rps, errors: r.errors,
        p50: histogramQuantile(0.5, this.bounds, r.buckets),
        p95: histogramQuantile(0.95, this.bounds, r.buckets),
        p99: histogramQuantile(0.99, this.bounds, r.buckets),
      }));
  }
}
