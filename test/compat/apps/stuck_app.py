"""A request that never finishes and never yields: a loop on the CPU, so even an event loop or a gevent
hub is stuck in it and Gunicorn's worker timeout is the only way out. WSGI `app` and ASGI `asgi`."""
import time


def spin_forever():
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pass


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/spin":
        spin_forever()
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
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"6")]})
    await send({"type": "http.response.body", "body": b"hello\n"})
