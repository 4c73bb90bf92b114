// A read-only window.__gunicornLive for the browser tests: proves the charts really hold points,
// without the tests reaching into Chart.js internals.
import type { DashboardCharts } from './charts';
import type { DashboardState } from './state';

export interface DebugHook {
  readonly host: 'browser' | 'vscode';
  readonly pointsReceived: number;
  readonly messagesReceived: number;
  readonly connection: string;
  readonly selectedServerId: string | null;
  charts(): ReturnType<DashboardCharts['counts']>;
  workerPids(): number[];
}

export function installDebugHook(host: 'browser' | 'vscode', state: DashboardState, charts: DashboardCharts): void {
  const hook: DebugHook = {
    host,
    get pointsReceived() { return charts.pointsReceived; },
    get messagesReceived() { return state.messagesReceived; },
    get connection() { return state.connection.kind; },
    get selectedServerId() { return state.selectedId; },
    charts: () => charts.counts(),
    workerPids: () => state.selected?.view.workers.map((w) => w.pid) ?? [],
  };
  Object.defineProperty(window, '__gunicornLive', { value: Object.freeze(hook), enumerable: false });
}
