"""A user's own gunicorn.conf.py that turns the agent on itself (no -c shim), keeps its own hooks, and
turns the agent off again on HUP when the test asks for it."""
import os

from gunicorn_live import GunicornInstrumentor

_instrumentor = GunicornInstrumentor()
_instrumentor.instrument()

workers = 2
graceful_timeout = 3


def post_fork(server, worker):
    marker = os.environ.get("USER_HOOK_MARKER")
    if marker:
        with open(marker, "a") as f:
            f.write("%d\n" % worker.pid)


def on_reload(server):
    if os.environ.get("UNINSTRUMENT_ON_HUP"):
        _instrumentor.uninstrument()
