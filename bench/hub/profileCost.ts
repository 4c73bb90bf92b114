// One hour of profiles for a busy server, measured in this process: 64 sync workers sampled at 97 Hz
// (6,208 samples a second), 200 routes, 5,000 distinct stacks (25 per route, 20 frames deep, sharing
// their outer frames), one profile frame a second. Reports the memory the store keeps (V8 heap plus
// typed-array backing stores) and the time to answer the dashboards' windows.
import type { ProfileFrame, StackFrame } from '../../extension/protocol/agent';
import { ProfileStore } from '../../extension/hub/profile/profileStore';

const HOUR = Number(process.env.PROFILE_BENCH_SECONDS ?? 3600);
const WORKERS = 64;
const ROUTES = 200;
const STACKS_PER_ROUTE = 25;
const HZ = 97;
const round = (n: number) => Math.round(n * 100) / 100;

function used(): number {
  global.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A deterministic pseudo-random sequence (the same profile every run). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export function stacksOf(route: number): StackFrame[][] {
  const frame = (depth: number, branch: number): StackFrame => ({
    file: depth < 8 ? `/usr/lib/python3/dist-packages/framework/layer${depth}.py` : `/srv/app/views/route${route}.py`,
    line: 10 + depth * 3 + branch, function: depth < 8 ? `Layer${depth}.dispatch` : `view_${route}_${depth}_${branch}`,
  });
  return Array.from({ length: STACKS_PER_ROUTE }, (_, k) =>
    Array.from({ length: 20 }, (_, d) => frame(d, d < 8 ? 0 : (k >> Math.min(4, d - 8)) % 5)));
}

export function frameAt(at: number, random: () => number, routes: StackFrame[][][]): ProfileFrame {
  const frames: StackFrame[] = [];
  const frameIds = new Map<StackFrame, number>();
  const stacks: number[][] = [];
  const stackIds = new Map<StackFrame[], number>();
  const counts = new Map<string, { pid: number; route: number; stack: number; wall: number; cpu: number }>();
  for (let w = 0; w < WORKERS; w++) {
    for (let s = 0; s < HZ; s++) {
      // Popular routes first (a skewed mix), and a few stacks per route most of the time.
      const route = Math.floor(ROUTES * random() ** 3);
      const stackFrames = routes[route][Math.floor(STACKS_PER_ROUTE * random() ** 2)];
      let stack = stackIds.get(stackFrames);
      if (stack === undefined) {
        stack = stacks.push(stackFrames.map((f) => {
          let id = frameIds.get(f);
          if (id === undefined) id = frames.push(f) - 1;
          frameIds.set(f, id);
          return id;
        })) - 1;
        stackIds.set(stackFrames, stack);
      }
      const key = `${w}:${route}:${stack}`;
      const c = counts.get(key) ?? { pid: 1000 + w, route, stack, wall: 0, cpu: 0 };
      c.wall += 1;
      if (random() < 0.7) c.cpu += 1;
      counts.set(key, c);
    }
  }
  const samples = [...counts.values()].map((c) => ({ pid: c.pid, method: 'GET', route: `/api/route${c.route}/{id}`, stack: c.stack, wall: c.wall, cpu: c.cpu }));
  return { type: 'profile', at, hz: HZ, frames, stacks, samples };
}

export function profileCost(): Record<string, unknown> {
  if (!global.gc) throw new Error('run with node --expose-gc');
  const random = rng(7);
  const routes = Array.from({ length: ROUTES }, (_, r) => stacksOf(r));
  // 120 distinct seconds of samples, replayed with the hour's timestamps (the store keeps no frame).
  const frames = Array.from({ length: 120 }, () => frameAt(0, random, routes));
  const before = used();
  const store = new ProfileStore();
  store.hello(HZ);
  let entries = 0;
  const t0 = performance.now();
  for (let s = 0; s < HOUR; s++) {
    const frame = { ...frames[s % frames.length], at: 1e9 + s };
    entries += frame.samples.length;
    store.add(frame);
  }
  const addMs = (performance.now() - t0) / HOUR;
  const bytes = used() - before;
  // Median of 5: the first call of each also compiles.
  const time = (fn: () => unknown) => {
    const runs = Array.from({ length: 5 }, () => {
      const t = performance.now();
      fn();
      return performance.now() - t;
    }).sort((a, b) => a - b);
    return round(runs[2]);
  };
  const hot = '/api/route0/{id}';
  return {
    profileHourFor64Workers200RoutesMiB: round(bytes / 2 ** 20),
    profile: { workers: WORKERS, routes: ROUTES, distinctStacks: store.table.stacks.length, hz: HZ,
      samplesPerFrame: WORKERS * HZ, entriesPerFrameMean: round(entries / HOUR) },
    profileFrameAddMsMean: round(addMs),
    profileQueryMs: {
      all5Minutes: time(() => store.query('s', { window: 300, mode: 'wall' })),
      oneRoute5Minutes: time(() => store.query('s', { window: 300, mode: 'wall', route: `GET ${hot}` })),
      allHour: time(() => store.query('s', { window: HOUR, mode: 'wall' })),
      oneWorkerHourCpu: time(() => store.query('s', { window: HOUR, mode: 'cpu', pid: 1000 })),
    },
  };
}

if (require.main === module) console.log(JSON.stringify(profileCost(), null, 2));
