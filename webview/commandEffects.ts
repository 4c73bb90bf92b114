// What a signal should visibly do, and whether it has: an ack only says the master got the signal,
// so after it the controls watch the server for the effect — new worker pids after HUP or TTIN, one gone
// after TTOU, SIGUSR1 in the events after USR1, the agent gone after QUIT.
import type { AllowedSignal, LifecycleEvent } from '../extension/protocol/agent';
import type { ServerView } from '../extension/protocol/ui';

export interface Effect {
  signal: AllowedSignal;
  serverId: string;
  /** Worker pids when the command was sent. */
  before: Set<number>;
  /** How many times the master had received this signal when the command was sent. */
  signalsBefore: number;
}

export interface Progress {
  text: string;
  done: boolean;
}

export function startEffect(signal: AllowedSignal, server: ServerView, events: LifecycleEvent[]): Effect {
  return { signal, serverId: server.id, before: new Set(server.workers.map((w) => w.pid)), signalsBefore: received(events, signal) };
}

export function progress(effect: Effect, server: ServerView, events: LifecycleEvent[]): Progress {
  const live = server.workers.map((w) => w.pid);
  const fresh = live.filter((pid) => !effect.before.has(pid));
  const gone = [...effect.before].filter((pid) => !live.includes(pid));
  switch (effect.signal) {
    case 'HUP': {
      const done = fresh.length > 0 && gone.length === effect.before.size;
      return { done, text: `${count(fresh.length, 'new worker')}${pids(fresh)}, ${gone.length} of ${effect.before.size} old exited` };
    }
    case 'TTIN':
      return fresh.length > 0 ? { done: true, text: `worker ${fresh.join(', ')} added` } : { done: false, text: 'waiting for the new worker' };
    case 'TTOU':
      return gone.length > 0 ? { done: true, text: `worker ${gone.join(', ')} stopped` } : { done: false, text: 'waiting for a worker to stop' };
    case 'USR1':
      return received(events, 'USR1') > effect.signalsBefore
        ? { done: true, text: 'the master received SIGUSR1 and reopened its logs' }
        : { done: false, text: 'waiting for the master' };
    case 'QUIT':
    case 'TERM':
      return server.connected ? { done: false, text: 'waiting for the server to stop' } : { done: true, text: 'the server stopped' };
    default:
      return received(events, effect.signal) > effect.signalsBefore
        ? { done: true, text: `the master received SIG${effect.signal}` }
        : { done: false, text: 'waiting for the master' };
  }
}

function received(events: LifecycleEvent[], signal: AllowedSignal): number {
  const name = `SIG${signal}`;
  let n = 0;
  for (const e of events) if (e.type === 'signal' && e.signal === name) n += 1;
  return n;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function pids(list: number[]): string {
  if (list.length === 0) return '';
  return ` (${list.slice(0, 4).join(', ')}${list.length > 4 ? ', …' : ''})`;
}
