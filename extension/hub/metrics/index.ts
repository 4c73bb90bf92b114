// GET /metrics: the store read into prom-client metrics at scrape time, so a dead worker's series
// vanish with it and nothing is counted twice. Names follow gunicorn-prometheus-exporter where the
// meaning matches; labels stay bounded (no timestamps, routes capped by the agent and the store).
import { Registry } from 'prom-client';
import type { Store } from '../store';
import { registerLifecycleMetrics } from './lifecycleMetrics';
import { registerRequestMetrics } from './requestMetrics';
import { registerWorkerMetrics } from './workerMetrics';

export function createMetrics(store: Store): Registry {
  const registry = new Registry();
  registerWorkerMetrics(registry, store);
  registerRequestMetrics(registry, store);
  registerLifecycleMetrics(registry, store);
  return registry;
}
