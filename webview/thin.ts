// Fewer points for long windows, done here rather than by Chart.js's decimation plugin: buckets are
// aligned to the clock, so they stay put as the window slides (no shimmer every second), every series
// of a chart shares them (stacked areas stay aligned), and the result is a plain array, which Chart.js
// draws on its fast path (it draws data its own plugin decimated point by point).

export interface XY {
  x: number;
  y: number;
}

/** Per bucket of `bucketMs`: the lowest and highest point, in time order, so spikes survive. */
export function bucketMinMax(data: readonly XY[], bucketMs: number): XY[] {
  const out: XY[] = [];
  let key = NaN;
  let lo: XY | null = null;
  let hi: XY | null = null;
  const flush = () => {
    if (!lo || !hi) return;
    if (lo === hi) out.push(lo);
    else if (lo.x < hi.x) out.push(lo, hi);
    else out.push(hi, lo);
  };
  for (const p of data) {
    const k = Math.floor(p.x / bucketMs);
    if (k !== key) {
      flush();
      key = k;
      lo = hi = p;
    } else {
      if (p.y < lo!.y) lo = p;
      if (p.y >= hi!.y) hi = p;
    }
  }
  flush();
  return out;
}

/** Per bucket of `bucketMs`: the mean point. Averaging rates keeps the area, which is the request count. */
export function bucketMeans(data: readonly XY[], bucketMs: number): XY[] {
  const out: XY[] = [];
  let key = NaN;
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (const p of data) {
    const k = Math.floor(p.x / bucketMs);
    if (k !== key && n > 0) {
      out.push({ x: sx / n, y: sy / n });
      sx = sy = n = 0;
    }
    key = k;
    sx += p.x;
    sy += p.y;
    n += 1;
  }
  if (n > 0) out.push({ x: sx / n, y: sy / n });
  return out;
}

/**
 * The bucket (whole seconds, 0 for none) that leaves about `points` points across `spanMs`: min-max
 * keeps two per bucket, means one.
 */
export function bucketFor(spanMs: number, points: number, perBucket: 1 | 2): number {
  const seconds = Math.ceil((spanMs * perBucket) / points / 1000);
  return seconds > 1 ? seconds * 1000 : 0;
}
