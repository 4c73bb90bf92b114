// Entry point of the VS Code extension: wires commands, the task provider, the Servers view, the status
// bar and the dashboard panel to one lazily started hub. Each piece lives in its own module.
import './zodJitless';
import * as vscode from 'vscode';
import type { Hub } from '../hub/hub';
import { CHANGE_APP, changeApp, chooseFolder } from './appDetect';
import { registerAttachDocument, showAttachInstructions } from './attach';
import { DebugLaunched } from './debugLaunched';
import { registerDebugpy } from './debugpy';
import { TASK_TYPE, GunicornTaskProvider } from './gunicornTask';
import { HotLines } from './hotLines/hotLines';
import type { HotLine } from './hotLines/hotLinesDecorations';
import { HubHost } from './hubHost';
import { openStackFrame } from './jumpToCode';
import { LaunchedServers } from './launched';
import { launchServer, launchWithDebugger, type LaunchOverrides } from './launch';
import { disposeLog, errorLine, log } from './log';
import { notify, shown } from './notify';
import { DashboardPanel, VIEW_TYPE } from './panel';
import { ExceptionDiagnostics } from './problems/exceptionDiagnostics';
import { profileRoute } from './profileRoute';
import { SELECT_INTERPRETER } from './python';
import { picksShown, type ShownPick } from './quickPick';
import { registerReadOnlyFiles } from './readOnlyFiles';
import { selectInterpreter } from './selectInterpreter';
import { signalServer, stopServer, type ServerArg } from './serverCommands';
import { ServersTree } from './serversTree';
import { StatusBar } from './statusBar';

/** What activate() returns: read by the extension-host tests (and usable by other extensions). */
export interface GunicornLiveApi {
  hub(): Hub | undefined;
  tree: ServersTree;
  statusBarText(): string;
  /** What a click on the status bar item runs. */
  statusBarCommand(): string | undefined;
  panel(): vscode.WebviewPanel | undefined;
  launchedPids(): number[];
  /** Masters of the debug sessions this window launched. */
  debugLaunchedPids(): number[];
  /** The latest notifications this extension showed (kind, message, action titles), oldest first. */
  notifications(): Array<{ kind: string; message: string; actions: string[] }>;
  /** The latest QuickPicks shown: title and items, in order. */
  quickPicks(): ShownPick[];
  /** The hot lines an editor shows now (the active one by default), as decorated. */
  hotLines(editor?: vscode.TextEditor): HotLine[];
  /** Whether hot lines are shown, and the status bar item's text. */
  hotLinesState(): { enabled: boolean; statusText: string };
}

let shutdown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): GunicornLiveApi {
  const hubs = new HubHost(context.extensionPath);
  const launched = new LaunchedServers(hubs);
  const debugLaunched = new DebugLaunched();
  const tree = new ServersTree(hubs);
  const statusBar = new StatusBar(hubs);
  const hotLines = new HotLines(context.extensionUri, hubs);
  const openPanel = (preserveFocus = false) => DashboardPanel.show(context.extensionUri, hubs, preserveFocus);

  /** Runs a command, turning any failure into one logged line and one notification. */
  const command = (id: string, run: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        return await run(...args);
      } catch (err) {
        log().error(`${id}: ${errorLine(err)}`);
        void vscode.window.showErrorMessage(`Gunicorn Live: ${errorLine(err)}`);
        return undefined;
      }
    });

  context.subscriptions.push(
    launched,
    debugLaunched,
    registerDebugpy(),
    registerAttachDocument(),
    registerReadOnlyFiles(),
    tree,
    statusBar,
    hotLines,
    new ExceptionDiagnostics(hubs),
    hubs,
    vscode.window.registerTreeDataProvider('gunicornLive.servers', tree),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new GunicornTaskProvider(hubs)),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: (panel) => DashboardPanel.revive(panel, context.extensionUri, hubs),
    }),
    command('gunicornLive.launch', (overrides?: LaunchOverrides) => launchServer(hubs, launched, () => openPanel(true), overrides)),
    command('gunicornLive.launchWithDebugger', (overrides?: LaunchOverrides) => launchWithDebugger(hubs, launched, debugLaunched, () => openPanel(true), overrides)),
    command('gunicornLive.openDashboard', async () => (await openPanel()).panel.active),
    command('gunicornLive.openDashboardInBrowser', async () => {
      const hub = await hubs.get();
      // Remote windows (SSH, code-server) reach the loopback hub through a forwarded address.
      const uri = await vscode.env.asExternalUri(vscode.Uri.parse(hub.dashboardUrl));
      // The page then comes from the forwarding origin: let it open /ws/ui too.
      hub.allowOrigin(`${uri.scheme}://${uri.authority}`);
      return vscode.env.openExternal(uri);
    }),
    command('gunicornLive.attach', async () => showAttachInstructions(await hubs.get())),
    command('gunicornLive.reload', (arg: ServerArg) => signalServer(hubs, arg, 'HUP', 'Reload Workers')),
    command('gunicornLive.reopenLogs', (arg: ServerArg) => signalServer(hubs, arg, 'USR1', 'Reopen Logs')),
    command('gunicornLive.addWorker', (arg: ServerArg) => signalServer(hubs, arg, 'TTIN', 'Add Worker')),
    command('gunicornLive.removeWorker', (arg: ServerArg) => signalServer(hubs, arg, 'TTOU', 'Remove Worker')),
    command('gunicornLive.stop', (arg: ServerArg) => stopServer(hubs, launched, debugLaunched, arg)),
    command('gunicornLive.openStackFrame', (file: string, line: number) => openStackFrame(file, line)),
    command('gunicornLive.showLog', () => log().show()),
    command(SELECT_INTERPRETER, () => selectInterpreter()),
    command(CHANGE_APP, async () => changeApp(await chooseFolder())),
    command('gunicornLive.profileRoute', (route?: string) => profileRoute(hubs, () => openPanel(), typeof route === 'string' ? route : undefined)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!hubs.current || !(e.affectsConfiguration('gunicornLive.hub.host') || e.affectsConfiguration('gunicornLive.hub.port'))) return;
      // Running agents report to the hub's current address, so it is not moved under them.
      notify('info', 'Gunicorn Live: the hub keeps its address until the window reloads; servers running now report there.', {
        'Reload Window': () => vscode.commands.executeCommand('workbench.action.reloadWindow'),
      });
    }),
  );

  shutdown = async () => {
    // Servers first: their agents would otherwise log reconnect attempts against a closed hub.
    await launched.stopAll();
    await hubs.close();
  };
  log().info(`Activated (VS Code ${vscode.version}, ${vscode.env.remoteName ? `remote: ${vscode.env.remoteName}` : 'local'})`);

  return {
    hub: () => hubs.current,
    tree,
    statusBarText: () => statusBar.text,
    statusBarCommand: () => statusBar.command,
    panel: () => DashboardPanel.instance?.panel,
    launchedPids: () => launched.all(),
    debugLaunchedPids: () => debugLaunched.all(),
    notifications: () => [...shown],
    quickPicks: () => [...picksShown],
    hotLines: (editor = vscode.window.activeTextEditor) => (editor ? hotLines.shownIn(editor) : []),
    hotLinesState: () => ({ enabled: hotLines.toggle.enabled, statusText: hotLines.toggle.text }),
  };
}

export async function deactivate(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
  disposeLog();
}
