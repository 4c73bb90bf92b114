"""The profiler on the newest Gunicorn's single-threaded worker classes (gevent, its ASGI worker, uvicorn's),
against the ground truth of test/apps/profile_app.py: a CPU-bound request's samples name the request and
its function, also while another request waits on the same thread; the agent's app wrappers are cut out.
There, a sample shows the greenlet or task running on the worker's thread: a request waiting on I/O has no
samples of its own (the loop's own code, (idle), has them). Each case is its own test (run.py runs them
side by side)."""
import target  # noqa: F401  (first: points the helpers at the venv)

import time
import unittest

from tests import profile_truth as truth
from tests.gunicorn_run import get_async
from tests.live import Session

SECONDS = 2.0
UVICORN = "uvicorn_worker.UvicornWorker"
# name, gunicorn arguments, app, the function the sleeping route waits in
CASES = [
    ("gevent", ["-k", "gevent"], "profile_app:app", "sleep_wait"),
    ("asgi", ["-k", "asgi"], "profile_app:asgi", "sleep_wait_async"),
    ("uvicorn", ["-k", UVICORN], "profile_app:asgi", "sleep_wait_async"),
]


class ProfilerClasses(unittest.TestCase):
    def attributes(self, args, app, sleeper):
        s = Session(self, ["-w", "1"] + args, app=app, hello_timeout=60)
        self.assertEqual(s.hello["server"]["profileHz"], 97.0)
        truth.workers_up(s, 1)
        # One request sleeps while the other burns the CPU, on the worker's one thread.
        calls = [get_async(s.port, "/sleep?s=%s" % (SECONDS + 1)), get_async(s.port, "/cpu?s=%s" % SECONDS)]
        for call in calls:
            call.join()
            self.assertEqual(call.result[0], 200)
        found = truth.samples(truth.wait_for_profile_after(s, time.time()))
        self.assertEqual(truth.agent_files(found), [])
        cpu = truth.samples(s.frames, "/cpu")
        total = truth.wall(cpu)
        self.assertGreater(total, 0.5 * 97 * SECONDS, total)
        self.assertEqual(set(x.method for x in cpu), {"GET"})
        self.assertGreaterEqual(truth.wall(cpu, truth.innermost("burn_cpu")), 0.8 * total)
        self.assertGreaterEqual(truth.cpu(cpu), 0.5 * total)
        self.assertEqual(truth.wall(cpu, truth.has(sleeper)), 0)
        # The sleeping request runs only to start and end its wait: a few samples at most, never burn_cpu.
        sleep = truth.samples(s.frames, "/sleep")
        self.assertLess(truth.wall(sleep), 0.1 * total, [x.functions() for x in sleep])
        self.assertEqual(truth.wall(sleep, truth.has("burn_cpu")), 0)
        # The rest of the time the thread runs the loop (the gevent hub, asyncio's select): idle.
        idle = truth.samples(s.frames, "(idle)")
        self.assertGreater(truth.wall(idle), 0)
        self.assertEqual(truth.wall(idle, truth.has("burn_cpu")), 0)


def _test(case):
    def test(self):
        self.attributes(*case[1:])
    test.__name__ = "test_" + case[0]
    return test


for _case in CASES:
    setattr(ProfilerClasses, "test_" + _case[0], _test(_case))

if __name__ == "__main__":
    unittest.main()
