"""Each Gunicorn internal the agent touches, taken away: the agent degrades to a neutral value and says
so in exactly one log line, never raising. (Checked against 20.1.0 here and 25.x's source: what a future
release renames lands in these paths.)"""
import unittest

import gunicorn.config

from gunicorn_live import compat, exits, hooks, log, worker
from gunicorn_live.settings import DURATION_BUCKETS, Settings


class Bare(object):
    """An arbiter, worker or app object without any of the internals the agent reads."""


class DegradeTest(unittest.TestCase):
    def setUp(self):
        log.forget_after_fork()
        self.addCleanup(log.forget_after_fork)

    def degrades_once(self, call, expected, words):
        with self.assertLogs("gunicorn_live", "WARNING") as logs:
            self.assertEqual(call(), expected)
            self.assertEqual(call(), expected)
            log.logger.warning("end of test")  # assertLogs needs at least one record even if the agent was silent
        lines = [r.getMessage() for r in logs.records if r.getMessage() != "end of test"]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(words, lines[0])

    def test_arbiter_internals(self):
        self.degrades_once(lambda: compat.workers(Bare()), [], "Arbiter.WORKERS")
        self.degrades_once(lambda: compat.target_workers(Bare(), 3), 3, "num_workers")
        self.degrades_once(lambda: compat.listeners(Bare()), [], "LISTENERS")

    def test_worker_internals(self):
        self.degrades_once(lambda: compat.worker_age(Bare()), 0, "age")
        self.degrades_once(lambda: compat.aborted(Bare()), False, "aborted")
        self.degrades_once(lambda: compat.max_requests_reached(Bare(), 10), False, "max_requests")
        self.degrades_once(lambda: compat.get_app(Bare()), None, "wsgi")

    def test_an_app_that_cannot_be_replaced(self):
        class Frozen(object):
            __slots__ = ()
        self.degrades_once(lambda: compat.set_app(Frozen(), lambda e, s: []), False, "cannot be replaced")

    def test_exit_status_without_reap_workers(self):
        self.degrades_once(lambda: exits.reaped_status(1234), None, "reap_workers")

    def test_no_hook_settings(self):
        saved = gunicorn.config.KNOWN_SETTINGS
        del gunicorn.config.KNOWN_SETTINGS
        self.addCleanup(setattr, gunicorn.config, "KNOWN_SETTINGS", saved)
        hooks.uninstall()
        self.addCleanup(hooks.uninstall)
        self.degrades_once(hooks.install, False, "cannot add its hooks")
        self.assertFalse(hooks.installed())

    def test_a_hook_this_gunicorn_lacks(self):
        saved = list(gunicorn.config.KNOWN_SETTINGS)
        gunicorn.config.KNOWN_SETTINGS[:] = [s for s in saved if s.name != "nworkers_changed"]
        self.addCleanup(gunicorn.config.KNOWN_SETTINGS.__setitem__, slice(None), saved)
        hooks.uninstall()
        self.addCleanup(hooks.uninstall)
        self.degrades_once(hooks.install, True, "no nworkers_changed hook")
        self.assertTrue(gunicorn.config.Config().post_fork._gunicorn_live)

    def test_abort_without_handle_abort_in_the_stack(self):
        agent = worker.WorkerAgent(None, Settings("ws://x", "", 1.0, "", True, DURATION_BUCKETS), Bare())
        self.degrades_once(agent.stuck_stack, [], "handle_abort")

    def test_unknown_worker_class_keeps_the_hooks(self):
        agent = worker.WorkerAgent(None, Settings("ws://x", "", 1.0, "", True, DURATION_BUCKETS), Bare())
        self.degrades_once(lambda: agent.attach() is agent.recorder, True, "not one gunicorn-live knows")
        self.assertFalse(agent.threaded)

    def test_a_request_without_path_or_method_still_counts(self):
        agent = worker.WorkerAgent(None, Settings("ws://x", "", 1.0, "", True, DURATION_BUCKETS), Bare())
        req = Bare()
        agent.recorder.begin(req)
        agent.recorder.end(req, None, None)
        groups = agent.stats.totals()[0]
        self.assertEqual(list(groups), [("OTHER", "/", 500)])
