"""The master's side of stuck requests (sampler.py): a worker's `stuck` handoff becomes one request_stuck
event frame (valid against the protocol's schema); the stack its watchdog sent last describes its timeout
exit when the abort itself sent none (uvicorn, the asgi worker), but only while fresh, and never a
non-timeout exit; an abort's own stack wins."""
import os
import time
import unittest

from gunicorn_live import handoff, sampler
from gunicorn_live.settings import Settings
from tests.schema import check

STACK = [{"file": "/srv/app.py", "line": 12, "function": "view"}, {"file": "/srv/app.py", "line": 30, "function": "spin"}]
ABORT = [{"file": "/srv/app.py", "line": 31, "function": "spin"}]
KILLED = 9  # wait status of a SIGKILL


class Bare(object):
    pass


class SamplerStuckTest(unittest.TestCase):
    def setUp(self):
        self.frames = []
        self.sampler = sampler.Sampler(Bare(), Settings("ws://x", "", 1.0, "", False), os.getpid(), self.frames.append)

    def events(self, kind):
        return [f["event"] for f in self.frames if f["type"] == "event" and f["event"]["type"] == kind]

    def test_a_stuck_handoff_is_one_request_stuck_event(self):
        self.sampler.absorb([handoff.stuck(4242, "GET", "/report/{id}", 31.5, STACK, 1763776840.0)])
        self.assertEqual(self.events("request_stuck"), [{"type": "request_stuck", "pid": 4242, "method": "GET",
                                                         "route": "/report/{id}", "elapsed": 31.5, "stack": STACK,
                                                         "at": 1763776840.0}])
        self.assertEqual(check(self.frames[-1]), [])

    def test_a_malformed_stuck_handoff_is_dropped(self):
        self.sampler.absorb([{"type": "stuck", "pid": 4242, "method": "GET"}])
        self.assertEqual(self.events("request_stuck"), [])

    def exit_after(self, messages, aborted=True, status=KILLED, age=0.0):
        self.sampler.absorb(messages)
        if 4242 in self.sampler.watched:
            seen, stack, request = self.sampler.watched[4242]
            self.sampler.watched[4242] = (seen - age, stack, request)
        self.sampler._exit(4242, time.time(), status, aborted)
        return self.events("worker_exit")[-1]

    def test_the_watched_stack_describes_a_timeout_without_its_own(self):
        event = self.exit_after([handoff.stack(4242, STACK)])
        self.assertEqual((event["reason"], event["signal"], event["stack"]), ("timeout", "SIGKILL", STACK))
        self.assertNotIn(4242, self.sampler.watched)

    def test_a_stale_watched_stack_is_not_used(self):
        event = self.exit_after([handoff.stack(4242, STACK)], age=sampler.WATCHED_SECONDS + 1)
        self.assertEqual(event["reason"], "timeout")
        self.assertNotIn("stack", event)

    def test_the_abort_stack_wins(self):
        event = self.exit_after([handoff.stack(4242, STACK), handoff.abort(4242, ABORT)])
        self.assertEqual(event["stack"], ABORT)

    def test_no_stack_on_an_exit_that_is_no_timeout(self):
        event = self.exit_after([handoff.stack(4242, STACK)], aborted=False)
        self.assertEqual(event["reason"], "signal")
        self.assertNotIn("stack", event)


if __name__ == "__main__":
    unittest.main()
