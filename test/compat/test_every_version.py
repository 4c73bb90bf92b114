"""What every Gunicorn version must give, run on each venv's Gunicorn (one process per version and
group, see run.py) with the agent suite's own end-to-end tests: exact request counts with the user's
hooks and a HUP, every exit cause (timeout with its stack, kill -9, SIGSEGV, os._exit(7), max_requests,
TTOU, HUP, TERM) with the signals received, busy/idle, and both ways in (the -c shim, the instrumentor
in the user's own gunicorn.conf.py). Each exit cause is its own test, so the matrix names it."""
import target  # noqa: F401  (first: points the helpers at the venv)

import os
import unittest

from tests.e2e import test_exit_causes, test_gunicorn_e2e, test_in_flight, test_ways_in
from tests.gunicorn_run import get
from tests.live import Session

VERSION = tuple(int(part) for part in target.GUNICORN_VERSION.split(".")) if target.GUNICORN_VERSION else (20, 1, 0)
Exits = test_exit_causes.ExitCausesTest


def fails_from(version, reason):
    """Marks a test as an expected failure on Gunicorn `version` and later (a finding: see `reason`)."""
    def mark(test):
        if VERSION < version:
            return test
        test.__doc__ = reason
        return unittest.expectedFailure(test)
    return mark


class ExitCauses(unittest.TestCase):
    @fails_from((22, 0, 0), "since Gunicorn 22.0 the sync worker's handle() catches BaseException, so the "
                            "SystemExit its own SIGABRT handler raises becomes a request error and the timed-out "
                            "worker exits 0, not 1: the agent reports reason timeout, exitCode 0 (the stack, down "
                            "to the app, and the log line are as on 20.1/21.2)")
    def test_timeout_with_stack(self):
        Exits.timeout_with_stack(self)

    def test_kill_segfault_and_exit_code(self):
        Exits.kill_segfault_and_exit_code(self)

    def test_max_requests(self):
        Exits.max_requests(self)

    def test_scale_down_reload_shutdown_and_signals(self):
        Exits.scale_down_reload_shutdown(self)


class RequestCounts(test_gunicorn_e2e.LiveLoopTest):
    pass


class WaysIn(test_ways_in.WaysInTest):
    def setUp(self):
        if VERSION >= (25, 1, 0):
            # These tests count the master's threads and sockets, and Gunicorn 25.1+ adds a control socket
            # (a thread and a listening socket of its own) unless told not to.
            previous = os.environ.get("GUNICORN_CMD_ARGS")
            os.environ["GUNICORN_CMD_ARGS"] = "--no-control-socket"
            self.addCleanup(lambda: os.environ.pop("GUNICORN_CMD_ARGS") if previous is None else
                            os.environ.__setitem__("GUNICORN_CMD_ARGS", previous))


class AsgiWorker(unittest.TestCase):
    @unittest.skipIf(VERSION < (24, 0, 0), "Gunicorn's own ASGI worker came with 24.0")
    def test_asgi_worker_counts_every_request(self):
        s = Session(self, ["-w", "2", "-k", "asgi", "--pythonpath", target.APPS], app="stuck_app:asgi")
        s.live_sample(2)
        self.assertEqual([get(s.port, "/")[0] for _ in range(6)], [200] * 6)
        counts, exceptions, disconnects, examples, last = s.count_requests(6)
        self.assertEqual((counts, exceptions, disconnects), ({("GET", "/", 200): 6}, {}, 0))
        self.assertEqual(sum(w["requests"] for w in last["workers"]), 6)
        self.assertEqual([w["inFlightCount"] for w in last["workers"]], [0, 0])


class BusyIdle(unittest.TestCase):
    test_sync_busy_and_idle = test_in_flight.InFlightTest.sync_busy_and_idle


if __name__ == "__main__":
    unittest.main()
