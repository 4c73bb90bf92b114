// What every dashboard gets, whichever host carries it (/ws/ui in the browser, postMessage in the VS Code
// webview): a snapshot, then the store's changes as HubToUi messages; and how its messages are answered.
import type { AllowedSignal, LifecycleEvent } from '../protocol/agent';
import { allowedSignal, HISTORY_SECONDS, SNAPSHOT_SECONDS } from '../protocol/constants';
import type { HistoryPoint, HubToUi, ProfileRequestMessage, ServerView, UiToHub } from '../protocol/ui';
import type { HistoryReader } from './historyRing';
import type { Store } from './store';

/** History older than the snapshot's SNAPSHOT_SECONDS, up to HISTORY_SECONDS, follows in slices: one hour of 64 workers in a single
 *  message was ~26 MB, which a browser parses in one long task; a slice of 150 points is ~1.1 MB, which
 *  a page receives and parses in ~15 ms (600 points took 45 ms, bench:ui). */
const SLICE_POINTS = 150;

export type SendSignal = (serverId: string, signal: AllowedSignal) => Promise<{ ok: boolean; error?: string }>;

/**
 * What a dashboard receives on connect, in order: one snapshot holding every server with its last
 * SNAPSHOT_SECONDS of history, then the older history (up to an hour) in slices, newest first. Each slice
 * is read from the store only when it is its turn: an hour of 64 workers takes tens of milliseconds to
 * unpack, which in one piece would hold up the hub's event loop.
 */
export function* connectMessages(servers: ServerView[], historyOf: (id: string) => HistoryReader | undefined): Generator<HubToUi> {
  const recent: Record<string, HistoryPoint[]> = {};
  const older: { serverId: string; history: HistoryReader; start: number; cut: number }[] = [];
  for (const server of servers) {
    const history = historyOf(server.id);
    const newest = history?.slice(history.end - 1, history.end)[0];
    if (!history || !newest) {
      recent[server.id] = [];
      continue;
    }
    const cut = history.firstAfter(newest.at - SNAPSHOT_SECONDS);
    recent[server.id] = history.slice(cut, history.end);
    older.push({ serverId: server.id, history, start: history.firstAfter(newest.at - HISTORY_SECONDS), cut });
  }
  yield { type: 'snapshot', servers, history: recent };
  for (const { serverId, history, start, cut } of older) {
    for (let end = cut; end > start; end -= SLICE_POINTS) {
      const points = history.slice(Math.max(start, end - SLICE_POINTS), end);
      // Points pushed out of the ring while earlier slices went out: nothing older is left to send.
      if (points.length === 0) break;
      yield { type: 'history', serverId, points };
    }
  }
}

/** Posts the connect messages, each slice in its own turn of the event loop so live traffic interleaves. */
export function sendSnapshot(store: Store, post: (message: HubToUi) => void): void {
  const messages = connectMessages(store.servers(), (id) => store.historyReader(id));
  const next = () => {
    const message = messages.next();
    if (message.done) return;
    post(message.value);
    setImmediate(next);
  };
  next();
}

/** Relays the store's changes to `post`; returns the function that stops it. */
export function relayStore(store: Store, post: (message: HubToUi) => void): () => void {
  const onUpdate = (server: ServerView, point: HistoryPoint) => post({ type: 'update', server, point });
  const onServer = (server: ServerView) => post({ type: 'server', server });
  const onEvent = (serverId: string, event: LifecycleEvent) => post({ type: 'event', serverId, event });
  const onRemoved = (serverId: string) => post({ type: 'removed', serverId });
  store.on('update', onUpdate).on('server', onServer).on('event', onEvent).on('removed', onRemoved);
  return () => {
    store.off('update', onUpdate).off('server', onServer).off('event', onEvent).off('removed', onRemoved);
  };
}

/** Answers `ready` (a snapshot), `signal` (the agent's ack) and `profile`; `openFile` and `saveProfile` are the host's to handle. */
export async function answerUi(message: UiToHub, store: Store, sendSignal: SendSignal, post: (m: HubToUi) => void): Promise<void> {
  if (message.type === 'ready') return sendSnapshot(store, post);
  if (message.type === 'profile') return post(answerProfile(message, store));
  if (message.type !== 'signal') return;
  const result = await sendSignal(message.serverId, allowedSignal(message.signal)!);
  post({ type: 'ack', id: message.id, ...result });
}

/** Frames under this share of a dashboard's profile are merged (the flame graph, ~700–1,400 pixels wide,
 *  draws them under a pixel): a 64-worker, 5,000-stack profile went from 52,000 nodes (5.4 MB of JSON) to
 *  3,400 (350 KB). The API's json format keeps every node. */
export const DASHBOARD_MIN_SHARE = 1 / 1500;

/** The profile a dashboard asked for, to it alone (each dashboard has its own filters). */
export function answerProfile(message: ProfileRequestMessage, store: Store): HubToUi {
  const { id, serverId, type: _type, ...query } = message;
  const profile = store.profile(serverId, query, DASHBOARD_MIN_SHARE) ?? null;
  return { type: 'profile', id, profile, ...(profile ? {} : { error: `no server with id ${serverId}` }) };
}
