"""request_exception events on the newest Gunicorn, under current Flask and Django and a plain app: each
distinct exception reaches the hub counted (not once per request), with its route template, its text and
its traceback down to the app's raising line (server-agent/tests/e2e/test_request_exceptions.py has the
check and runs it on Debian's 20.1.0). Each case is its own test (run.py runs them side by side)."""
import target  # noqa: F401  (first: points the helpers at the venv)

import unittest

from tests.e2e.test_request_exceptions import CASES as DEBIAN_CASES, Cases

# The Debian cases, plus the worker classes that see exceptions another way: gevent (the hooks on greenlets),
# tornado (the WSGI wrapper), Gunicorn's asgi worker and uvicorn's (the ASGI wrapper).
CASES = [(name.replace("+", "_").replace(" ", "_"),) + tuple(rest) for name, *rest in DEBIAN_CASES] + [
    ("gevent_django", ["-k", "gevent"], "django_app:application", "/raise/", ("GET", "/raise/"),
     "KeyError: 'django view raised'", ("django_app.py", "raises", 'raise KeyError("django view raised")')),
    ("tornado_flask", ["-k", "tornado"], "flask_app:app", "/raise", ("GET", "/raise"),
     "ZeroDivisionError: flask view raised", ("flask_app.py", "raises", 'raise ZeroDivisionError("flask view raised")')),
    ("asgi_starlette", ["-k", "asgi", "--pythonpath", target.APPS], "starlette_app:app", "/raise", ("GET", "/raise"),
     "ValueError: starlette endpoint raised", ("starlette_app.py", "fail", 'raise ValueError("starlette endpoint raised")')),
    ("uvicorn_fastapi", ["-k", "uvicorn_worker.UvicornWorker"], "fastapi_app:app", "/raise", ("GET", "/raise"),
     "ValueError: fastapi endpoint raised", ("fastapi_app.py", "raises", 'raise ValueError("fastapi endpoint raised")')),
]


class RequestExceptions(Cases, unittest.TestCase):
    pass


def _test(case):
    def test(self):
        self.run_case(*case)
    test.__name__ = "test_" + case[0]
    return test


for _case in CASES:
    setattr(RequestExceptions, "test_" + _case[0], _test(_case))

if __name__ == "__main__":
    unittest.main()
