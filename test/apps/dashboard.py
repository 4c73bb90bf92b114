# The browser suite's app (dashboard:app): plain WSGI, stdlib only. /work burns a little CPU so the CPU chart moves,
# /missing answers 404 for the status-class chart, /sleep outlives `--timeout 2` so the master aborts
# the worker and the agent captures where it was stuck.
import time


def slow():
    time.sleep(10)  # the line the timeout's stack must point at
    return b"woke up"


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    status = "200 OK"
    if path == "/work":
        total = sum(i * i for i in range(200_000))
        body = ("work %d" % total).encode()
    elif path == "/sleep":
        body = slow()
    elif path == "/missing":
        status, body = "404 Not Found", b"no such page"
    else:
        body = b"hello from " + path.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
