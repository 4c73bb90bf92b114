"""A request that never finishes and never yields (/spin): a loop on the CPU, so even an event loop or a
gevent hub is stuck in it and Gunicorn's worker timeout is the only way out; and one that waits (/wait):
asleep for a minute, which under gevent or asyncio leaves the loop free. WSGI `app` and ASGI `asgi`."""
import asyncio
import time


def spin_forever():
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pass


def wait_forever():
    time.sleep(60)  # gevent's, under the gevent worker: the greenlet waits, the hub runs on


async def wait_forever_async():
    await asyncio.sleep(60)


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/spin":
        spin_forever()
    if environ.get("PATH_INFO") == "/wait":
        wait_forever()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "6")])
    return [b"hello\n"]


async def asgi(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    if scope["path"] == "/spin":
        spin_forever()
    if scope["path"] == "/wait":
        await wait_forever_async()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"6")]})
    await send({"type": "http.response.body", "body": b"hello\n"})
