"""gunicorn-prometheus-exporter in file multiprocess mode (conf/exporter.py): its PrometheusWorker
records each request into mmap'd files in a folder of this server's own; the master serves /metrics on a
port of its own (when_ready)."""
import os

from measure import free_port

from .base import CONF, Launch

NAME = "exporter"
LABEL = "gunicorn-prometheus-exporter"
SETUP = ("PrometheusWorker (sync), its hooks, PROMETHEUS_MULTIPROC_DIR files; /metrics from the master's "
         "server (when_ready)")
METRICS = True  # has a /metrics to scrape


def launch(ctx):
    port = free_port()
    out = Launch(["-c", os.path.join(CONF, "exporter.py")], worker_class=None,
                 metrics="http://127.0.0.1:%d/metrics" % port, folder=True, workers_env="GUNICORN_WORKERS")
    out.env.update(PROMETHEUS_MULTIPROC_DIR=out.folder, PROMETHEUS_METRICS_PORT=str(port),
                   PROMETHEUS_BIND_ADDRESS="127.0.0.1", BENCH_EXPORTER_MASTER="1" if ctx.exporter_master else "0")
    return out
