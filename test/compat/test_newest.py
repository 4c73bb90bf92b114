"""The newest Gunicorn with every worker class it has, plus uvicorn's worker (the `uvicorn-worker`
package), under current Flask, Django, FastAPI and Starlette: exactly the requests sent are counted,
under the framework's route template, failures with their exceptions, nothing left in flight. Each case
is its own test, so run.py runs them side by side and reports each."""
import target  # noqa: F401  (first: points the helpers at the venv)

import unittest

from tests.e2e import test_worker_classes as classes

STARLETTE = ["--pythonpath", target.APPS]


def starlette():
    requests = ["/items/%d" % i for i in range(5)] + ["/"] * 3 + ["/raise"] * 2 + ["/nope"] * 2 + ["/items/x"] * 2
    counts = {("GET", "/items/{item_id}", 200): 5, ("GET", "/", 200): 3, ("GET", "/raise", 500): 2,
              ("GET", "(unmatched)", 404): 4}
    return requests, counts, {("GET", "/raise", 500): 2}, "ValueError: starlette endpoint raised"


UVICORN = "uvicorn_worker.UvicornWorker"
# name, gunicorn arguments, app, workerClass reported, requests/counts, sync-like (state + inFlight)
CASES = [
    ("sync_flask", ["-k", "sync"], "flask_app:app", "sync", classes.flask, True),
    ("sync_django", ["-k", "sync"], "django_app:application", "sync", classes.django, True),
    ("gthread_django", ["-k", "gthread", "--threads", "4"], "django_app:application", "gthread", classes.django, True),
    ("gthread_plain", ["-k", "gthread", "--threads", "4"], "app:app", "gthread", classes.plain, True),
    ("gevent_flask", ["-k", "gevent"], "flask_app:app", "gevent", classes.flask, False),
    ("gevent_django", ["-k", "gevent"], "django_app:application", "gevent", classes.django, False),
    ("tornado_flask", ["-k", "tornado"], "flask_app:app", "tornado", classes.flask, False),
    ("asgi_fastapi", ["-k", "asgi"], "fastapi_app:app", "asgi", classes.fastapi, False),
    ("asgi_starlette", ["-k", "asgi"] + STARLETTE, "starlette_app:app", "asgi", starlette, False),
    ("uvicorn_fastapi", ["-k", UVICORN], "fastapi_app:app", UVICORN, classes.fastapi, False),
    ("uvicorn_starlette", ["-k", UVICORN] + STARLETTE, "starlette_app:app", UVICORN, starlette, False),
]
# Cases known to fail, each with why (a finding, listed in the report); none now.
EXPECTED_FAILURES = {}


class NewestWorkerClasses(unittest.TestCase):
    run_case = classes.WorkerClassesTest.run_case


def _test(case):
    def test(self):
        self.run_case(*case)
    test.__name__ = "test_" + case[0]
    test.__doc__ = "%s: %s" % (case[0], EXPECTED_FAILURES[case[0]]) if case[0] in EXPECTED_FAILURES else None
    return unittest.expectedFailure(test) if case[0] in EXPECTED_FAILURES else test


for _case in CASES:
    setattr(NewestWorkerClasses, "test_" + _case[0], _test(_case))

if __name__ == "__main__":
    unittest.main()
