"""Gunicorn config for prometheus_client's multiprocess mode, as its docs set it up: the app
(peers/apps/promclient.py) records into files under PROMETHEUS_MULTIPROC_DIR (one per server, from the
bench's environment) and serves /metrics from them; a dead worker's live gauges are marked here."""
from prometheus_client import multiprocess


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
