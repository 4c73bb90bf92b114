"""Fork safety on the real Gunicorn 20.1.0: a hundred reloads in a row — each forking new workers while
the agent's threads run in the master — leave the master with exactly the threads and file descriptors
it had, and every reload is seen."""
import os
import signal
import time
import unittest

from gunicorn_live import procfs
from tests.live import Session, master_threads_and_fds

HUPS = 100


class ForkSafetyTest(unittest.TestCase):
    def test_a_hundred_hups_leave_no_threads_or_descriptors_behind(self):
        s = Session(self, ["-w", "1", "--graceful-timeout", "5"])
        s.live_sample(1)
        master = s.master
        before = master_threads_and_fds(master)
        seen = set(procfs.children(master))
        for i in range(HUPS):
            os.kill(master, signal.SIGHUP)
            # Waits for this reload's new worker (a pid never seen before), polling /proc.
            deadline = time.monotonic() + 20
            while True:
                new = procfs.children(master) - seen
                if new:
                    seen |= new
                    break
                self.assertLess(time.monotonic(), deadline, "reload %d started no worker" % (i + 1))
                time.sleep(0.005)
        # All reloads done and the last worker up; the agent counted every one of them.
        last = s.sample(lambda m: m.get("reloads") == HUPS and len(m["workers"]) == 1 and
                        m["workers"][0]["pid"] in procfs.children(master) and "inFlightCount" in m["workers"][0],
                        timeout=60)
        self.assertEqual(set(w["pid"] for w in last["workers"]), procfs.children(master))
        self.assertEqual(master_threads_and_fds(master), before)
        hups = [m for m in s.frames if m["type"] == "event" and m["event"]["type"] == "signal"
                and m["event"]["signal"] == "SIGHUP"]
        self.assertEqual(len(hups), HUPS)
        reload_exits = [m for m in s.frames if m["type"] == "event" and m["event"]["type"] == "worker_exit"]
        self.assertGreaterEqual(len(reload_exits), HUPS - 1)
        self.assertEqual(set(m["event"]["reason"] for m in reload_exits), {"reload"},
                         [m["event"] for m in reload_exits if m["event"]["reason"] != "reload"])
