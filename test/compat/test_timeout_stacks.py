"""A request stuck on the CPU under each worker class of the newest Gunicorn: the worker times out, and
the agent reports it as `timeout` with the stack of the stuck request, down to the app's function, without
the agent's own frames (gthread: Gunicorn never times it out; its request_stuck event has the stack). Each
case is its own test (run.py runs them side by side)."""
import target  # noqa: F401  (first: points the helpers at the venv)

import os
import time
import unittest

from tests.gunicorn_run import get_async
from tests.live import Session

APP = ["--pythonpath", target.APPS]
# name, gunicorn arguments, app
CASES = [
    ("sync", ["-k", "sync"], "stuck_app:app"),
    ("gthread", ["-k", "gthread", "--threads", "2"], "stuck_app:app"),
    ("gevent", ["-k", "gevent"], "stuck_app:app"),
    ("tornado", ["-k", "tornado"], "stuck_app:app"),
    ("asgi", ["-k", "asgi"], "stuck_app:asgi"),
    ("uvicorn", ["-k", "uvicorn_worker.UvicornWorker"], "stuck_app:asgi"),
]
TIMEOUT = 2
# How each class's abort ends (the exit's signal): sync, gevent and tornado run worker_abort (its stack is
# read there); the asgi worker's SIGABRT handler is a loop callback that never runs while the loop is stuck,
# so the master's SIGKILL follows; uvicorn's worker resets SIGABRT to its default action, so it dies of it.
# Those two get the stack their watchdog sent while the request blocked them.
# gevent: worker_abort runs, but the SystemExit of Gunicorn's abort handler ends only the stuck greenlet; the
# worker then stops gracefully (--graceful-timeout 1 s), and the master's next pass may SIGKILL it first.
SIGNAL = {"asgi": ("SIGKILL",), "uvicorn": ("SIGABRT",), "gevent": (None, "SIGKILL")}
# gthread: Gunicorn never times a gthread worker out — its main loop keeps notifying the arbiter while a
# request thread is stuck — so the stuck request's only trace is its request_stuck event, once it has run
# longer than the worker timeout (the default stuckAfter).
NEVER_TIMED_OUT = ("gthread",)


class TimeoutStacks(unittest.TestCase):
    def stuck(self, name, args, app):
        s = Session(self, ["-w", "1", "--timeout", str(TIMEOUT), "--graceful-timeout", "1"] + APP + args, app=app,
                    hello_timeout=60)
        self.assertEqual(s.hello["server"]["stuckAfter"], TIMEOUT)
        pid = s.live_sample(1, timeout=60)["workers"][0]["pid"]
        # Since 22.0 Gunicorn compares the heartbeat file's mtime with time.monotonic(), but the file starts
        # with its creation time (wall clock, far larger): a worker stuck before its first notify is never
        # timed out. Tornado's first notify comes 1 s after its loop starts — after the first sample.
        time.sleep(1.5)
        get_async(s.port, "/spin", 30)
        if name in NEVER_TIMED_OUT:
            event = s.event(lambda e: e["type"] == "request_stuck", timeout=15)
            self.assertEqual((event["pid"], event["route"]), (pid, "/spin"), event)
            self.assertGreaterEqual(event["elapsed"], TIMEOUT)
        else:
            event = s.exit_of(pid, timeout=15)
            self.assertEqual(event["reason"], "timeout", event)
            self.assertIn(event.get("signal"), SIGNAL.get(name, (None,)), event)
            self.assertIn("worker %d timed out" % pid, s.log())
        innermost = (event.get("stack") or [{}])[-1]
        self.assertEqual((os.path.basename(innermost.get("file", "")), innermost.get("function")),
                         ("stuck_app.py", "spin_forever"), event)
        self.assertEqual([f for f in event["stack"] if os.sep + "gunicorn_live" + os.sep in f["file"]], [], event)


def _test(case):
    def test(self):
        self.stuck(*case)
    test.__name__ = "test_" + case[0]
    return test


for _case in CASES:
    setattr(TimeoutStacks, "test_" + _case[0], _test(_case))

if __name__ == "__main__":
    unittest.main()
