// What the hub knows: every server an agent has announced, its workers now, and bounded history.
// Agents write through connect/sample/event/disconnect; views read servers()/history() and listen for
// 'update' (server, point), 'server' (server), 'event' (serverId, event), 'sample' (serverId, frame)
// and 'removed' (serverId).
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { HelloFrame, LifecycleEvent, SampleFrame } from '../protocol/agent';
import type { HistoryPoint, ServerView, WorkerView } from '../protocol/ui';
import { ExitPairing } from './exitPairing';
import { historyPoint, type PreviousSample } from './historyPoint';
import { RequestLedger, type RequestTotals } from './requestLedger';
import { RingBuffer } from './ringBuffer';
import { RouteStats } from './routeStats';

export type { RequestTotals } from './requestLedger';

export interface StoreOptions {
  /** History points kept per server (one per sample). Default: 1 h at 1 s. */
  historyPoints?: number;
  /** Lifecycle events kept per server. */
  eventsKept?: number;
  /** How long a disconnected server stays visible, ms. Default 15 min. */
  keepDisconnectedMs?: number;
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
  history: RingBuffer<HistoryPoint>;
  events: RingBuffer<LifecycleEvent>;
  lastSeq: number | null;
  /** Gaps in `seq` the hub saw. */
  droppedSamples: number;
  /** What the current master's agent says it dropped. */
  agentDropped: number;
  previous: PreviousSample | null;
  disconnectedAt: number | null;
}

/** A server keeps its id across restarts and USR2 re-execs: host, service and binds name it, not the pid. */
export function serverId(hello: HelloFrame): string {
  const { host, serviceName, app, bind, masterPid } = hello.server;
  const key = bind.length > 0 ? [host, serviceName, app, ...bind].join('\n') : `${host}\n${masterPid}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export class Store extends EventEmitter {
  private readonly records = new Map<string, ServerRecord>();
  private readonly historyPoints: number;
  private readonly eventsKept: number;
  private readonly keepDisconnectedMs: number;

  constructor(options: StoreOptions = {}) {
    super();
    this.historyPoints = options.historyPoints ?? 3600;
    this.eventsKept = options.eventsKept ?? 1000;
    this.keepDisconnectedMs = options.keepDisconnectedMs ?? 15 * 60_000;
  }

  /** A connected master of this server that started after `hello`'s: the hello is from an older generation. */
  isSuperseded(hello: HelloFrame): boolean {
    const record = this.records.get(serverId(hello));
    return record !== undefined && record.view.connected && record.view.masterPid !== hello.server.masterPid &&
      record.view.startedAt > hello.server.startedAt;
  }

  /** An agent said hello: the server (re)appears as connected. Returns its id. */
  connect(hello: HelloFrame): string {
    const id = serverId(hello);
    const s = hello.server;
    let record = this.records.get(id);
    if (!record || record.view.masterPid !== s.masterPid) {
      // A new master of the same server (restart, USR2) is a new generation: history and totals carry on.
      const carried = record;
      const sameBuckets = carried !== undefined && carried.ledger.bounds.join() === s.durationBuckets.join();
      record = {
        view: {
          id, masterPid: s.masterPid, host: s.host, app: s.app, bind: s.bind, workerClass: s.workerClass,
          serviceName: s.serviceName, connected: true, startedAt: s.startedAt, lastSampleAt: null,
          targetWorkers: s.targetWorkers, master: null, workers: [], requestsTotal: carried?.view.requestsTotal ?? 0,
        },
        counters: carried?.counters ?? { exitedWorkerRequests: 0, exits: new Map(), signals: new Map(), clientDisconnects: 0, oomKills: 0 },
        ledger: sameBuckets ? carried.ledger : new RequestLedger(s.durationBuckets),
        routes: sameBuckets ? carried.routes : new RouteStats(s.durationBuckets),
        exits: carried?.exits ?? new ExitPairing(),
        history: carried?.history ?? new RingBuffer(this.historyPoints),
        events: carried?.events ?? new RingBuffer(this.eventsKept),
        lastSeq: null,
        droppedSamples: carried?.droppedSamples ?? 0,
        agentDropped: 0,
        previous: null,
        disconnectedAt: null,
      };
      this.records.set(id, record);
    }
    record.view.connected = true;
    record.disconnectedAt = null;
    this.emit('server', this.view(record));
    return id;
  }

  disconnect(id: string, now = Date.now()): void {
    const record = this.records.get(id);
    if (!record) return;
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

  sample(id: string, frame: SampleFrame): void {
    const record = this.records.get(id);
    if (!record) return;
    if (record.lastSeq !== null && frame.seq > record.lastSeq + 1) record.droppedSamples += frame.seq - record.lastSeq - 1;
    record.lastSeq = frame.seq;

    const point = historyPoint(frame, record.ledger.bounds, record.previous);
    const seconds = record.previous && frame.at > record.previous.at ? frame.at - record.previous.at : 1;
    record.previous = { at: frame.at, workerRequests: new Map(frame.workers.map((w) => [w.pid, w.requests])) };
    let completed = 0;
    for (const group of frame.requests) {
      completed += group.count;
      record.ledger.add(group);
    }
    record.routes.add(frame.requests, seconds, MAX_ROUTES);

    const view = record.view;
    const live = new Set(frame.workers.map((w) => w.pid));
    for (const old of view.workers) if (!live.has(old.pid)) record.counters.exitedWorkerRequests += old.requests;
    record.exits.retain(live);
    record.counters.clientDisconnects += frame.clientDisconnects ?? 0;
    view.requestsTotal += completed;
    if (frame.reloads !== undefined) view.reloads = frame.reloads;
    record.agentDropped = frame.dropped ?? record.agentDropped;
    view.samplesLost = record.droppedSamples + record.agentDropped;
    view.lastSampleAt = frame.at;
    view.targetWorkers = frame.targetWorkers;
    view.master = frame.master;
    view.workers = frame.workers.map(
      (w): WorkerView => ({
        pid: w.pid, age: w.age, bootedAt: w.bootedAt, cpuPercent: w.cpuPercent, rssBytes: w.rssBytes,
        pssBytes: w.pssBytes ?? null, requests: w.requests, state: w.state ?? null,
        ...(w.inFlight === undefined ? {} : { inFlight: w.inFlight }),
        ...(w.inFlightCount === undefined ? {} : { inFlightCount: w.inFlightCount }),
        lastExit: record.exits.of(w.pid),
      }),
    );
    record.history.push(point);
    this.emit('sample', id, frame);
    this.emit('update', this.view(record), point);
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
    const points = this.records.get(id)?.history.toArray() ?? [];
    if (windowSeconds === undefined || points.length === 0) return points;
    const since = points[points.length - 1].at - windowSeconds;
    return points.filter((p) => p.at > since);
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
