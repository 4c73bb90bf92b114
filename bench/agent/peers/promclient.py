"""prometheus_client's multiprocess mode behind a WSGI middleware (apps/promclient.py: a counter and a
histogram per route); /metrics is served by the workers, merging every worker's files."""
import os

from .base import CONF, Launch

NAME = "prometheus_client"
LABEL = "prometheus_client multiprocess + WSGI middleware"
SETUP = ("a Counter (method, route, status) and a Histogram (route) per request, PROMETHEUS_MULTIPROC_DIR "
         "files, child_exit marks dead workers; /metrics served by the app (MultiProcessCollector)")
METRICS = True  # has a /metrics to scrape


def launch(ctx):
    out = Launch(["-c", os.path.join(CONF, "promclient.py")], app="peers.apps.promclient:app",
                 metrics="http://127.0.0.1:{port}/metrics", folder=True)
    out.env["PROMETHEUS_MULTIPROC_DIR"] = out.folder
    return out
