// The OpenTelemetry environment variables the hub honours (the seed's names), read once.
// Unknown values are reported, not fatal: telemetry export must never stop the hub.

export type MetricsExporterKind = 'console' | 'otlp';
export type TracesExporterKind = 'console' | 'otlp' | 'jaeger';
export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';

export interface OtelConfig {
  metrics: MetricsExporterKind[];
  traces: TracesExporterKind[];
  /** Each signal's own OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL. */
  metricsProtocol: OtlpProtocol;
  tracesProtocol: OtlpProtocol;
  /** How often metrics are pushed, ms (OTEL_METRIC_EXPORT_INTERVAL). */
  exportIntervalMs: number;
  /** Where `jaeger` sends OTLP traces. */
  jaegerEndpoint: string;
  /** Full URLs (HTTP) or endpoints (gRPC); undefined leaves the exporter's default (localhost). */
  metricsUrl?: string;
  tracesUrl?: string;
  /** One line each, to print once at start. */
  notes: string[];
}

const PROTOCOLS: OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];

function list<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], notes: string[]): T[] {
  const out: T[] = [];
  for (const item of (raw ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (item === 'none') return [];
    if ((allowed as readonly string[]).includes(item)) out.push(item as T);
    else notes.push(`${name}=${item} is not supported (use ${allowed.join(', ')} or none); ignored`);
  }
  return [...new Set(out)];
}

/** The spec's rule: the signal's own variable, else the shared one, else http/protobuf. Empty means unset. */
function protocolOf(env: NodeJS.ProcessEnv, signal: 'METRICS' | 'TRACES', notes: string[]): OtlpProtocol {
  const ownName = `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`;
  const own = env[ownName]?.trim();
  const name = own ? ownName : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const raw = own || env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim();
  if (!raw) return 'http/protobuf';
  if ((PROTOCOLS as string[]).includes(raw)) return raw as OtlpProtocol;
  const note = `${name}=${raw} is not supported (use ${PROTOCOLS.join(', ')}); using http/protobuf`;
  if (!notes.includes(note)) notes.push(note);
  return 'http/protobuf';
}

export function readOtelConfig(env: NodeJS.ProcessEnv): OtelConfig {
  const notes: string[] = [];
  const metrics = list('OTEL_METRICS_EXPORTER', env.OTEL_METRICS_EXPORTER, ['console', 'otlp'] as const, notes);
  const traces = list('OTEL_TRACES_EXPORTER', env.OTEL_TRACES_EXPORTER, ['console', 'otlp', 'jaeger'] as const, notes);
  const metricsProtocol = protocolOf(env, 'METRICS', notes);
  const tracesProtocol = protocolOf(env, 'TRACES', notes);
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL ?? 60000);
  const jaegerEndpoint = env.OTEL_EXPORTER_JAEGER_ENDPOINT?.trim() || 'http://localhost:4318/v1/traces';
  if (traces.includes('jaeger')) {
    notes.push(`OTEL_TRACES_EXPORTER=jaeger: sending OTLP/HTTP to Jaeger at ${jaegerEndpoint} (Jaeger's own protocol is retired; Jaeger ≥ 1.35 accepts OTLP)`);
  }
  // Per the OTLP exporter spec: a signal's own endpoint is used as is; the shared one gets /v1/<signal>
  // appended for HTTP, and is the server address for gRPC.
  const shared = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim().replace(/\/+$/, '');
  const endpoint = (own: string | undefined, signal: string, protocol: OtlpProtocol) =>
    own?.trim() || (shared ? (protocol === 'grpc' ? shared : `${shared}/v1/${signal}`) : undefined);
  return {
    metrics, traces, metricsProtocol, tracesProtocol, jaegerEndpoint, notes,
    metricsUrl: endpoint(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, 'metrics', metricsProtocol),
    tracesUrl: endpoint(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, 'traces', tracesProtocol),
    exportIntervalMs: Number.isFinite(interval) && interval >= 100 ? interval : 60000,
  };
}
