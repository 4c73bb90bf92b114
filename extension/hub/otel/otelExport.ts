// OpenTelemetry export for every server the hub knows: a MeterProvider and a TracerProvider per
// server, so each carries its own resource (service.name from the agent's OTEL_SERVICE_NAME).
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LifecycleEvent, SampleFrame } from '../../protocol/agent';
import type { ServerSummary, Store } from '../store';
import { readOtelConfig, type OtelConfig } from './config';
import { metricExporter, spanExporter } from './exporters';
import { ServerSpans } from './spans';
import { SCOPE, StoreMetricProducer } from './storeMetricProducer';

interface ServerExport {
  meters: MeterProvider | null;
  tracer: BasicTracerProvider | null;
  spans: ServerSpans | null;
}

export interface OtelExport {
  readonly config: OtelConfig;
  /** Pushes what is pending, then stops. */
  shutdown(): Promise<void>;
}

/**
 * One resource for the server's whole life: a new master after USR2 is a new generation of the same
 * server, and its cumulative counters carry on, so neither the instance id nor the resource names the
 * master's pid (a new resource would restart every series with the carried totals as one jump).
 */
function resourceOf(server: ServerSummary): Resource {
  return resourceFromAttributes({
    'service.name': server.serviceName,
    'service.instance.id': server.id,
    'host.name': server.host,
    'gunicorn.app': server.app,
    'gunicorn.bind': server.bind.join(','),
    'gunicorn.worker_class': server.workerClass,
  });
}

/** Starts export when OTEL_METRICS_EXPORTER or OTEL_TRACES_EXPORTER asks for it; null otherwise. */
export function startOtelExport(store: Store, env: NodeJS.ProcessEnv, log: (line: string) => void): OtelExport | null {
  const config = readOtelConfig(env);
  for (const note of config.notes) log(note);
  if (config.metrics.length === 0 && config.traces.length === 0) return null;
  const servers = new Map<string, ServerExport>();

  const ensure = (server: ServerSummary): ServerExport => {
    let entry = servers.get(server.id);
    if (entry) return entry;
    const resource = resourceOf(server);
    const meters = config.metrics.length === 0 ? null : new MeterProvider({
      resource,
      readers: config.metrics.map((kind) => new PeriodicExportingMetricReader({
        exporter: metricExporter(kind, config),
        exportIntervalMillis: config.exportIntervalMs,
        exportTimeoutMillis: Math.min(30000, config.exportIntervalMs),
        metricProducers: [new StoreMetricProducer(store, server.id)],
      })),
    });
    const tracer = config.traces.length === 0 ? null : new BasicTracerProvider({
      resource,
      spanProcessors: config.traces.map((kind) => new BatchSpanProcessor(spanExporter(kind, config), { scheduledDelayMillis: Math.min(5000, config.exportIntervalMs) })),
    });
    entry = { meters, tracer, spans: tracer ? new ServerSpans(tracer.getTracer(SCOPE.name, SCOPE.version)) : null };
    servers.set(server.id, entry);
    return entry;
  };

  const onServer = (server: ServerSummary) => {
    const entry = ensure(server);
    if (!server.connected) entry.spans?.endAll(Date.now() / 1000);
  };
  const onEvent = (serverId: string, event: LifecycleEvent) => {
    const server = store.summary(serverId);
    if (server) ensure(server).spans?.onEvent(event);
  };
  const onSample = (serverId: string, frame: SampleFrame) => {
    const server = store.summary(serverId);
    if (server) ensure(server).spans?.onSample(frame);
  };
  /** A server gone for good: its last numbers are pushed and its providers stopped. */
  const onRemoved = (serverId: string) => {
    const entry = servers.get(serverId);
    servers.delete(serverId);
    if (entry) void Promise.allSettled([entry.meters?.shutdown(), entry.tracer?.shutdown()]);
  };
  store.on('server', onServer);
  store.on('event', onEvent);
  store.on('sample', onSample);
  store.on('removed', onRemoved);

  return {
    config,
    async shutdown() {
      store.off('server', onServer);
      store.off('event', onEvent);
      store.off('sample', onSample);
      store.off('removed', onRemoved);
      await Promise.allSettled([...servers.values()].flatMap((e) => [e.meters?.shutdown(), e.tracer?.shutdown()]).filter((p) => p !== undefined));
    },
  };
}
