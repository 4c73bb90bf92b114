// The masters serving for one launch, followed through USR2: Gunicorn re-executes a new master that is not
// our child, so it is found in /proc (its process group and GUNICORN_PID) and watched by pid. Used by
// `gunicorn-live run` and by the VS Code window that launched a task.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const HAVE_PROC = existsSync('/proc/self/stat');

/** State, parent and process group of a process; null once it is gone. */
function processStat(pid: number): { state: string; ppid: number; pgrp: number } | null {
  if (!(pid > 0)) return null;
  try {
    let text: string;
    if (HAVE_PROC) {
      text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      text = text.slice(text.lastIndexOf(')') + 2);
    } else {
      text = execFileSync('ps', ['-o', 'stat=', '-o', 'ppid=', '-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8', timeout: 5000 }).trim();
    }
    const [state, ppid, pgrp] = text.split(/\s+/);
    return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return null;
  }
}

/** The old master's pid a USR2 re-exec left in the new master's environment (GUNICORN_PID), else null. */
function reexecutedFrom(pid: number): number | null {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((v) => v.startsWith('GUNICORN_PID='));
    const from = Number(entry?.slice('GUNICORN_PID='.length));
    return Number.isInteger(from) && from > 0 ? from : null;
  } catch {
    return null;
  }
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
}

/**
 * The masters serving for one launch: the one started, and each one Gunicorn re-executes on USR2. The new
 * master is forked by the old one, so it is in the process group the launch gave Gunicorn (`detached`),
 * and it outlives the old master when that one is stopped; it is not our child, so it is watched by pid.
 */
export class GunicornMasters {
  private readonly pids = new Set<number>();
  private stopping: NodeJS.Signals | null = null;

  /** `group`: the pid of the master started detached, which leads its own process group. */
  constructor(readonly group: number) {
    this.pids.add(group);
  }

  /** A master the hub heard from: followed when it is one of ours. True when it is new. */
  follow(pid: number): boolean {
    if (this.pids.has(pid) || processStat(pid)?.pgrp !== this.group) return false;
    this.pids.add(pid);
    if (this.stopping) send(pid, this.stopping); // it said hello after we were asked to stop
    return true;
  }

  /** Linux: re-executed masters the hub has not heard from (yet): in the group, started with GUNICORN_PID,
   * and the child of that master or orphaned by it — never a worker, whose parent is a master in the group. */
  discover(): number[] {
    if (!HAVE_PROC) return [];
    const members = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = processStat(Number(entry));
      if (stat && stat.pgrp === this.group && stat.state !== 'Z') members.set(Number(entry), stat.ppid);
    }
    const found: number[] = [];
    for (const [pid, ppid] of members) {
      const from = reexecutedFrom(pid);
      if (from !== null && (ppid === from || !members.has(ppid)) && this.follow(pid)) found.push(pid);
    }
    return found;
  }

  /** The followed masters still running (a zombie has finished). */
  running(): number[] {
    for (const pid of this.pids) {
      const stat = processStat(pid);
      if (!stat || stat.state.startsWith('Z') || stat.pgrp !== this.group) this.pids.delete(pid);
    }
    return [...this.pids];
  }

  /** Sends `signal` to every master still running, and to any found later; returns those signalled. */
  stop(signal: NodeJS.Signals): number[] {
    this.discover();
    this.stopping = signal;
    const pids = this.running();
    for (const pid of pids) send(pid, signal);
    return pids;
  }
}
