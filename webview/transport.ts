// The one part that differs between hosts. Browser: a WebSocket to the hub's /ws/ui with the token
// from location.hash, reconnecting with backoff. VS Code webview: postMessage to the extension, which
// relays the same HubToUi / UiToHub objects.
import type { HubToUi, ProfileFileFormat, UiToHub } from '../extension/protocol/ui';
import { perf } from './perf';
import { downloadProfile, type ProfileQueryFields } from './profile/profileExport';

export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'connected' }
  | { kind: 'disconnected'; attempt: number; retryAt: number; reason: string }
  | { kind: 'error'; message: string };

export interface TransportHandlers {
  message(msg: HubToUi): void;
  state(state: ConnectionState): void;
}

export interface Transport {
  readonly host: 'browser' | 'vscode';
  /** False when the message could not be handed over (no connection). */
  send(msg: UiToHub): boolean;
  /** Opens a file at a line in the editor; null where the host cannot (the browser). */
  readonly openFile: ((file: string, line: number) => void) | null;
  /** Saves the profile as a file: a download in the browser, VS Code's Save dialog in the webview. */
  exportProfile(query: ProfileQueryFields, format: ProfileFileFormat): Promise<void>;
  /** UI preferences (time window, selected server) that survive a reload of the view. */
  saveState(state: unknown): void;
  loadState(): unknown;
}

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function createTransport(handlers: TransportHandlers): Transport {
  const inOrder = { ...handlers, message: ownTask((msg) => handlers.message(msg)) };
  return typeof acquireVsCodeApi === 'function' ? vscodeTransport(inOrder) : browserTransport(inOrder);
}

/**
 * A snapshot, a history slice or a profile (megabytes) is handled in a task of its own, after the one that
 * received and parsed it, so no single task does both. Messages behind it wait their turn: order kept.
 */
function ownTask(deliver: (msg: HubToUi) => void): (msg: HubToUi) => void {
  const queue: HubToUi[] = [];
  const drain = () => {
    deliver(queue.shift()!);
    if (queue.length > 0) setTimeout(drain, 0);
  };
  return (msg) => {
    if (queue.length === 0 && msg.type !== 'snapshot' && msg.type !== 'history' && msg.type !== 'profile') return deliver(msg);
    queue.push(msg);
    if (queue.length === 1) setTimeout(drain, 0);
  };
}

function isHubMessage(data: unknown): data is HubToUi {
  const type = (data as { type?: unknown } | null)?.type;
  return type === 'snapshot' || type === 'history' || type === 'update' || type === 'server' || type === 'removed' || type === 'event' || type === 'ack' || type === 'profile' || type === 'showProfile';
}

function vscodeTransport(handlers: TransportHandlers): Transport {
  const api = acquireVsCodeApi();
  // The extension is the hub's client; the view counts as connected once the first message arrives.
  handlers.state({ kind: 'connecting', attempt: 1 });
  let connected = false;
  window.addEventListener('message', (event: MessageEvent) => {
    if (!isHubMessage(event.data)) return;
    if (!connected) {
      connected = true;
      handlers.state({ kind: 'connected' });
    }
    handlers.message(event.data);
  });
  // The panel may have posted its snapshot before this listener existed: ask again, now that it does.
  api.postMessage({ type: 'ready' } satisfies UiToHub);
  return {
    host: 'vscode',
    send: (msg) => {
      api.postMessage(msg);
      return true;
    },
    openFile: (file, line) => api.postMessage({ type: 'openFile', file, line } satisfies UiToHub),
    exportProfile: async (query, format) => api.postMessage({ type: 'saveProfile', ...query, format } satisfies UiToHub),
    saveState: (state) => api.setState(state),
    loadState: () => api.getState(),
  };
}

/** Backoff after the nth failed attempt: 0.5 s doubling to 10 s, with jitter so tabs don't stampede. */
export function backoffMs(attempt: number): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function browserTransport(handlers: TransportHandlers): Transport {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  let socket: WebSocket | null = null;
  let attempt = 0;
  let refused = false;
  const storageKey = 'gunicorn-live.ui';

  const connect = () => {
    attempt += 1;
    // While the token is known to be refused, keep saying so rather than flicker through "connecting".
    if (!refused) handlers.state({ kind: 'connecting', attempt });
    // Relative to the page, so the dashboard also works behind a path prefix (code-server's /proxy/PORT/).
    const url = new URL(`ws/ui?token=${encodeURIComponent(token!)}`, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url.href);
    socket = ws;
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      refused = false;
      attempt = 0;
      handlers.state({ kind: 'connected' });
    });
    ws.addEventListener('message', (event) => {
      let data: unknown;
      try {
        data = perf.time('parse', (): unknown => JSON.parse(String(event.data)));
      } catch {
        console.warn('gunicorn-live: ignored a message that is not JSON');
        return;
      }
      if (isHubMessage(data)) handlers.message(data);
    });
    ws.addEventListener('close', (event) => {
      socket = null;
      const delay = backoffMs(Math.max(1, attempt));
      const reason = event.reason || (opened ? 'The hub closed the connection' : 'The hub is not reachable');
      if (!refused) handlers.state({ kind: 'disconnected', attempt: Math.max(1, attempt), retryAt: Date.now() + delay, reason });
      setTimeout(connect, delay);
      // A refused upgrade looks like any failure to the page; the API says whether it was the token.
      if (!opened) void tokenRefused().then((yes) => {
        if (yes) {
          refused = true;
          handlers.state({ kind: 'error', message: 'The hub refused this page\'s token. Open the dashboard link gunicorn-live printed when it started (the token changes on every start unless GUNICORN_LIVE_TOKEN is set).' });
        } else if (!yes && refused) {
          refused = false;
        }
      });
    });
  };

  const tokenRefused = async () => {
    try {
      const res = await fetch(new URL('api/servers', location.href).href, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
      return res.status === 401;
    } catch {
      return false;
    }
  };
  // The token lives in the fragment; a new one pasted into the address bar means a fresh start.
  window.addEventListener('hashchange', () => location.reload());

  if (!token) {
    handlers.state({
      kind: 'error',
      message: 'This page was opened without its access token. Open the dashboard link that gunicorn-live printed (it ends in #token=…).',
    });
  } else {
    connect();
  }

  return {
    host: 'browser',
    // A browser page cannot open the user's files; the events list shows path:line instead.
    openFile: null,
    exportProfile: (query, format) => downloadProfile(token ?? '', query, format),
    send: (msg) => {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(msg));
      return true;
    },
    saveState: (state) => {
      try {
        localStorage.setItem(storageKey, JSON.stringify(state));
      } catch {
        // Storage may be disabled; preferences then last for this page only.
      }
    },
    loadState: () => {
      try {
        return JSON.parse(localStorage.getItem(storageKey) ?? 'null') as unknown;
      } catch {
        return null;
      }
    },
  };
}
