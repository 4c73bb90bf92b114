// The dashboard entry, one bundle for both hosts: the browser page the hub serves and the VS Code
// webview. It wires the host adapter (transport) to the state and the views.
import './litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { Dashboard } from './dashboard';
import { installDebugHook } from './debugHook';
import { DashboardState, TIME_WINDOWS } from './state';
import { createTransport } from './transport';

const state = new DashboardState();
const transport = createTransport({
  message: (msg) => state.apply(msg),
  state: (connection) => state.setConnection(connection),
});

const saved = transport.loadState() as { windowSeconds?: number } | null;
if ((TIME_WINDOWS as readonly number[]).includes(saved?.windowSeconds ?? -1)) state.windowSeconds = saved!.windowSeconds!;

const dashboard = new Dashboard(document.getElementById('app')!, state, transport);
state.subscribe((change) => {
  if (change.kind === 'view') transport.saveState({ windowSeconds: state.windowSeconds });
});
installDebugHook(transport.host, state, dashboard.charts);
