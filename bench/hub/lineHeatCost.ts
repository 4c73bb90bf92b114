// What one hot-lines refresh costs in the extension host: a 5-minute window of a busy server's profile
// (64 workers, 200 routes, 5,000 distinct stacks 30 frames deep, over 60 files of 2,000 lines) read from the
// real ProfileStore (stacksByRoute) and turned into line and function heat (lineHeat). Prints JSON.
// `node --import tsx bench/hub/lineHeatCost.ts`
import { performance } from 'node:perf_hooks';
import { lineHeat } from '../../extension/hub/profile/lineHeat';
import { ProfileStore } from '../../extension/hub/profile/profileStore';
import type { ProfileFrame, StackFrame } from '../../extension/protocol/agent';

const WORKERS = 64;
const ROUTES = 200;
const STACKS = 5000;
const DEPTH = 30;
const SECONDS = 300;

let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const frames: StackFrame[] = [];
for (let f = 0; f < 60; f++) for (let fn = 0; fn < 40; fn++) frames.push({ file: `/srv/app/module${f}.py`, line: 1 + Math.floor(random() * 2000), function: `f${fn}` });
const stacks = Array.from({ length: STACKS }, () => Array.from({ length: DEPTH }, () => Math.floor(random() * frames.length)));

const store = new ProfileStore();
store.hello(97);
const start = 1_000_000;
for (let t = 0; t < SECONDS; t++) {
  // Each second: every worker's samples over 40 stacks (a distinct set each second, all 5,000 within ~2 min).
  const samples: ProfileFrame['samples'] = [];
  for (let w = 0; w < WORKERS; w++) {
    for (let k = 0; k < 40; k++) {
      const stack = (t * 977 + w * 131 + k * 17) % STACKS;
      samples.push({ pid: 1000 + w, method: 'GET', route: `/r${stack % ROUTES}`, stack, wall: 2, cpu: 1 });
    }
  }
  store.add({ type: 'profile', at: start + t, hz: 97, frames, stacks, samples });
}

const runs: number[] = [];
const reads: number[] = [];
let lines = 0;
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  const byRoute = store.stacksByRoute({ window: SECONDS, mode: 'wall' }, true);
  reads.push(performance.now() - t0);
  const heat = lineHeat([{ frames: store.table.frames, stacks: store.table.stacks, byRoute }]);
  runs.push(performance.now() - t0);
  lines = [...heat.files.values()].reduce((n, f) => n + f.lines.size, 0);
}
runs.sort((a, b) => a - b);
reads.sort((a, b) => a - b);
console.log(JSON.stringify({
  bench: 'hot lines refresh (stacksByRoute + lineHeat)', workers: WORKERS, routes: ROUTES, stacks: STACKS, depth: DEPTH, windowSeconds: SECONDS,
  sampledLines: lines, storeReadMedianMs: Number(reads[3].toFixed(1)), medianMs: Number(runs[3].toFixed(1)), maxMs: Number(runs[6].toFixed(1)),
}));
