"""Exit causes from real wait statuses of real child processes."""
import os
import signal
import unittest

from gunicorn_live import exits


def real_status(action):
    """The wait status of a forked child that runs `action` (it never returns)."""
    pid = os.fork()
    if pid == 0:
        try:
            action()
        finally:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return status


class DecodeTest(unittest.TestCase):
    def test_exit_codes_and_signals(self):
        self.assertEqual(exits.decode(real_status(lambda: os._exit(0))), (None, 0))
        self.assertEqual(exits.decode(real_status(lambda: os._exit(7))), (None, 7))
        self.assertEqual(exits.decode(real_status(lambda: os.kill(os.getpid(), signal.SIGKILL))), ("SIGKILL", None))
        self.assertEqual(exits.decode(None), (None, None))


class ClassifyTest(unittest.TestCase):
    def setUp(self):
        self.ok = real_status(lambda: os._exit(0))
        self.one = real_status(lambda: os._exit(1))
        self.seven = real_status(lambda: os._exit(7))
        self.killed = real_status(lambda: os.kill(os.getpid(), signal.SIGKILL))
        self.termed = real_status(lambda: os.kill(os.getpid(), signal.SIGTERM))

    def test_timeout_wins_and_carries_the_stack(self):
        stack = [{"file": "/srv/app.py", "line": 3, "function": "hang"}]
        self.assertEqual(exits.classify(self.one, True, None, {"stack": stack}), ("timeout", None, 1, stack))
        self.assertEqual(exits.classify(self.killed, True, "reload", {}), ("timeout", "SIGKILL", None, None))

    def test_max_requests(self):
        self.assertEqual(exits.classify(self.ok, False, None, {"maxRequests": True}), ("max_requests", None, 0, None))

    def test_what_the_master_asked_for(self):
        self.assertEqual(exits.classify(self.ok, False, "reload", {})[0], "reload")
        self.assertEqual(exits.classify(self.ok, False, "scale_down", {})[0], "scale_down")
        self.assertEqual(exits.classify(self.termed, False, "shutdown", {})[:2], ("shutdown", "SIGTERM"))
        # Asked to reload, but it crashed or was killed: the crash is the truth.
        self.assertEqual(exits.classify(self.killed, False, "reload", {}), ("signal", "SIGKILL", None, None))
        self.assertEqual(exits.classify(self.seven, False, "reload", {}), ("crash", None, 7, None))

    def test_signal_crash_unknown(self):
        self.assertEqual(exits.classify(self.killed, False, None, {}), ("signal", "SIGKILL", None, None))
        self.assertEqual(exits.classify(self.seven, False, None, {}), ("crash", None, 7, None))
        self.assertEqual(exits.classify(self.ok, False, None, {}), ("unknown", None, 0, None))
        self.assertEqual(exits.classify(None, False, None, {}), ("unknown", None, None, None))


class ReapedStatusTest(unittest.TestCase):
    def test_reads_the_status_from_the_calling_reap_workers_frame(self):
        seen = []

        def child_exit(pid):
            seen.append(exits.reaped_status(pid))

        def reap_workers():  # the shape of Gunicorn's Arbiter.reap_workers
            wpid, status = 4321, 7 << 8  # noqa: F841 - reaped_status reads them from this frame
            child_exit(wpid)
            child_exit(1234)  # not the pid being reaped: no guess
        with self.assertLogs("gunicorn_live", "WARNING") as logs:
            reap_workers()
            child_exit(4321)  # no reap_workers frame at all
        self.assertIn("does not expose the exit status", logs.output[0])
        self.assertEqual(seen, [7 << 8, None, None])
