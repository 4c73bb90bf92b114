// Profile frames as an agent sends them, for the profile store's tests.
import type { ProfileFrame, StackFrame } from '../../../../extension/protocol/agent';

export const F = {
  main: { file: '/srv/app.py', line: 40, function: 'handle' },
  burn: { file: '/srv/app.py', line: 12, function: 'burn' },
  sleep: { file: '/srv/app.py', line: 20, function: 'nap' },
  accept: { file: '/usr/lib/python3/dist-packages/gunicorn/workers/sync.py', line: 33, function: 'SyncWorker.accept' },
} satisfies Record<string, StackFrame>;

type Sample = [pid: number, method: string, route: string, stack: StackFrame[], wall: number, cpu: number];

/** One self-contained frame: tables built from the samples' stacks. */
export function profileFrame(at: number, samples: Sample[], truncated?: { pid: number; samples: number }[]): ProfileFrame {
  const frames: StackFrame[] = [];
  const stacks: number[][] = [];
  const index = (f: StackFrame) => {
    let i = frames.findIndex((g) => g.file === f.file && g.line === f.line && g.function === f.function);
    if (i < 0) i = frames.push(f) - 1;
    return i;
  };
  const out = samples.map(([pid, method, route, stack, wall, cpu]) => {
    const ids = stack.map(index);
    let s = stacks.findIndex((t) => t.join() === ids.join());
    if (s < 0) s = stacks.push(ids) - 1;
    return { pid, method, route, stack: s, wall, cpu };
  });
  return { type: 'profile', at, hz: 97, frames, stacks, samples: out, ...(truncated ? { truncated } : {}) };
}
