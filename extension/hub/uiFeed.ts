// What every dashboard gets, whichever host carries it (/ws/ui in the browser, postMessage in the VS Code
// webview): a snapshot, then the store's changes as HubToUi messages; and how its messages are answered.
import { z } from 'zod';
import { ALLOWED_SIGNALS, type AllowedSignal, type LifecycleEvent } from '../protocol/agent';
import type { HistoryPoint, HubToUi, ServerView } from '../protocol/ui';
import type { HistoryReader } from './historyRing';
import { HISTORY_SECONDS, type Store } from './store';

/** History in the snapshot: enough for the default 5-minute window, so the first picture comes at once. */
export const SNAPSHOT_SECONDS = 300;
/** The rest, up to the longest window (an hour), follows in slices: one hour of 64 workers in a single
 *  message was ~26 MB, which a browser parses in one long task; a slice of 150 points is ~1.1 MB, which
 *  a page receives and parses in ~15 ms (600 points took 45 ms, bench:ui). */
const SLICE_POINTS = 150;

export const uiMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('signal'),
    id: z.string().min(1).max(64),
    serverId: z.string().min(1).max(64),
    signal: z.enum(ALLOWED_SIGNALS).or(z.enum(ALLOWED_SIGNALS.map((s) => `SIG${s}`) as [string, ...string[]])),
  }),
  z.strictObject({ type: z.literal('ready') }),
  /** Only the VS Code host acts on it; the browser's socket refuses it. */
  z.strictObject({ type: z.literal('openFile'), file: z.string().min(1).max(4096), line: z.number().int().nonnegative() }),
]);
export type UiMessage = z.infer<typeof uiMessage>;

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

/** Answers `ready` (a snapshot) and `signal` (the agent's ack); `openFile` is the host's to handle. */
export async function answerUi(message: UiMessage, store: Store, sendSignal: SendSignal, post: (m: HubToUi) => void): Promise<void> {
  if (message.type === 'ready') return sendSnapshot(store, post);
  if (message.type !== 'signal') return;
  const result = await sendSignal(message.serverId, message.signal.replace(/^SIG/, '') as AllowedSignal);
  post({ type: 'ack', id: message.id, ...result });
}
