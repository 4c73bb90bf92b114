// Per-route request figures: totals since the hub first saw the server (the routes table), with a rate
// smoothed over about a minute so a quiet second does not read as zero; and the same over any recent
// window (GET /api/servers/:id/routes?window=S), merged exactly from time slots: one-second slots for the
// last five minutes, ten-second slots for the hour.
import type { RequestGroup } from '../protocol/agent';
import type { RouteView } from '../protocol/ui';
import { Latency } from './latency';
import { errorsOf, RouteSlots } from './routeSlots';

const SMOOTHING_SECONDS = 60;
const ROUTES_SHOWN = 200;
/** The longest window /routes answers: the history's hour. */
export const MAX_ROUTE_WINDOW_SECONDS = 3600;

interface RouteTotals {
  method: string;
  route: string;
  count: number;
  errors: number;
  aborted: number;
  latency: Latency;
  rps: number;
}

/** One route over a window, as GET /api/servers/:id/routes answers it (quantiles, min, max in seconds). */
export interface RouteWindowView {
  method: string;
  route: string;
  count: number;
  /** Requests per second over the window. */
  rate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
  errors: number;
  /** Of count, requests a worker was serving as it died. */
  aborted: number;
}

export class RouteStats {
  private readonly routes = new Map<string, RouteTotals>();
  private readonly fine: RouteSlots;
  private readonly coarse: RouteSlots;

  /** `bounds`: an older agent's classic bounds (exponential histograms need none). */
  constructor(private readonly bounds: number[]) {
    this.fine = new RouteSlots(1, 300, bounds);
    this.coarse = new RouteSlots(10, MAX_ROUTE_WINDOW_SECONDS / 10, bounds);
  }

  /** Adds one interval's groups, ending at `at` (epoch seconds); `seconds` is the interval's length. */
  add(groups: RequestGroup[], seconds: number, maxRoutes: number, at = Date.now() / 1000): void {
    const inInterval = new Map<RouteTotals, number>();
    for (const g of groups) {
      let key = `${g.method} ${g.route}`;
      if (!this.routes.has(key) && this.routes.size >= maxRoutes) key = `${g.method} other`;
      let r = this.routes.get(key);
      if (!r) {
        r = { method: g.method, route: key.slice(g.method.length + 1), count: 0, errors: 0, aborted: 0, latency: new Latency(this.bounds), rps: 0 };
        this.routes.set(key, r);
      }
      r.count += g.count;
      r.errors += errorsOf(g);
      r.aborted += g.aborted ?? 0;
      r.latency.add(g);
      inInterval.set(r, (inInterval.get(r) ?? 0) + g.count);
      this.fine.add(at, key, r.method, r.route, g);
      this.coarse.add(at, key, r.method, r.route, g);
    }
    const alpha = 1 - Math.exp(-seconds / SMOOTHING_SECONDS);
    for (const r of this.routes.values()) r.rps += alpha * ((inInterval.get(r) ?? 0) / seconds - r.rps);
  }

  views(): RouteView[] {
    return [...this.routes.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, ROUTES_SHOWN)
      .map((r) => ({
        method: r.method, route: r.route, count: r.count, rps: r.rps, errors: r.errors, aborted: r.aborted,
        p50: r.latency.quantile(0.5),
        p95: r.latency.quantile(0.95),
        p99: r.latency.quantile(0.99),
      }));
  }

  /** Every route with requests in the last `window` seconds before `now`, busiest first. */
  window(window: number, now = Date.now() / 1000): RouteWindowView[] {
    const slots = window <= this.fine.span ? this.fine : this.coarse;
    return [...slots.merged(now - window, now).values()]
      .sort((a, b) => b.count - a.count)
      .map((r) => {
        const range = r.latency.range();
        return {
          method: r.method, route: r.route, count: r.count, rate: r.count / window,
          p50: r.latency.quantile(0.5), p95: r.latency.quantile(0.95), p99: r.latency.quantile(0.99),
          min: range?.min ?? null, max: range?.max ?? null, errors: r.errors, aborted: r.aborted,
        };
      });
  }
}
