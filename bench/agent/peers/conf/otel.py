"""Gunicorn config for OpenTelemetry's WSGI instrumentation (the middleware is in peers/apps/otel.py):
the SDK's MeterProvider with a PeriodicExportingMetricReader, set up in post_fork as OpenTelemetry's
Gunicorn notes advise (the reader's export thread does not survive a fork). Export every 15 s, like a
Prometheus scrape, to the SDK's ConsoleMetricExporter writing JSON to /dev/null: the whole SDK pipeline
(aggregation, collection, serialisation) runs, with no network. Metrics only: no TracerProvider is set,
so the middleware's spans are the API's non-recording ones."""
import os


def post_fork(server, worker):
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, PeriodicExportingMetricReader

    sink = open(os.devnull, "w")
    reader = PeriodicExportingMetricReader(ConsoleMetricExporter(out=sink), export_interval_millis=15000)
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
