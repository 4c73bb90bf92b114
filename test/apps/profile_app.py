# Ground truth for the profiler (server-agent/tests/e2e/test_profiler.py): each route spends its time in
# one known function, for ?s=N seconds of wall-clock time (default 1).
#   /cpu   burn_cpu: on the CPU the whole time
#   /sleep sleep_wait: asleep the whole time
#   /half  sleep_wait for the first half, then burn_cpu for the second
#   anything else: answers at once
# Plain WSGI, stdlib only; `asgi` is the same for ASGI workers (uvicorn, Gunicorn's -k asgi), where
# sleep_wait_async awaits asyncio.sleep.
import asyncio
import time
from urllib.parse import parse_qs


def _seconds(query):
    try:
        return float(parse_qs(query).get("s", ["1"])[0])
    except ValueError:
        return 1.0


def burn_cpu(seconds):
    # By the wall clock: a half-and-half request then spends equal wall time in each half, however
    # loaded the machine is.
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        for i in range(200):
            n += i * i % 7
    return n


def sleep_wait(seconds):
    time.sleep(seconds)


def work(path, seconds):
    if path == "/cpu":
        burn_cpu(seconds)
    elif path == "/sleep":
        sleep_wait(seconds)
    elif path == "/half":
        sleep_wait(seconds / 2)
        burn_cpu(seconds / 2)


def app(environ, start_response):
    path = environ.get("PATH_INFO") or "/"
    work(path, _seconds(environ.get("QUERY_STRING", "")))
    body = ("done %s\n" % path).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


async def sleep_wait_async(seconds):
    await asyncio.sleep(seconds)


async def asgi(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    path = scope["path"]
    seconds = _seconds(scope.get("query_string", b"").decode())
    if path == "/sleep":
        await sleep_wait_async(seconds)
    else:
        work(path, seconds)
    body = ("done %s\n" % path).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
