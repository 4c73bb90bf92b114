// A server's masters over time. After USR2 a server has two masters until the old one is stopped: the
// newer is the server's master, and the older one and its workers serve on beside it. A master whose
// connection went is remembered for a while, in case its agent only lost the connection and says hello again.
import type { WorkerView } from '../protocol/ui';

export interface Master {
  readonly pid: number;
  readonly startedAt: number;
  /** The last sample's `seq`, to count gaps. */
  lastSeq: number | null;
  /** Its workers as last sampled. */
  workers: WorkerView[];
}

/** What a master's hello meant for the server. */
export type HelloOutcome =
  /** An older master (after USR2) said hello: it serves on beside the current one. */
  | 'older'
  /** A new master (restart, USR2): the server's new generation. */
  | 'new'
  /** The current master again (its agent reconnected). */
  | 'same';

/** What a master's disconnection meant for the server. */
export type LeaveOutcome =
  /** An older master left (stopped after USR2): its workers went with it. */
  | 'older'
  /** The current master left while an older one serves (USR2 undone): that one is the server's master again. */
  | 'promoted'
  /** The server's last master left: the server is disconnected. */
  | 'disconnected'
  /** No master of the server by that pid. */
  | 'unknown';

/** Departed masters remembered, in case one only lost its connection and says hello again. */
const DEPARTED_KEPT = 8;

export class Generations {
  /** The server's master: the newest one connected (or the last one seen). */
  current: Master;
  connected = true;
  /** When the server's last master left (ms), while it is disconnected. */
  disconnectedAt: number | null = null;
  /** Older masters still connected after USR2, by pid: they and their workers serve until stopped. */
  private readonly older = new Map<number, Master>();
  /** Masters whose connection went, with their workers as last seen (already counted as exited). */
  private readonly departed = new Map<number, { startedAt: number; workers: WorkerView[] }>();

  /**
   * @param onExited told the requests of workers that stopped serving (their master's sample no longer has
   *   them, or their master's connection went); negative when a departed master's workers are back.
   */
  constructor(masterPid: number, startedAt: number, private readonly onExited: (requests: number) => void) {
    this.current = { pid: masterPid, startedAt, lastSeq: null, workers: [] };
  }

  /** A master said hello. */
  hello(masterPid: number, startedAt: number): HelloOutcome {
    const current = this.current;
    if (this.connected && current.pid !== masterPid && current.startedAt > startedAt) {
      // After USR2 the old master reports on beside the newer one (and says hello again after a reconnect).
      if (!this.older.has(masterPid)) this.older.set(masterPid, this.rejoin(masterPid, startedAt));
      return 'older';
    }
    let outcome: HelloOutcome = 'same';
    if (current.pid !== masterPid) {
      // USR2: the old master and its workers serve on beside the new one until it is stopped.
      if (this.connected) this.older.set(current.pid, current);
      else this.depart(current);
      this.older.delete(masterPid);
      this.current = this.rejoin(masterPid, startedAt);
      outcome = 'new';
    }
    this.connected = true;
    this.disconnectedAt = null;
    return outcome;
  }

  /** A master's agent went away (`masterPid`: which one; default the current master). */
  leave(now: number, masterPid = this.current.pid): LeaveOutcome {
    if (masterPid !== this.current.pid) {
      const older = this.older.get(masterPid);
      if (!older) return 'unknown';
      this.older.delete(masterPid);
      this.depart(older);
      return 'older';
    }
    const next = [...this.older.values()].sort((a, b) => b.startedAt - a.startedAt)[0];
    if (next) {
      this.older.delete(next.pid);
      this.depart(this.current);
      this.current = next;
      return 'promoted';
    }
    this.connected = false;
    this.disconnectedAt = now;
    return 'disconnected';
  }

  /** True for a master whose connection went (remembered in case it says hello again). */
  departedPid(masterPid: number): boolean {
    return this.departed.has(masterPid);
  }

  /** The master by that pid (default the current one), if it is connected or the server's master. */
  master(masterPid = this.current.pid): Master | undefined {
    return masterPid === this.current.pid ? this.current : this.older.get(masterPid);
  }

  /** A master's sample: returns how many of its samples were lost before this one (gaps in `seq`). */
  sampled(master: Master, seq: number): number {
    const lost = master.lastSeq !== null && seq > master.lastSeq + 1 ? seq - master.lastSeq - 1 : 0;
    master.lastSeq = seq;
    return lost;
  }

  /** A master's workers as its sample has them; those no longer there have exited. */
  setWorkers(master: Master, workers: WorkerView[]): void {
    const live = new Set(workers.map((w) => w.pid));
    this.onExited(master.workers.reduce((sum, w) => sum + (live.has(w.pid) ? 0 : w.requests), 0));
    master.workers = workers;
  }

  /** The workers of older masters still serving after USR2. */
  olderWorkers(): WorkerView[] {
    return [...this.older.values()].flatMap((m) => m.workers);
  }

  /** The server's workers: the current master's, then those of older masters still serving. */
  workers(): WorkerView[] {
    return this.older.size === 0 ? this.current.workers : [...this.current.workers, ...this.olderWorkers()];
  }

  /** A master's connection went: its workers' totals move to the exited count, remembered in case it comes back. */
  private depart(master: Master): void {
    this.onExited(master.workers.reduce((sum, w) => sum + w.requests, 0));
    this.departed.delete(master.pid);
    this.departed.set(master.pid, { startedAt: master.startedAt, workers: master.workers });
    if (this.departed.size > DEPARTED_KEPT) this.departed.delete(this.departed.keys().next().value!);
  }

  /** A master says hello: a departed one (its agent had only lost the connection) brings its workers back. */
  private rejoin(masterPid: number, startedAt: number): Master {
    const master: Master = { pid: masterPid, startedAt, lastSeq: null, workers: [] };
    const departed = this.departed.get(masterPid);
    if (!departed || departed.startedAt !== startedAt) return master;
    this.departed.delete(masterPid);
    this.onExited(-departed.workers.reduce((sum, w) => sum + w.requests, 0));
    master.workers = departed.workers;
    return master;
  }
}
