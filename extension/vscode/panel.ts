// The dashboard as a VS Code webview panel: the same bundle as the browser dashboard, fed through
// postMessage with the same messages as /ws/ui. "Open Dashboard" reveals the panel shown last; panels
// VS Code restores after a reload (WebviewPanelSerializer, registered in extension.ts) each keep working.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderDashboardPage } from '../hub/dashboardPage';
import type { Hub } from '../hub/hub';
import { answerUi, relayStore, sendSnapshot } from '../hub/uiFeed';
import { uiToHub, type HubToUi } from '../protocol/ui';
import type { HubHost } from './hubHost';
import { openStackFrame } from './jumpToCode';
import { log } from './log';
import { saveProfile } from './saveProfile';

export const VIEW_TYPE = 'gunicornLive.dashboard';

export class DashboardPanel implements vscode.Disposable {
  /** Open panels, the most recently active last. */
  private static readonly open: DashboardPanel[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** Whether the webview's script runs (it said `ready`): messages posted before then are lost. */
  private ready = false;
  private pendingShow: HubToUi | undefined;

  /** Shows the panel, creating it if needed. */
  static async show(extensionUri: vscode.Uri, hubs: HubHost, preserveFocus = false): Promise<DashboardPanel> {
    const hub = await hubs.get();
    const existing = DashboardPanel.instance;
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      'Gunicorn Live',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      DashboardPanel.options(extensionUri),
    );
    return new DashboardPanel(panel, extensionUri, hub);
  }

  /** Re-attaches a panel VS Code restored after a reload. */
  static async revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, hubs: HubHost): Promise<void> {
    panel.webview.options = DashboardPanel.options(extensionUri);
    new DashboardPanel(panel, extensionUri, await hubs.get());
  }

  static get instance(): DashboardPanel | undefined {
    return DashboardPanel.open.at(-1);
  }

  /** Scripts on; the only local files the webview may load are the dashboard bundle's. */
  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    };
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly hub: Hub) {
    DashboardPanel.open.push(this);
    log().info('Dashboard panel opened');
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'gunicorn-live.svg');
    panel.webview.html = this.html(extensionUri);
    this.relay();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        if (!panel.active) return;
        const all = DashboardPanel.open;
        all.splice(all.indexOf(this), 1);
        all.push(this);
      }),
      panel.webview.onDidReceiveMessage((msg: unknown) => void this.onMessage(msg)),
    );
    this.sendSnapshot();
  }

  private html(extensionUri: vscode.Uri): string {
    const webview = this.panel.webview;
    const file = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
    return renderDashboardPage({
      scriptUri: file('dashboard.js'),
      styleUris: [file('codicon.css'), file('dashboard.css')],
      nonce: randomBytes(16).toString('base64'),
      cspSource: webview.cspSource,
      // The webview talks only to the extension (postMessage), never to the network.
      connectSrc: "'none'",
    });
  }

  /** Forwards what the hub's store says, exactly as /ws/ui does. */
  private relay(): void {
    this.disposables.push({ dispose: relayStore(this.hub.store, (message) => this.post(message)) });
  }

  private sendSnapshot(): void {
    sendSnapshot(this.hub.store, (message) => this.post(message));
  }

  private post(message: HubToUi): void {
    void this.panel.webview.postMessage(message);
  }

  /** Opens the Profile view on a server's route; a webview still loading gets it once it says it is ready. */
  showProfile(serverId: string, route: string | null): void {
    const message: HubToUi = { type: 'showProfile', serverId, route };
    if (this.ready) this.post(message);
    else this.pendingShow = message;
  }

  /** The webview may ask for a snapshot, a signal, a profile (as on /ws/ui), to open a stack frame's file or to save a profile; nothing else. */
  private async onMessage(msg: unknown): Promise<void> {
    const parsed = uiToHub.safeParse(msg);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'openFile') {
      await openStackFrame(message.file, message.line);
      return;
    }
    if (message.type === 'saveProfile') {
      await saveProfile(this.hub.store, message);
      return;
    }
    if (message.type === 'ready') {
      // After the snapshot: the server must be known to the view before it is selected.
      await answerUi(message, this.hub.store, (id, signal) => this.hub.sendSignal(id, signal), (m) => this.post(m));
      this.ready = true;
      if (this.pendingShow) this.post(this.pendingShow);
      this.pendingShow = undefined;
      return;
    }
    if (message.type === 'signal') log().info(`Dashboard: ${message.signal} to server ${message.serverId}`);
    await answerUi(message, this.hub.store, (id, signal) => this.hub.sendSignal(id, signal), (m) => this.post(m));
  }

  dispose(): void {
    const at = DashboardPanel.open.indexOf(this);
    if (at >= 0) DashboardPanel.open.splice(at, 1);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
