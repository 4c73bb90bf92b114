// What one server's samples and events add up to, whichever of its masters sent them: request totals,
// the routes table, history points, lifecycle events and the counters that only grow.
import type { LifecycleEvent, RequestGroup, SampleFrame, WorkerSample } from '../protocol/agent';
import { HISTORY_SECONDS, MAX_HISTORY_POINTS } from '../protocol/constants';
import type { HistoryPoint, RouteView, WorkerView } from '../protocol/ui';
import { ExitPairing } from './exitPairing';
import { historyPoint, type PreviousSample } from './historyPoint';
import { HistoryRing } from './historyRing';
import { RequestLedger, type RequestTotals } from './requestLedger';
import { RingBuffer } from './ringBuffer';
import { RouteStats, type RouteWindowView } from './routeStats';

/** The longest window the dashboards offer. */
/** Points that hold an hour of samples taken every `interval` seconds (at most MAX_HISTORY_POINTS). */
export function historyPointsFor(interval: number): number {
  return Math.min(MAX_HISTORY_POINTS, Math.ceil(HISTORY_SECONDS / interval));
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
  /** Requests the agent reported stuck (request_stuck events: each request once). */
  requestsStuck: number;
}

/** Routes the routes table tracks per server; more fold into `other`. */
const MAX_ROUTES_TABLE_ROWS = 500;
/** Pending request groups held for the current master's next sample at most. */
const MAX_PENDING_GROUPS = 4096;

export class ServerAggregate {
  readonly counters: ServerCounters = { exitedWorkerRequests: 0, exits: new Map(), signals: new Map(), clientDisconnects: 0, oomKills: 0, requestsStuck: 0 };
  readonly history: HistoryRing;
  readonly events: RingBuffer<LifecycleEvent>;
  /** Requests completed since the hub first saw the server. */
  requestsTotal = 0;
  /** Gaps in `seq` the hub saw. */
  droppedSamples = 0;
  private ledger: RequestLedger;
  private routes: RouteStats;
  private readonly exits = new ExitPairing();
  /** What the current master's agent says it dropped. */
  private agentDropped = 0;
  private previous: PreviousSample | null = null;
  /** Older masters' request groups since the current master's last sample, for its next point and the routes. */
  private pending: RequestGroup[] = [];

  /** `durationBuckets`: the classic bounds of /metrics (the hub's own for exponential histograms, else the agent's). */
  constructor(durationBuckets: number[], historyPoints: number, eventsKept: number) {
    this.ledger = new RequestLedger(durationBuckets);
    this.routes = new RouteStats(durationBuckets);
    this.history = new HistoryRing(historyPoints);
    this.events = new RingBuffer(eventsKept);
  }

  /** Samples lost on the way: gaps the hub saw plus what the current master's agent dropped. */
  get samplesLost(): number {
    return this.droppedSamples + this.agentDropped;
  }

  /** Server-wide request totals and the histogram bounds they use. */
  requestTotals(): { durationBuckets: number[]; totals: RequestTotals[] } {
    return { durationBuckets: this.ledger.bounds, totals: this.ledger.totals() };
  }

  /** The routes table, busiest first. */
  routeViews(): RouteView[] {
    return this.routes.views();
  }

  /** Per-route figures over the last `windowSeconds`. */
  routeWindow(windowSeconds: number): RouteWindowView[] {
    return this.routes.window(windowSeconds);
  }

  /** A new master of the server (restart, USR2): history and totals carry on; so do the request totals
   *  unless its histogram bounds differ. */
  newMaster(durationBuckets: number[]): void {
    if (this.ledger.bounds.join() !== durationBuckets.join()) {
      this.ledger = new RequestLedger(durationBuckets);
      this.routes = new RouteStats(durationBuckets);
      this.pending = [];
    }
    this.masterChanged();
  }

  /** Another master's samples follow: rates start over from its next sample. */
  masterChanged(): void {
    this.agentDropped = 0;
    this.previous = null;
  }

  /** The current master's sample; after USR2 the older masters' workers and requests since the last
   *  sample join its point. Returns the point, added to the history. */
  sample(frame: SampleFrame, olderWorkers: WorkerView[]): HistoryPoint {
    const merged: SampleFrame = olderWorkers.length === 0 && this.pending.length === 0 ? frame
      : { ...frame, workers: [...frame.workers, ...olderWorkers], requests: [...frame.requests, ...this.pending] };
    this.pending = [];
    const point = historyPoint(merged, this.ledger.bounds, this.previous);
    const seconds = this.previous && frame.at > this.previous.at ? frame.at - this.previous.at : 1;
    this.previous = { at: frame.at, workerRequests: new Map(merged.workers.map((w) => [w.pid, w.requests])) };
    for (const group of frame.requests) {
      this.requestsTotal += group.count;
      this.ledger.add(group);
    }
    this.routes.add(merged.requests, seconds, MAX_ROUTES_TABLE_ROWS);
    this.exits.retain(new Set(merged.workers.map((w) => w.pid)));
    this.counters.clientDisconnects += frame.clientDisconnects ?? 0;
    this.agentDropped = frame.dropped ?? this.agentDropped;
    this.history.push(point);
    return point;
  }

  /** A sample from an older master still serving after USR2: every request its workers serve counts. */
  olderSample(frame: SampleFrame): void {
    for (const group of frame.requests) {
      this.ledger.add(group);
      this.requestsTotal += group.count;
    }
    this.pending.push(...frame.requests);
    if (this.pending.length > MAX_PENDING_GROUPS) {
      // The current master has stopped sampling: the routes table takes them now rather than never.
      this.routes.add(this.pending, 1, MAX_ROUTES_TABLE_ROWS);
      this.pending = [];
    }
    this.counters.clientDisconnects += frame.clientDisconnects ?? 0;
  }

  /** A sample's workers as the views show them, each with the exit its slot last saw. */
  workerViews(workers: WorkerSample[]): WorkerView[] {
    return workers.map((w) => ({
      pid: w.pid, age: w.age, bootedAt: w.bootedAt, cpuPercent: w.cpuPercent, rssBytes: w.rssBytes,
      pssBytes: w.pssBytes ?? null, requests: w.requests, state: w.state ?? null,
      ...(w.inFlight === undefined ? {} : { inFlight: w.inFlight }),
      ...(w.inFlightCount === undefined ? {} : { inFlightCount: w.inFlightCount }),
      lastExit: this.exits.of(w.pid),
    }));
  }

  /**
   * Requests of workers no longer running: what departed workers were last seen with, raised to what the
   * request totals prove. A worker that boots and exits between two samples (max_requests under load) is
   * never seen with its final count, but its requests reach the totals (its last handoff goes out as it
   * exits). Both are lower bounds — the totals miss what was served before the hub saw the server — so the
   * larger is kept, and it never goes back.
   */
  settleExited(liveWorkers: WorkerView[]): void {
    const live = liveWorkers.reduce((sum, w) => sum + w.requests, 0);
    this.counters.exitedWorkerRequests = Math.max(this.counters.exitedWorkerRequests, this.requestsTotal - live);
  }

  event(event: LifecycleEvent): void {
    this.events.push(event);
    this.exits.onEvent(event);
    const counters = this.counters;
    if (event.type === 'worker_exit') {
      counters.exits.set(event.reason, (counters.exits.get(event.reason) ?? 0) + 1);
      if (event.oom) counters.oomKills += 1;
    }
    if (event.type === 'signal') counters.signals.set(event.signal, (counters.signals.get(event.signal) ?? 0) + 1);
    if (event.type === 'request_stuck') counters.requestsStuck += 1;
  }
}
