// GET /metrics: the store read into prom-client metrics at scrape time, so a dead worker's series
// vanish with it and nothing is counted twice. Names follow gunicorn-prometheus-exporter where the
// meaning matches; labels stay bounded (no timestamps, routes capped by the agent and the store).
import { Registry } from 'prom-client';
import type { Store } from '../store';
import { registerLifecycleMetrics } from './lifecycleMetrics';
import { requestMetricsText } from './requestMetrics';
import { workerMetricsText } from './workerMetrics';

export interface HubMetrics {
  contentType: string;
  /** The whole exposition: prom-client's registry plus the per-worker and route series. */
  text(): Promise<string>;
}

export function createMetrics(store: Store): HubMetrics {
  const registry = new Registry();
  registerLifecycleMetrics(registry, store);
  return {
    contentType: registry.contentType,
    async text() {
      return `${await registry.metrics()}\n${workerMetricsText(store)}\n${requestMetricsText(store)}`;
    },
  };
}
