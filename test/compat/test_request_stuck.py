"""request_stuck on every worker class of the newest Gunicorn: a request running longer than
GUNICORN_LIVE_STUCK_AFTER is reported once, from the worker's watchdog thread, with its worker's pid, its
method and route, and its stack down to the app's function — whether it blocks the worker (/spin, on the
CPU) or waits while the worker serves on (/wait: a gthread pool thread, a gevent greenlet, an asyncio task).
The worker timeout is far away (60 s): these are requests no timeout has ended. Each class is its own test
(run.py runs them side by side)."""
import target  # noqa: F401  (first: points the helpers at the venv)

import os
import time
import unittest

from tests.gunicorn_run import get_async
from tests.live import Session

APP = ["--pythonpath", target.APPS]
STUCK_AFTER = 1.5
# name, gunicorn arguments, app, the stuck requests in the order sent. A worker that serves one request at a
# time (sync, tornado) gets only the one that blocks it.
CASES = [
    ("sync", ["-k", "sync"], "stuck_app:app", ["/spin"]),
    ("gthread", ["-k", "gthread", "--threads", "3"], "stuck_app:app", ["/wait", "/spin"]),
    ("gevent", ["-k", "gevent"], "stuck_app:app", ["/wait", "/spin"]),
    ("tornado", ["-k", "tornado"], "stuck_app:app", ["/spin"]),
    ("asgi", ["-k", "asgi"], "stuck_app:asgi", ["/wait", "/spin"]),
    ("uvicorn", ["-k", "uvicorn_worker.UvicornWorker"], "stuck_app:asgi", ["/wait", "/spin"]),
]
# The app's function each request is stuck in.
STUCK_IN = {"/spin": "spin_forever", "/wait": "wait_forever"}
WSGI_WAIT = "wait_forever"
ASGI_WAIT = "wait_forever_async"


class RequestStuck(unittest.TestCase):
    def stuck(self, args, app, paths):
        s = Session(self, ["-w", "1", "--timeout", "60", "--graceful-timeout", "1"] + APP + args, app=app,
                    env={"GUNICORN_LIVE_STUCK_AFTER": str(STUCK_AFTER)}, hello_timeout=60)
        self.assertEqual(s.hello["server"]["stuckAfter"], STUCK_AFTER)
        pid = s.live_sample(1, timeout=60)["workers"][0]["pid"]
        for path in paths:
            sent = time.monotonic()
            get_async(s.port, path, 30)
            event = s.event(lambda e: e["type"] == "request_stuck" and e["route"] == path, timeout=20)
            waited = time.monotonic() - sent
            self.assertEqual((event["pid"], event["method"], event["route"]), (pid, "GET", path), event)
            self.assertGreaterEqual(event["elapsed"], STUCK_AFTER)
            self.assertLessEqual(event["elapsed"], waited)
            files = [f["file"] for f in event["stack"]]
            self.assertEqual([f for f in files if os.sep + "gunicorn_live" + os.sep in f], [], event)
            app_frames = [f for f in event["stack"] if os.path.basename(f["file"]) == "stuck_app.py"]
            function = STUCK_IN[path] if path == "/spin" or app == "stuck_app:app" else ASGI_WAIT
            self.assertEqual(app_frames[-1]["function"], function, event)
            if path == "/spin" or args[1] in ("sync", "gthread", "tornado"):
                # Running on a thread: its innermost frame is the app's (a waiting greenlet or task is inside
                # gevent's or asyncio's sleep).
                self.assertEqual(event["stack"][-1]["function"], function, event)
        # Three more watchdog ticks at least: no request is reported twice.
        until = time.time() + STUCK_AFTER
        s.sample(lambda m: m["at"] >= until, timeout=10)
        stuck = [f["event"] for f in s.frames if f["type"] == "event" and f["event"]["type"] == "request_stuck"]
        self.assertEqual(sorted(e["route"] for e in stuck), sorted(paths), stuck)


def _test(case):
    def test(self):
        self.stuck(*case[1:])
    test.__name__ = "test_" + case[0]
    return test


for _case in CASES:
    setattr(RequestStuck, "test_" + _case[0], _test(_case))

if __name__ == "__main__":
    unittest.main()
