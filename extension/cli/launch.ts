// Starts Gunicorn with the agent injected: our shim becomes `-c`, and the user's own config (their `-c`,
// else ./gunicorn.conf.py) is handed to the shim, which loads it and chains its hooks. Then follows the
// masters Gunicorn re-executes on USR2, which are not our children.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { AGENT_DIR, AGENT_SHIM, GUNICORN_LAUNCHER } from './paths';

export interface GunicornLaunch {
  python: string;
  /** Gunicorn's own arguments, passed through except for `-c/--config`. */
  gunicornArgs: string[];
  agentUrl: string;
  token: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface GunicornCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** `--config` or an abbreviation argparse accepts for it (Gunicorn has no other option starting `--co`). */
const isConfigFlag = (flag: string) => flag.length >= 4 && '--config'.startsWith(flag);

/** Splits the user's config file out of Gunicorn's arguments. */
export function extractConfig(args: string[]): { config: string | null; rest: string[] } {
  const rest: string[] = [];
  let config: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    } else if (arg === '-c' || isConfigFlag(arg)) {
      config = args[i + 1] ?? null;
      i += 1;
    } else if (eq > 0 && isConfigFlag(arg.slice(0, eq))) config = arg.slice(eq + 1);
    else if (arg.startsWith('-c') && arg.length > 2 && !arg.startsWith('--')) config = arg.slice(2);
    else rest.push(arg);
  }
  return { config, rest };
}

/** The command line that runs the instrumented Gunicorn; also what a VS Code task executes. */
export function gunicornCommand(launch: GunicornLaunch): GunicornCommand {
  const cwd = launch.cwd ?? process.cwd();
  const base = launch.env ?? process.env;
  const { config, rest } = extractConfig(launch.gunicornArgs);
  const env: NodeJS.ProcessEnv = {
    ...base,
    PYTHONPATH: [AGENT_DIR, base.PYTHONPATH].filter(Boolean).join(delimiter),
    GUNICORN_LIVE_URL: launch.agentUrl,
    GUNICORN_LIVE_TOKEN: launch.token,
  };
  const userConfig = config ?? (existsSync(resolve(cwd, 'gunicorn.conf.py')) ? 'gunicorn.conf.py' : null);
  if (userConfig) {
    env.GUNICORN_LIVE_USER_CONFIG = userConfig.startsWith('python:') ? userConfig : resolve(cwd, userConfig);
  } else {
    delete env.GUNICORN_LIVE_USER_CONFIG;
  }
  return { command: launch.python, args: [GUNICORN_LAUNCHER, '-c', AGENT_SHIM, ...rest], env };
}

export function launchGunicorn(launch: GunicornLaunch): ChildProcess {
  const { command, args, env } = gunicornCommand(launch);
  return spawn(command, args, { cwd: launch.cwd, env, stdio: 'inherit' });
}

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
