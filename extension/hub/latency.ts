// The durations of a set of requests, read as quantiles: exponential histograms from agents since
// protocol 1.1 (exact to merge, within 2.2 % as quantiles, inside the observed min and max), or an older
// agent's classic buckets. The latency KPI, the chart, the routes table and /routes all read through it.
import type { RequestGroup } from '../protocol/agent';
import { ExpHistogram, lowerBound, upperBound } from './expHistogram';
import { addBuckets, histogramQuantile } from './quantile';

/** A group's exponential histogram, decoded once however many readers it has. */
const decoded = new WeakMap<RequestGroup, ExpHistogram>();
export function durationsOf(group: RequestGroup): ExpHistogram | null {
  if (!group.durations) return null;
  let h = decoded.get(group);
  if (!h) {
    h = ExpHistogram.fromWire(group.durations);
    decoded.set(group, h);
  }
  return h;
}

export class Latency {
  readonly exp = new ExpHistogram();
  /** Older agents: per-bucket counts aligned with `bounds` plus +Inf. */
  readonly classic: number[] = [];
  /** The shortest and longest request, when the agent reports them. */
  min = Infinity;
  max = -Infinity;

  /** `bounds`: the older agent's classic bounds (unused for exponential data). */
  constructor(private readonly bounds: readonly number[]) {}

  add(group: RequestGroup): void {
    const d = durationsOf(group);
    if (d) {
      this.exp.merge(d);
      if (group.durationMin !== undefined && group.durationMin < this.min) this.min = group.durationMin;
      if (group.durationMax !== undefined && group.durationMax > this.max) this.max = group.durationMax;
    } else {
      addBuckets(this.classic, group.buckets);
    }
  }

  merge(other: Latency): void {
    this.exp.merge(other.exp);
    addBuckets(this.classic, other.classic);
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Seconds, or null when no request was seen. */
  quantile(q: number): number | null {
    if (this.exp.count > 0) {
      return this.exp.quantile(q, Number.isFinite(this.min) ? this.min : undefined, Number.isFinite(this.max) ? this.max : undefined);
    }
    return histogramQuantile(q, this.bounds as number[], this.classic);
  }

  /** The observed range of exponential data (from the buckets' edges where the agent sent none). */
  range(): { min: number; max: number } | null {
    if (this.exp.count === 0) return null;
    const keys = [...this.exp.buckets.keys()];
    const min = Number.isFinite(this.min) ? this.min : this.exp.zeroCount > 0 ? 0 : lowerBound(Math.min(...keys));
    return { min, max: Number.isFinite(this.max) ? this.max : upperBound(Math.max(...keys)) };
  }
}
