# The app the CLI's integration and browser suites run (work:app): plain WSGI, stdlib only.
#   /slow?s=N  sleeps N seconds, then answers SLOW_BODY_BYTES bytes (a graceful stop must deliver them all)
#   /burn?s=N  burns N seconds of this worker's CPU, then answers the worker's pid
#   /pid       answers the worker's pid
#   /work      burns a little CPU, so the dashboard's CPU chart moves
#   /sleep     sleeps 10 s: outlives `--timeout 2`, so the master aborts the worker and the agent captures
#              where it was stuck (in slow())
#   /missing   answers 404, for the status-class chart
#   /raise     raises RuntimeError from fail(): a request_exception event with its traceback
#   anything else: "hello from PATH"
# It imports http.server as Flask (werkzeug) does: after USR2 the re-executed master must not find
# gunicorn/http in its place (see server-agent/launcher).
import http.server  # noqa: F401
import os
import time
from urllib.parse import parse_qs

SLOW_BODY_BYTES = 256 * 1024


def _seconds(environ, default):
    try:
        return float(parse_qs(environ.get("QUERY_STRING", "")).get("s", [default])[0])
    except ValueError:
        return float(default)


def _burn(seconds):
    # Counts this thread's CPU time, so a busy machine gets the same CPU work, only over a longer wall time.
    end = time.thread_time() + seconds
    n = 0
    while time.thread_time() < end:
        for i in range(1000):
            n += i * i % 7
    return n


def slow():
    time.sleep(10)  # the line the timeout's stack must point at
    return b"woke up"


def fail():
    raise RuntimeError("boom on purpose")  # the line the exception's traceback must end at


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    status = "200 OK"
    if path == "/slow":
        time.sleep(_seconds(environ, 3))
        body = b"s" * (SLOW_BODY_BYTES - 4) + b"done"
    elif path == "/burn":
        _burn(_seconds(environ, 3))
        body = str(os.getpid()).encode()
    elif path == "/pid":
        body = str(os.getpid()).encode()
    elif path == "/work":
        total = sum(i * i for i in range(200_000))
        body = ("work %d" % total).encode()
    elif path == "/sleep":
        body = slow()
    elif path == "/missing":
        status, body = "404 Not Found", b"no such page"
    elif path == "/raise":
        fail()
    else:
        body = b"hello from " + path.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
