// One exporter per configured kind. The OTLP exporters read their endpoints and headers from the
// standard OTEL_EXPORTER_OTLP_* variables themselves.
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as HttpMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { AggregationTemporality, ConsoleMetricExporter, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { MetricsExporterKind, OtelConfig, TracesExporterKind } from './config';

export function metricExporter(kind: MetricsExporterKind, { metricsProtocol: protocol, metricsUrl }: OtelConfig): PushMetricExporter {
  if (kind === 'console') return new ConsoleMetricExporter();
  const options = { temporalityPreference: AggregationTemporality.CUMULATIVE, ...(metricsUrl ? { url: metricsUrl } : {}) };
  if (protocol === 'grpc') return new GrpcMetricExporter(options);
  if (protocol === 'http/json') return new HttpMetricExporter(options);
  return new ProtoMetricExporter(options);
}

export function spanExporter(kind: TracesExporterKind, { tracesProtocol: protocol, tracesUrl, jaegerEndpoint }: OtelConfig): SpanExporter {
  if (kind === 'console') return new ConsoleSpanExporter();
  if (kind === 'jaeger') return new ProtoTraceExporter({ url: jaegerEndpoint });
  const options = tracesUrl ? { url: tracesUrl } : {};
  if (protocol === 'grpc') return new GrpcTraceExporter(options);
  if (protocol === 'http/json') return new HttpTraceExporter(options);
  return new ProtoTraceExporter(options);
}
