"""Exceptions that fail requests, on the real Gunicorn 20.1.0: each distinct one reaches a 1.3 hub as
request_exception events whose counts add up to the requests it failed — not one event per request — with
the exception as "Type: message", the route template, and the traceback down to the app's raising line
(no agent frames). Flask and Django answer 500 themselves (their signals), a plain app raises into
Gunicorn; a chained exception is the one that reached Flask. A repeat waits REPEAT_SECONDS; a 1.2 hub gets
none. test/compat/test_request_exceptions.py runs the same cases on the newest Gunicorn."""
import os
import time
import unittest

from tests.gunicorn_run import get
from tests.live import Session, parallel

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = os.path.abspath(os.path.join(HERE, "..", "..", "..", "test", "apps"))
COMPAT_APPS = os.path.abspath(os.path.join(HERE, "..", "..", "..", "test", "compat", "apps"))

# name, gunicorn arguments, app, path, (method, route), exception, (file, function, line text) it was raised at
CASES = [
    ("sync+flask", ["-k", "sync"], "flask_app:app", "/raise", ("GET", "/raise"), "ZeroDivisionError: flask view raised",
     ("flask_app.py", "raises", 'raise ZeroDivisionError("flask view raised")')),
    ("sync+flask chained", ["-k", "sync"], "flask_app:app", "/chained", ("GET", "/chained"),
     "ValueError: no such key: missing", ("flask_app.py", "_lookup", 'raise ValueError("no such key: %s" % key) from e')),
    ("sync+django", ["-k", "sync"], "django_app:application", "/raise/", ("GET", "/raise/"),
     "KeyError: 'django view raised'", ("django_app.py", "raises", 'raise KeyError("django view raised")')),
    ("gthread+plain", ["-k", "gthread", "--threads", "2"], "app:app", "/raise", ("GET", "/raise"),
     "RuntimeError: raised on purpose", ("app.py", "app", 'raise RuntimeError("raised on purpose")')),
]
N = 3
# What docs/protocol.md promises: a repeat at most every 10 s.
REPEAT_SECONDS = 10.0


def exception_events(s):
    return [f["event"] for f in s.frames if f["type"] == "event" and f["event"]["type"] == "request_exception"]


def line_of(file, text):
    """The line of `text` in a fixture app (the agent's or the compat suite's)."""
    path = os.path.join(APPS, file) if os.path.exists(os.path.join(APPS, file)) else os.path.join(COMPAT_APPS, file)
    with open(path) as f:
        return next(i for i, line in enumerate(f, 1) if text in line)


class Cases(object):
    """The check, shared with the compat suite (whose Gunicorn and worker classes differ)."""

    def run_case(self, name, args, app, path, labels, exception, raised_at, workers=2, extra=()):
        s = Session(self, ["-w", str(workers)] + list(args) + list(extra), app=app, hub_protocol="1.3",
                    hello_timeout=60)
        s.live_sample(workers, timeout=60)
        for _ in range(N):
            self.assertEqual(get(s.port, path)[0], 500)
        self.assertEqual(get(s.port, "/")[0], 200)
        # Two workers may hand theirs over on either side of a tick: then the rest comes REPEAT_SECONDS later.
        seen = []

        def all_counted(e):
            if e["type"] == "request_exception":
                seen.append(e)
            return sum(x["count"] for x in seen) >= N
        s.event(all_counted, timeout=REPEAT_SECONDS + 20)
        self.assertLessEqual(len(seen), 2, seen)
        self.assertEqual(sum(e["count"] for e in seen), N)
        file, function, text = raised_at
        for e in seen:
            self.assertEqual((e["method"], e["route"]), labels, e)
            self.assertEqual(e["exception"], exception, e)
            self.assertIn(e["pid"], [w["pid"] for w in s.live_sample(workers)["workers"]])
            innermost = e["stack"][-1]
            self.assertEqual((os.path.basename(innermost["file"]), innermost["function"], innermost["line"]),
                             (file, function, line_of(file, text)), e)
            self.assertEqual([f for f in e["stack"] if os.sep + "gunicorn_live" + os.sep in f["file"]], [], e)
        self.assertEqual(len(set(str(e["stack"]) for e in seen)), 1)
        return s


class RequestExceptionsTest(Cases, unittest.TestCase):
    def test_each_exception_is_counted_with_its_route_and_traceback(self):
        parallel(*[(case[0], lambda case=case: self.run_case(*case)) for case in CASES])

    def test_a_repeat_waits_and_carries_the_count_since(self):
        s = self.run_case(*CASES[0], workers=1)
        first = time.monotonic()
        before = len(exception_events(s))
        for _ in range(5):
            self.assertEqual(get(s.port, "/raise")[0], 500)
        repeat = s.event(lambda e: e["type"] == "request_exception" and len(exception_events(s)) > before,
                         timeout=REPEAT_SECONDS + 10)
        self.assertGreaterEqual(time.monotonic() - first, REPEAT_SECONDS - 1.5, "a repeat is held back")
        self.assertEqual(repeat["count"], 5)

    def test_a_hub_older_than_1_3_gets_none(self):
        s = Session(self, ["-w", "1"], app="flask_app:app", hub_protocol="1.2")
        s.live_sample(1)
        for _ in range(2):
            self.assertEqual(get(s.port, "/raise")[0], 500)
        # Five ticks later: any event would have gone out by then.
        until = time.time() + 1.0
        s.sample(lambda m: m["at"] >= until)
        self.assertEqual(exception_events(s), [])


if __name__ == "__main__":
    unittest.main()
