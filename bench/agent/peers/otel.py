"""OpenTelemetry: the WSGI instrumentation's middleware (apps/otel.py) with the SDK's MeterProvider and a
PeriodicExportingMetricReader into the ConsoleMetricExporter writing to /dev/null (conf/otel.py)."""
import os

from .base import CONF, Launch

NAME = "opentelemetry"
LABEL = "OpenTelemetry WSGI + SDK"
SETUP = ("OpenTelemetryMiddleware; MeterProvider with PeriodicExportingMetricReader every 15 s into "
         "ConsoleMetricExporter(out=/dev/null); metrics only, no TracerProvider")


def launch(ctx):
    return Launch(["-c", os.path.join(CONF, "otel.py")], app="peers.apps.otel:app")
