"""A plain WSGI app for the agent's end-to-end tests."""
import time


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/missing":
        body, status = b"not here\n", "404 Not Found"
    elif path == "/raise":
        raise RuntimeError("raised on purpose")
    elif path == "/slow":
        time.sleep(0.3)
        body, status = b"slow\n", "200 OK"
    elif path == "/hang":
        time.sleep(60)
        body, status = b"late\n", "200 OK"
    elif path.startswith("/items/"):
        body, status = ("item %s\n" % path[7:]).encode(), "200 OK"
    else:
        body, status = b"hello\n", "200 OK"
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
