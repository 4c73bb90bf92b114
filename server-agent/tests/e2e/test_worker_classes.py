"""Every worker class with a real app on the real Gunicorn 20.1.0, all at once: exactly the requests sent
are counted, under the framework's route template, failures with their exceptions; the workers reported
are the master's children, each with its own memory."""
import unittest

from tests.gunicorn_run import get
from tests.live import Session, parallel

N = 14


def plain():
    requests = ["/items/%d" % i for i in range(5)] + ["/"] * 3 + ["/raise"] * 2 + ["/missing"] * 2 + ["/error"] * 2
    counts = {("GET", "/items/{id}", 200): 5, ("GET", "/", 200): 3, ("GET", "/raise", 500): 2,
              ("GET", "/missing", 404): 2, ("GET", "/error", 500): 2}
    return requests, counts, {("GET", "/raise", 500): 2}, "RuntimeError: raised on purpose"


def flask():
    requests = ["/items/%d" % i for i in range(5)] + ["/"] * 3 + ["/raise"] * 2 + ["/nope"] * 2 + ["/items/x"] * 2
    # Paths no Flask route matched are one route, however many there are; a plain app keeps its paths.
    counts = {("GET", "/items/<int:item_id>", 200): 5, ("GET", "/", 200): 3, ("GET", "/raise", 500): 2,
              ("GET", "(unmatched)", 404): 4}
    return requests, counts, {("GET", "/raise", 500): 2}, "ZeroDivisionError: flask view raised"


def django():
    requests = ["/items/%d/" % i for i in range(5)] + ["/"] * 3 + ["/articles/2024/"] * 2 + ["/raise/"] * 2 + \
        ["/nope"] * 2
    counts = {("GET", "/items/<int:pk>/", 200): 5, ("GET", "/", 200): 3, ("GET", "/raise/", 500): 2,
              ("GET", "/articles/(?P<year>[0-9]{4})/", 200): 2, ("GET", "(unmatched)", 404): 2}
    return requests, counts, {("GET", "/raise/", 500): 2}, "KeyError: 'django view raised'"


def fastapi():
    requests = ["/items/%d" % i for i in range(5)] + ["/"] * 3 + ["/raise"] * 2 + ["/nope"] * 2 + ["/items/x"] * 2
    counts = {("GET", "/items/{item_id}", 200): 5, ("GET", "/", 200): 3, ("GET", "/raise", 500): 2,
              ("GET", "(unmatched)", 404): 2, ("GET", "/items/{item_id}", 422): 2}
    return requests, counts, {("GET", "/raise", 500): 2}, "ValueError: fastapi endpoint raised"


CASES = [
    # name, gunicorn arguments, app, expected workerClass, requests/counts, sync-like (state + inFlight)
    ("sync+flask", ["-k", "sync"], "flask_app:app", "sync", flask, True),
    ("gthread+plain", ["-k", "gthread", "--threads", "4"], "app:app", "gthread", plain, True),
    ("sync+django", ["-k", "sync"], "django_app:application", "sync", django, True),
    ("gevent+django", ["-k", "gevent"], "django_app:application", "gevent", django, False),
    ("eventlet+plain", ["-k", "eventlet"], "app:app", "eventlet", plain, False),
    ("tornado+flask", ["-k", "tornado"], "flask_app:app", "tornado", flask, False),
    ("uvicorn+fastapi", ["-k", "uvicorn.workers.UvicornWorker"], "fastapi_app:app", "uvicorn.workers.UvicornWorker",
     fastapi, False),
]


class WorkerClassesTest(unittest.TestCase):
    def test_every_worker_class_and_app(self):
        parallel(*[(case[0], lambda case=case: self.run_case(*case)) for case in CASES])

    def run_case(self, name, args, app, worker_class, expected, sync_like):
        s = Session(self, ["-w", "2"] + args, app=app, hello_timeout=60)
        self.assertEqual(s.hello["server"]["workerClass"], worker_class)
        self.assertEqual(s.hello["server"]["app"], app)
        first = s.live_sample(2, timeout=60)
        pids = set(w["pid"] for w in first["workers"])
        requests, counts, exceptions, exception_text = expected()
        self.assertEqual(len(requests), N)
        for path in requests:
            status = get(s.port, path)[0]
            self.assertIsNotNone(status, path)
        got, got_exceptions, disconnects, examples, last = s.count_requests(N)
        self.assertEqual(got, counts)
        self.assertEqual(got_exceptions, exceptions)
        self.assertEqual(disconnects, 0)
        self.assertEqual(sum(w["requests"] for w in last["workers"]), N)
        raised = [e for e in examples if e.get("exception")]
        self.assertEqual([e["exception"] for e in raised], [exception_text] * 2)
        for w in last["workers"]:
            self.assertEqual(w["inFlightCount"], 0)
            if sync_like:
                self.assertEqual((w["state"], w["inFlight"]), ("idle", None))
            else:
                self.assertNotIn("state", w)
                self.assertNotIn("inFlight", w)
        checked = s.sample(lambda m: s.check_workers(m), timeout=20)
        self.assertEqual(set(w["pid"] for w in checked["workers"]), pids)
