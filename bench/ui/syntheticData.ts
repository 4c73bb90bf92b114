// What a busy server looks like to the dashboard, made up but shaped like the real thing: 64 workers
// sampled at 1 Hz, a reload (HUP) that replaced every worker ten minutes ago, a timed-out worker with
// its stack, 50 routes, and every optional field the hub sends (latency, status classes, busy,
// in-flight requests, last exits). Deterministic (a seeded generator), so runs compare.
import type { LifecycleEvent } from '../../extension/protocol/agent';
import type { HistoryPoint, RouteView, ServerView, WorkerView } from '../../extension/protocol/ui';

export const WORKERS = 64;
const ROUTES = 50;
const MiB = 2 ** 20;

/** mulberry32: small, fast, seeded. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Worker {
  pid: number;
  age: number;
  bootedAt: number;
  requests: number;
  lastExit: WorkerView['lastExit'];
}

export class SyntheticServer {
  readonly id = 'bench0000001';
  private readonly rand = random(42);
  private workers: Worker[] = [];
  private nextPid = 30_000;
  private nextAge = 1;
  private readonly events: LifecycleEvent[] = [];
  private readonly routes: RouteView[];
  private requestsTotal = 0;

  constructor(private readonly startedAt: number) {
    for (let i = 0; i < WORKERS; i++) this.spawn(startedAt, null);
    this.routes = Array.from({ length: ROUTES }, (_, r) => ({
      method: r % 5 === 0 ? 'POST' : 'GET', route: `/api/v1/resource${r}/{id}`, count: 0, rps: 0,
      p50: 0.004 + r * 0.001, p95: 0.03 + r * 0.004, p99: 0.09 + r * 0.01, errors: 0,
    }));
  }

  /** Gunicorn's HUP: new workers first, then the old ones exit (reason reload). */
  reload(at: number): void {
    this.events.push({ type: 'signal', signal: 'SIGHUP', at });
    const old = this.workers;
    this.workers = [];
    old.forEach((w, i) => this.spawn(at + 0.01 * i, { pid: w.pid, reason: 'reload', exitCode: 0, at: at + 0.5 }));
    for (const w of old) this.events.push({ type: 'worker_exit', pid: w.pid, reason: 'reload', exitCode: 0, at: at + 0.5 });
  }

  /** A worker the master aborts after --timeout, with the stack it was stuck in. */
  timeout(at: number): void {
    const victim = this.workers.splice(Math.floor(this.rand() * this.workers.length), 1)[0]!;
    this.events.push({ type: 'worker_exit', pid: victim.pid, reason: 'timeout', exitCode: 1, at, stack: [
      { file: '/usr/lib/python3/dist-packages/gunicorn/workers/sync.py', line: 136, function: 'handle' },
      { file: '/usr/lib/python3/dist-packages/gunicorn/workers/sync.py', line: 179, function: 'handle_request' },
      { file: '/srv/app/views.py', line: 88, function: 'report' },
      { file: '/srv/app/db.py', line: 41, function: 'slow_query' },
    ] });
    this.spawn(at + 0.2, { pid: victim.pid, reason: 'timeout', exitCode: 1, at });
  }

  /** TTIN: one worker more. */
  addWorker(at: number): void {
    this.events.push({ type: 'signal', signal: 'SIGTTIN', at });
    this.spawn(at + 0.1, null);
  }

  /** One sample: the point for the charts and the server as the hub would send it. */
  sample(at: number): { point: HistoryPoint; server: ServerView } {
    const r = this.rand;
    const wave = 0.5 + 0.5 * Math.sin(at / 60);
    const busy = Math.round(this.workers.length * (0.2 + 0.5 * wave * r()));
    let rps = 0;
    const workers = this.workers.map((w, i) => {
      const wRps = 2 + 6 * wave * r();
      w.requests += Math.round(wRps);
      rps += wRps;
      return {
        pid: w.pid,
        cpuPercent: Math.min(100, 5 + 60 * wave * r() + (i % 7)),
        rssBytes: Math.round((48 + (at - w.bootedAt) / 120 + (i % 5)) * MiB),
        pssBytes: Math.round((22 + (at - w.bootedAt) / 200 + (i % 3)) * MiB),
        rps: wRps,
      };
    });
    this.requestsTotal += Math.round(rps);
    const errors = rps * 0.01 * r();
    const point: HistoryPoint = {
      at, rps, workers, busy,
      latency: { p50: 0.012 + 0.01 * wave, p95: 0.08 + 0.1 * wave * r(), p99: 0.2 + 0.4 * wave * r() },
      status: { '2xx': rps * 0.9, '3xx': rps * 0.04, '4xx': rps * 0.06 - errors, '5xx': errors },
    };
    for (const route of this.routes) {
      route.rps = rps / ROUTES;
      route.count += Math.round(route.rps);
      route.errors += r() < 0.02 ? 1 : 0;
    }
    const server: ServerView = {
      id: this.id, masterPid: 29_999, host: 'bench', app: 'shop.wsgi:application', bind: ['127.0.0.1:8000'],
      workerClass: 'sync', serviceName: 'shop', connected: true, startedAt: this.startedAt, lastSampleAt: at,
      targetWorkers: this.workers.length, master: { pid: 29_999, cpuPercent: 0.6, rssBytes: 31 * MiB },
      workers: this.workers.map((w, i) => {
        const isBusy = i < busy;
        return {
          pid: w.pid, age: w.age, bootedAt: w.bootedAt, cpuPercent: workers[i]!.cpuPercent, rssBytes: workers[i]!.rssBytes,
          pssBytes: workers[i]!.pssBytes, requests: w.requests, state: isBusy ? 'busy' : 'idle',
          inFlight: isBusy ? { method: 'GET', route: `/api/v1/resource${i % ROUTES}/{id}`, elapsed: r() * 2 } : null,
          inFlightCount: isBusy ? 1 : 0, lastExit: w.lastExit,
        };
      }),
      requestsTotal: this.requestsTotal,
      events: this.events.slice(-200),
      routes: this.routes.map((route) => ({ ...route })),
    };
    return { point, server };
  }

  private spawn(at: number, lastExit: WorkerView['lastExit']): void {
    const w = { pid: this.nextPid++, age: this.nextAge++, bootedAt: at, requests: 0, lastExit };
    this.workers.push(w);
    this.events.push({ type: 'worker_spawn', pid: w.pid, at });
  }
}
