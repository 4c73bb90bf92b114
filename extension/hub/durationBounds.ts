// The bounds of /metrics' classic request-duration histogram (Prometheus `le`, seconds). Agents since
// protocol 1.1 send exponential histograms, from which the hub derives these; older agents' own bounds are
// used as they come.

import { DEFAULT_DURATION_BUCKETS } from '../protocol/agent';

/** From 0.25 ms up, so fast requests resolve (Prometheus' defaults start at 5 ms); the protocol's default. */
export const DEFAULT_DURATION_BOUNDS = DEFAULT_DURATION_BUCKETS;
export const MAX_DURATION_BOUNDS = 64;

/** GUNICORN_LIVE_BUCKETS: comma-separated seconds, ascending. Throws one line saying what is wrong. */
export function parseDurationBounds(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const bounds = parts.map(Number);
  const bad = parts.find((p, i) => !/^[0-9.eE+-]+$/.test(p) || !(Number.isFinite(bounds[i]) && bounds[i] > 0));
  if (parts.length === 0 || bad !== undefined) {
    throw new RangeError(`GUNICORN_LIVE_BUCKETS must be positive numbers of seconds separated by commas${bad === undefined ? '' : `, got '${bad}'`}`);
  }
  if (bounds.length > MAX_DURATION_BOUNDS) throw new RangeError(`GUNICORN_LIVE_BUCKETS takes at most ${MAX_DURATION_BOUNDS} bounds, got ${bounds.length}`);
  for (let i = 1; i < bounds.length; i++) {
    if (bounds[i] <= bounds[i - 1]) throw new RangeError(`GUNICORN_LIVE_BUCKETS must ascend: ${bounds[i]} follows ${bounds[i - 1]}`);
  }
  return bounds;
}

/** The bounds a hub started with this environment uses. */
export function durationBoundsFrom(env: NodeJS.ProcessEnv): number[] {
  const text = env.GUNICORN_LIVE_BUCKETS;
  return text === undefined || text.trim() === '' ? [...DEFAULT_DURATION_BOUNDS] : parseDurationBounds(text);
}
