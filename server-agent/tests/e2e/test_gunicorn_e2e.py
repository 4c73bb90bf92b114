"""End to end on the real Debian Gunicorn 20.1.0: -c shim.py, a user config with its own post_fork hook,
a test hub receiving the frames, real HTTP requests, real signals."""
import os
import tempfile
import unittest

from gunicorn_live import procfs
from tests.gunicorn_run import APPS, get, wait_until
from tests.live import Session

N_ITEMS, N_ROOT, N_MISSING, N_RAISE, N_ERROR, N_STREAM = 10, 8, 4, 3, 2, 2
N = N_ITEMS + N_ROOT + N_MISSING + N_RAISE + N_ERROR + N_STREAM


class LiveLoopTest(unittest.TestCase):
    def marker(self):
        marker = tempfile.NamedTemporaryFile(delete=False)
        marker.close()
        self.addCleanup(os.unlink, marker.name)
        return marker

    def test_requests_failures_workers_memory_user_hook_and_hup(self):
        marker, requests_marker = self.marker(), self.marker()
        s = Session(self, ["-w", "2"], {"GUNICORN_LIVE_USER_CONFIG": os.path.join(APPS, "user_conf.py"),
                                        "USER_HOOK_MARKER": marker.name, "USER_REQUEST_MARKER": requests_marker.name})
        master = s.master
        self.assertEqual(s.hello["server"]["masterPid"], master)
        self.assertEqual((s.hello["server"]["targetWorkers"], s.hello["server"]["workerClass"]), (2, "sync"))
        first = s.live_sample(2)
        pids = set(w["pid"] for w in first["workers"])

        # Exactly N requests, counted exactly once, grouped by method, route template and status.
        statuses = [get(s.port, "/items/%d" % i)[0] for i in range(N_ITEMS)]
        statuses += [get(s.port, "/")[0] for _ in range(N_ROOT)]
        statuses += [get(s.port, "/missing")[0] for _ in range(N_MISSING)]
        statuses += [get(s.port, "/raise")[0] for _ in range(N_RAISE)]
        statuses += [get(s.port, "/error")[0] for _ in range(N_ERROR)]
        statuses += [get(s.port, "/stream-raise")[0] for _ in range(N_STREAM)]
        # A stream that raised after its headers went out is cut short: the client sees a broken response.
        self.assertEqual(statuses, [200] * (N_ITEMS + N_ROOT) + [404] * N_MISSING + [500] * (N_RAISE + N_ERROR) +
                         [None] * N_STREAM)
        counts, exceptions, disconnects, examples, last = s.count_requests(N)
        self.assertEqual(counts, {("GET", "/items/{id}", 200): N_ITEMS, ("GET", "/", 200): N_ROOT,
                                  ("GET", "/missing", 404): N_MISSING, ("GET", "/raise", 500): N_RAISE,
                                  ("GET", "/error", 500): N_ERROR, ("GET", "/stream-raise", 200): N_STREAM})
        # The app raised in /raise and /stream-raise; /error answered 500 without raising.
        self.assertEqual(exceptions, {("GET", "/raise", 500): N_RAISE, ("GET", "/stream-raise", 200): N_STREAM})
        self.assertEqual(disconnects, 0)
        self.assertEqual(sum(w["requests"] for w in last["workers"]), N)
        # Each failed request is an example (never the successful fast ones).
        self.assertEqual(sorted((e["route"], e["status"], e.get("exception")) for e in examples),
                         sorted([("/error", 500, None)] * N_ERROR +
                                [("/raise", 500, "RuntimeError: raised on purpose")] * N_RAISE +
                                [("/stream-raise", 200, "RuntimeError: raised while streaming")] * N_STREAM))
        self.assertTrue(all(e["pid"] in pids for e in examples))

        # The workers reported are the master's real children, measured on their own, and idle.
        sample = wait_until(lambda: (lambda x: s.check_workers(x) and x)(s.sample()), 15, 0)
        self.assertTrue(sample)
        self.assertEqual(set(w["pid"] for w in sample["workers"]), pids)
        self.assertGreater(sample["master"]["rssBytes"], 0)
        self.assertTrue(all(w["state"] == "idle" and w["inFlight"] is None and w["inFlightCount"] == 0 and
                            w["pssBytes"] for w in sample["workers"]))
        self.assertEqual((sample["reloads"], sample["dropped"]), (0, 0))
        spawned = set(m["event"]["pid"] for m in s.frames if m["type"] == "event"
                      and m["event"]["type"] == "worker_spawn")
        self.assertEqual(spawned, pids)

        # The user's own hooks ran: post_fork in each worker, pre_request and post_request for each request.
        with open(marker.name) as f:
            self.assertEqual(set(int(line) for line in f.read().split()), pids)
        with open(requests_marker.name) as f:
            lines = f.read().splitlines()
        self.assertEqual(len([x for x in lines if x.startswith("pre ")]), N)
        self.assertEqual(sorted(x for x in lines if x.startswith("post /items/")),
                         sorted("post /items/%d 200" % i for i in range(N_ITEMS)))

        # A HUP command is acked, the master reloads, the old workers leave as `reload`.
        self.assertEqual(s.command("c1", "HUP"), {"type": "ack", "id": "c1", "ok": True})
        self.assertEqual(s.event(lambda e: e["type"] == "signal" and e["signal"] != "SIGCHLD")["signal"], "SIGHUP")
        exits = {}
        while set(exits) != pids:
            event = s.event(lambda e: e["type"] == "worker_exit")
            exits[event["pid"]] = event
        self.assertEqual(set(e["reason"] for e in exits.values()), {"reload"})
        new = s.sample(lambda m: len(m["workers"]) == 2 and not set(w["pid"] for w in m["workers"]) & pids)
        self.assertEqual(set(w["pid"] for w in new["workers"]), procfs.children(master))
        self.assertEqual((new["reloads"], new["targetWorkers"]), (1, 2))
        refused = s.command("c2", "KILL")
        self.assertEqual((refused["id"], refused["ok"]), ("c2", False))
