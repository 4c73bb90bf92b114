// Profile counts over time, in two rings of slices: 10-second slices for the last 5 minutes and 60-second
// slices for the hour (each sample goes into both), so a window is answered in whole slices ending with
// the newest: to 10 s up to 5 minutes and to a minute beyond, and an hour costs 90 slices, not 3,600. A slice maps (route, worker, stack) to its wall
// and on-CPU samples, both packed in one number (wall × 2^26 + cpu) so one Map entry holds both.

/** [slice seconds, slices kept]: 5 min at 10 s, then 1 h at 60 s. */
export const TIERS: readonly (readonly [number, number])[] = [[10, 30], [60, 60]];
/** Entries (distinct route × worker × stack) one slice may hold; the excess counts as truncated. */
export const MAX_SLICE_ENTRIES = 100_000;

const CPU_SPAN = 2 ** 26;
const PID_SPAN = 2 ** 22; // Linux's pid_max limit
const STACK_SPAN = 2 ** 17; // > MAX_STACKS
/** Route ids fit below this (the key packs route, pid and stack in 53 bits). */
export const MAX_ROUTE_IDS = 2 ** 14;

export function entryKey(route: number, pid: number, stack: number): number {
  return (route * PID_SPAN + (pid % PID_SPAN)) * STACK_SPAN + stack;
}

export function splitKey(key: number): { route: number; pid: number; stack: number } {
  const stack = key % STACK_SPAN;
  const rest = (key - stack) / STACK_SPAN;
  const pid = rest % PID_SPAN;
  return { route: (rest - pid) / PID_SPAN, pid, stack };
}

export const wallOf = (packed: number): number => Math.floor(packed / CPU_SPAN);
export const cpuOf = (packed: number): number => packed % CPU_SPAN;

export class Slice {
  readonly entries = new Map<number, number>();
  /** Samples without a stack, by worker pid. */
  readonly truncated = new Map<number, number>();

  constructor(readonly start: number, readonly seconds: number) {}

  /** False when the slice is full (the caller counts the samples as truncated). */
  add(key: number, wall: number, cpu: number): boolean {
    const had = this.entries.get(key);
    if (had === undefined && this.entries.size >= MAX_SLICE_ENTRIES) return false;
    this.entries.set(key, (had ?? 0) + wall * CPU_SPAN + cpu);
    return true;
  }

  truncate(pid: number, samples: number): void {
    this.truncated.set(pid, (this.truncated.get(pid) ?? 0) + samples);
  }
}

/** One tier: slices of `seconds`, the newest `kept` of them. */
class Ring {
  private readonly slices = new Map<number, Slice>();

  constructor(readonly seconds: number, readonly kept: number) {}

  slice(at: number, newest: number): Slice | null {
    const index = Math.floor(at / this.seconds);
    if (index <= Math.floor(newest / this.seconds) - this.kept) return null; // older than the ring holds
    let slice = this.slices.get(index);
    if (!slice) {
      slice = new Slice(index * this.seconds, this.seconds);
      this.slices.set(index, slice);
      const oldest = Math.floor(Math.max(newest, at) / this.seconds) - this.kept;
      for (const i of this.slices.keys()) if (i <= oldest) this.slices.delete(i);
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
  private readonly rings = TIERS.map(([seconds, kept]) => new Ring(seconds, kept));
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
