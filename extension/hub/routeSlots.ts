// Per-route requests in fixed time slots (a ring), so any recent window merges exactly from the slots it
// covers. A slot still filling keeps live histograms; a past one keeps them in wire form (dense arrays),
// which is what an hour of slots for hundreds of routes can afford.
import type { RequestGroup } from '../protocol/agent';
import type { ExpHistogramWire } from './expHistogram';
import { Latency } from './latency';
import { addBuckets } from './quantile';

interface LiveRoute {
  method: string;
  route: string;
  count: number;
  errors: number;
  aborted: number;
  latency: Latency;
}

interface PastRoute {
  method: string;
  route: string;
  count: number;
  errors: number;
  aborted: number;
  min: number;
  max: number;
  durations: ExpHistogramWire | null;
  classic: number[] | null;
}

interface Slot {
  /** floor(time / slotSeconds) */
  index: number;
  live: Map<string, LiveRoute> | null;
  past: Map<string, PastRoute> | null;
}

/** 5xx answers plus requests whose app code raised, plus requests aborted as their worker died (status 0). */
export const errorsOf = (g: RequestGroup): number => (g.status >= 500 ? g.count : (g.exceptions ?? 0) + (g.aborted ?? 0));

export class RouteSlots {
  private readonly slots: Slot[] = [];

  constructor(readonly slotSeconds: number, private readonly slotCount: number, private readonly bounds: number[]) {}

  /** The seconds the ring covers. */
  get span(): number {
    return this.slotSeconds * this.slotCount;
  }

  add(at: number, key: string, method: string, route: string, group: RequestGroup): void {
    const index = Math.floor(at / this.slotSeconds);
    let slot = this.slots[this.slots.length - 1];
    if (!slot || index > slot.index) {
      if (slot) this.settle(slot);
      slot = { index, live: new Map(), past: null };
      this.slots.push(slot);
      while (this.slots.length > 0 && this.slots[0].index <= index - this.slotCount) this.slots.shift();
    }
    // A late sample (a clock step, a reordered master) counts in the newest slot rather than not at all.
    const live = slot.live!;
    let r = live.get(key);
    if (!r) {
      r = { method, route, count: 0, errors: 0, aborted: 0, latency: new Latency(this.bounds) };
      live.set(key, r);
    }
    r.count += group.count;
    r.errors += errorsOf(group);
    r.aborted += group.aborted ?? 0;
    r.latency.add(group);
  }

  /** Routes merged over the slots that overlap (from, to]. */
  merged(from: number, to: number): Map<string, LiveRoute> {
    const out = new Map<string, LiveRoute>();
    const first = Math.floor(from / this.slotSeconds);
    const last = Math.floor(to / this.slotSeconds);
    for (const slot of this.slots) {
      if (slot.index < first || slot.index > last) continue;
      for (const [key, r] of slot.live ?? []) {
        const m = this.into(out, key, r.method, r.route);
        m.count += r.count;
        m.errors += r.errors;
        m.aborted += r.aborted;
        m.latency.merge(r.latency);
      }
      for (const [key, r] of slot.past ?? []) {
        const m = this.into(out, key, r.method, r.route);
        m.count += r.count;
        m.errors += r.errors;
        m.aborted += r.aborted;
        if (r.durations) m.latency.exp.addWire(r.durations);
        if (r.classic) addBuckets(m.latency.classic, r.classic);
        if (r.min < m.latency.min) m.latency.min = r.min;
        if (r.max > m.latency.max) m.latency.max = r.max;
      }
    }
    return out;
  }

  private into(out: Map<string, LiveRoute>, key: string, method: string, route: string): LiveRoute {
    let m = out.get(key);
    if (!m) {
      m = { method, route, count: 0, errors: 0, aborted: 0, latency: new Latency(this.bounds) };
      out.set(key, m);
    }
    return m;
  }

  /** A slot done filling keeps its histograms in wire form. */
  private settle(slot: Slot): void {
    if (!slot.live) return;
    slot.past = new Map();
    for (const [key, r] of slot.live) {
      slot.past.set(key, {
        method: r.method, route: r.route, count: r.count, errors: r.errors, aborted: r.aborted, min: r.latency.min, max: r.latency.max,
        durations: r.latency.exp.count > 0 ? r.latency.exp.toWire() : null,
        classic: r.latency.classic.length > 0 ? r.latency.classic : null,
      });
    }
    slot.live = null;
  }
}
