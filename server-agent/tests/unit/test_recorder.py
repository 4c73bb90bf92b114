"""The request path with Gunicorn's real request and response objects, driven the way Gunicorn's workers
drive the hooks (post_request in a `finally`): outcome, status, bytes, route, examples."""
import errno
import socket
import unittest

from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

from gunicorn_live import frameworks
from gunicorn_live.recorder import SLOW_SECONDS, Recorder
from gunicorn_live.routes import RouteTable
from gunicorn_live.stats import BYTES, COUNT, EXCEPTIONS, RequestStats


class RecorderTest(unittest.TestCase):
    def setUp(self):
        self.stats = RequestStats()
        self.recorder = Recorder(self.stats, RouteTable(), threaded=True)
        self.server_side, self.client_side = socket.socketpair()
        self.addCleanup(self.server_side.close)
        self.addCleanup(self.client_side.close)

    def request(self, path, method="GET", body=None, outcome=None):
        """Gunicorn's handle_request in miniature: pre_request, the app, the write, post_request in finally."""
        cfg = Config()
        req = next(RequestParser(cfg, [("%s %s HTTP/1.1\r\nHost: t\r\n\r\n" % (method, path)).encode()],
                                 ("127.0.0.1", 9)))
        self.recorder.begin(req)
        self.assertEqual(self.stats.in_flight(), (1, (req, self.stats.tally().since)))
        resp, environ = wsgi.create(req, self.server_side, ("127.0.0.1", 9), ("127.0.0.1", 8000), cfg)

        def handle_request():
            try:
                if outcome is not None:
                    outcome(resp, environ)
                else:
                    resp.start_response("200 OK", [("Content-Length", str(len(body or b"")))])
                    resp.write(body or b"")
                    resp.close()
            except StopIteration:
                raise
            except EnvironmentError:
                raise
            except Exception:
                if resp and resp.headers_sent:
                    raise StopIteration()  # noqa: B904 - as Gunicorn: it closes the connection after a late failure
                raise
            finally:
                self.recorder.end(req, environ, resp)
        try:
            handle_request()
        except (Exception, StopIteration):
            pass  # Gunicorn's handle() answers 500 or closes the connection
        self.assertEqual(self.stats.in_flight(), (0, None))
        return self.stats.totals()

    def test_success_counts_status_bytes_and_route(self):
        groups, completed, disconnects = self.request("/items/12?x=1", body=b"hello")
        group = groups[("GET", "/items/{id}", 200)]
        self.assertEqual((group[COUNT], group[EXCEPTIONS], completed, disconnects), (1, 0, 1, 0))
        self.assertEqual(group[BYTES], 5)            # the body Gunicorn wrote
        self.assertEqual(self.stats.take_examples(), [])

    def test_app_exception_before_the_response_is_a_500_with_the_exception(self):
        def raises(resp, environ):
            raise RuntimeError("boom")
        groups = self.request("/raise", outcome=raises)[0]
        self.assertEqual(groups[("GET", "/raise", 500)][EXCEPTIONS], 1)
        example = self.stats.take_examples()[0]
        self.assertEqual((example[:3], example[5]), (("GET", "/raise", 500), "RuntimeError: boom"))

    def test_app_exception_after_headers_went_out_keeps_the_status_and_counts_the_exception(self):
        def late(resp, environ):
            resp.start_response("200 OK", [])
            resp.write(b"partial")
            raise ValueError("late")
        groups = self.request("/stream", outcome=late)[0]
        self.assertEqual(groups[("GET", "/stream", 200)][EXCEPTIONS], 1)

    def test_a_client_that_went_away_is_a_disconnect_not_a_failure(self):
        def reset(resp, environ):
            self.client_side.close()
            resp.start_response("200 OK", [("Content-Length", str(8 << 20))])
            resp.write(b"x" * (8 << 20))             # EPIPE, raised inside gunicorn/http/wsgi.py
        groups, completed, disconnects = self.request("/big", outcome=reset)
        self.assertEqual((groups, completed, disconnects), ({}, 1, 1))
        self.assertEqual(self.stats.take_examples(), [])

    def test_the_apps_own_broken_pipe_is_its_failure(self):
        def app_socket_error(resp, environ):
            raise BrokenPipeError(errno.EPIPE, "the app's database connection broke")
        groups, _, disconnects = self.request("/db", outcome=app_socket_error)
        self.assertEqual((groups[("GET", "/db", 500)][EXCEPTIONS], disconnects), (1, 0))

    def test_a_plain_stop_iteration_is_not_a_failure(self):
        def closes(resp, environ):
            resp.start_response("204 No Content", [])
            resp.close()
            raise StopIteration()                    # base_async's way to close the connection
        groups = self.request("/close", outcome=closes)[0]
        self.assertEqual(groups[("GET", "/close", 204)][EXCEPTIONS], 0)

    def test_framework_route_and_caught_exception_from_environ(self):
        if not frameworks.active():  # as if the app used Flask or Django (a plain app skips these lookups)
            frameworks._installed.add("test")
            self.addCleanup(frameworks._installed.discard, "test")
        self.recorder = Recorder(self.stats, RouteTable(), threaded=True)

        def framework(resp, environ):
            environ[frameworks.ROUTE_KEY] = "/users/<int:uid>"
            environ[frameworks.EXCEPTION_KEY] = "KeyError: 'uid'"
            resp.start_response("500 Internal Server Error", [("Content-Length", "0")])
            resp.close()
        groups = self.request("/users/9", outcome=framework)[0]
        self.assertEqual(groups[("GET", "/users/<int:uid>", 500)][EXCEPTIONS], 1)
        self.assertEqual(self.stats.take_examples()[0][5], "KeyError: 'uid'")

    def test_unknown_methods_are_other_and_slow_requests_are_examples(self):
        tally = self.stats.tally()
        self.request("/x", method="BREW")
        self.assertIn(("OTHER", "/x", 200), self.stats.totals()[0])
        # A slow one, timed from a start moved back in time.
        cfg = Config()
        req = next(RequestParser(cfg, [b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"], ("127.0.0.1", 9)))
        self.recorder.begin(req)
        tally.since -= SLOW_SECONDS + 0.5
        resp, environ = wsgi.create(req, self.server_side, ("127.0.0.1", 9), ("127.0.0.1", 8000), cfg)
        resp.start_response("200 OK", [("Content-Length", "0")])
        self.recorder.end(req, environ, resp)
        example = self.stats.take_examples()[0]
        self.assertEqual(example[:3] + (example[5],), ("GET", "/slow", 200, None))
        self.assertGreaterEqual(example[3], SLOW_SECONDS + 0.5)
        self.assertEqual((tally.current, self.stats.totals()[1]), (None, 2))

    def test_async_workers_time_each_request_on_the_request_itself(self):
        recorder = Recorder(self.stats, RouteTable(), threaded=False, single_thread=True)
        cfg = Config()
        reqs = [next(RequestParser(cfg, [b"GET /a HTTP/1.1\r\nHost: t\r\n\r\n"], ("127.0.0.1", 9))) for _ in range(3)]
        for req in reqs:                      # three requests in flight at once, as greenlets have them
            recorder.begin(req)
        self.assertEqual(self.stats.in_flight(), (3, None))
        reqs[0]._gunicorn_live_t0 -= 2.0
        for req in reqs:
            resp, environ = wsgi.create(req, self.server_side, ("127.0.0.1", 9), ("127.0.0.1", 8000), cfg)
            resp.start_response("200 OK", [("Content-Length", "0")])
            recorder.end(req, environ, resp)
        self.assertEqual(self.stats.in_flight(), (0, None))
        group = self.stats.totals()[0][("GET", "/a", 200)]
        self.assertEqual(group[COUNT], 3)
        self.assertGreaterEqual(group[1], 2.0)
        self.assertEqual([e[3] >= 2.0 for e in self.stats.take_examples()], [True])

    def test_a_request_the_agent_did_not_see_start_is_ignored(self):
        cfg = Config()
        req = next(RequestParser(cfg, [b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"], ("127.0.0.1", 9)))
        self.recorder.end(req, {}, None)
        self.assertEqual(self.stats.totals(), ({}, 0, 0))
