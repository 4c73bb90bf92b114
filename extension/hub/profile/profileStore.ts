// One server's profiles: what its masters' profile frames said, by time slice, route, worker and stack,
// and the answers to "where did the time go" for a window, a route, a worker and a mode.
import type { ProfileFrame } from '../../protocol/agent';
import type { ProfileMode, ProfileResult } from '../../protocol/ui';
import { MAX_ROUTE_IDS, ProfileSlices, routeOf, routeStack, Slice, stackOf } from './profileSlices';
import { buildTree } from './profileTree';
import { StackTable } from './stackTable';

export interface ProfileQuery {
  /** Seconds back from the newest profile. */
  window: number;
  /** "METHOD ROUTE" (as the routes list names them: method and route joined by one space); all when absent. */
  route?: string;
  pid?: number;
  mode: ProfileMode;
}

/** A window's samples, before they become a tree or a file. */
export interface ProfileCounts {
  /** Samples per stack id (of `table`), in the mode asked for. */
  stacks: Map<number, number>;
  samples: number;
  truncated: number;
  routes: ProfileResult['routes'];
  pids: number[];
  from: number | null;
  to: number | null;
}

/** "METHOD ROUTE", or the route alone for samples outside requests (whose method is empty). */
export function routeName(method: string, route: string): string {
  return method ? `${method} ${route}` : route;
}

export class ProfileStore {
  readonly table = new StackTable();
  private readonly slices = new ProfileSlices();
  private readonly routeIds = new Map<string, number>();
  private readonly routes: { method: string; route: string }[] = [];
  /** The sampling rate of the newest frame, else the current master's hello. */
  hz: number | null = null;
  /** From the current master's hello: profileHz null (off) or absent (an agent older than 1.2) → false. */
  profilerOn = false;

  /** The current master said hello (`profileHz` as it came). */
  hello(profileHz: number | null | undefined): void {
    this.profilerOn = typeof profileHz === 'number';
    if (this.profilerOn) this.hz = profileHz!;
  }

  add(frame: ProfileFrame): void {
    this.hz = frame.hz;
    const slices = this.slices.slicesAt(frame.at);
    if (slices.length === 0) return;
    const frameIds = frame.frames.map((f) => this.table.frameId(f));
    const stackIds = frame.stacks.map((s) => this.table.stackId(s.map((i) => frameIds[i] ?? -1)));
    for (const t of frame.truncated ?? []) for (const slice of slices) slice.truncate(t.pid, t.samples);
    for (const s of frame.samples) {
      const stack = stackIds[s.stack] ?? -1;
      const route = this.routeId(s.method, s.route);
      for (const slice of slices) {
        if (stack < 0 || route < 0 || !slice.add(routeStack(route, stack), s.pid, s.wall, s.cpu)) slice.truncate(s.pid, s.wall);
      }
    }
  }

  /** The window's counts after the filters: what every format is made from. */
  counts(query: ProfileQuery): ProfileCounts {
    const slices = this.slices.window(query.window);
    const wanted = query.route === undefined ? -1 : this.routeIds.get(query.route) ?? -2;
    const pidFilter = query.pid ?? -1;
    const cpuMode = query.mode === 'cpu';
    // Dense accumulators by id: the loop below runs once per entry of every slice in the window.
    const perStack = new Float64Array(this.table.stacks.length);
    const routeWall = new Float64Array(this.routes.length);
    const routeCpu = new Float64Array(this.routes.length);
    const pids = new Set<number>();
    let truncated = 0;
    for (const slice of slices) {
      for (const [pid, n] of slice.truncated) if (pidFilter < 0 || pid === pidFilter) truncated += n;
      // Summed over workers unless one is asked for (or the slice is still open): the per-route figures
      // need every route, the stacks only the wanted one's range.
      const e = slice.entries(pidFilter >= 0);
      for (let i = 0; i < e.n; i++) {
        if (e.pid) {
          if (pidFilter >= 0 && e.pid[i] !== pidFilter) continue;
          pids.add(e.pid[i]);
        }
        const route = routeOf(e.rs[i]);
        routeWall[route] += e.wall[i];
        routeCpu[route] += e.cpu[i];
        if (wanted === -1 || route === wanted) perStack[stackOf(e.rs[i])] += cpuMode ? e.cpu[i] : e.wall[i];
      }
      if (!e.pid) for (const pid of slice.pids()) pids.add(pid);
    }
    const stacks = new Map<number, number>();
    let samples = 0;
    perStack.forEach((n, stack) => {
      if (n > 0) {
        stacks.set(stack, n);
        samples += n;
      }
    });
    const routes: ProfileResult['routes'] = [];
    routeWall.forEach((wall, id) => {
      if (wall > 0) routes.push({ ...this.routes[id], samples: wall, cpu: routeCpu[id] });
    });
    routes.sort((a, b) => b.samples - a.samples || routeName(a.method, a.route).localeCompare(routeName(b.method, b.route)));
    return { stacks, samples, truncated, routes, pids: [...pids].sort((a, b) => a - b), ...span(slices) };
  }

  /**
   * The window's samples per route ("METHOD ROUTE") and stack id, in the query's mode (its route filter
   * ignored): what line heat is made from. `requestsOnly` leaves out samples outside requests ((idle),
   * (no request)), whose methods are empty.
   */
  stacksByRoute(query: Omit<ProfileQuery, 'route'>, requestsOnly = false): Map<string, Map<number, number>> {
    const out = new Map<string, Map<number, number>>();
    const pidFilter = query.pid ?? -1;
    for (const slice of this.slices.window(query.window)) {
      const e = slice.entries(pidFilter >= 0);
      for (let i = 0; i < e.n; i++) {
        if (pidFilter >= 0 && e.pid && e.pid[i] !== pidFilter) continue;
        const r = this.routes[routeOf(e.rs[i])];
        if (!r || (requestsOnly && !r.method)) continue;
        const n = query.mode === 'cpu' ? e.cpu[i] : e.wall[i];
        if (n <= 0) continue;
        const name = routeName(r.method, r.route);
        let stacks = out.get(name);
        if (!stacks) out.set(name, (stacks = new Map<number, number>()));
        const stack = stackOf(e.rs[i]);
        stacks.set(stack, (stacks.get(stack) ?? 0) + n);
      }
    }
    return out;
  }

  /** The profile as the API's json format and the dashboards show it; `minShare` (0–1) merges the nodes
   *  smaller than that share of all samples (buildTree), for dashboards that cannot draw them anyway. */
  query(serverId: string, query: ProfileQuery, minShare = 0): ProfileResult {
    const counts = this.counts(query);
    return {
      serverId, window: query.window, from: counts.from, to: counts.to, mode: query.mode,
      route: query.route ?? null, pid: query.pid ?? null, hz: this.hz, profilerOn: this.profilerOn,
      samples: counts.samples, truncated: counts.truncated, routes: counts.routes, pids: counts.pids,
      root: buildTree(this.table, counts.stacks, Math.ceil(counts.samples * minShare)),
    };
  }

  private routeId(method: string, route: string): number {
    const name = routeName(method, route);
    let id = this.routeIds.get(name);
    if (id === undefined) {
      if (this.routes.length >= MAX_ROUTE_IDS) return -1;
      id = this.routes.length;
      this.routes.push({ method, route });
      this.routeIds.set(name, id);
    }
    return id;
  }
}

function span(slices: Slice[]): { from: number | null; to: number | null } {
  if (slices.length === 0) return { from: null, to: null };
  const last = slices[slices.length - 1];
  return { from: slices[0].start, to: last.start + last.seconds };
}
