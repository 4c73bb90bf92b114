# The integration suite's app for stop and CPU tests (work:app): plain WSGI, stdlib only.
#   /slow?s=N  sleeps N seconds, then answers SLOW_BODY_BYTES bytes (a graceful stop must deliver them all)
#   /burn?s=N  burns N seconds of this worker's CPU, then answers the worker's pid
#   /pid       answers the worker's pid
#   anything else: "hello from PATH"
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


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/slow":
        time.sleep(_seconds(environ, 3))
        body = b"s" * (SLOW_BODY_BYTES - 4) + b"done"
    elif path == "/burn":
        _burn(_seconds(environ, 3))
        body = str(os.getpid()).encode()
    elif path == "/pid":
        body = str(os.getpid()).encode()
    else:
        body = b"hello from " + path.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
