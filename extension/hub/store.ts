// What the hub knows: every server an agent has announced, its workers now, and bounded history.
// After USR2 a server has two masters until the old one is stopped: the newer is the server's master,
// and the older one's workers and requests still count (its samples come with its pid).
// Agents write through connect/sample/event/disconnect; views read servers()/history() and listen for
// 'update' (server, point), 'server' (server), 'event' (serverId, event), 'sample' (serverId, frame)
// and 'removed' (serverId).
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { HelloFrame, LifecycleEvent, RequestGroup, SampleFrame, WorkerSample } from '../protocol/agent';
import type { HistoryPoint, ServerView, WorkerView } from '../protocol/ui';
import { ExitPairing } from './exitPairing';
import { historyPoint, type PreviousSample } from './historyPoint';
import { HistoryRing, type HistoryReader } from './historyRing';
import { RequestLedger, type RequestTotals } from './requestLedger';
import { RingBuffer } from './ringBuffer';
import { RouteStats, type RouteWindowView } from './routeStats';
import { DEFAULT_DURATION_BOUNDS } from './durationBounds';

export type { RequestTotals } from './requestLedger';

/** The longest window the dashboards offer. */
export const HISTORY_SECONDS = 3600;
/** An hour at intervals down to 0.25 s; faster agents get a shorter span, so memory stays bounded
 * (an hour of 64 workers at 1 s is ~5 MiB; this cap allows four times that per server). */
const MAX_HISTORY_POINTS = 4 * HISTORY_SECONDS;

/** Points that hold an hour of samples taken every `interval` seconds (at most MAX_HISTORY_POINTS). */
export function historyPointsFor(interval: number): number {
  return Math.min(MAX_HISTORY_POINTS, Math.ceil(HISTORY_SECONDS / interval));
}

export interface StoreOptions {
  /** History points kept per server (one per sample). Default: an hour at the agent's interval (see historyPointsFor). */
  historyPoints?: number;
  /** Lifecycle events kept per server. */
  eventsKept?: number;
  /** How long a disconnected server stays visible, ms. Default 15 min. */
  keepDisconnectedMs?: number;
  /** Classic bounds of /metrics' duration histogram for agents that send exponential ones (GUNICORN_LIVE_BUCKETS). */
  durationBounds?: readonly number[];
}

/** Counters that only grow, for /metrics and OpenTelemetry. */
export interface ServerCounters {
  /** Final request totals of workers that have exited, so per-worker sums never go backwards. */
  exitedWorkerRequests: number;
  /** Worker exits by reason. */
  exits: Map<string, number>;
  /** Signals the master received, by name. */
  signals: Map<string, number>;
  clientDisconnects: number;
  /** Worker exits the kernel counted as OOM kills (SIGKILL exits with `oom: true`). */
  oomKills: number;
}

/** A server without its events and routes: cheap to read many times per scrape. */
export type ServerSummary = Omit<ServerView, 'events' | 'routes'>;

/** Routes the routes table tracks per server; more fold into `other`. */
const MAX_ROUTES = 500;

interface ServerRecord {
  view: ServerSummary;
  counters: ServerCounters;
  ledger: RequestLedger;
  routes: RouteStats;
  exits: ExitPairing;
  history: HistoryRing;
  events: RingBuffer<LifecycleEvent>;
  lastSeq: number | null;
  /** Gaps in `seq` the hub saw. */
  droppedSamples: number;
  /** What the current master's agent says it dropped. */
  agentDropped: number;
  previous: PreviousSample | null;
  disconnectedAt: number | null;
  /** The current master's own workers; the view's `workers` adds those of older masters still serving. */
  own: WorkerView[];
  /** Older masters still connected after USR2, by pid: they and their workers serve until stopped. */
  older: Map<number, OlderMaster>;
  /** Older masters' request groups since the current master's last sample, for its next point and the routes. */
  pending: RequestGroup[];
  /** Masters whose connection went, with their workers as last seen (already counted as exited). */
  departed: Map<number, { startedAt: number; workers: WorkerView[] }>;
}

/** A master of the server older than the current one: after USR2 it serves on until told to stop. */
interface OlderMaster {
  startedAt: number;
  lastSeq: number | null;
  workers: WorkerView[];
}

/** Departed masters remembered, in case one only lost its connection and says hello again. */
const DEPARTED_KEPT = 8;
/** Pending request groups held for the current master's next sample at most. */
const MAX_PENDING_GROUPS = 4096;

/** A server keeps its id across restarts and USR2 re-execs: host, service and binds name it, not the pid. */
export function serverId(hello: HelloFrame): string {
  const { host, serviceName, app, bind, masterPid } = hello.server;
  const key = bind.length > 0 ? [host, serviceName, app, ...bind].join('\n') : `${host}\n${masterPid}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

function workerView(w: WorkerSample, exits: ExitPairing): WorkerView {
  return {
    pid: w.pid, age: w.age, bootedAt: w.bootedAt, cpuPercent: w.cpuPercent, rssBytes: w.rssBytes,
    pssBytes: w.pssBytes ?? null, requests: w.requests, state: w.state ?? null,
    ...(w.inFlight === undefined ? {} : { inFlight: w.inFlight }),
    ...(w.inFlightCount === undefined ? {} : { inFlightCount: w.inFlightCount }),
    lastExit: exits.of(w.pid),
  };
}

export class Store extends EventEmitter {
  private readonly records = new Map<string, ServerRecord>();
  private readonly historyPoints: number | undefined;
  private readonly eventsKept: number;
  private readonly keepDisconnectedMs: number;
  private readonly durationBounds: number[];

  constructor(options: StoreOptions = {}) {
    super();
    this.durationBounds = [...(options.durationBounds ?? DEFAULT_DURATION_BOUNDS)];
    this.historyPoints = options.historyPoints;
    this.eventsKept = options.eventsKept ?? 1000;
    this.keepDisconnectedMs = options.keepDisconnectedMs ?? 15 * 60_000;
  }

  /** An agent said hello: the server (re)appears as connected. Returns its id. */
  connect(hello: HelloFrame): string {
    const id = serverId(hello);
    const s = hello.server;
    let record = this.records.get(id);
    if (record && record.view.connected && record.view.masterPid !== s.masterPid && record.view.startedAt > s.startedAt) {
      // After USR2 the old master reports on beside the newer one (and says hello again after a
      // reconnect): it stays an older master of the server, whose workers and requests still count.
      if (!record.older.has(s.masterPid)) {
        record.older.set(s.masterPid, { startedAt: s.startedAt, lastSeq: null, workers: this.rejoin(record, s.masterPid, s.startedAt) });
        this.showWorkers(record);
      }
      return id;
    }
    if (!record || record.view.masterPid !== s.masterPid) {
      // A new master of the same server (restart, USR2) is a new generation: history and totals carry on.
      const carried = record;
      if (carried?.view.connected) {
        // USR2: the old master and its workers serve on beside the new one until it is stopped.
        carried.older.set(carried.view.masterPid, { startedAt: carried.view.startedAt, lastSeq: carried.lastSeq, workers: carried.own });
      } else if (carried) {
        this.depart(carried, carried.view.masterPid, carried.view.startedAt, carried.own);
      }
      // Exponential histograms (protocol 1.1) become the hub's classic buckets; older agents bring their own.
      const bounds = s.durationScale !== undefined ? this.durationBounds : s.durationBuckets;
      const sameBuckets = carried !== undefined && carried.ledger.bounds.join() === bounds.join();
      record = {
        view: {
          id, masterPid: s.masterPid, host: s.host, app: s.app, bind: s.bind, workerClass: s.workerClass,
          serviceName: s.serviceName, connected: true, startedAt: s.startedAt, lastSampleAt: null,
          targetWorkers: s.targetWorkers, master: null, workers: [], requestsTotal: carried?.view.requestsTotal ?? 0,
        },
        counters: carried?.counters ?? { exitedWorkerRequests: 0, exits: new Map(), signals: new Map(), clientDisconnects: 0, oomKills: 0 },
        ledger: sameBuckets ? carried.ledger : new RequestLedger(bounds),
        routes: sameBuckets ? carried.routes : new RouteStats(s.durationBuckets),
        exits: carried?.exits ?? new ExitPairing(),
        history: carried?.history ?? new HistoryRing(this.historyPoints ?? historyPointsFor(s.interval)),
        events: carried?.events ?? new RingBuffer(this.eventsKept),
        lastSeq: null,
        droppedSamples: carried?.droppedSamples ?? 0,
        agentDropped: 0,
        previous: null,
        disconnectedAt: null,
        own: [],
        older: carried?.older ?? new Map(),
        pending: sameBuckets ? carried.pending : [],
        departed: carried?.departed ?? new Map(),
      };
      record.older.delete(s.masterPid);
      record.own = this.rejoin(record, s.masterPid, s.startedAt);
      this.showWorkers(record);
      this.records.set(id, record);
    }
    record.view.connected = true;
    record.disconnectedAt = null;
    this.emit('server', this.view(record));
    return id;
  }

  /** A master's agent went away (`masterPid`: which one; default the current master). */
  disconnect(id: string, now = Date.now(), masterPid?: number): void {
    const record = this.records.get(id);
    if (!record) return;
    const view = record.view;
    if (masterPid !== undefined && masterPid !== view.masterPid) {
      // An older master left (stopped after USR2): its workers are gone with it.
      const older = record.older.get(masterPid);
      if (!older) return;
      record.older.delete(masterPid);
      this.depart(record, masterPid, older.startedAt, older.workers);
      this.showWorkers(record);
      this.emit('server', this.view(record));
      return;
    }
    const next = [...record.older].sort(([, a], [, b]) => b.startedAt - a.startedAt)[0];
    if (next) {
      // The current master left while an older one still serves (USR2 undone): that one is the server again.
      const [pid, older] = next;
      record.older.delete(pid);
      this.depart(record, view.masterPid, view.startedAt, record.own);
      Object.assign(view, { masterPid: pid, startedAt: older.startedAt, master: null });
      Object.assign(record, { own: older.workers, lastSeq: older.lastSeq, agentDropped: 0, previous: null });
      this.showWorkers(record);
      this.emit('server', this.view(record));
      return;
    }
    record.view.connected = false;
    record.disconnectedAt = now;
    this.emit('server', this.view(record));
  }

  /** Forgets servers disconnected for longer than the retention. */
  prune(now = Date.now()): void {
    for (const [id, record] of this.records) {
      if (record.disconnectedAt !== null && now - record.disconnectedAt > this.keepDisconnectedMs) {
        this.records.delete(id);
        this.emit('removed', id);
      }
    }
  }

  /** A master's sample (`masterPid`: whose; default the current master's). */
  sample(id: string, frame: SampleFrame, masterPid?: number): void {
    const record = this.records.get(id);
    if (!record) return;
    if (masterPid !== undefined && masterPid !== record.view.masterPid) {
      const older = record.older.get(masterPid);
      if (older) this.olderSample(id, record, older, frame);
      return;
    }
    if (record.lastSeq !== null && frame.seq > record.lastSeq + 1) record.droppedSamples += frame.seq - record.lastSeq - 1;
    record.lastSeq = frame.seq;

    // After USR2 the older masters' workers and requests since the last sample join this point.
    const olderWorkers = [...record.older.values()].flatMap((m) => m.workers);
    const merged: SampleFrame = olderWorkers.length === 0 && record.pending.length === 0 ? frame
      : { ...frame, workers: [...frame.workers, ...olderWorkers], requests: [...frame.requests, ...record.pending] };
    record.pending = [];
    const point = historyPoint(merged, record.ledger.bounds, record.previous);
    const seconds = record.previous && frame.at > record.previous.at ? frame.at - record.previous.at : 1;
    record.previous = { at: frame.at, workerRequests: new Map(merged.workers.map((w) => [w.pid, w.requests])) };
    let completed = 0;
    for (const group of frame.requests) {
      completed += group.count;
      record.ledger.add(group);
    }
    record.routes.add(merged.requests, seconds, MAX_ROUTES);

    const view = record.view;
    const live = new Set(frame.workers.map((w) => w.pid));
    for (const old of record.own) if (!live.has(old.pid)) record.counters.exitedWorkerRequests += old.requests;
    record.exits.retain(new Set(merged.workers.map((w) => w.pid)));
    record.counters.clientDisconnects += frame.clientDisconnects ?? 0;
    view.requestsTotal += completed;
    if (frame.reloads !== undefined) view.reloads = frame.reloads;
    record.agentDropped = frame.dropped ?? record.agentDropped;
    view.samplesLost = record.droppedSamples + record.agentDropped;
    view.lastSampleAt = frame.at;
    view.targetWorkers = frame.targetWorkers;
    view.master = frame.master;
    record.own = frame.workers.map((w) => workerView(w, record.exits));
    this.showWorkers(record);
    this.settleExited(record);
    record.history.push(point);
    this.emit('sample', id, frame);
    this.emit('update', this.view(record), point);
  }

  /** A sample from an older master still serving after USR2: every request its workers serve counts. */
  private olderSample(id: string, record: ServerRecord, older: OlderMaster, frame: SampleFrame): void {
    if (older.lastSeq !== null && frame.seq > older.lastSeq + 1) record.droppedSamples += frame.seq - older.lastSeq - 1;
    older.lastSeq = frame.seq;
    for (const group of frame.requests) {
      record.ledger.add(group);
      record.view.requestsTotal += group.count;
    }
    record.pending.push(...frame.requests);
    if (record.pending.length > MAX_PENDING_GROUPS) {
      // The current master has stopped sampling: the routes table takes them now rather than never.
      record.routes.add(record.pending, 1, MAX_ROUTES);
      record.pending = [];
    }
    record.counters.clientDisconnects += frame.clientDisconnects ?? 0;
    const live = new Set(frame.workers.map((w) => w.pid));
    for (const old of older.workers) if (!live.has(old.pid)) record.counters.exitedWorkerRequests += old.requests;
    older.workers = frame.workers.map((w) => workerView(w, record.exits));
    this.showWorkers(record);
    this.settleExited(record);
    this.emit('sample', id, frame);
  }

  /**
   * Requests of workers no longer running: what departed workers were last seen with, raised to what the
   * request totals prove. A worker that boots and exits between two samples (max_requests under load) is
   * never seen with its final count, but its requests reach the totals (its last handoff goes out as it
   * exits). Both are lower bounds — the totals miss what was served before the hub saw the server — so the
   * larger is kept, and it never goes back.
   */
  private settleExited(record: ServerRecord): void {
    const live = record.view.workers.reduce((sum, w) => sum + w.requests, 0);
    record.counters.exitedWorkerRequests = Math.max(record.counters.exitedWorkerRequests, record.view.requestsTotal - live);
  }

  /** The view's workers: the current master's, then those of older masters still serving. */
  private showWorkers(record: ServerRecord): void {
    record.view.workers = record.older.size === 0 ? record.own : [...record.own, ...[...record.older.values()].flatMap((m) => m.workers)];
  }

  /** A master's connection went: its workers' totals move to the exited count, remembered in case it comes back. */
  private depart(record: ServerRecord, masterPid: number, startedAt: number, workers: WorkerView[]): void {
    for (const w of workers) record.counters.exitedWorkerRequests += w.requests;
    record.departed.delete(masterPid);
    record.departed.set(masterPid, { startedAt, workers });
    if (record.departed.size > DEPARTED_KEPT) record.departed.delete(record.departed.keys().next().value!);
  }

  /** A departed master said hello again (its agent had only lost the connection): its workers are live again. */
  private rejoin(record: ServerRecord, masterPid: number, startedAt: number): WorkerView[] {
    const departed = record.departed.get(masterPid);
    if (!departed || departed.startedAt !== startedAt) return [];
    record.departed.delete(masterPid);
    for (const w of departed.workers) record.counters.exitedWorkerRequests -= w.requests;
    return departed.workers;
  }

  event(id: string, event: LifecycleEvent): void {
    const record = this.records.get(id);
    if (!record) return;
    record.events.push(event);
    record.exits.onEvent(event);
    const counters = record.counters;
    if (event.type === 'worker_exit') {
      counters.exits.set(event.reason, (counters.exits.get(event.reason) ?? 0) + 1);
      if (event.oom) counters.oomKills += 1;
    }
    if (event.type === 'signal') counters.signals.set(event.signal, (counters.signals.get(event.signal) ?? 0) + 1);
    this.emit('event', id, event);
  }

  /** Servers as the metrics and exporters read them; not to be modified. */
  summaries(): readonly ServerSummary[] {
    return [...this.records.values()].map((r) => r.view);
  }

  summary(id: string): ServerSummary | undefined {
    return this.records.get(id)?.view;
  }

  servers(): ServerView[] {
    return [...this.records.values()].map((r) => this.view(r));
  }

  server(id: string): ServerView | undefined {
    const record = this.records.get(id);
    return record && this.view(record);
  }

  /** History, oldest first; `windowSeconds` keeps only points newer than the newest minus the window. */
  history(id: string, windowSeconds?: number): HistoryPoint[] {
    return this.records.get(id)?.history.toArray(windowSeconds) ?? [];
  }

  /** The history to read a part at a time (a dashboard's snapshot and slices). */
  historyReader(id: string): HistoryReader | undefined {
    return this.records.get(id)?.history;
  }

  /** Per-route figures over the last `windowSeconds` (see RouteStats.window). */
  routeWindow(id: string, windowSeconds: number): RouteWindowView[] | undefined {
    return this.records.get(id)?.routes.window(windowSeconds);
  }

  /** Server-wide request totals and the histogram bounds they use. */
  requestTotals(id: string): { durationBuckets: number[]; totals: RequestTotals[] } | undefined {
    const record = this.records.get(id);
    return record && { durationBuckets: record.ledger.bounds, totals: record.ledger.totals() };
  }

  counters(id: string): ServerCounters | undefined {
    return this.records.get(id)?.counters;
  }

  droppedSamples(id: string): number {
    return this.records.get(id)?.droppedSamples ?? 0;
  }

  private view(record: ServerRecord): ServerView {
    return { ...record.view, events: record.events.toArray(200), routes: record.routes.views() };
  }
}
