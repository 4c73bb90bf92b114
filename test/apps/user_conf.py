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


def _note(line):
    marker = os.environ.get("USER_REQUEST_MARKER")
    if marker:
        with open(marker, "a") as f:
            f.write(line + "\n")


def pre_request(worker, req):
    _note("pre %s" % req.path)


def post_request(worker, req, environ, resp):
    _note("post %s %s" % (req.path, getattr(resp, "status_code", None)))
