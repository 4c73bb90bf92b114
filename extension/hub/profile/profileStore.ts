// One server's profiles: what its masters' profile frames said, by time slice, route, worker and stack,
// and the answers to "where did the time go" for a window, a route, a worker and a mode.
import type { ProfileFrame } from '../../protocol/agent';
import type { ProfileMode, ProfileResult } from '../../protocol/ui';
import { cpuOf, entryKey, MAX_ROUTE_IDS, ProfileSlices, splitKey, wallOf, type Slice } from './profileSlices';
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
        if (stack < 0 || route < 0 || !slice.add(entryKey(route, s.pid, stack), s.wall, s.cpu)) slice.truncate(s.pid, s.wall);
      }
    }
  }

  /** The window's counts after the filters: what every format is made from. */
  counts(query: ProfileQuery): ProfileCounts {
    const slices = this.slices.window(query.window);
    const routeFilter = query.route === undefined ? -1 : this.routeIds.get(query.route) ?? -2;
    const stacks = new Map<number, number>();
    const byRoute = new Map<number, [number, number]>();
    const pids = new Set<number>();
    let truncated = 0;
    for (const slice of slices) {
      for (const [pid, n] of slice.truncated) if (query.pid === undefined || pid === query.pid) truncated += n;
      for (const [key, packed] of slice.entries) {
        const { route, pid, stack } = splitKey(key);
        if (query.pid !== undefined && pid !== query.pid) continue;
        const wall = wallOf(packed);
        const cpu = cpuOf(packed);
        pids.add(pid);
        const r = byRoute.get(route) ?? [0, 0];
        r[0] += wall;
        r[1] += cpu;
        byRoute.set(route, r);
        if (routeFilter !== -1 && route !== routeFilter) continue;
        const n = query.mode === 'cpu' ? cpu : wall;
        if (n > 0) stacks.set(stack, (stacks.get(stack) ?? 0) + n);
      }
    }
    let samples = 0;
    for (const n of stacks.values()) samples += n;
    const routes = [...byRoute].map(([id, [wall, cpu]]) => ({ ...this.routes[id], samples: wall, cpu }))
      .sort((a, b) => b.samples - a.samples || routeName(a.method, a.route).localeCompare(routeName(b.method, b.route)));
    return { stacks, samples, truncated, routes, pids: [...pids].sort((a, b) => a - b), ...span(slices) };
  }

  /**
   * The window's samples per route ("METHOD ROUTE") and stack id, in the query's mode (its route filter
   * ignored): what line heat is made from. `requestsOnly` leaves out samples outside requests ((idle),
   * (no request)), whose methods are empty.
   */
  stacksByRoute(query: Omit<ProfileQuery, 'route'>, requestsOnly = false): Map<string, Map<number, number>> {
    const out = new Map<string, Map<number, number>>();
    for (const slice of this.slices.window(query.window)) {
      for (const [key, packed] of slice.entries) {
        const { route, pid, stack } = splitKey(key);
        if (query.pid !== undefined && pid !== query.pid) continue;
        const r = this.routes[route];
        if (!r || (requestsOnly && !r.method)) continue;
        const n = query.mode === 'cpu' ? cpuOf(packed) : wallOf(packed);
        if (n <= 0) continue;
        const name = routeName(r.method, r.route);
        let stacks = out.get(name);
        if (!stacks) out.set(name, (stacks = new Map<number, number>()));
        stacks.set(stack, (stacks.get(stack) ?? 0) + n);
      }
    }
    return out;
  }

  /** The profile as the API's json format and the dashboards show it. */
  query(serverId: string, query: ProfileQuery): ProfileResult {
    const counts = this.counts(query);
    return {
      serverId, window: query.window, from: counts.from, to: counts.to, mode: query.mode,
      route: query.route ?? null, pid: query.pid ?? null, hz: this.hz, profilerOn: this.profilerOn,
      samples: counts.samples, truncated: counts.truncated, routes: counts.routes, pids: counts.pids,
      root: buildTree(this.table, counts.stacks),
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
