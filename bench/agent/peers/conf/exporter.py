"""Gunicorn config for gunicorn-prometheus-exporter, as its README sets it up: its sync PrometheusWorker
and hooks, file-based multiprocess mode (PROMETHEUS_MULTIPROC_DIR, one per server, and
PROMETHEUS_METRICS_PORT / PROMETHEUS_BIND_ADDRESS / GUNICORN_WORKERS come from the bench's environment).

Importing the package replaces Gunicorn's Arbiter with its PrometheusMaster. That master (0.2.4) sets the
arbiter's SIG_QUEUE to a list, which Gunicorn 24 replaced by a queue.SimpleQueue: on Gunicorn >= 24 the
main loop raises AttributeError at boot and the server exits. So, unless BENCH_EXPORTER_MASTER=1 (the
bench's check that this is still so), Gunicorn's own Arbiter is put back: the per-request part (the
worker class) and the master's /metrics server (when_ready) are what is measured."""
import os

import gunicorn.app.base
import gunicorn.arbiter

_arbiter = gunicorn.arbiter.Arbiter
import gunicorn_prometheus_exporter  # noqa: E402,F401  (patches gunicorn.arbiter.Arbiter on import)

# Its README names the hooks gunicorn_prometheus_exporter.default_*; 0.2.4 defines them in .hooks only.
from gunicorn_prometheus_exporter.hooks import (  # noqa: E402,F401  (Gunicorn reads the names)
    default_on_exit as on_exit,
    default_on_starting as on_starting,
    default_when_ready as when_ready,
    default_worker_int as worker_int,
)

worker_class = "gunicorn_prometheus_exporter.PrometheusWorker"

if os.environ.get("BENCH_EXPORTER_MASTER") != "1":
    gunicorn.arbiter.Arbiter = gunicorn.app.base.Arbiter = _arbiter
