"""What every --peers configuration is made of: the bench's shared parts (Context) and how one Gunicorn of
a configuration is started (Launch). Each peer module (plain.py, live.py, …) defines NAME, LABEL, SETUP
(one line for the JSON and README) and launch(ctx) -> Launch."""
import os
import shutil
import tempfile

from measure import Gunicorn

CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conf")


class Context(object):
    """python: the peers venv's interpreter; shim: our agent's shim.py installed there; hub: the real hub
    (gunicorn-live's peer reports to it); statsd: the UDP sink; exporter_master: whether
    gunicorn-prometheus-exporter's own PrometheusMaster boots on this Gunicorn (see conf/exporter.py)."""

    def __init__(self, python, shim, hub, statsd, exporter_master=False):
        self.python, self.shim, self.hub, self.statsd = python, shim, hub, statsd
        self.exporter_master = exporter_master


class Launch(object):
    """One Gunicorn of a configuration: its arguments before the app, environment, app, worker class
    (None: the config file's), its /metrics (a URL, "{port}" standing for Gunicorn's own port) and a
    folder of its own (a multiprocess directory) removed when it stops; `workers_env`: a variable that must
    repeat the worker count."""

    def __init__(self, args=(), env=None, app="hello:app", worker_class="sync", metrics=None, folder=False,
                 workers_env=None):
        self.args, self.env, self.app, self.worker_class = list(args), dict(env or {}), app, worker_class
        self.metrics, self.workers_env = metrics, workers_env
        self.folder = tempfile.mkdtemp(prefix="bench-peers-") if folder else None

    def start(self, ctx, workers, prefix=(), env=None, log=None, ready_seconds=60):
        full_env = dict(self.env, **(env or {}))
        if self.workers_env:
            full_env[self.workers_env] = str(workers)
        try:
            server = _Gunicorn(ctx.python, None, workers=workers, prefix=prefix, env=full_env, extra_args=self.args,
                              app=self.app, worker_class=self.worker_class, log=log, ready_seconds=ready_seconds)
        except BaseException:
            self.cleanup()
            raise
        server.metrics_url = self.metrics.format(port=server.port) if self.metrics else None
        server.launch = self
        return server

    def cleanup(self):
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


class _Gunicorn(Gunicorn):
    """A Gunicorn that removes its Launch's folder when it stops."""

    def stop(self):
        super().stop()
        self.launch.cleanup()
