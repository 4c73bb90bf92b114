// The "Servers" view: each connected Gunicorn master, and under it its workers (pid, CPU, RSS, busy).
// Redrawn from the hub's store, at most twice a second however many samples arrive.
import * as vscode from 'vscode';
import type { Hub } from '../hub/hub';
import type { ServerView, WorkerView } from '../protocol/ui';
// The dashboard's formatting, so the tree and the charts read the same.
import { formatBytes, formatPercent } from '../../webview/format';
import type { HubHost } from './hubHost';

export type ServerNode = { kind: 'server'; server: ServerView };
export type WorkerNode = { kind: 'worker'; serverId: string; worker: WorkerView };
export type TreeNode = ServerNode | WorkerNode;

export class ServersTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private redrawTimer: NodeJS.Timeout | undefined;

  constructor(private readonly hubs: HubHost) {
    if (hubs.current) this.watch(hubs.current);
    this.disposables.push(hubs.onDidStart((hub) => this.watch(hub)));
  }

  private watch(hub: Hub): void {
    const redraw = () => this.scheduleRedraw();
    const events = ['update', 'server', 'removed'] as const;
    for (const e of events) hub.store.on(e, redraw);
    this.disposables.push({ dispose: () => { for (const e of events) hub.store.off(e, redraw); } });
    this.scheduleRedraw();
  }

  private scheduleRedraw(): void {
    this.redrawTimer ??= setTimeout(() => {
      this.redrawTimer = undefined;
      this.changed.fire(undefined);
    }, 500);
  }

  /** Connected servers, as the store has them now. */
  servers(): ServerView[] {
    return (this.hubs.current?.store.servers() ?? []).filter((s) => s.connected);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) return this.servers().map((server) => ({ kind: 'server', server }));
    if (node.kind === 'worker') return [];
    const now = this.hubs.current?.store.server(node.server.id) ?? node.server;
    return [...now.workers].sort((a, b) => a.age - b.age).map((worker) => ({ kind: 'worker', serverId: now.id, worker }));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.kind === 'server' ? serverItem(node.server) : workerItem(node);
  }

  dispose(): void {
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    for (const d of this.disposables) d.dispose();
  }
}

function serverItem(s: ServerView): vscode.TreeItem {
  const item = new vscode.TreeItem(s.app || s.serviceName || `pid ${s.masterPid}`, vscode.TreeItemCollapsibleState.Expanded);
  // Stable across redraws, so expansion state and selection survive every sample.
  item.id = `server:${s.id}`;
  const busy = s.workers.filter((w) => w.state === 'busy').length;
  item.description = `${s.workers.length}/${s.targetWorkers} workers${busy ? ` · ${busy} busy` : ''} · ${s.bind.join(', ')}`;
  item.tooltip = new vscode.MarkdownString(
    [
      `**${s.app}** (${s.workerClass})`,
      `master pid ${s.masterPid} on ${s.host}`,
      `bind: ${s.bind.join(', ') || '—'}`,
      `requests since seen: ${s.requestsTotal}`,
    ].join('  \n'),
  );
  item.iconPath = new vscode.ThemeIcon('server-process', new vscode.ThemeColor('charts.green'));
  item.contextValue = 'gunicornServer';
  return item;
}

function workerItem(node: WorkerNode): vscode.TreeItem {
  const w = node.worker;
  const item = new vscode.TreeItem(`pid ${w.pid}`, vscode.TreeItemCollapsibleState.None);
  item.id = `worker:${node.serverId}:${w.pid}`;
  const parts = [`CPU ${formatPercent(w.cpuPercent)}`, `RSS ${formatBytes(w.rssBytes)}`, `${w.requests} req`];
  if (w.state) parts.push(w.state);
  item.description = parts.join(' · ');
  item.tooltip = `Worker ${w.pid} (age ${w.age}), booted ${new Date(w.bootedAt * 1000).toLocaleTimeString()}`;
  item.iconPath = new vscode.ThemeIcon(w.state === 'busy' ? 'pulse' : 'circle-outline');
  item.contextValue = 'gunicornWorker';
  return item;
}
