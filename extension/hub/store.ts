// What the hub knows: every server an agent has announced, by id. Agents write through
// connect/sample/event/disconnect; each server's masters are its Generations (USR2 makes two) and what
// they report adds up in its ServerAggregate. Views read servers()/history() and listen for StoreEvents.
import { EventEmitter } from 'node:events';
import type { HelloFrame, LifecycleEvent, ProfileFrame, SampleFrame } from '../protocol/agent';
import type { HistoryPoint, ProfileResult, ServerView } from '../protocol/ui';
import { ProfileStore, type ProfileQuery } from './profile/profileStore';
import { Generations } from './generations';
import type { HistoryReader } from './historyRing';
import type { RequestTotals } from './requestLedger';
import { historyPointsFor, ServerAggregate, type ServerCounters } from './serverAggregate';
import { serverId } from './serverId';
import { DEFAULT_DURATION_BOUNDS } from './durationBounds';
import type { RouteWindowView } from './routeStats';

export type { RequestTotals } from './requestLedger';
export { HISTORY_SECONDS } from '../protocol/constants';
export { historyPointsFor, type ServerCounters } from './serverAggregate';
export { serverId } from './serverId';

/** What the store tells its listeners. */
export interface StoreEvents {
  /** A sample of the server's current master: the server now, and its new history point. */
  update: [server: ServerView, point: HistoryPoint];
  /** A change with no new point: a master connected or went away. */
  server: [server: ServerView];
  event: [serverId: string, event: LifecycleEvent];
  /** Any master's sample, as it came (after USR2, the older master's too). */
  sample: [serverId: string, frame: SampleFrame];
  /** A server disconnected for longer than the retention is forgotten. */
  removed: [serverId: string];
  /** Profile samples came in (any master's). */
  profile: [serverId: string];
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

/** A server without its events and routes: cheap to read many times per scrape. */
export type ServerSummary = Omit<ServerView, 'events' | 'routes'>;

interface ServerRecord {
  /** Kept in step with the generations and the aggregate after every change. */
  view: ServerSummary;
  generations: Generations;
  aggregate: ServerAggregate;
  profile: ProfileStore;
}

export class Store extends EventEmitter<StoreEvents> {
  private readonly records = new Map<string, ServerRecord>();
  private readonly historyPoints: number | undefined;
  /** Lifecycle events kept per server: the most /api/servers?events=N can ask for. */
  readonly eventsKept: number;
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
    // Exponential histograms (protocol 1.1) become the hub's own classic buckets; older agents bring theirs.
    const bounds = s.durationScale !== undefined ? this.durationBounds : s.durationBuckets;
    let record = this.records.get(id);
    if (record && isNewRun(record.generations, hello)) {
      // A relaunch (its last master gone, a newer one says hello) is a new server in every view: the
      // views drop the previous run and nothing of its totals, history or events carries over.
      this.records.delete(id);
      this.emit('removed', id);
      record = undefined;
    }
    if (!record) {
      const aggregate = new ServerAggregate(bounds, this.historyPoints ?? historyPointsFor(s.interval), this.eventsKept);
      const generations = new Generations(s.masterPid, s.startedAt, (requests) => (aggregate.counters.exitedWorkerRequests += requests));
      record = { view: newView(id, hello, 0), generations, aggregate, profile: new ProfileStore() };
      this.records.set(id, record);
    } else {
      const outcome = record.generations.hello(s.masterPid, s.startedAt);
      if (outcome === 'older') {
        // The old master after USR2: its workers and requests still count, the server's master stays.
        this.showWorkers(record);
        return id;
      }
      if (outcome === 'new') {
        // A new master while the old one serves (USR2) is a new generation: history and totals carry on.
        record.aggregate.newMaster(bounds);
        record.view = newView(id, hello, record.aggregate.requestsTotal);
      }
    }
    record.view.connected = true;
    record.profile.hello(s.profileHz);
    this.showWorkers(record);
    this.emit('server', this.view(record));
    return id;
  }

  /** A master's agent went away (`masterPid`: which one; default the current master). */
  disconnect(id: string, now = Date.now(), masterPid?: number): void {
    const record = this.records.get(id);
    if (!record) return;
    const { generations, view } = record;
    const outcome = generations.leave(now, masterPid);
    if (outcome === 'unknown') return;
    if (outcome === 'promoted') {
      // The current master left while an older one still serves (USR2 undone): that one is the server again.
      Object.assign(view, { masterPid: generations.current.pid, startedAt: generations.current.startedAt, master: null });
      record.aggregate.masterChanged();
    }
    view.connected = generations.connected;
    this.showWorkers(record);
    this.emit('server', this.view(record));
  }

  /** Forgets servers disconnected for longer than the retention. */
  prune(now = Date.now()): void {
    for (const [id, record] of this.records) {
      const since = record.generations.disconnectedAt;
      if (since !== null && now - since > this.keepDisconnectedMs) {
        this.records.delete(id);
        this.emit('removed', id);
      }
    }
  }

  /** A master's sample (`masterPid`: whose; default the current master's). */
  sample(id: string, frame: SampleFrame, masterPid?: number): void {
    const record = this.records.get(id);
    if (!record) return;
    const { generations, aggregate, view } = record;
    const master = generations.master(masterPid);
    if (!master) return;
    aggregate.droppedSamples += generations.sampled(master, frame.seq);
    if (master !== generations.current) {
      aggregate.olderSample(frame);
      generations.setWorkers(master, aggregate.workerViews(frame.workers));
      view.requestsTotal = aggregate.requestsTotal;
      this.showWorkers(record);
      aggregate.settleExited(view.workers);
      this.emit('sample', id, frame);
      return;
    }
    const point = aggregate.sample(frame, generations.olderWorkers());
    generations.setWorkers(master, aggregate.workerViews(frame.workers));
    view.requestsTotal = aggregate.requestsTotal;
    if (frame.reloads !== undefined) view.reloads = frame.reloads;
    view.samplesLost = aggregate.samplesLost;
    view.lastSampleAt = frame.at;
    view.targetWorkers = frame.targetWorkers;
    view.master = frame.master;
    this.showWorkers(record);
    aggregate.settleExited(view.workers);
    this.emit('sample', id, frame);
    this.emit('update', this.view(record), point);
  }

  event(id: string, event: LifecycleEvent): void {
    const record = this.records.get(id);
    if (!record) return;
    record.aggregate.event(event);
    this.emit('event', id, event);
  }

  /** A master's profile frame (after USR2 the older master's workers' samples count too). */
  profileFrame(id: string, frame: ProfileFrame): void {
    const record = this.records.get(id);
    if (!record) return;
    record.profile.add(frame);
    this.emit('profile', id);
  }

  /** Where the server's time went over a window (see ProfileStore.query); undefined for an unknown server. */
  profile(id: string, query: ProfileQuery, minShare = 0): ProfileResult | undefined {
    return this.records.get(id)?.profile.query(id, query, minShare);
  }

  /** The server's profiles, for the file formats. */
  profiles(id: string): ProfileStore | undefined {
    return this.records.get(id)?.profile;
  }

  /** Servers as the metrics and exporters read them; not to be modified. */
  summaries(): readonly ServerSummary[] {
    return [...this.records.values()].map((r) => r.view);
  }

  summary(id: string): ServerSummary | undefined {
    return this.records.get(id)?.view;
  }

  /** `events`: how many of each server's newest lifecycle events to include (default 200). */
  servers(events = 200): ServerView[] {
    return [...this.records.values()].map((r) => this.view(r, events));
  }

  server(id: string): ServerView | undefined {
    const record = this.records.get(id);
    return record && this.view(record);
  }

  /** History, oldest first; `windowSeconds` keeps only points newer than the newest minus the window. */
  history(id: string, windowSeconds?: number): HistoryPoint[] {
    return this.records.get(id)?.aggregate.history.toArray(windowSeconds) ?? [];
  }

  /** The history to read a part at a time (a dashboard's snapshot and slices). */
  historyReader(id: string): HistoryReader | undefined {
    return this.records.get(id)?.aggregate.history;
  }

  /** Server-wide request totals and the histogram bounds they use. */
  /** Per-route figures over the last `windowSeconds` (see RouteStats.window). */
  routeWindow(id: string, windowSeconds: number): RouteWindowView[] | undefined {
    return this.records.get(id)?.aggregate.routeWindow(windowSeconds);
  }

  requestTotals(id: string): { durationBuckets: number[]; totals: RequestTotals[] } | undefined {
    return this.records.get(id)?.aggregate.requestTotals();
  }

  counters(id: string): ServerCounters | undefined {
    return this.records.get(id)?.aggregate.counters;
  }

  droppedSamples(id: string): number {
    return this.records.get(id)?.aggregate.droppedSamples ?? 0;
  }

  /** The view's workers: the current master's, then those of older masters still serving. */
  private showWorkers(record: ServerRecord): void {
    record.view.workers = record.generations.workers();
  }

  private view(record: ServerRecord, events = 200): ServerView {
    return { ...record.view, events: record.aggregate.events.toArray(events), routes: record.aggregate.routeViews() };
  }
}

/**
 * A new run of a server: every master of the previous one has gone, and a newer master (not one whose
 * agent only lost its connection) says hello. After USR2 the new master says hello while the old one
 * still serves, so its generation carries on instead.
 */
function isNewRun(generations: Generations, hello: HelloFrame): boolean {
  const { masterPid, startedAt } = hello.server;
  return !generations.connected && masterPid !== generations.current.pid && startedAt >= generations.current.startedAt && !generations.departedPid(masterPid);
}

/** A master's hello as the server's view, before its first sample. */
function newView(id: string, hello: HelloFrame, requestsTotal: number): ServerSummary {
  const s = hello.server;
  return {
    id, masterPid: s.masterPid, host: s.host, app: s.app, bind: s.bind, workerClass: s.workerClass,
    serviceName: s.serviceName, connected: true, startedAt: s.startedAt, lastSampleAt: null,
    targetWorkers: s.targetWorkers, master: null, workers: [], requestsTotal,
  };
}
