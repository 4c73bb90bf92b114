"""pre_request on a request object that takes no attribute (__slots__, as Gunicorn 24+'s ASGI requests):
the request is not counted as started, so the in-flight count cannot grow without end, and the failure
is one log line, never an exception into Gunicorn."""
import target  # noqa: F401  (first: the agent's sources on sys.path)

import unittest

from gunicorn_live import log
from gunicorn_live.recorder import Recorder
from gunicorn_live.routes import RouteTable
from gunicorn_live.stats import RequestStats


class SlottedRequest(object):
    __slots__ = ("method", "path")

    def __init__(self):
        self.method, self.path = "GET", "/items/1"


class Response(object):
    status_code, sent = 200, 5


class SlottedRequestTest(unittest.TestCase):
    def test_not_counted_as_started_when_its_start_cannot_be_kept(self):
        log.forget_after_fork()
        self.addCleanup(log.forget_after_fork)
        stats = RequestStats()
        recorder = Recorder(stats, RouteTable(), threaded=False, single_thread=True)
        with self.assertLogs("gunicorn_live", "WARNING") as logs:
            for _ in range(3):
                recorder.begin(SlottedRequest())
                recorder.end(SlottedRequest(), {}, Response())
        self.assertEqual(len(logs.records), 1)
        self.assertIn("pre_request hook failed", logs.records[0].getMessage())
        self.assertEqual(stats.in_flight(), (0, None))
        self.assertEqual(stats.totals()[1], 0)


if __name__ == "__main__":
    unittest.main()
