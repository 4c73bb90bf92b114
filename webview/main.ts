// The dashboard entry, one bundle for both hosts: the browser page the hub serves and the VS Code
// webview. It wires the host adapter (transport) to the state and the views.
import './litNonce';
// The stylesheets, bundled: esbuild writes them as dist/webview/dashboard.css next to the script.
import './styles.css';
import { Dashboard } from './dashboard';
import { installDebugHook } from './debugHook';
import { defineElements } from './elements';
import { formatCount } from './format';
import { nextTask } from './nextTask';
import { perf } from './perf';
import { DashboardState, TIME_WINDOWS } from './state';
import { createTransport } from './transport';

const state = new DashboardState();
const transport = createTransport({
  // Timed by kind, for the render benchmark (bench/ui): the views redraw inside apply().
  message: (msg) => perf.time(`message:${msg.type}`, () => state.apply(msg)),
  state: (connection) => state.setConnection(connection),
});

let dashboard: Dashboard | null = null;
installDebugHook(transport.host, state, () => dashboard?.charts ?? null, () => dashboard?.profile ?? null);

// Each piece in a short task of its own, so none is long: this module's evaluation (the connection is
// already opening); the saved preferences (the browser's localStorage opens on first use, ~10 ms);
// then the views, which show the connection state at once. The components' code and the charts'
// (charts.ts) arrive by import() and evaluate in tasks of their own. Messages arriving meanwhile are
// already kept in `state`.
nextTask(() => {
  const saved = transport.loadState() as { windowSeconds?: number } | null;
  if ((TIME_WINDOWS as readonly number[]).includes(saved?.windowSeconds ?? -1)) state.windowSeconds = saved!.windowSeconds!;
  // The first Intl formatter loads locale data (~15 ms): now, rather than inside the first table redraw.
  nextTask(() => formatCount(0));
  nextTask(() => {
    dashboard = new Dashboard(document.getElementById('app')!, state, transport);
    state.subscribe((change) => {
      if (change.kind === 'view') transport.saveState({ windowSeconds: state.windowSeconds });
    });
    defineElements().catch((err: unknown) => console.error(`gunicorn-live: the dashboard's components did not load: ${String(err)}`));
  });
});
