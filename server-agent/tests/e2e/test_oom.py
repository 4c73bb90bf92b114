"""A worker the kernel's OOM killer took is told apart from a kill -9: on the kernel's own counters, and
end to end with a real OOM kill of a real Gunicorn worker in a memory cgroup with a limit."""
import os
import shutil
import tempfile
import unittest
import uuid

from gunicorn_live import oom
from tests.gunicorn_run import get
from tests.live import Session

CGROUP_V1 = "/sys/fs/cgroup/memory"
CGROUP_V2 = "/sys/fs/cgroup"
LIMIT_MB = 160


class OomWatchTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gunicorn-live-oom-")
        self.addCleanup(shutil.rmtree, self.dir)
        self.path = os.path.join(self.dir, "memory.events")

    def count(self, n):
        with open(self.path, "w") as f:
            f.write("low 0\nhigh 0\nmax 3\noom 2\noom_kill %d\noom_group_kill 0\n" % n)

    def test_a_kill_counted_since_the_sample_before_flags_one_exit(self):
        self.count(4)
        watch = oom.OomWatch(self.path)
        self.assertEqual(watch.killed_recently(), False)
        self.count(5)
        self.assertEqual(watch.killed_recently(), True)
        # One kill explains one exit: a second SIGKILL right after is not also an OOM kill.
        self.assertEqual(watch.killed_recently(), False)
        self.count(7)
        self.assertEqual([watch.killed_recently(), watch.killed_recently(), watch.killed_recently()],
                         [True, True, False])

    def test_a_kill_before_the_last_two_samples_is_old_news(self):
        self.count(1)
        watch = oom.OomWatch(self.path)
        self.count(2)
        watch.tick()
        watch.tick()
        self.assertEqual(watch.killed_recently(), False)

    def test_no_counter_means_unknown(self):
        with open(self.path, "w") as f:
            f.write("low 0\n")
        self.assertIsNone(oom.OomWatch(self.path).killed_recently())
        self.assertIsNone(oom.OomWatch(os.path.join(self.dir, "absent")).killed_recently())

    def test_this_process_counter_is_found(self):
        path = oom.cgroup_counter_file()
        if path is None:
            self.skipTest("no memory cgroup here")
        self.assertIsInstance(oom._counter(path), int, path)


def memory_cgroup(test, limit_mb):
    """A new memory cgroup with `limit_mb` and no swap; its cgroup.procs path, or None if this machine
    does not let the test make one (not root, no memory controller)."""
    name = "gunicorn-live-test-" + uuid.uuid4().hex[:8]
    for root, limits in ((CGROUP_V1, [("memory.limit_in_bytes", limit_mb << 20),
                                      ("memory.memsw.limit_in_bytes", limit_mb << 20)]),
                         (CGROUP_V2, [("memory.max", limit_mb << 20), ("memory.swap.max", 0)])):
        path = os.path.join(root, name)
        try:
            os.mkdir(path)
        except OSError:
            continue
        test.addCleanup(_remove_cgroup, path)
        try:
            for file, value in limits:
                if os.path.exists(os.path.join(path, file)):
                    with open(os.path.join(path, file), "w") as f:
                        f.write(str(value))
        except OSError:
            continue
        return os.path.join(path, "cgroup.procs")
    return None


def _remove_cgroup(path):
    # Its processes are gone once the test's Gunicorn is stopped (cleanups run last-in first-out).
    try:
        os.rmdir(path)
    except OSError:
        pass


class RealOomKillTest(unittest.TestCase):
    def test_a_worker_over_its_cgroup_limit_is_reported_as_killed_by_the_oom_killer(self):
        procs = memory_cgroup(self, LIMIT_MB)
        if procs is None:
            self.skipTest("cannot create a memory cgroup here (needs root and the memory controller)")
        s = Session(self, ["-w", "2"], cgroup_procs=procs)
        workers = [w["pid"] for w in s.live_sample(2)["workers"]]
        self.assertEqual(get(s.port, "/hog?mb=16")[0], 200)  # under the limit: served
        status, _ = get(s.port, "/hog?mb=%d" % (LIMIT_MB * 2), timeout=30)
        self.assertIsNone(status, "the worker died mid-request")
        event = s.event(lambda e: e["type"] == "worker_exit")
        self.assertIn(event["pid"], workers)
        self.assertEqual((event["reason"], event.get("signal"), event.get("oom")), ("signal", "SIGKILL", True))
        self.assertIn("worker %d was killed by the kernel's OOM killer" % event["pid"], s.log())
        # The master survived and replaced it.
        replacement = s.event(lambda e: e["type"] == "worker_spawn")
        self.assertNotIn(replacement["pid"], workers)
        self.assertEqual(get(s.port, "/")[0], 200)


if __name__ == "__main__":
    unittest.main()
