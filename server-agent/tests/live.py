"""One real Gunicorn under the agent, seen through a test hub, plus helpers the end-to-end tests share:
every frame the agent sends is validated against the protocol's JSON Schema (by the test hub), and
independent Gunicorns can run at once."""
import json
import os
import sys
import threading
import time

from gunicorn_live import procfs
from gunicorn_live.aggregate import LOST_ROUTE
from tests.gunicorn_run import read_log, start
from tests.wsserver import TestHub

TOKEN = "e2e-token"
# Samples every 0.2 s keep the tests quick; the agent's default is 1 s.
INTERVAL = "0.2"


class Session(object):
    def __init__(self, test, args, env=None, app="app:app", config=None, use_shim=True, hello_timeout=30,
                 cgroup_procs=None, hub_protocol="1.3"):
        self.test = test
        self.hub = TestHub(token=TOKEN, protocol=hub_protocol)
        test.addCleanup(self.hub.close)
        test.addCleanup(self.hub.assert_frames_valid)  # runs first: frames that came after the last read count too
        self.frames = []
        env = dict({"GUNICORN_LIVE_INTERVAL": INTERVAL}, **(env or {}))
        env.update(GUNICORN_LIVE_URL=self.hub.url, GUNICORN_LIVE_TOKEN=TOKEN)
        kwargs = {"config": config} if not use_shim else {}
        self.proc = start(test, args, env, app=app, cgroup_procs=cgroup_procs, **kwargs)
        self.conn, self.hello = self.next(lambda m: m["type"] == "hello", timeout=hello_timeout)
        self.port = int(self.hello["server"]["bind"][0].rsplit(":", 1)[1])

    @property
    def master(self):
        return self.proc.pid

    def log(self):
        return read_log(self.proc)

    def next(self, predicate, timeout=20.0):
        def matching(conn, message):
            self.frames.append(message)
            return predicate(message)
        try:
            return self.hub.next(matching, timeout=timeout)
        except AssertionError as e:
            raise AssertionError("%s; Gunicorn's log:\n%s" % (e, self.log()[-3000:])) from None

    def sample(self, predicate=lambda s: True, timeout=20.0):
        return self.next(lambda m: m["type"] == "sample" and predicate(m), timeout)[1]

    def event(self, predicate, timeout=20.0):
        return self.next(lambda m: m["type"] == "event" and predicate(m["event"]), timeout)[1]["event"]

    def exit_of(self, pid, timeout=20.0):
        return self.event(lambda e: e["type"] == "worker_exit" and e["pid"] == pid, timeout)

    def exits_of(self, pids, timeout=20.0):
        """{pid: worker_exit event} for all of `pids`, in whatever order they come."""
        found = {}

        def collect(event):
            if event["type"] == "worker_exit" and event["pid"] in pids:
                found[event["pid"]] = event
            return set(found) == set(pids)
        self.event(collect, timeout)
        return found

    def live_sample(self, n_workers, timeout=30.0):
        """A sample whose workers are the master's children, each with memory readings, CPU history and
        a report of its own."""
        return self.sample(lambda s: len(s["workers"]) == n_workers and
                           all(w["rssBytes"] and w["cpuPercent"] is not None and "inFlightCount" in w
                               for w in s["workers"]), timeout)

    def command(self, command_id, signal, conn=None):
        (conn or self.conn).send_text(json.dumps({"type": "command", "id": command_id, "command": "signal",
                                                  "signal": signal}))
        return self.next(lambda m: m["type"] == "ack" and m["id"] == command_id)[1]

    def count_requests(self, expected, timeout=30.0):
        """Adds up the request groups of the samples until `expected` requests arrived, then two more
        samples (nothing may be counted twice). Returns ({(method, route, status): count},
        {(method, route, status): exceptions}, client disconnects, examples, last sample)."""
        counts, exceptions, seen = {}, {}, {"disconnects": 0, "examples": [], "last": None}

        def add(sample):
            for g in sample["requests"]:
                key = (g["method"], g["route"], g["status"])
                counts[key] = counts.get(key, 0) + g["count"]
                exceptions[key] = exceptions.get(key, 0) + g.get("exceptions", 0)
                # Requests lost at a worker's exit have no duration: none in the buckets. Aborted ones do.
                timed = g["route"] != LOST_ROUTE or g.get("aborted") or g["status"] == 0
                self.test.assertEqual(sum(g["buckets"]), g["count"] if timed else 0)
                self.test.assertLessEqual(g.get("exceptions", 0), g["count"])
            seen["disconnects"] += sample.get("clientDisconnects", 0)
            seen["examples"] += sample.get("examples", [])
            seen["last"] = sample
            return sum(counts.values()) + seen["disconnects"] >= expected
        self.sample(add, timeout)
        self.sample(add)
        self.sample(add)
        return counts, {k: v for k, v in exceptions.items() if v}, seen["disconnects"], seen["examples"], seen["last"]

    def check_workers(self, sample):
        """The workers reported are the master's real children, each measured on its own."""
        children = procfs.children(self.master)
        reported = set(w["pid"] for w in sample["workers"])
        if reported != children:
            return False
        for w in sample["workers"]:
            own = procfs.rss_bytes(w["pid"])
            if own is None or abs(w["rssBytes"] - own) > 0.1 * own:
                return False
        return True


def parallel(*jobs):
    """Runs each (name, function) in its own thread and re-raises the first failure, named."""
    failures = []

    def run(name, job):
        try:
            job()
        except BaseException:
            failures.append((name, sys.exc_info()))
    threads = [threading.Thread(target=run, args=job, daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        name, (kind, value, tb) = failures[0]
        others = ", ".join(n for n, _ in failures[1:])
        raise kind("[%s] %s%s" % (name, value, " (also failed: %s)" % others if others else "")).with_traceback(tb)


def master_threads_and_fds(pid):
    return len(os.listdir("/proc/%d/task" % pid)), len(os.listdir("/proc/%d/fd" % pid))


def settle(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
