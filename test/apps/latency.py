# The exact-latency test's app: routes that take a known time, busy-waiting on the perf_counter clock.
#   /wait-N  N microseconds (one route per N)
#   /mix     1 ms, and every tenth request of a worker 30 ms (a known two-valued mix)
import time

_served = [0]


def _wait(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path.startswith("/wait-"):
        _wait(int(path[len("/wait-"):]) / 1e6)
    elif path == "/mix":
        _served[0] += 1
        _wait(0.03 if _served[0] % 10 == 0 else 0.001)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
