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
  workers: WorkerView[];
  /** Requests completed since the hub first saw this server (never decreases). */
  requestsTotal: number;
  /** Recent lifecycle events, newest last. */
  events: LifecycleEvent[];
}

/** One sample on the shared time axis of the charts. */
export interface HistoryPoint {
  at: number;
  /** Requests per second over the interval, all workers. */
  rps: number;
  workers: Array<{ pid: number; cpuPercent: number | null; rssBytes: number | null; pssBytes: number | null; rps: number }>;
}

export type HubToUi =
  | { type: 'snapshot'; servers: ServerView[]; history: Record<string, HistoryPoint[]> }
  | { type: 'update'; server: ServerView; point: HistoryPoint }
  | { type: 'event'; serverId: string; event: LifecycleEvent }
  | { type: 'ack'; id: string; ok: boolean; error?: string };

export type UiToHub = { type: 'signal'; id: string; serverId: string; signal: AllowedSignal };
