// The status bar item: workers, requests per second and 5xx responses of the connected servers;
// a click opens the dashboard panel. Hidden until a server is connected.
import * as vscode from 'vscode';
import type { Hub } from '../hub/hub';
import type { HistoryPoint, ServerView } from '../protocol/ui';
import { formatRate } from '../../webview/format';
import type { HubHost } from './hubHost';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gunicornLive.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];
  /** The newest requests/s of each server, from its latest history point. */
  private readonly rps = new Map<string, number>();

  constructor(hubs: HubHost) {
    this.item.name = 'Gunicorn Live';
    this.item.command = 'gunicornLive.openDashboard';
    if (hubs.current) this.watch(hubs.current);
    this.disposables.push(hubs.onDidStart((hub) => this.watch(hub)));
  }

  private watch(hub: Hub): void {
    const onUpdate = (server: ServerView, point: HistoryPoint) => {
      this.rps.set(server.id, point.rps);
      this.render(hub);
    };
    const onServer = () => this.render(hub);
    hub.store.on('update', onUpdate);
    hub.store.on('server', onServer);
    hub.store.on('removed', onServer);
    this.disposables.push({
      dispose: () => {
        hub.store.off('update', onUpdate);
        hub.store.off('server', onServer);
        hub.store.off('removed', onServer);
      },
    });
    this.render(hub);
  }

  /** Responses with a 5xx status since the hub first saw each server. */
  private errors(hub: Hub, id: string): number {
    const totals = hub.store.requestTotals(id)?.totals ?? [];
    return totals.filter((t) => t.status >= 500).reduce((sum, t) => sum + t.count, 0);
  }

  private render(hub: Hub): void {
    const servers = hub.store.servers().filter((s) => s.connected);
    if (servers.length === 0) {
      this.item.hide();
      return;
    }
    const workers = servers.reduce((n, s) => n + s.workers.length, 0);
    const rps = servers.reduce((n, s) => n + (this.rps.get(s.id) ?? 0), 0);
    const errors = servers.reduce((n, s) => n + this.errors(hub, s.id), 0);
    this.item.text = `$(server-process) ${workers} workers · ${formatRate(rps)} req/s · ${errors} errors`;
    this.item.tooltip = `Gunicorn Live: ${servers.length} server${servers.length === 1 ? '' : 's'} (${servers.map((s) => s.app).join(', ')}); 5xx responses counted as errors. Click to open the dashboard.`;
    this.item.backgroundColor = errors > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  /** What the item shows now (for tests and the output channel). */
  get text(): string {
    return this.item.text;
  }

  get command(): string | undefined {
    const c = this.item.command;
    return typeof c === 'string' ? c : c?.command;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
