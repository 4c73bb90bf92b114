"""inflight.request_of names the request a stack serves, from real frames: Gunicorn's own
SyncWorker.handle_request serving a parsed request (its app blocks while the test reads the frame from
another thread), the agent's WSGI and ASGI wrappers, a running coroutine's chain and a waiting task's
await chain (stacks.await_chain + request_in)."""
import asyncio
import os
import socket
import sys
import threading
import unittest
from time import perf_counter

from gunicorn import glogging
from gunicorn.config import Config
from gunicorn.http.parser import RequestParser
from gunicorn.workers.sync import SyncWorker

from gunicorn_live import frameworks, inflight, stacks
from gunicorn_live.hotpath import T0
from gunicorn_live.recorder import Recorder
from gunicorn_live.routes import RouteTable
from gunicorn_live.stats import RequestStats
from gunicorn_live.wrappers import wrap_asgi, wrap_wsgi


class Listener(object):
    def getsockname(self):
        return ("127.0.0.1", 8000)


def sync_worker(app):
    cfg = Config()
    worker = SyncWorker(0, os.getpid(), [], None, 30, cfg, glogging.Logger(cfg))
    worker.wsgi = app
    return worker


def parse(raw):
    return next(RequestParser(Config(), [raw], ("127.0.0.1", 9)))


class Blocked(object):
    """Runs `call` on a thread whose app blocks in `stuck_here` until released; `frame` is that thread's
    innermost frame, read from outside as the watchdog does."""

    def __init__(self, test):
        self.test = test
        self.entered, self.release = threading.Event(), threading.Event()
        self.thread = None

    def start(self, call):
        self.thread = threading.Thread(target=call, daemon=True)
        self.thread.start()
        self.test.assertTrue(self.entered.wait(5))
        self.test.addCleanup(self.thread.join, 5)
        self.test.addCleanup(self.release.set)
        return self

    def stuck_here(self):
        self.entered.set()
        self.release.wait(10)

    @property
    def frame(self):
        return sys._current_frames()[self.thread.ident]


class GunicornHandleRequest(unittest.TestCase):
    def serve(self, raw, app_extra=None, t0=None):
        server_side, client_side = socket.socketpair()
        self.addCleanup(server_side.close)
        self.addCleanup(client_side.close)
        req = parse(raw)
        if t0 is not None:
            setattr(req, T0, t0)

        def app(environ, start_response):
            if app_extra:
                app_extra(environ)
            blocked.stuck_here()
            start_response("200 OK", [("Content-Length", "2")])
            return [b"ok"]
        worker = sync_worker(app)
        blocked = Blocked(self)
        blocked.start(lambda: worker.handle_request(Listener(), req, server_side, ("127.0.0.1", 9)))
        return req, blocked

    def test_names_the_request_of_sync_handle_request(self):
        req, blocked = self.serve(b"POST /items/42?x=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        found = inflight.request_of(blocked.frame, RouteTable())
        self.assertEqual((found.method, found.route, found.t0, found.key), ("POST", "/items/{id}", None, id(req)))

    def test_the_request_start_where_pre_request_left_it(self):
        req, blocked = self.serve(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n", t0=123.5)
        self.assertEqual(inflight.request_of(blocked.frame, RouteTable()).t0, 123.5)

    def test_a_framework_route_in_environ_wins(self):
        req, blocked = self.serve(b"GET /users/7/avatar HTTP/1.1\r\nHost: t\r\n\r\n",
                                  app_extra=lambda environ: environ.__setitem__(frameworks.ROUTE_KEY, "/users/<id>/avatar"))
        self.assertEqual(inflight.request_of(blocked.frame, RouteTable()).route, "/users/<id>/avatar")

    def test_a_route_seen_before_is_named_as_then(self):
        routes = RouteTable()
        routes.admit("/reports/<name>", "/reports/q3")
        req, blocked = self.serve(b"GET /reports/q3 HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertEqual(inflight.request_of(blocked.frame, routes).route, "/reports/<name>")

    def test_an_unknown_verb_is_other(self):
        req, blocked = self.serve(b"BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertEqual(inflight.request_of(blocked.frame, RouteTable()).method, "OTHER")


class Wrappers(unittest.TestCase):
    def setUp(self):
        self.recorder = Recorder(RequestStats(), RouteTable(), threaded=False)

    def test_wsgi_wrapper(self):
        environ = {"REQUEST_METHOD": "DELETE", "PATH_INFO": "/carts/9f8e7d6c5b4a39281706f5e4d3c2b1a0"}
        blocked = Blocked(self)

        def app(env, start_response):
            blocked.stuck_here()
            start_response("200 OK", [])
            return [b""]
        wrapped = wrap_wsgi(app, self.recorder)
        before = perf_counter()
        blocked.start(lambda: list(wrapped(environ, lambda *a: None)))
        found = inflight.request_of(blocked.frame, self.recorder.routes)
        self.assertEqual((found.method, found.route, found.key), ("DELETE", "/carts/{hex}", id(environ)))
        self.assertTrue(before <= found.t0 <= perf_counter())

    def test_asgi_running_and_waiting_tasks(self):
        seen = {}
        scope_spin = {"type": "http", "method": "GET", "path": "/spin/1"}
        scope_wait = {"type": "http", "method": "PUT", "path": "/wait"}

        async def app(scope, receive, send):
            if scope["path"] == "/wait":
                await asyncio.sleep(10)
            else:
                # Running: this frame chains through f_back to the wrapper's coroutine.
                seen["running"] = inflight.request_of(sys._getframe(), self.recorder.routes)
                await asyncio.sleep(0)  # lets the waiting task reach its sleep
                task = seen["task"]
                chain = stacks.await_chain(task.get_coro())
                seen["chain"] = chain
                seen["waiting"] = inflight.request_in(chain, self.recorder.routes)

        wrapped = wrap_asgi(app, self.recorder)

        async def main():
            seen["task"] = asyncio.ensure_future(wrapped(scope_wait, None, None))
            await asyncio.sleep(0)
            await wrapped(scope_spin, None, None)
            seen["task"].cancel()
        asyncio.run(main())
        self.assertEqual((seen["running"].method, seen["running"].route, seen["running"].key), ("GET", "/spin/{id}", id(scope_spin)))
        self.assertEqual((seen["waiting"].method, seen["waiting"].route, seen["waiting"].key), ("PUT", "/wait", id(scope_wait)))
        self.assertIsNotNone(seen["waiting"].t0)
        names = [f["function"] for f in stacks.of_frames(seen["chain"])]
        # Outermost first, the agent's wrapper cut out, innermost asyncio's sleep.
        self.assertEqual(names, ["app", "sleep"])

    def test_lifespan_scope_is_no_request(self):
        async def app(scope, receive, send):
            self.found = inflight.request_of(sys._getframe(), self.recorder.routes)
        asyncio.run(wrap_asgi(app, self.recorder)({"type": "lifespan"}, None, None))
        self.assertIsNone(self.found)


class NoRequest(unittest.TestCase):
    def test_a_plain_stack(self):
        self.assertIsNone(inflight.request_of(sys._getframe(), RouteTable()))

    def test_the_walk_is_bounded(self):
        def deep(n, environ):
            if n == 0:
                return inflight.request_of(sys._getframe(), RouteTable())
            return deep(n - 1, environ)

        def gunicorn_live_wsgi(environ, start_response):  # named like the agent's wrapper
            t0 = 1.0  # noqa: F841  (read from the frame)
            return deep(depth, environ)
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}
        depth = inflight.MAX_WALK - 10
        self.assertEqual(gunicorn_live_wsgi(environ, None).route, "/")
        depth = inflight.MAX_WALK + 10
        self.assertIsNone(gunicorn_live_wsgi(environ, None))


if __name__ == "__main__":
    unittest.main()
