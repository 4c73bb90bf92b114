// The dashboard entry, one bundle for both hosts: the browser page the hub serves and the VS Code
// webview. It wires the host adapter (transport) to the state and the views.
import './litNonce';
// The stylesheets, bundled: esbuild writes them as dist/webview/dashboard.css next to the script.
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { Dashboard } from './dashboard';
import { installDebugHook } from './debugHook';
import { perf } from './perf';
import { DashboardState, TIME_WINDOWS } from './state';
import { createTransport } from './transport';

const state = new DashboardState();
const transport = createTransport({
  // Timed by kind, for the render benchmark (bench/ui): the views redraw inside apply().
  message: (msg) => perf.time(`message:${msg.type}`, () => state.apply(msg)),
  state: (connection) => state.setConnection(connection),
});

const saved = transport.loadState() as { windowSeconds?: number } | null;
if ((TIME_WINDOWS as readonly number[]).includes(saved?.windowSeconds ?? -1)) state.windowSeconds = saved!.windowSeconds!;

// The views (six charts among them) are built in a task of their own, after the bundle's evaluation:
// two shorter tasks instead of one long one. Messages arriving meanwhile are already kept in `state`.
setTimeout(() => {
  const dashboard = new Dashboard(document.getElementById('app')!, state, transport);
  state.subscribe((change) => {
    if (change.kind === 'view') transport.saveState({ windowSeconds: state.windowSeconds });
  });
  installDebugHook(transport.host, state, dashboard.charts);
}, 0);
