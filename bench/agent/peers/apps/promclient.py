"""bench/agent/hello.py behind a prometheus_client WSGI middleware: a counter (method, route, status) and a
histogram (route) per request, in multiprocess mode; GET /metrics answers with every worker's files
merged (MultiProcessCollector), as prometheus_client's docs show for Gunicorn."""
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, make_wsgi_app, multiprocess

from hello import app as hello

REQUESTS = Counter("http_requests_total", "Requests answered", ["method", "route", "status"])
DURATION = Histogram("http_request_duration_seconds", "Time to answer a request", ["route"])


def _metrics_app():
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return make_wsgi_app(registry)


metrics = _metrics_app()


def app(environ, start_response):
    route = environ.get("PATH_INFO") or "/"
    if route == "/metrics":
        return metrics(environ, start_response)
    status = []

    def recording_start_response(line, headers, exc_info=None):
        status.append(line[:3])
        return start_response(line, headers, exc_info)

    started = time.perf_counter()
    body = hello(environ, recording_start_response)
    DURATION.labels(route).observe(time.perf_counter() - started)
    REQUESTS.labels(environ["REQUEST_METHOD"], route, status[0] if status else "500").inc()
    return body
