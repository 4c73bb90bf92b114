"""End to end on the real Debian Gunicorn 20.1.0: -c shim.py, a user config with its own post_fork hook,
a test hub receiving the frames, real HTTP requests, real signals."""
import json
import os
import signal
import tempfile
import threading
import time
import unittest

from gunicorn_live import procfs
from tests import shape
from tests.gunicorn_run import APPS, get, start, wait_until
from tests.wsserver import TestHub

N_ITEMS, N_ROOT, N_MISSING, N_RAISE = 10, 8, 4, 3
N = N_ITEMS + N_ROOT + N_MISSING + N_RAISE


class Session(object):
    """One Gunicorn under the agent, seen through the test hub."""

    def __init__(self, test, args, env=None):
        self.test = test
        self.hub = TestHub(token="e2e-token")
        test.addCleanup(self.hub.close)
        self.frames = []
        env = dict(env or {}, GUNICORN_LIVE_URL=self.hub.url, GUNICORN_LIVE_TOKEN="e2e-token")
        self.proc = start(test, args, env)
        self.conn, self.hello = self.next(lambda m: m["type"] == "hello", timeout=20)
        self.port = int(self.hello["server"]["bind"][0].rsplit(":", 1)[1])

    def next(self, predicate, timeout=15.0):
        def matching(conn, message):
            self.test.assertEqual(shape.check(message), [], message)
            self.frames.append(message)
            return predicate(message)
        conn, message = self.hub.next(matching, timeout=timeout)
        return conn, message

    def sample(self, predicate=lambda s: True, timeout=15.0):
        return self.next(lambda m: m["type"] == "sample" and predicate(m), timeout)[1]

    def event(self, predicate, timeout=15.0):
        return self.next(lambda m: m["type"] == "event" and predicate(m["event"]), timeout)[1]["event"]

    def live_sample(self, n_workers):
        """A sample whose workers all have memory readings and CPU history."""
        return self.sample(lambda s: len(s["workers"]) == n_workers and
                           all(w["rssBytes"] and w["cpuPercent"] is not None for w in s["workers"]))


class LiveLoopTest(unittest.TestCase):
    def test_requests_workers_memory_user_hook_and_hup(self):
        marker = tempfile.NamedTemporaryFile(delete=False)
        marker.close()
        self.addCleanup(os.unlink, marker.name)
        s = Session(self, ["-w", "2"], {"GUNICORN_LIVE_USER_CONFIG": os.path.join(APPS, "user_conf.py"),
                                        "USER_HOOK_MARKER": marker.name})
        master = s.proc.pid
        self.assertEqual(s.hello["server"]["masterPid"], master)
        self.assertEqual((s.hello["server"]["targetWorkers"], s.hello["server"]["workerClass"]), (2, "sync"))
        first = s.live_sample(2)
        pids = set(w["pid"] for w in first["workers"])

        # Exactly N requests, counted exactly once, grouped by method, route template and status.
        statuses = [get(s.port, "/items/%d" % i)[0] for i in range(N_ITEMS)]
        statuses += [get(s.port, "/")[0] for _ in range(N_ROOT)]
        statuses += [get(s.port, "/missing")[0] for _ in range(N_MISSING)]
        statuses += [get(s.port, "/raise")[0] for _ in range(N_RAISE)]
        self.assertEqual(statuses, [200] * (N_ITEMS + N_ROOT) + [404] * N_MISSING + [500] * N_RAISE)
        groups = {}
        totals = []

        def counted(sample):
            for g in sample["requests"]:
                key = (g["method"], g["route"], g["status"])
                groups[key] = groups.get(key, 0) + g["count"]
                self.assertEqual(sum(g["buckets"]), g["count"])
                self.assertEqual(len(g["buckets"]), len(s.hello["server"]["durationBuckets"]) + 1)
            totals.append(sum(w["requests"] for w in sample["workers"]))
            return sum(groups.values()) >= N
        s.sample(counted, timeout=15)
        s.sample(counted)                    # one more interval: nothing is counted twice
        s.sample(counted)
        self.assertEqual(sum(groups.values()), N)
        self.assertEqual(groups, {("GET", "/items/{id}", 200): N_ITEMS, ("GET", "/", 200): N_ROOT,
                                  ("GET", "/missing", 404): N_MISSING, ("GET", "/raise", 500): N_RAISE})
        self.assertEqual(totals[-1], N)

        # The workers reported are the master's real children, measured on their own.
        def matches_proc():
            sample = s.sample()
            children = procfs.children(master)
            reported = set(w["pid"] for w in sample["workers"])
            rss_ok = all(abs(w["rssBytes"] - procfs.rss_bytes(w["pid"])) <= 0.1 * procfs.rss_bytes(w["pid"])
                         for w in sample["workers"])
            return reported == children == pids and rss_ok and sample
        sample = wait_until(matches_proc, 10, 0)
        self.assertTrue(sample)
        self.assertGreater(sample["master"]["rssBytes"], 0)
        self.assertTrue(all(w["state"] == "idle" and w["pssBytes"] for w in sample["workers"]))
        spawned = set(m["event"]["pid"] for m in s.frames if m["type"] == "event"
                      and m["event"]["type"] == "worker_spawn")
        self.assertEqual(spawned, pids)

        # The user's own post_fork hook ran in each worker.
        with open(marker.name) as f:
            self.assertEqual(set(int(line) for line in f.read().split()), pids)

        # A HUP command is acked, the master reloads, the old workers leave as `reload`.
        s.conn.send_text(json.dumps({"type": "command", "id": "c1", "command": "signal", "signal": "HUP"}))
        self.assertEqual(s.next(lambda m: m["type"] == "ack")[1], {"type": "ack", "id": "c1", "ok": True})
        self.assertEqual(s.event(lambda e: e["type"] == "signal")["signal"], "SIGHUP")
        exits = {}
        while set(exits) != pids:
            event = s.event(lambda e: e["type"] == "worker_exit")
            exits[event["pid"]] = event
        self.assertEqual(set(e["reason"] for e in exits.values()), {"reload"})
        new = s.sample(lambda m: len(m["workers"]) == 2 and not set(w["pid"] for w in m["workers"]) & pids)
        self.assertEqual(set(w["pid"] for w in new["workers"]), procfs.children(master))
        s.conn.send_text(json.dumps({"type": "command", "id": "c2", "command": "signal", "signal": "KILL"}))
        refused = s.next(lambda m: m["type"] == "ack")[1]
        self.assertEqual((refused["id"], refused["ok"]), ("c2", False))


class ExitCausesTest(unittest.TestCase):
    def test_timeout_with_stack_and_kill_9(self):
        s = Session(self, ["-w", "2", "--timeout", "2", "--graceful-timeout", "2"])
        s.live_sample(2)
        hang = threading.Thread(target=get, args=(s.port, "/hang", 15), daemon=True)
        hang.start()
        event = s.event(lambda e: e["type"] == "worker_exit", timeout=20)
        self.assertEqual((event["reason"], event.get("exitCode")), ("timeout", 1))
        innermost = event["stack"][-1]
        self.assertEqual((os.path.basename(innermost["file"]), innermost["function"]), ("app.py", "app"))

        victim = [w["pid"] for w in s.live_sample(2)["workers"]][0]
        os.kill(victim, signal.SIGKILL)
        event = s.event(lambda e: e["type"] == "worker_exit" and e["pid"] == victim)
        self.assertEqual((event["reason"], event.get("signal")), ("signal", "SIGKILL"))
        replacement = s.event(lambda e: e["type"] == "worker_spawn")
        self.assertIn(replacement["pid"], procfs.children(s.proc.pid))

    def test_ttou_is_scale_down_and_term_is_shutdown(self):
        s = Session(self, ["-w", "3", "--graceful-timeout", "2"])
        workers = s.live_sample(3)["workers"]
        oldest = min(workers, key=lambda w: w["age"])["pid"]
        os.kill(s.proc.pid, signal.SIGTTOU)
        event = s.event(lambda e: e["type"] == "worker_exit")
        self.assertEqual((event["pid"], event["reason"]), (oldest, "scale_down"))
        self.assertEqual(s.sample(lambda m: len(m["workers"]) == 2)["targetWorkers"], 2)
        os.kill(s.proc.pid, signal.SIGTERM)
        reasons = [s.event(lambda e: e["type"] == "worker_exit")["reason"] for _ in range(2)]
        self.assertEqual(reasons, ["shutdown", "shutdown"])
        self.assertEqual(s.proc.wait(15), 0)
