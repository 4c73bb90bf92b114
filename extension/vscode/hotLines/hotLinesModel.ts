// What the hot lines show: the hub's profiles (every connected server: what runs now) over the window, as
// line and function heat, keyed by the file's real path so a workspace file matches the path a worker
// reported. Recomputed at most every REFRESH_MS, only when frames arrived (or the window slid), and only
// while someone is looking (hotLines.ts).
import { realpathSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { Hub } from '../../hub/hub';
import { lineHeat, type FileHeat, type HeatMap, type HeatSource } from '../../hub/profile/lineHeat';
import type { HubHost } from '../hubHost';
import { hotLinesSettings } from './hotLinesSettings';

export const REFRESH_MS = 2000;
/** Even without new frames, old samples leave the window: recompute this often anyway. */
const STALE_MS = 15_000;

export interface HotFile {
  heat: FileHeat;
  /** All samples of the window (the denominator of every share). */
  samples: number;
}

export class HotLinesModel implements vscode.Disposable {
  private heat: HeatMap = { samples: 0, files: new Map() };
  /** Real path → the file's heat (files reported under another path, through a symlink, meet here). */
  private byRealPath = new Map<string, FileHeat>();
  /** Each route's p50 latency (seconds) over the window, from the busiest server serving it. */
  private p50s = new Map<string, number>();
  private readonly realPaths = new Map<string, string>();
  private dirty = true;
  private computedAt = 0;
  /** Ten times the last recompute's duration: a huge profile is refreshed less often, not at a higher cost. */
  private backoffMs = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires after a recompute changed what is known. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly hubs: HubHost) {
    if (hubs.current) this.watch(hubs.current);
    this.disposables.push(hubs.onDidStart((hub) => this.watch(hub)));
  }

  private watch(hub: Hub): void {
    // New samples, or a server (dis)connected.
    const onChange = () => {
      this.dirty = true;
    };
    for (const event of ['profile', 'server', 'removed'] as const) {
      hub.store.on(event, onChange);
      this.disposables.push({ dispose: () => hub.store.off(event, onChange) });
    }
  }

  /** Recomputes if frames came since the last time (or it is stale) and REFRESH_MS passed; true if it did. */
  refresh(now = Date.now(), force = false): boolean {
    const hub = this.hubs.current;
    if (!hub) return false;
    if (!force && !(this.dirty || now - this.computedAt >= STALE_MS)) return false;
    if (!force && now - this.computedAt < Math.max(REFRESH_MS, this.backoffMs)) return false;
    this.dirty = false;
    this.computedAt = now;
    const started = performance.now();
    const { window, mode } = hotLinesSettings();
    const sources: HeatSource[] = [];
    const p50s = new Map<string, [count: number, p50: number]>();
    for (const server of hub.store.summaries()) {
      if (!server.connected) continue;
      const profiles = hub.store.profiles(server.id);
      if (!profiles) continue;
      sources.push({ frames: profiles.table.frames, stacks: profiles.table.stacks, byRoute: profiles.stacksByRoute({ window, mode }, true) });
      for (const r of hub.store.routeWindow(server.id, Math.min(window, 300)) ?? []) {
        const name = `${r.method} ${r.route}`;
        if (r.p50 !== null && (p50s.get(name)?.[0] ?? -1) < r.count) p50s.set(name, [r.count, r.p50]);
      }
    }
    this.heat = lineHeat(sources);
    this.p50s = new Map([...p50s].map(([name, [, p50]]) => [name, p50]));
    this.byRealPath = new Map();
    for (const [file, heat] of this.heat.files) {
      const real = this.realPath(file);
      if (!this.byRealPath.has(real)) this.byRealPath.set(real, heat);
    }
    this.backoffMs = 10 * (performance.now() - started);
    this.changed.fire();
    return true;
  }

  /** The heat of a document's file, when a profile sampled it. */
  file(uri: vscode.Uri): HotFile | undefined {
    if (uri.scheme !== 'file') return undefined;
    const heat = this.byRealPath.get(this.realPath(uri.fsPath));
    return heat && { heat, samples: this.heat.samples };
  }

  p50(route: string): number | undefined {
    return this.p50s.get(route);
  }

  get samples(): number {
    return this.heat.samples;
  }

  /** Resolved once per path: a worker's files and the workspace's rarely move under a running server. */
  private realPath(path: string): string {
    let real = this.realPaths.get(path);
    if (real === undefined) {
      try {
        real = realpathSync(path);
      } catch {
        real = path;
      }
      if (this.realPaths.size > 10_000) this.realPaths.clear();
      this.realPaths.set(path, real);
    }
    return real;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
