"""Route templates and caught exceptions from the real frameworks (Debian's Flask 2.2, Django 3.2,
FastAPI 0.92 / Starlette 0.26), called in-process, and the app wrappers tornado and uvicorn workers use."""
import asyncio
import logging
import sys
import unittest

from werkzeug.test import EnvironBuilder

from gunicorn_live import frameworks
from gunicorn_live.recorder import Recorder
from gunicorn_live.routes import RouteTable
from gunicorn_live.stats import COUNT, EXCEPTIONS, RequestStats
from gunicorn_live.wrappers import wrap_asgi, wrap_wsgi
from tests.gunicorn_run import APPS

sys.path.insert(0, APPS)
import django_app  # noqa: E402
import fastapi_app  # noqa: E402
import flask_app  # noqa: E402

frameworks.install()
flask_app.app.logger.disabled = True  # the views that raise on purpose would print tracebacks
logging.getLogger("django.request").disabled = True


def call_wsgi(app, path):
    environ = EnvironBuilder(path=path).get_environ()
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = int(status.split()[0])
    body = app(environ, start_response)
    try:
        data = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return seen["status"], data, environ


def call_asgi(app, path, messages=None):
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": [],
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 9)}
    incoming = list(messages or [{"type": "http.request", "body": b"", "more_body": False}])
    sent = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def run():
        try:
            await app(scope, receive, send)
        except Exception as e:
            return e
    error = asyncio.run(run())
    return scope, sent, error


class RoutesFromFrameworksTest(unittest.TestCase):
    def test_flask_rule_and_caught_exception(self):
        status, _, environ = call_wsgi(flask_app.app, "/items/7")
        self.assertEqual((status, frameworks.wsgi_route(environ)), (200, "/items/<int:item_id>"))
        status, _, environ = call_wsgi(flask_app.app, "/raise")
        self.assertEqual((status, frameworks.wsgi_route(environ)), (500, "/raise"))
        self.assertEqual(environ[frameworks.EXCEPTION_KEY], "ZeroDivisionError: flask view raised")
        status, _, environ = call_wsgi(flask_app.app, "/nope")
        self.assertEqual((status, frameworks.wsgi_route(environ)), (404, None))

    def test_django_resolver_route_and_caught_exception(self):
        status, _, environ = call_wsgi(django_app.application, "/items/7/")
        self.assertEqual((status, frameworks.wsgi_route(environ)), (200, "/items/<int:pk>/"))
        status, _, environ = call_wsgi(django_app.application, "/articles/1999/")
        self.assertEqual((status, frameworks.wsgi_route(environ)), (200, "/articles/(?P<year>[0-9]{4})/"))
        status, _, environ = call_wsgi(django_app.application, "/")
        self.assertEqual((status, frameworks.wsgi_route(environ)), (200, "/"))
        status, _, environ = call_wsgi(django_app.application, "/raise/")
        self.assertEqual((status, environ[frameworks.EXCEPTION_KEY]), (500, "KeyError: 'django view raised'"))
        status, _, environ = call_wsgi(django_app.application, "/nope")
        self.assertEqual((status, frameworks.wsgi_route(environ)), (404, None))

    def test_django_request_class_keeps_its_name(self):
        from django.core.handlers.wsgi import WSGIHandler
        self.assertEqual(WSGIHandler.request_class.__name__, "WSGIRequest")

    def test_fastapi_route_path(self):
        scope, sent, error = call_asgi(fastapi_app.app, "/items/3")
        self.assertEqual((frameworks.asgi_route(scope), sent[0]["status"], error), ("/items/{item_id}", 200, None))

    def test_starlette_endpoint_route(self):
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route

        async def user(request):
            return PlainTextResponse("u")
        app = Starlette(routes=[Route("/users/{uid:int}", user)])
        scope, sent, _ = call_asgi(app, "/users/5")
        self.assertEqual((frameworks.asgi_route(scope), sent[0]["status"]), ("/users/{uid}", 200))
        self.assertEqual(frameworks.asgi_route({"type": "http", "path": "/x"}), None)

    def test_django_route_forms(self):
        self.assertEqual(frameworks.django_route("items/<int:pk>/"), "/items/<int:pk>/")
        self.assertEqual(frameworks.django_route("^a/(?P<x>[0-9]+)/$"), "/a/(?P<x>[0-9]+)/")
        self.assertEqual(frameworks.django_route(""), "/")


class WrappersTest(unittest.TestCase):
    def setUp(self):
        self.stats = RequestStats()
        self.recorder = Recorder(self.stats, RouteTable(), threaded=False)

    def groups(self):
        return dict((k, (g[COUNT], g[EXCEPTIONS])) for k, g in self.stats.totals()[0].items())

    def test_wsgi_wrapper_around_flask(self):
        app = wrap_wsgi(flask_app.app, self.recorder)
        self.assertIs(app.__wrapped__, flask_app.app)
        for path in ("/items/1", "/items/2", "/raise", "/nope"):
            call_wsgi(app, path)
        # A path no Flask route matched: the one (unmatched) route, not its own.
        self.assertEqual(self.groups(), {("GET", "/items/<int:item_id>", 200): (2, 0), ("GET", "/raise", 500): (1, 1),
                                         ("GET", "(unmatched)", 404): (1, 0)})
        self.assertEqual(self.stats.in_flight()[0], 0)

    def test_wsgi_wrapper_when_the_app_raises(self):
        def broken(environ, start_response):
            raise OSError("no database")
        with self.assertRaises(OSError):
            call_wsgi(wrap_wsgi(broken, self.recorder), "/x")
        self.assertEqual(self.groups(), {("GET", "/x", 500): (1, 1)})

    def test_asgi_wrapper_around_fastapi(self):
        app = wrap_asgi(fastapi_app.app, self.recorder)
        for path in ("/items/1", "/items/2", "/nope"):
            call_asgi(app, path)
        _, sent, error = call_asgi(app, "/raise")
        self.assertIsInstance(error, ValueError)
        self.assertEqual(self.groups(), {("GET", "/items/{item_id}", 200): (2, 0), ("GET", "(unmatched)", 404): (1, 0),
                                         ("GET", "/raise", 500): (1, 1)})
        self.assertEqual(self.stats.take_examples()[0][5], "ValueError: fastapi endpoint raised")

    def test_asgi_client_gone_before_the_response_is_a_disconnect(self):
        async def waits_for_body(scope, receive, send):
            while (await receive())["type"] != "http.disconnect":
                pass
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"too late"})
        call_asgi(wrap_asgi(waits_for_body, self.recorder), "/upload",
                  [{"type": "http.request", "body": b"x", "more_body": True}, {"type": "http.disconnect"}])
        self.assertEqual((self.groups(), self.stats.totals()[2]), ({}, 1))

    def test_asgi_lifespan_passes_through(self):
        seen = []

        async def app(scope, receive, send):
            seen.append(scope["type"])
        asyncio.run(wrap_asgi(app, self.recorder)({"type": "lifespan"}, None, None))
        self.assertEqual((seen, self.stats.totals()[1], self.stats.tally().started), (["lifespan"], 0, 0))
