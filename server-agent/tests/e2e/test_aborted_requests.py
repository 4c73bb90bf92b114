"""Requests a worker was serving as it died, on the real Gunicorn: the master's timeout (its SIGABRT heard,
or unheard and SIGKILL), and SIGKILL from outside (the OOM killer's signal) on sync and gthread. Each
counts once, under its method and route where the agent knew them, with status 0 and `aborted`, and a
duration that is its real elapsed time — from its start to the worker's death, which the test times
itself: the client's send, and the worker_exit event's time."""
import os
import signal
import time
import unittest

from gunicorn_live import procfs
from gunicorn_live.aggregate import LOST_METHOD, LOST_ROUTE
from tests.gunicorn_run import get, get_async, wait_until
from tests.live import Session

NORMAL = 5
# The arbiter looks at its workers' heartbeats about once a second: a timed-out request dies within
# [timeout, timeout + this] of its start (plus the SIGKILL's grace where its SIGABRT goes unheard).
CHECK_SLACK = 3.0
# The test's clocks (the client's send, the exit event's time.time()) against the agent's.
CLOCK_SLACK = 0.3


def aborted_groups(frames):
    return [g for m in frames if m["type"] == "sample" for g in m["requests"] if g.get("aborted")]


class AbortedRequestsTest(unittest.TestCase):
    def start(self, args):
        s = Session(self, ["-w", "1"] + args)
        s.live_sample(1)
        for _ in range(NORMAL):
            self.assertEqual(get(s.port, "/")[0], 200)
        return s

    def died_serving(self, s, path, kill_after=None):
        """Sends `path`; kills the worker with SIGKILL after `kill_after` seconds (None: the master's timeout
        kills it). Returns (seconds from the send to the worker's exit event, the exit event)."""
        worker = s.live_sample(1)["workers"][0]["pid"]
        sent = time.time()
        get_async(s.port, path, 90)
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(worker, signal.SIGKILL)
        event = s.exit_of(worker, timeout=60)
        return event["at"] - sent, event

    def counted(self, s, expected):
        """({(method, route, status): count}, {…: exceptions}, client disconnects) over every sample since the
        start, once `expected` requests came, and two samples more (nothing may be counted twice)."""
        def tally():
            counts, exceptions, disconnects = {}, {}, 0
            for m in s.frames:
                if m["type"] != "sample":
                    continue
                disconnects += m.get("clientDisconnects", 0)
                for g in m["requests"]:
                    key = (g["method"], g["route"], g["status"])
                    counts[key] = counts.get(key, 0) + g["count"]
                    if g.get("exceptions"):
                        exceptions[key] = exceptions.get(key, 0) + g["exceptions"]
                    # Aborted requests have their durations; requests merely lost have none.
                    self.assertEqual(sum(g["durations"]["counts"]), 0 if g["route"] == LOST_ROUTE and g["status"] else g["count"])
            return counts, exceptions, disconnects
        s.sample(lambda m: sum(tally()[0].values()) >= expected, timeout=30)
        s.sample()
        s.sample()
        return tally()

    def test_sync_timeout_heard(self):
        """--timeout 2, a view that sleeps 60 s: SIGABRT reaches the worker, which names its request; the
        app's SystemExit is not its failure, and the request is counted once."""
        s = self.start(["--timeout", "2"])
        lived, event = self.died_serving(s, "/hang")
        self.assertEqual(event["reason"], "timeout")
        counts, exceptions, disconnects = self.counted(s, NORMAL + 1)
        self.assertEqual((counts, exceptions, disconnects),
                         ({("GET", "/", 200): NORMAL, ("GET", "/hang", 0): 1}, {}, 0))
        [group] = aborted_groups(s.frames)
        self.assertEqual((group["aborted"], group["count"], sum(group["durations"]["counts"])), (1, 1, 1))
        self.assertGreaterEqual(group["durationMax"], 2.0)
        self.assertLessEqual(group["durationMax"], 2.0 + CHECK_SLACK)
        self.assertAlmostEqual(group["durationMax"], lived, delta=CLOCK_SLACK)
        self.assertEqual((group["durationMin"], group["durationSum"]), (group["durationMax"], group["durationMax"]))

    def test_sync_timeout_unheard_ends_in_sigkill(self):
        """Stuck in C: no Python runs in the worker from the request's start, so neither its abort handler nor
        its flusher names the request; its scoreboard slot still holds the start."""
        s = self.start(["--timeout", "2", "--graceful-timeout", "1"])
        time.sleep(1.0)  # the normal requests are handed over before the hang holds the GIL
        lived, event = self.died_serving(s, "/hang-in-c")
        self.assertEqual((event["reason"], event.get("signal")), ("timeout", "SIGKILL"))
        counts, _, _ = self.counted(s, NORMAL + 1)
        self.assertEqual(counts, {("GET", "/", 200): NORMAL, (LOST_METHOD, LOST_ROUTE, 0): 1})
        [group] = aborted_groups(s.frames)
        self.assertGreaterEqual(group["durationMax"], 2.0)
        self.assertAlmostEqual(group["durationMax"], lived, delta=CLOCK_SLACK)

    def test_sync_sigkill_mid_request(self):
        s = self.start([])
        lived, event = self.died_serving(s, "/sleep?s=30", kill_after=1.5)
        self.assertEqual((event["reason"], event.get("signal")), ("signal", "SIGKILL"))
        counts, _, _ = self.counted(s, NORMAL + 1)
        self.assertEqual(counts, {("GET", "/", 200): NORMAL, ("GET", "/sleep", 0): 1})
        [group] = aborted_groups(s.frames)
        self.assertAlmostEqual(group["durationMax"], lived, delta=CLOCK_SLACK)
        self.assertGreater(group["durationMax"], 1.4)

    def test_gthread_sigkill_with_two_requests_in_flight(self):
        s = self.start(["-k", "gthread", "--threads", "4"])
        worker = s.live_sample(1)["workers"][0]["pid"]
        sent = time.time()
        get_async(s.port, "/sleep?s=30", 90)
        time.sleep(0.5)
        get_async(s.port, "/slow", 90)  # 0.3 s: done before the kill, counted as usual
        get_async(s.port, "/sleep?s=20", 90)
        s.sample(lambda m: m["workers"][0]["inFlightCount"] == 2 and m["workers"][0]["requests"] == NORMAL + 1)
        s.sample()  # a report after the last completion: it names both requests still in flight
        os.kill(worker, signal.SIGKILL)
        lived = s.exit_of(worker)["at"] - sent
        counts, _, _ = self.counted(s, NORMAL + 3)
        self.assertEqual(counts, {("GET", "/", 200): NORMAL, ("GET", "/slow", 200): 1, ("GET", "/sleep", 0): 2})
        durations = []
        for g in aborted_groups(s.frames):
            durations += [g["durationMin"], g["durationMax"]] if g["count"] == 2 else [g["durationMax"]]
        durations.sort()
        self.assertEqual(len(durations), 2)
        self.assertAlmostEqual(durations[1], lived, delta=CLOCK_SLACK)
        self.assertAlmostEqual(durations[0], lived - 0.5, delta=CLOCK_SLACK)

    def test_a_hub_older_than_1_3_gets_no_aborted_field(self):
        s = Session(self, ["-w", "1", "--timeout", "2"], hub_protocol="1.2")
        s.live_sample(1)
        _, event = self.died_serving(s, "/hang")
        counts, _, _ = self.counted(s, 1)
        self.assertEqual(counts, {("GET", "/hang", 0): 1})
        self.assertEqual(aborted_groups(s.frames), [])
        self.assertTrue(wait_until(lambda: len(procfs.children(s.master)) == 1, timeout=10))


if __name__ == "__main__":
    unittest.main()
