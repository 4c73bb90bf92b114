"""Instructions per request, counted by valgrind: a measure no other load on the machine can blur.

Gunicorn (plain, or with the agent reporting to the hub, its profiler on or off) runs under `valgrind --tool=cachegrind
--cache-sim=no`, which counts every user-space instruction each process executes and writes the total per
process (a forked worker's file holds its own count plus what its master ran before the fork) when the
process exits. A loopback client sends an exact number of requests (send_requests), then Gunicorn stops.
Two runs with N1 and N2 requests are differenced, so boot, app load and shutdown cancel out:

    per request = (instructions(N2) - instructions(N1)) / (N2 - N1)

for the workers and for the master. One worker and a fixed PYTHONHASHSEED make the count repeatable (two
workers would add the accept race of two processes woken for one connection, in both servers alike).
Requests under valgrind are ~20× slower, so whatever the agent does once a second (the worker's flush, the
master's sampling and sending) lands on ~20× fewer requests than at full speed: these counts overstate the
agent's share; `masterPerSecond` shows that time-driven part on its own."""
import glob
import os
import selectors
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

from measure import Gunicorn

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"


def check_valgrind():
    if shutil.which("valgrind") is None:
        raise SystemExit("bench:agent: valgrind is not installed (apt-get install valgrind), or pass --no-instructions")


def send_requests(port, count, outstanding=4):
    """`count` requests, each on its own connection (the sync worker closes it after the response), with
    `outstanding` connections waiting at all times: the worker always finds the next one ready to accept,
    so it never takes the idle path (EAGAIN, select), whose count would depend on timing. Every request
    must be answered 200."""
    selector = selectors.DefaultSelector()
    sent = done = 0
    deadline = time.monotonic() + 600
    try:
        while done < count:
            while sent < count and sent - done < outstanding:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                sock.sendall(REQUEST)
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ, [b""])
                sent += 1
            if time.monotonic() > deadline:
                raise SystemExit("bench:agent: requests under valgrind took over 600 s")
            for key, _ in selector.select(timeout=5):
                chunk = key.fileobj.recv(65536)
                if chunk:
                    key.data[0] = (key.data[0] + chunk)[:64]
                    continue
                selector.unregister(key.fileobj)
                key.fileobj.close()
                if not key.data[0].startswith(b"HTTP/1.1 200"):
                    raise SystemExit("bench:agent: under valgrind Gunicorn answered %r" % key.data[0][:40])
                done += 1
    finally:
        for key in list(selector.get_map().values()):
            key.fileobj.close()
        selector.close()


# The agent as the benchmark measures it: profiler on (its default) and off.
KIND_ENV = {"plain": {}, "agent": {}, "noprof": {"GUNICORN_LIVE_PROFILE": "off"}}


def one_count(python, hub, requests, workers, outstanding, env=None):
    """{master, workers, wallSeconds}: instructions of one Gunicorn (booted, `requests` served, stopped)."""
    out = tempfile.mkdtemp(prefix="bench-agent-valgrind-")
    prefix = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=%s/cg.%%p" % out]
    try:
        server = Gunicorn(python, hub, workers=workers, prefix=prefix, env=dict({"PYTHONHASHSEED": "0"}, **(env or {})),
                          ready_seconds=180)
        start = time.monotonic()
        try:
            send_requests(server.port, requests, outstanding)
            wall = time.monotonic() - start
        finally:
            server.stop()
        master = workers_ir = 0
        files = glob.glob(os.path.join(out, "cg.*"))
        for path in files:
            ir = _summary(path)
            if path.endswith(".%d" % server.proc.pid):
                master = ir
            else:
                workers_ir += ir
        if not master or len(files) != workers + 1:
            raise SystemExit("bench:agent: valgrind wrote %d counts, expected %d" % (len(files), workers + 1))
        return {"master": master, "workers": workers_ir, "wallSeconds": wall}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _summary(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise SystemExit("bench:agent: no summary line in %s" % path)


def measure(python, hub, small=300, large=1800, repeats=2, workers=1, outstanding=4, log=None):
    """Instructions per request of a plain and an instrumented Gunicorn, each the median of `repeats`
    differenced pairs of runs (kinds alternate, so the machine's state falls on both alike)."""
    per = dict((kind, []) for kind in KIND_ENV)
    for r in range(repeats):
        for kind in KIND_ENV:
            server_hub = hub if kind != "plain" else None
            a = one_count(python, server_hub, small, workers, outstanding, KIND_ENV[kind])
            b = one_count(python, server_hub, large, workers, outstanding, KIND_ENV[kind])
            n = float(large - small)
            seconds = max(1e-3, b["wallSeconds"] - a["wallSeconds"])
            one = {"workers": (b["workers"] - a["workers"]) / n, "master": (b["master"] - a["master"]) / n,
                   "masterPerSecond": (b["master"] - a["master"]) / seconds,
                   "workersPerSecond": (b["workers"] - a["workers"]) / seconds, "requestsPerSecond": n / seconds}
            one["total"] = one["workers"] + one["master"]
            per[kind].append(one)
            if log:
                log("instructions %d %-5s workers %9.0f + master %7.0f = %9.0f per request" % (
                    r + 1, kind, one["workers"], one["master"], one["total"]))
    result = {"method": "valgrind --tool=cachegrind --cache-sim=no; (Ir(N2) - Ir(N1)) / (N2 - N1), N1=%d, N2=%d, "
                        "sync, %d worker, PYTHONHASHSEED=0, %d connections waiting; median of %d" % (
                            small, large, workers, outstanding, repeats)}
    for kind in per:
        result[kind] = dict((field, round(statistics.median(o[field] for o in per[kind]), 1))
                            for field in ("workers", "master", "total", "masterPerSecond", "requestsPerSecond"))
        result[kind]["runs"] = [round(o["total"]) for o in per[kind]]
    for field in ("total", "workers"):
        result["ratio" if field == "total" else "workersRatio"] = round(
            result["agent"][field] / result["plain"][field], 4)
    # The profiler: instructions per request with it on over off (its sampler works per second, not per request).
    result["profilerRatio"] = round(result["agent"]["total"] / result["noprof"]["total"], 4)
    return result
