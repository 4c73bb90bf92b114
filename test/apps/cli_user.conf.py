# A user's own Gunicorn config for the CLI's run tests: its settings and its hook must survive the agent's shim.
import os

workers = 2
timeout = 20


def post_fork(server, worker):
    marker = os.environ.get("HOOK_MARKER_DIR")
    if marker:
        with open(os.path.join(marker, "post_fork.%d" % worker.pid), "w") as f:
            f.write("ran")
