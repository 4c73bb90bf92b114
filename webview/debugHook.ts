// A read-only window.__gunicornLive for the browser tests and the render benchmark: proves the charts
// really hold points and says what the page's work cost, without reaching into Chart.js internals.
import { CHART_NAMES, type DashboardCharts } from './charts';
import { perf, type Timing } from './perf';
import type { ProfileView } from './profile/profileView';
import type { DashboardState } from './state';

export interface DebugHook {
  readonly host: 'browser' | 'vscode';
  readonly pointsReceived: number;
  readonly messagesReceived: number;
  readonly connection: string;
  readonly selectedServerId: string | null;
  /** True while some chart has points it has not drawn yet. */
  readonly chartsPending: boolean;
  charts(): ReturnType<DashboardCharts['counts']>;
  /** Markers on the shared time axis, by kind. */
  markers(): Record<string, number>;
  workerPids(): number[];
  /** The Profile view's model: state, samples, frames drawn, top function, zoom. */
  profile(): Record<string, unknown> | null;
  /** Where the widest drawn frame of a function is on the flame canvas (CSS pixels), for hovering. */
  profileBox(name: string): { x: number; y: number; w: number } | null;
  perf(): Record<string, Timing>;
  resetPerf(): void;
}

/** Installed as the page starts; `charts` is null until the views exist (a task later). */
export function installDebugHook(host: 'browser' | 'vscode', state: DashboardState, charts: () => DashboardCharts | null, profile: () => ProfileView | null): void {
  const hook: DebugHook = {
    host,
    get pointsReceived() { return charts()?.pointsReceived ?? 0; },
    get messagesReceived() { return state.messagesReceived; },
    get connection() { return state.connection.kind; },
    get selectedServerId() { return state.selectedId; },
    get chartsPending() { return charts()?.pending ?? true; },
    charts: () => charts()?.counts() ?? noCharts(),
    markers: () => {
      const byKind: Record<string, number> = {};
      for (const m of charts()?.markers.list ?? []) byKind[m.kind] = (byKind[m.kind] ?? 0) + 1;
      return byKind;
    },
    workerPids: () => state.selected?.view.workers.map((w) => w.pid) ?? [],
    profile: () => profile()?.facts() ?? null,
    profileBox: (name) => profile()?.flame.boxOf(name) ?? null,
    perf: () => perf.snapshot(),
    resetPerf: () => perf.reset(),
  };
  Object.defineProperty(window, '__gunicornLive', { value: Object.freeze(hook), enumerable: false });
}

const noCharts = () => Object.fromEntries(CHART_NAMES.map((name) => [name, []])) as unknown as ReturnType<DashboardCharts['counts']>;
