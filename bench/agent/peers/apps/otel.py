"""bench/agent/hello.py behind OpenTelemetry's WSGI middleware (opentelemetry-instrumentation-wsgi): it
records http.server.* duration histograms and active-request counters through the global MeterProvider,
which peers/conf/otel.py sets in each worker."""
from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware

from hello import app as hello

app = OpenTelemetryMiddleware(hello)
