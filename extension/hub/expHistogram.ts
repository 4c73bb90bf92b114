// Request durations as a base-2 exponential histogram at a fixed scale (OpenTelemetry's
// ExponentialHistogram, Prometheus' native-histogram schema): the agent's form, merged here exactly by
// adding counts. Bucket i holds (2^(i/16), 2^((i+1)/16)] seconds; a quantile read from it is within
// 2.2 % of the truth, then kept inside the observed min and max. Mirrors server-agent/gunicorn_live/exphist.py;
// test/vectors/exphist.json holds the indexes both must give.

import { DURATION_HISTOGRAM, type DurationHistogram } from '../protocol/agent';

export const { SCALE, MIN_INDEX, MAX_INDEX } = DURATION_HISTOGRAM;
const PER_OCTAVE = 1 << SCALE;

/** The wire form: counts dense from `offset` (OpenTelemetry's positive buckets), durations ≤ 0 apart. */
export type ExpHistogramWire = DurationHistogram;

/**
 * The bucket of a duration > 0, clamped to [MIN_INDEX, MAX_INDEX]: the agent's arithmetic, exact at powers
 * of two; within one rounding error of another bound, log2's last bit decides.
 */
export function bucketIndex(seconds: number): number {
  const i = Math.ceil(Math.log2(seconds) * PER_OCTAVE) - 1;
  return i < MIN_INDEX ? MIN_INDEX : i > MAX_INDEX ? MAX_INDEX : i;
}

export const lowerBound = (i: number): number => 2 ** (i / PER_OCTAVE);
export const upperBound = (i: number): number => 2 ** ((i + 1) / PER_OCTAVE);

export class ExpHistogram {
  zeroCount = 0;
  /** index → count; only non-zero buckets. */
  readonly buckets = new Map<number, number>();

  static fromWire(wire: ExpHistogramWire): ExpHistogram {
    return new ExpHistogram().addWire(wire);
  }

  /** Adds one observation (tests and synthetic data; the agent does this for real traffic). */
  record(seconds: number, n = 1): this {
    if (seconds <= 0) this.zeroCount += n;
    else this.bump(bucketIndex(seconds), n);
    return this;
  }

  addWire(wire: { scale: number; zeroCount: number; offset: number; counts: number[] }): this {
    if (wire.scale !== SCALE) throw new RangeError(`exponential histogram at scale ${wire.scale}, expected ${SCALE}`);
    this.zeroCount += wire.zeroCount;
    for (let j = 0; j < wire.counts.length; j++) {
      if (wire.counts[j] > 0) this.bump(Math.min(MAX_INDEX, Math.max(MIN_INDEX, wire.offset + j)), wire.counts[j]);
    }
    return this;
  }

  merge(other: ExpHistogram): this {
    this.zeroCount += other.zeroCount;
    for (const [i, n] of other.buckets) this.bump(i, n);
    return this;
  }

  get count(): number {
    let total = this.zeroCount;
    for (const n of this.buckets.values()) total += n;
    return total;
  }

  toWire(): ExpHistogramWire {
    if (this.buckets.size === 0) return { scale: SCALE, zeroCount: this.zeroCount, offset: 0, counts: [] };
    const indexes = [...this.buckets.keys()];
    const low = Math.min(...indexes);
    const counts = new Array<number>(Math.max(...indexes) - low + 1).fill(0);
    for (const [i, n] of this.buckets) counts[i - low] = n;
    return { scale: SCALE, zeroCount: this.zeroCount, offset: low, counts };
  }

  /**
   * The q-quantile in seconds, interpolated log-linearly inside its bucket, then kept within the observed
   * [min, max] when known; null when empty.
   */
  quantile(q: number, min?: number, max?: number): number | null {
    const total = this.count;
    if (total === 0) return null;
    const rank = q * total;
    let value: number | undefined;
    let below = this.zeroCount;
    if (this.zeroCount > 0 && below >= rank) value = 0;
    else {
      for (const i of [...this.buckets.keys()].sort((a, b) => a - b)) {
        const n = this.buckets.get(i)!;
        if (below + n >= rank) {
          value = 2 ** ((i + (rank - below) / n) / PER_OCTAVE);
          break;
        }
        below += n;
      }
    }
    value ??= upperBound(Math.max(...this.buckets.keys()));
    if (min !== undefined && value < min) value = min;
    if (max !== undefined && value > max) value = max;
    return value;
  }

  /**
   * Counts per classic bucket (Prometheus `le` bounds, ascending, plus +Inf): each exponential bucket counts
   * under the first bound at or above its geometric middle, so a bound resolves to the nearest bucket edge,
   * within 2.2 % either way.
   */
  classic(bounds: readonly number[]): number[] {
    const last = lastIndexes(bounds);
    const out = new Array<number>(bounds.length + 1).fill(0);
    out[0] += this.zeroCount;
    for (const [i, n] of this.buckets) {
      let slot = 0;
      while (slot < last.length && last[slot] < i) slot++;
      out[slot] += n;
    }
    return out;
  }

  private bump(i: number, n: number): void {
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + n);
  }
}

/** Per bound, the highest bucket index whose geometric middle 2^((i + 0.5)/16) is at or below it (cached). */
const lastCache = new Map<string, number[]>();
function lastIndexes(bounds: readonly number[]): number[] {
  const key = bounds.join();
  let last = lastCache.get(key);
  if (!last) {
    last = bounds.map((bound) => {
      let i = Math.floor(Math.log2(bound) * PER_OCTAVE - 0.5);
      while (2 ** ((i + 1.5) / PER_OCTAVE) <= bound) i++;
      while (2 ** ((i + 0.5) / PER_OCTAVE) > bound) i--;
      return i;
    });
    lastCache.set(key, last);
  }
  return last;
}
