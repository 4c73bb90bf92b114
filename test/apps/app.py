"""A plain WSGI app (app:app) for the agent's end-to-end tests and the hub's metrics test: one endpoint
per behaviour the agent must tell apart."""
import os
import time
from urllib.parse import parse_qs


def _seconds(environ, default):
    try:
        return float(parse_qs(environ.get("QUERY_STRING", "")).get("s", [default])[0])
    except ValueError:
        return float(default)


def _stream_then_raise():
    yield b"first chunk\n"
    raise RuntimeError("raised while streaming")


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/missing":
        body, status = b"not here\n", "404 Not Found"
    elif path == "/raise":
        raise RuntimeError("raised on purpose")
    elif path == "/error":
        body, status = b"error on purpose\n", "500 Internal Server Error"
    elif path == "/slow":
        time.sleep(0.3)
        body, status = b"slow\n", "200 OK"
    elif path == "/sleep":
        time.sleep(_seconds(environ, 1))
        body, status = b"slept\n", "200 OK"
    elif path == "/hang":
        time.sleep(60)
        body, status = b"late\n", "200 OK"
    elif path == "/segv":
        import ctypes
        ctypes.string_at(0)  # reads address 0: SIGSEGV
        body, status = b"unreachable\n", "200 OK"
    elif path == "/hog":
        # Touches every byte of ?mb= mebibytes, so a memory cgroup's limit (or the machine) runs out.
        mb = int(parse_qs(environ.get("QUERY_STRING", "")).get("mb", ["64"])[0])
        hog = b"x" * (mb << 20)
        body, status = ("held %d MiB\n" % (len(hog) >> 20)).encode(), "200 OK"
    elif path == "/exit7":
        os._exit(7)
    elif path == "/big":
        # Waits for the client to go away, then answers with more than the socket buffers hold.
        time.sleep(_seconds(environ, 0.5))
        body, status = b"x" * (8 << 20), "200 OK"
    elif path == "/stream-raise":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return _stream_then_raise()
    elif path.startswith("/items/"):
        body, status = ("item %s\n" % path[7:]).encode(), "200 OK"
    else:
        body, status = b"hello\n", "200 OK"
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
