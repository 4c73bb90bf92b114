// One hour of 1 s history for 64 workers, measured in this process: the memory it holds (V8 heap plus
// typed-array backing stores) and the time to read it back as the API and the dashboard do.
import { Store } from '../../extension/hub/store';
import { hello, sample } from './frames';

const HOUR = 3600;
const round = (n: number) => Math.round(n * 100) / 100;

function used(): number {
  global.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Median wall time of `times` calls of `fn`, ms. */
function timeMs(fn: () => unknown, times: number): number {
  const runs: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    fn();
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  return round(runs[Math.floor(times / 2)]);
}

export function historyCost(): { historyHourFor64WorkersMiB: number; historyReadMs64Workers: Record<string, number> } {
  if (!global.gc) throw new Error('run with node --expose-gc');
  const before = used();
  const store = new Store();
  const id = store.connect(hello(0, 1e9));
  // Each frame is garbage once the store has taken it, as in the hub: only what the store keeps is counted.
  for (let s = 0; s < HOUR; s++) store.sample(id, { ...sample(0, s, 1e9 + s + ((s * 7919) % 13) / 1000), requests: [] });
  const bytes = used() - before;
  if (store.history(id).length !== HOUR) throw new Error('history not full');
  return {
    historyHourFor64WorkersMiB: round(bytes / 2 ** 20),
    historyReadMs64Workers: {
      last5Minutes: timeMs(() => store.history(id, 300), 50),
      last15Minutes: timeMs(() => store.history(id, 900), 20),
      hour: timeMs(() => store.history(id, HOUR), 10),
    },
  };
}
