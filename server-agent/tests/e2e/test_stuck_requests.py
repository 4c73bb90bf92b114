"""Stuck requests on the real Gunicorn 20.1.0: a request running longer than GUNICORN_LIVE_STUCK_AFTER is
reported once as a request_stuck event, from the worker's watchdog thread, with its worker's pid, method,
route and stack down to the app — on a sync worker (the request blocks it) and on gthread (two pool threads
stuck at once, which Gunicorn never times out). The hello says when (the worker timeout by default); `off`
silences it."""
import os
import time
import unittest

from tests.gunicorn_run import get_async
from tests.live import Session, parallel

STUCK_AFTER = 1.0


def stuck_events(s):
    return [f["event"] for f in s.frames if f["type"] == "event" and f["event"]["type"] == "request_stuck"]


class StuckRequestsTest(unittest.TestCase):
    def test_stuck_requests(self):
        parallel(("sync", self.sync), ("gthread", self.gthread), ("default and off", self.default_and_off))

    def check(self, event, pid, route):
        self.assertEqual((event["pid"], event["method"], event["route"]), (pid, "GET", route), event)
        self.assertGreaterEqual(event["elapsed"], STUCK_AFTER)
        innermost = event["stack"][-1]
        self.assertEqual((os.path.basename(innermost["file"]), innermost["function"]), ("app.py", "app"), event)
        self.assertIn("handle_request", [f["function"] for f in event["stack"]])
        self.assertEqual([f for f in event["stack"] if os.sep + "gunicorn_live" + os.sep in f["file"]], [])

    def settle(self, s, seconds):
        """Reads every frame the agent sends for `seconds` more (several watchdog ticks)."""
        until = time.time() + seconds
        s.sample(lambda m: m["at"] >= until, timeout=seconds + 10)

    def sync(self):
        s = Session(self, ["-w", "1", "--timeout", "30"], env={"GUNICORN_LIVE_STUCK_AFTER": str(STUCK_AFTER)})
        self.assertEqual(s.hello["server"]["stuckAfter"], STUCK_AFTER)
        pid = s.live_sample(1)["workers"][0]["pid"]
        get_async(s.port, "/hang", 30)
        self.check(s.event(lambda e: e["type"] == "request_stuck"), pid, "/hang")
        self.settle(s, 2 * STUCK_AFTER)
        self.assertEqual(len(stuck_events(s)), 1, stuck_events(s))

    def gthread(self):
        s = Session(self, ["-w", "1", "-k", "gthread", "--threads", "4", "--timeout", "30"],
                    env={"GUNICORN_LIVE_STUCK_AFTER": str(STUCK_AFTER)})
        pid = s.live_sample(1)["workers"][0]["pid"]
        get_async(s.port, "/hang", 30)
        get_async(s.port, "/sleep?s=30", 30)
        found = {}

        def both(e):
            if e["type"] == "request_stuck":
                found[e["route"]] = e
            return len(found) == 2
        s.event(both)
        self.check(found["/hang"], pid, "/hang")
        self.check(found["/sleep"], pid, "/sleep")
        self.settle(s, 2 * STUCK_AFTER)
        self.assertEqual(sorted(e["route"] for e in stuck_events(s)), ["/hang", "/sleep"])

    def default_and_off(self):
        s = Session(self, ["-w", "1", "--timeout", "7"])
        self.assertEqual(s.hello["server"]["stuckAfter"], 7.0, "the worker timeout by default")
        # gthread, whose stuck request no timeout ends: past its 1 s timeout, and nothing is reported.
        off = Session(self, ["-w", "1", "-k", "gthread", "--timeout", "1"], env={"GUNICORN_LIVE_STUCK_AFTER": "off"})
        self.assertIsNone(off.hello["server"]["stuckAfter"])
        off.live_sample(1)
        get_async(off.port, "/hang", 30)
        self.settle(off, 3)
        self.assertEqual(stuck_events(off), [])


if __name__ == "__main__":
    unittest.main()
