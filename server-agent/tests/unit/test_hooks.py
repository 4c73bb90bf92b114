"""Hook chaining on the real gunicorn.config.Config."""
import unittest

from gunicorn.config import Config

from gunicorn_live import hooks


class HooksTest(unittest.TestCase):
    def setUp(self):
        self.calls = []
        self.saved = dict(hooks.AGENT_HOOKS)
        hooks.AGENT_HOOKS.clear()
        hooks.AGENT_HOOKS.update({
            "post_fork": lambda server, worker: self.calls.append(("agent", "post_fork", worker)),
            "post_request": lambda worker, req, environ, resp: self.calls.append(("agent", "post_request")),
            "when_ready": self.failing_agent,
        })
        self.assertTrue(hooks.install())
        self.addCleanup(self.restore)

    def restore(self):
        hooks.uninstall()
        hooks.AGENT_HOOKS.clear()
        hooks.AGENT_HOOKS.update(self.saved)

    def failing_agent(self, server):
        self.calls.append(("agent", "when_ready"))
        raise RuntimeError("agent bug")

    def test_user_hook_runs_after_the_agent_with_its_result(self):
        cfg = Config()

        def post_fork(server, worker):
            self.calls.append(("user", "post_fork", worker))
            return "user result"
        cfg.set("post_fork", post_fork)
        self.assertEqual(cfg.post_fork("server", "w1"), "user result")
        self.assertEqual(self.calls, [("agent", "post_fork", "w1"), ("user", "post_fork", "w1")])
        self.assertIs(cfg.post_fork, cfg.post_fork)            # chained once, then cached
        self.assertIs(cfg.post_fork.__wrapped__, post_fork)

    def test_default_hooks_and_arity_adapted_hooks_still_run(self):
        cfg = Config()
        cfg.set("post_request", lambda worker, req: self.calls.append(("user", "post_request", req)))
        cfg.post_request("w", "req", {}, None)
        self.assertEqual(self.calls, [("agent", "post_request"), ("user", "post_request", "req")])
        Config().post_fork("server", "w2")                     # Gunicorn's default no-op
        self.assertEqual(self.calls[-1], ("agent", "post_fork", "w2"))

    def test_agent_exceptions_are_swallowed_and_the_user_hook_runs(self):
        cfg = Config()
        cfg.set("when_ready", lambda server: self.calls.append(("user", "when_ready")))
        with self.assertLogs("gunicorn_live", "WARNING") as logs:
            cfg.when_ready("server")
        cfg.when_ready("server")
        self.assertEqual(self.calls, [("agent", "when_ready"), ("user", "when_ready")] * 2)
        self.assertEqual(len(logs.records), 1)                # logged once, not per call
        self.assertIn("when_ready", logs.output[0])

    def test_user_exceptions_propagate_as_without_the_agent(self):
        cfg = Config()

        def post_fork(server, worker):
            raise ValueError("user bug")
        cfg.set("post_fork", post_fork)
        with self.assertRaises(ValueError):
            cfg.post_fork("server", "w")

    def test_only_the_hooks_settings_are_touched(self):
        import gunicorn.config as config
        self.assertFalse(hasattr(Config.__dict__["__getattr__"], "_gunicorn_live"))
        patched = [s.name for s in config.KNOWN_SETTINGS if getattr(s.__dict__.get("get"), "_gunicorn_live", False)]
        self.assertEqual(sorted(patched), ["post_fork", "post_request", "when_ready"])  # this test's AGENT_HOOKS
        self.assertEqual(sorted(self.saved), ["child_exit", "nworkers_changed", "on_exit", "on_reload", "post_fork",
                                              "post_request", "post_worker_init", "pre_request", "when_ready",
                                              "worker_abort", "worker_exit"])

    def test_other_settings_are_untouched_and_uninstall_restores(self):
        cfg = Config()
        self.assertEqual(cfg.workers, 1)
        with self.assertRaises(AttributeError):
            cfg.no_such_setting  # noqa: B018 - reading it is what raises
        hooks.uninstall()
        self.assertFalse(getattr(cfg.post_fork, "_gunicorn_live", False))
        self.assertTrue(hooks.install())
        self.assertTrue(hooks.install())                      # idempotent
        self.assertTrue(cfg.post_fork._gunicorn_live)
