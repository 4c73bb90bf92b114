// How long the dashboard's own work takes, by kind (message handling, each chart's redraw), so the
// render benchmark can report the cost of one update from inside the page. Two clock reads per
// measured call; nothing is kept but a count, a sum and a maximum.

export interface Timing {
  count: number;
  totalMs: number;
  maxMs: number;
}

class PerfStats {
  private readonly timings = new Map<string, Timing>();

  time<T>(name: string, fn: () => T): T {
    const start = performance.now();
    try {
      return fn();
    } finally {
      this.record(name, performance.now() - start);
    }
  }

  record(name: string, ms: number): void {
    let t = this.timings.get(name);
    if (!t) {
      t = { count: 0, totalMs: 0, maxMs: 0 };
      this.timings.set(name, t);
    }
    t.count += 1;
    t.totalMs += ms;
    if (ms > t.maxMs) t.maxMs = ms;
  }

  snapshot(): Record<string, Timing> {
    return Object.fromEntries([...this.timings].map(([k, v]) => [k, { ...v }]));
  }

  reset(): void {
    this.timings.clear();
  }
}

export const perf = new PerfStats();
