"""The bundled demo WSGI app (stdlib only): endpoints that are fast, slow, CPU-heavy, memory-growing,
4xx, 5xx, raising, and one that outlives the demo's --timeout 10 so the master aborts it."""
import json
import random
import time

# Per worker process: grows by 1 MiB per /memory call, released once it passes the cap.
_hoard = []
MEMORY_CAP_MIB = 150

ENDPOINTS = {
    "/": "this index",
    "/fast": "answers at once",
    "/slow": "sleeps 0.2–0.8 s",
    "/cpu": "about 50 ms of pure-Python CPU work",
    "/memory": "grows this worker by 1 MiB per call (released at ~150 MiB)",
    "/items/<id>": "fast; shows route templating as /items/{id}",
    "/missing": "404",
    "/error": "500",
    "/raise": "the app raises an exception (Gunicorn answers 500)",
    "/hang": "sleeps 40 s, longer than --timeout 10: the master aborts the worker",
}


def _burn(seconds):
    # This thread's CPU clock, so a busy machine gets the same CPU work, only slower.
    end = time.thread_time() + seconds
    n = 0
    while time.thread_time() < end:
        for i in range(1000):
            n += i * i % 7
    return n


def _respond(start_response, status, body, content_type="text/plain; charset=utf-8"):
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


def app(environ, start_response):
    path = environ.get("PATH_INFO") or "/"
    if path == "/":
        return _respond(start_response, "200 OK", json.dumps(ENDPOINTS, indent=2) + "\n", "application/json")
    if path == "/fast":
        return _respond(start_response, "200 OK", "fast\n")
    if path == "/slow":
        seconds = random.uniform(0.2, 0.8)
        time.sleep(seconds)
        return _respond(start_response, "200 OK", "slept %.2f s\n" % seconds)
    if path == "/cpu":
        _burn(0.05)
        return _respond(start_response, "200 OK", "burnt ~50 ms of CPU\n")
    if path == "/memory":
        if len(_hoard) >= MEMORY_CAP_MIB:
            del _hoard[:]
        _hoard.append(bytearray(b"\xa5" * (1024 * 1024)))  # filled, so the pages are really resident
        return _respond(start_response, "200 OK", "holding %d MiB\n" % len(_hoard))
    if path.startswith("/items/") and path[7:].isdigit():
        return _respond(start_response, "200 OK", json.dumps({"id": int(path[7:])}) + "\n", "application/json")
    if path == "/error":
        return _respond(start_response, "500 Internal Server Error", "error on purpose\n")
    if path == "/raise":
        raise RuntimeError("demo: raised on purpose")
    if path == "/hang":
        time.sleep(40)
        return _respond(start_response, "200 OK", "you should not see this\n")
    return _respond(start_response, "404 Not Found", "not found: %s\n" % path)
