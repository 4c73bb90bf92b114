// The dashboard's model: connection state, every server the hub knows, a bounded history per server,
// and the user's view choices. Views subscribe to typed changes and redraw only what changed.
import type { LifecycleEvent } from '../extension/protocol/agent';
import { HISTORY_SECONDS, MAX_HISTORY_POINTS } from '../extension/protocol/constants';
import type { HistoryPoint, HubToUi, ServerView } from '../extension/protocol/ui';
import type { ConnectionState } from './transport';

const MAX_EVENTS = 500;
/** The time windows offered; the longest is all the history kept (HISTORY_SECONDS). */
export const TIME_WINDOWS = [60, 5 * 60, 15 * 60, HISTORY_SECONDS] as const;

export interface ServerState {
  view: ServerView;
  history: HistoryPoint[];
  events: LifecycleEvent[];
  /** When the last message about this server arrived (local clock: the agent's may differ). */
  receivedAt: number;
}

export type Change =
  | { kind: 'connection' }
  | { kind: 'servers' } // the set of servers or the selection changed: redraw everything
  | { kind: 'update'; serverId: string; point: HistoryPoint }
  | { kind: 'server'; serverId: string } // a server's view changed with no new sample (agent came or went)
  | { kind: 'event'; serverId: string; event: LifecycleEvent }
  | { kind: 'ack'; id: string; ok: boolean; error?: string }
  | { kind: 'profile'; message: Extract<HubToUi, { type: 'profile' }> } // an answer to the Profile view's request
  | { kind: 'showProfile'; route: string | null } // VS Code asked for the Profile view (the server is selected first)
  | { kind: 'view' } // time window or pause changed
  | { kind: 'history'; serverId: string; heldFrom: number }; // older history arrived; `heldFrom`: the oldest point before it

export class DashboardState {
  connection: ConnectionState = { kind: 'connecting', attempt: 1 };
  readonly servers = new Map<string, ServerState>();
  selectedId: string | null = null;
  /** VS Code's last "open the Profile view on this route", not yet shown. */
  profileRequest: { route: string | null } | null = null;
  windowSeconds: number = 5 * 60;
  paused = false;
  /** Hub messages applied, for the test hook. */
  messagesReceived = 0;
  /** The hub's first picture arrived: until then no server known means "loading", not "no agent". */
  snapshotReceived = false;
  private readonly listeners: Array<(change: Change) => void> = [];

  subscribe(listener: (change: Change) => void): void {
    this.listeners.push(listener);
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }

  get selected(): ServerState | null {
    return this.selectedId ? this.servers.get(this.selectedId) ?? null : null;
  }

  setConnection(state: ConnectionState): void {
    this.connection = state;
    this.emit({ kind: 'connection' });
  }

  select(serverId: string): void {
    if (this.servers.has(serverId) && this.selectedId !== serverId) {
      this.selectedId = serverId;
      this.emit({ kind: 'servers' });
    }
  }

  setWindow(seconds: number): void {
    this.windowSeconds = seconds;
    this.emit({ kind: 'view' });
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.emit({ kind: 'view' });
  }

  apply(msg: HubToUi): void {
    this.messagesReceived += 1;
    switch (msg.type) {
      case 'snapshot': {
        this.snapshotReceived = true;
        this.servers.clear();
        for (const view of msg.servers) {
          const history = (msg.history[view.id] ?? []).slice(-MAX_HISTORY_POINTS);
          this.servers.set(view.id, { view, history, events: [...view.events], receivedAt: Date.now() });
        }
        this.fixSelection();
        this.emit({ kind: 'servers' });
        return;
      }
      case 'update': {
        const known = this.servers.get(msg.server.id);
        const server = known ?? { view: msg.server, history: [], events: [], receivedAt: 0 };
        server.receivedAt = Date.now();
        server.view = msg.server;
        server.events = mergeEvents(server.events, msg.server.events);
        pushBounded(server.history, msg.point);
        if (!known) {
          this.servers.set(msg.server.id, server);
          this.fixSelection();
          this.emit({ kind: 'servers' });
        } else {
          this.emit({ kind: 'update', serverId: msg.server.id, point: msg.point });
        }
        return;
      }
      case 'server': {
        const known = this.servers.get(msg.server.id);
        if (known) {
          known.view = msg.server;
          known.events = mergeEvents(known.events, msg.server.events);
          known.receivedAt = Date.now();
          this.emit({ kind: 'server', serverId: msg.server.id });
        } else {
          this.servers.set(msg.server.id, { view: msg.server, history: [], events: [...msg.server.events], receivedAt: Date.now() });
          this.fixSelection();
          this.emit({ kind: 'servers' });
        }
        return;
      }
      case 'history': {
        const server = this.servers.get(msg.serverId);
        if (!server || msg.points.length === 0) return;
        // Slices come newest first, each older than what is held: put them in front.
        const first = server.history[0]?.at ?? Infinity;
        const older = msg.points.filter((p) => p.at < first);
        server.history.unshift(...older.slice(-Math.max(0, MAX_HISTORY_POINTS - server.history.length)));
        this.emit({ kind: 'history', serverId: msg.serverId, heldFrom: first });
        return;
      }
      case 'event': {
        const server = this.servers.get(msg.serverId);
        if (!server) return;
        server.events = mergeEvents(server.events, [msg.event]);
        this.emit({ kind: 'event', serverId: msg.serverId, event: msg.event });
        return;
      }
      case 'removed': {
        // The hub forgot a server that left long ago: drop it, and pick another if it was shown.
        if (!this.servers.delete(msg.serverId)) return;
        if (this.selectedId === msg.serverId) this.selectedId = null;
        this.fixSelection();
        this.emit({ kind: 'servers' });
        return;
      }
      case 'ack':
        this.emit({ kind: 'ack', id: msg.id, ok: msg.ok, error: msg.error });
        return;
      case 'profile':
        this.emit({ kind: 'profile', message: msg });
        return;
      case 'showProfile':
        this.select(msg.serverId);
        // Kept until a view takes it: it can come before the dashboard's views exist.
        this.profileRequest = { route: msg.route };
        this.emit({ kind: 'showProfile', route: msg.route });
        return;
      default:
        // A newer hub may send more; an unknown message must not break the view.
        return;
    }
  }

  /** Keeps the user's choice; otherwise prefers a connected server, newest first. */
  private fixSelection(): void {
    if (this.selectedId && this.servers.has(this.selectedId)) return;
    const all = [...this.servers.values()].map((s) => s.view);
    all.sort((a, b) => Number(b.connected) - Number(a.connected) || b.startedAt - a.startedAt);
    this.selectedId = all[0]?.id ?? null;
  }
}

function pushBounded(history: HistoryPoint[], point: HistoryPoint): void {
  history.push(point);
  const oldest = point.at - HISTORY_SECONDS;
  let drop = 0;
  while (drop < history.length && history[drop]!.at < oldest) drop += 1;
  drop = Math.max(drop, history.length - MAX_HISTORY_POINTS);
  if (drop > 0) history.splice(0, drop);
}

function eventKey(e: LifecycleEvent): string {
  return `${e.type}:${e.at}:${'pid' in e ? e.pid : ''}:${'signal' in e ? e.signal ?? '' : ''}`;
}

/** Events arrive both in each update's server view and one by one: keep one copy, oldest first. */
function mergeEvents(current: LifecycleEvent[], incoming: LifecycleEvent[]): LifecycleEvent[] {
  const seen = new Set(current.map(eventKey));
  const added = incoming.filter((e) => !seen.has(eventKey(e)));
  if (added.length === 0) return current;
  const merged = [...current, ...added].sort((a, b) => a.at - b.at);
  return merged.slice(-MAX_EVENTS);
}
