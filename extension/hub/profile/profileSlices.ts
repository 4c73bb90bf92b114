// Profile counts over time, in rings of slices: 10-second slices for the last 5 minutes, 1-minute slices
// for 15 minutes and 5-minute slices for the hour (each sample goes into all three), so a window is answered
// in whole slices ending with the newest — to 10 s up to 5 minutes, to a minute up to 15, to 5 minutes
// beyond — and an hour costs 57 slices, not 3,600. A slice counts wall and on-CPU samples per (route,
// worker, stack) in typed arrays (16 bytes an entry); once a newer slice starts it is sealed: sorted by
// by (route, stack, worker) and also summed over workers, which most questions want.

/** [slice seconds, slices kept, entries a slice may hold (the excess counts as truncated)]. */
export const TIERS: readonly (readonly [number, number, number])[] = [[10, 30, 60_000], [60, 15, 60_000], [300, 12, 60_000]];

const STACK_BITS = 17; // 2^17 > MAX_STACKS
/** Route ids fit below this: route and stack make one small integer (V8 keeps it unboxed in a Map). */
export const MAX_ROUTE_IDS = 2 ** 13;

/** Route and stack as one number below 2^30, route-major (a route's entries sort together). */
export const routeStack = (route: number, stack: number): number => route * 2 ** STACK_BITS + stack;
export const routeOf = (rs: number): number => rs >>> STACK_BITS;
export const stackOf = (rs: number): number => rs & (2 ** STACK_BITS - 1);

/** What a slice hands a reader: parallel arrays, `n` entries long. */
export interface SliceEntries {
  n: number;
  rs: Uint32Array;
  /** Worker pid per entry; absent when the entries are summed over workers. */
  pid?: Uint32Array;
  wall: Uint32Array;
  cpu: Uint32Array;
}

function grow(a: Uint32Array, size: number): Uint32Array {
  if (size <= a.length) return a;
  const b = new Uint32Array(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

export class Slice {
  /** While open: pid → (route, stack) → entry index. Null once sealed. */
  private index: Map<number, Map<number, number>> | null = new Map();
  private all: Required<SliceEntries> = { n: 0, rs: new Uint32Array(256), pid: new Uint32Array(256), wall: new Uint32Array(256), cpu: new Uint32Array(256) };
  /** Sealed: the entries summed over workers, by (route, stack). */
  private merged: SliceEntries | null = null;
  /** Sealed: the workers with samples, once asked. */
  private workers: number[] | null = null;
  /** Samples without a stack, by worker pid. */
  readonly truncated = new Map<number, number>();

  constructor(readonly start: number, readonly seconds: number, private readonly maxEntries: number) {}

  /** False when the slice is full (the caller counts the samples as truncated). */
  add(rs: number, pid: number, wall: number, cpu: number): boolean {
    const index = this.open();
    let byRs = index.get(pid);
    if (!byRs) index.set(pid, (byRs = new Map<number, number>()));
    let i = byRs.get(rs);
    const e = this.all;
    if (i === undefined) {
      if (e.n >= this.maxEntries) return false;
      i = e.n++;
      if (i >= e.rs.length) {
        e.rs = grow(e.rs, i + 1);
        e.pid = grow(e.pid, i + 1);
        e.wall = grow(e.wall, i + 1);
        e.cpu = grow(e.cpu, i + 1);
      }
      byRs.set(rs, i);
      e.rs[i] = rs;
      e.pid[i] = pid;
    }
    e.wall[i] += wall;
    e.cpu[i] += cpu;
    return true;
  }

  truncate(pid: number, samples: number): void {
    this.truncated.set(pid, (this.truncated.get(pid) ?? 0) + samples);
  }

  /** The entries with their workers (to filter by one), or summed over workers (fewer, once sealed). */
  entries(perWorker: boolean): SliceEntries {
    return perWorker || !this.merged ? this.all : this.merged;
  }

  get size(): number {
    return this.all.n;
  }

  /** The workers with samples in this slice. */
  pids(): Iterable<number> {
    if (this.index) return this.index.keys();
    this.workers ??= [...new Set(this.all.pid.subarray(0, this.all.n))];
    return this.workers;
  }

  /** No more samples are expected: sort the entries by (route, stack), trim them, and sum them over workers. */
  seal(): void {
    if (!this.index) return;
    const e = this.all;
    const order = Array.from({ length: e.n }, (_, i) => i).sort((a, b) => e.rs[a] - e.rs[b] || e.pid[a] - e.pid[b]);
    const take = (src: Uint32Array) => Uint32Array.from(order, (i) => src[i]);
    this.all = { n: e.n, rs: take(e.rs), pid: take(e.pid), wall: take(e.wall), cpu: take(e.cpu) };
    const all = this.all;
    const m = { n: 0, rs: new Uint32Array(all.n), wall: new Uint32Array(all.n), cpu: new Uint32Array(all.n) };
    for (let i = 0; i < all.n; i++) {
      if (m.n === 0 || m.rs[m.n - 1] !== all.rs[i]) m.rs[m.n++] = all.rs[i];
      m.wall[m.n - 1] += all.wall[i];
      m.cpu[m.n - 1] += all.cpu[i];
    }
    this.merged = { n: m.n, rs: m.rs.slice(0, m.n), wall: m.wall.slice(0, m.n), cpu: m.cpu.slice(0, m.n) };
    this.index = null;
  }

  get sealed(): boolean {
    return this.index === null;
  }

  /** A late frame for a sealed slice (rare: a master's frames come in order) opens it again. */
  private open(): Map<number, Map<number, number>> {
    if (!this.index) {
      this.index = new Map();
      const e = this.all;
      for (let i = 0; i < e.n; i++) {
        let byRs = this.index.get(e.pid[i]);
        if (!byRs) this.index.set(e.pid[i], (byRs = new Map<number, number>()));
        byRs.set(e.rs[i], i);
      }
      this.merged = null;
      this.workers = null;
    }
    return this.index;
  }
}

/** One tier: slices of `seconds`, the newest `kept` of them. */
class Ring {
  private readonly slices = new Map<number, Slice>();

  constructor(readonly seconds: number, readonly kept: number, private readonly maxEntries: number) {}

  slice(at: number, newest: number): Slice | null {
    const index = Math.floor(at / this.seconds);
    if (index <= Math.floor(newest / this.seconds) - this.kept) return null; // older than the ring holds
    let slice = this.slices.get(index);
    if (!slice) {
      slice = new Slice(index * this.seconds, this.seconds, this.maxEntries);
      const oldest = Math.floor(Math.max(newest, at) / this.seconds) - this.kept;
      for (const [i, s] of this.slices) {
        if (i <= oldest) this.slices.delete(i);
        else if (i < index) s.seal();
      }
      this.slices.set(index, slice);
    }
    return slice;
  }

  /** The newest slice and those before it, ceil(window / seconds) in all, oldest first. */
  within(newest: number, window: number): Slice[] {
    const first = Math.floor(newest / this.seconds) - Math.ceil(window / this.seconds) + 1;
    return [...this.slices.entries()].filter(([i]) => i >= first).sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  }

  get size(): number {
    return this.slices.size;
  }
}

export class ProfileSlices {
  private readonly rings = TIERS.map(([seconds, kept, max]) => new Ring(seconds, kept, max));
  /** The newest `at` seen: windows reach back from it, as the history's do. */
  newest = -Infinity;

  /** The slices (one per tier) that samples taken at `at` go into; none when older than every tier keeps. */
  slicesAt(at: number): Slice[] {
    this.newest = Math.max(this.newest, at);
    const out: Slice[] = [];
    for (const ring of this.rings) {
      const slice = ring.slice(at, this.newest);
      if (slice) out.push(slice);
    }
    return out;
  }

  /** The slices covering the last `window` seconds, from the finest tier that reaches that far back. */
  window(window: number): Slice[] {
    if (this.newest === -Infinity) return [];
    const ring = this.rings.find((r) => r.seconds * r.kept >= window) ?? this.rings[this.rings.length - 1];
    return ring.within(this.newest, window);
  }

  get sliceCount(): number {
    return this.rings.reduce((n, r) => n + r.size, 0);
  }
}
