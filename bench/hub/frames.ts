// The synthetic agents' frames: a server of WORKERS sync workers with ROUTES active routes, as the Python
// agent would send them (validated by the hub like any agent's).
import type { HelloFrame, SampleFrame } from '../../extension/protocol/agent';

export const WORKERS = 64;
export const ROUTES = 200;
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function hello(i: number, startedAt: number): HelloFrame {
  return { type: 'hello', protocol: '1.0', agent: { version: 'bench', python: '3.11', gunicorn: '20.1.0' },
    server: { masterPid: 10_000 + i, host: 'bench', app: `app${i}:app`, bind: [`127.0.0.1:${9000 + i}`], workerClass: 'sync',
      serviceName: `bench${i}`, startedAt, targetWorkers: WORKERS, interval: 1, durationBuckets: BUCKETS } };
}

/** Sample `seq` of server `i`, taken at `at` (seconds since the epoch). */
export function sample(i: number, seq: number, at: number): SampleFrame {
  return {
    type: 'sample', seq, at, master: { pid: 10_000 + i, cpuPercent: 0.3, rssBytes: 30e6 }, targetWorkers: WORKERS,
    workers: Array.from({ length: WORKERS }, (_, w) => ({
      // Real-looking numbers: CPU with two decimals (as the agent rounds), RSS in whole pages that drift, a request count that grows.
      pid: 20_000 + i * 100 + w, age: w + 1, bootedAt: at - 100, cpuPercent: ((seq * 701 + w * 37) % 10_000) / 100,
      rssBytes: (10_000 + w * 25 + (seq % 50)) * 4096, pssBytes: (5_000 + w * 10 + (seq % 20)) * 4096,
      requests: seq * 10 + w, state: w % 3 === 0 ? 'busy' : 'idle',
      inFlight: w % 3 === 0 ? { method: 'GET', route: `/r/${w}`, elapsed: 0.1 } : null,
    })),
    requests: Array.from({ length: ROUTES }, (_, r) => ({
      method: r % 5 === 0 ? 'POST' : 'GET', route: `/api/v1/resource${r}/{id}`, status: r % 17 === 0 ? 500 : 200, count: 3,
      durationSum: 0.05, buckets: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], responseBytes: 3000,
    })),
  };
}
