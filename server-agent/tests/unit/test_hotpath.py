"""What keeps the request path cheap: the per-thread (method, path, status) cache, bounded, and the request
hooks pinned on a worker's Settings — driven through Gunicorn's real Config, request and response."""
import socket
import unittest

from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

from gunicorn_live import hooks, hotpath, scoreboard, worker
from gunicorn_live.recorder import Recorder
from gunicorn_live.routes import RouteTable
from gunicorn_live.stats import COUNT, RequestStats


class Worker(object):
    """What pin() reads of Gunicorn's worker: its cfg."""

    def __init__(self, cfg):
        self.cfg = cfg


class RequestPathTest(unittest.TestCase):
    def setUp(self):
        self.cfg = Config()
        self.stats = RequestStats()
        self.server_side, self.client_side = socket.socketpair()
        self.addCleanup(self.server_side.close)
        self.addCleanup(self.client_side.close)

    def serve(self, pre, post, path, method="GET", status="200 OK"):
        """Gunicorn's handle_request in miniature, calling the hooks it was given."""
        req = next(RequestParser(self.cfg, [("%s %s HTTP/1.1\r\nHost: t\r\n\r\n" % (method, path)).encode()],
                                 ("127.0.0.1", 9)))
        pre(None, req)
        resp, environ = wsgi.create(req, self.server_side, ("127.0.0.1", 9), ("127.0.0.1", 8000), self.cfg)
        resp.start_response(status, [("Content-Length", "2")])
        resp.write(b"ok")
        self.client_side.recv(4096)
        post(None, req, environ, resp)

    def test_the_hot_cache_is_bounded_and_counts_survive_its_emptying(self):
        self.addCleanup(setattr, hotpath, "HOT_LIMIT", hotpath.HOT_LIMIT)
        hotpath.HOT_LIMIT = 8
        recorder = Recorder(self.stats, RouteTable(), threaded=True, single_thread=True)
        pre, post = recorder.pre_request_hook(None), recorder.post_request_hook(None)
        tally = self.stats.tally()
        sizes = []
        for i in range(20):
            self.serve(pre, post, "/items/%d" % i)
            sizes.append(len(tally.hot))
        self.assertEqual(sizes, [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4])
        for _ in range(3):
            self.serve(pre, post, "/items/19")                        # seen: no new entry
            self.serve(pre, post, "/items/19", method="BREW")          # its own entry, counted as OTHER
        self.serve(pre, post, "/items/19", status="503 Service Unavailable")
        self.assertEqual(len(tally.hot), 6)
        groups, completed, _ = self.stats.totals()
        self.assertEqual(completed, 27)
        self.assertEqual({key: group[COUNT] for key, group in groups.items()},
                         {("GET", "/items/{id}", 200): 23, ("OTHER", "/items/{id}", 200): 3,
                          ("GET", "/items/{id}", 503): 1})
        # An entry is the tally's own group, its key and its scoreboard cell, so a hit updates what
        # totals() reads and what the master reads after the worker's death.
        group, key, cell = tally.hot[("GET", "/items/19", 200)]
        self.assertIs(group, tally.groups[("GET", "/items/{id}", 200)])
        self.assertEqual((key, cell), (("GET", "/items/{id}", 200), scoreboard.CLASSES + 2))
        self.assertEqual(recorder.board[scoreboard.CLASSES + 2], 26)
        self.assertEqual(recorder.board[scoreboard.CLASSES + 5], 1)
        self.assertEqual(sum(recorder.board), 27)
        self.assertEqual(self.stats.take_examples()[0][:3], ("GET", "/items/{id}", 503))

    def test_the_default_limit(self):
        self.assertEqual(hotpath.HOT_LIMIT, 4096)

    def test_long_paths_are_counted_but_not_kept(self):
        self.cfg.set("limit_request_line", 0)                       # Gunicorn's "no limit"
        table = RouteTable()
        recorder = Recorder(self.stats, table, threaded=True, single_thread=True)
        pre, post = recorder.pre_request_hook(None), recorder.post_request_hook(None)
        longest = "/" + "z" * (hotpath.HOT_PATH_CHARS - 1)           # not hex: a route of its own
        for path in (longest, longest + "y", longest + "y"):
            self.serve(pre, post, path)
        self.assertEqual(hotpath.HOT_PATH_CHARS, 512)
        self.assertEqual([key[1] for key in self.stats.tally().hot], [longest])
        self.assertEqual(list(table.cache), [longest])
        routes = [(len(key[1]), group[COUNT]) for key, group in self.stats.totals()[0].items()]
        self.assertEqual(routes, [(256, 3)])                       # one route: cut at 256 characters


class PinTest(unittest.TestCase):
    """A worker's cfg.pre_request/cfg.post_request: the agent's chain, returned by a C-level `get` on
    the Setting instance once the worker's hooks are final."""

    def setUp(self):
        self.assertTrue(hooks.install())
        self.addCleanup(hooks.uninstall)
        self.stats = RequestStats()
        self.addCleanup(setattr, worker.state, "recorder", worker.state.recorder)
        worker.state.recorder = Recorder(self.stats, RouteTable(), threaded=True, single_thread=True)
        hooks.refresh()

    def test_pinned_lookups_return_the_chain_and_uninstall_removes_them(self):
        cfg = Config()
        self.assertNotIn("get", cfg.settings["pre_request"].__dict__)
        built = cfg.post_request
        hooks.pin(Worker(cfg))
        for name in hooks.PINNED_HOOKS:
            self.assertEqual(type(cfg.settings[name].__dict__["get"]).__name__, "method-wrapper")
        self.assertIs(cfg.post_request, built)                   # the chain built before, not a new one
        self.assertIs(cfg.pre_request, cfg.pre_request)
        self.assertTrue(cfg.pre_request._gunicorn_live)
        self.assertFalse(hasattr(cfg.settings["workers"], "_gunicorn_live_chain"))
        hooks.pin(Worker(cfg))                                   # twice: pinned once
        self.assertEqual(len(hooks.state.pinned), 2)
        hooks.uninstall()
        self.assertEqual(hooks.state.pinned, [])
        self.assertNotIn("get", cfg.settings["pre_request"].__dict__)
        self.assertFalse(getattr(cfg.pre_request, "_gunicorn_live", False))

    def test_nothing_is_pinned_where_no_recorder_feeds_the_hooks(self):
        worker.state.recorder = None
        cfg = Config()
        hooks.pin(Worker(cfg))
        self.assertEqual(hooks.state.pinned, [])

    def test_a_hook_the_users_post_worker_init_sets_is_the_one_pinned(self):
        cfg = Config()
        calls = []

        def user_pre(w, req):
            calls.append(("user pre", req))

        def user_post_worker_init(w):
            cfg.set("pre_request", user_pre)
            return "done"
        cfg.set("post_worker_init", user_post_worker_init)
        self.assertEqual(cfg.post_worker_init(Worker(cfg)), "done")   # agent, user, then pin
        self.assertEqual(len(hooks.state.pinned), 2)
        self.assertIs(cfg.pre_request.__wrapped__, user_pre)
        req = next(RequestParser(cfg, [b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"], ("127.0.0.1", 9)))
        cfg.pre_request(None, req)
        self.assertEqual((calls, self.stats.in_flight()[0]), ([("user pre", req)], 1))


if __name__ == "__main__":
    unittest.main()
