// "The last exit cause of that slot": Gunicorn has no worker slots, so each exit is paired with the
// spawn that replaced it — for a reload, a spawn just before (HUP starts the new workers first); for a
// crash, timeout, max_requests or kill -9, the next spawn after it. Scale-down and shutdown replace nothing.
import type { LifecycleEvent } from '../protocol/agent';
import type { WorkerView } from '../protocol/ui';

type Exit = Extract<LifecycleEvent, { type: 'worker_exit' }>;
export type LastExit = NonNullable<WorkerView['lastExit']>;

/** How far apart an exit and its replacement's spawn may be, seconds. */
const PAIRING_WINDOW = 30;
const MAX_PENDING = 256;

export class ExitPairing {
  private readonly lastExit = new Map<number, LastExit>();
  /** Spawns not yet matched to an exit: only a reload's old workers exit after their replacements. */
  private readonly unpairedSpawns: Array<{ pid: number; at: number }> = [];
  private readonly unpairedExits: Exit[] = [];

  onEvent(event: LifecycleEvent): void {
    if (event.type === 'worker_spawn') {
      const exit = this.take(this.unpairedExits, event.at);
      if (exit) this.lastExit.set(event.pid, summary(exit));
      else push(this.unpairedSpawns, { pid: event.pid, at: event.at });
    } else if (event.type === 'worker_exit') {
      // A worker that exits is nobody's replacement any more.
      const own = this.unpairedSpawns.findIndex((s) => s.pid === event.pid);
      if (own >= 0) this.unpairedSpawns.splice(own, 1);
      if (event.reason === 'scale_down' || event.reason === 'shutdown') return;
      if (event.reason === 'reload') {
        // The newest unmatched spawn: HUP's new workers came just before their predecessors left.
        const newest = this.unpairedSpawns[this.unpairedSpawns.length - 1];
        if (newest && event.at - newest.at <= PAIRING_WINDOW) {
          this.unpairedSpawns.pop();
          this.lastExit.set(newest.pid, summary(event));
        }
        return;
      }
      push(this.unpairedExits, event);
    }
  }

  of(pid: number): LastExit | null {
    return this.lastExit.get(pid) ?? null;
  }

  /** Forgets workers that are gone. */
  retain(livePids: Set<number>): void {
    for (const pid of this.lastExit.keys()) if (!livePids.has(pid)) this.lastExit.delete(pid);
  }

  private take(exits: Exit[], at: number): Exit | undefined {
    while (exits.length > 0 && at - exits[0].at > PAIRING_WINDOW) exits.shift();
    return exits.shift();
  }
}

function summary(exit: Exit): LastExit {
  return {
    pid: exit.pid, reason: exit.reason, at: exit.at,
    ...(exit.signal === undefined ? {} : { signal: exit.signal }),
    ...(exit.exitCode === undefined ? {} : { exitCode: exit.exitCode }),
  };
}

function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_PENDING) list.shift();
}
