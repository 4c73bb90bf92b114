// The hub ⇄ dashboard protocol: messages on /ws/ui in the browser, and the same objects through
// postMessage in the VS Code webview. Types only, so the webview bundle carries no validator.
import type { AllowedSignal, LifecycleEvent } from './agent';

/** One worker as every view shows it (the `workers[]` of GET /api/servers). */
export interface WorkerView {
  pid: number;
  age: number;
  bootedAt: number;
  cpuPercent: number | null;
  rssBytes: number | null;
  pssBytes: number | null;
  /** Requests completed by this worker since it booted. */
  requests: number;
  state: 'idle' | 'busy' | null;
  /** The request a sync/gthread worker is handling now; null when idle; absent when unknown. */
  inFlight?: { method: string; route: string; elapsed: number } | null;
  /** Requests in progress (async workers). */
  inFlightCount?: number;
  /** How the worker this one replaced exited (Gunicorn has no slots: the oldest unmatched exit before this spawn). */
  lastExit?: { pid: number; reason: string; signal?: string; exitCode?: number; at: number } | null;
}

/** One route's totals since the hub first saw the server. */
export interface RouteView {
  method: string;
  route: string;
  count: number;
  /** Requests per second, smoothed over about a minute. */
  rps: number;
  /** Seconds, estimated from the duration histogram; null before any request. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** 5xx answers plus requests whose app code raised. */
  errors: number;
}

/** One server (one master and its workers): the elements of GET /api/servers → servers. */
export interface ServerView {
  id: string;
  masterPid: number;
  host: string;
  app: string;
  bind: string[];
  workerClass: string;
  serviceName: string;
  connected: boolean;
  startedAt: number;
  /** Time of the newest sample, seconds since the epoch. */
  lastSampleAt: number | null;
  targetWorkers: number;
  master: { pid: number; cpuPercent: number | null; rssBytes: number | null } | null;
  /** Live workers: the current master's, then — after USR2, until the old master is stopped — the old master's, which still serve. */
  workers: WorkerView[];
  /** Requests completed since the hub first saw this server (never decreases). */
  requestsTotal: number;
  /** Reloads (HUP) the current master has performed, when the agent reports it. */
  reloads?: number;
  /** Samples lost on the way (gaps the hub saw plus what the agent dropped while the hub was away). */
  samplesLost?: number;
  /** Recent lifecycle events, newest last. */
  events: LifecycleEvent[];
  /** Per method and route, busiest first (at most 200). */
  routes?: RouteView[];
}

/** One sample on the shared time axis of the charts. */
export interface HistoryPoint {
  at: number;
  /** Requests per second over the interval, all workers. */
  rps: number;
  workers: Array<{ pid: number; cpuPercent: number | null; rssBytes: number | null; pssBytes: number | null; rps: number }>;
  /** Latency of the requests completed in the interval, seconds (estimated from the histogram); null if none. */
  latency?: { p50: number; p95: number; p99: number } | null;
  /** Requests per second by status class over the interval. */
  status?: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Workers busy at the sample; absent when no worker's state is known (the worker class can't tell). */
  busy?: number;
}

export type HubToUi =
  /** On connect: every server, with its recent history (the last 5 minutes). */
  | { type: 'snapshot'; servers: ServerView[]; history: Record<string, HistoryPoint[]> }
  /** Right after a snapshot: older history, newest slice first; each goes before the points already held. */
  | { type: 'history'; serverId: string; points: HistoryPoint[] }
  | { type: 'update'; server: ServerView; point: HistoryPoint }
  /** A change with no new sample: an agent connected or went away. */
  | { type: 'server'; server: ServerView }
  /** A server disconnected long ago and is no longer shown. */
  | { type: 'removed'; serverId: string }
  | { type: 'event'; serverId: string; event: LifecycleEvent }
  | { type: 'ack'; id: string; ok: boolean; error?: string };

export type UiToHub =
  | { type: 'signal'; id: string; serverId: string; signal: AllowedSignal }
  /** The webview's script listens now: the VS Code host answers with a snapshot (the browser needs none). */
  | { type: 'ready' }
  /** Jump to code (VS Code host only): open `file` at `line`. */
  | { type: 'openFile'; file: string; line: number };
