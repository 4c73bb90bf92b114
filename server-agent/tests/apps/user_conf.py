"""A user's own gunicorn config: settings and a post_fork hook that must keep working under the shim."""
import os

workers = 3  # the test passes -w 2 on the command line, which must win
timeout = 30
graceful_timeout = 3


def post_fork(server, worker):
    marker = os.environ.get("USER_HOOK_MARKER")
    if marker:
        with open(marker, "a") as f:
            f.write("%d\n" % worker.pid)
