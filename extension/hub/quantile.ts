// Quantiles from a bucketed histogram, interpolated linearly inside the bucket the rank falls in —
// the estimate Prometheus' histogram_quantile() makes, so the dashboard and PromQL agree.

/**
 * @param bounds upper bounds, ascending
 * @param counts per-bucket counts (not cumulative), one more than `bounds` (the last is +Inf)
 * @returns seconds, or null when the histogram is empty
 */
export function histogramQuantile(q: number, bounds: number[], counts: number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i];
    if (below + inBucket >= rank && inBucket > 0) {
      // Past the last finite bound nothing is known but that bound.
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lower = i === 0 ? 0 : bounds[i - 1];
      return lower + (bounds[i] - lower) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1];
}

/** Adds per-bucket counts into `into` (grown as needed). */
export function addBuckets(into: number[], counts: number[]): void {
  for (let i = 0; i < counts.length; i++) into[i] = (into[i] ?? 0) + counts[i];
}
