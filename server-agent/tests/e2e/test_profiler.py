"""The profiler against ground truth on the real Gunicorn 20.1.0 (test/apps/profile_app.py: each route
spends its time in one known function): where a request's time goes, on-CPU or waiting, under its own
route; gthread's concurrent requests each under their own; off means no sampler thread; reloads leave one
sampler per worker and none in the master."""
import os
import signal
import time
import unittest

from gunicorn_live import procfs
from gunicorn_live.settings import DEFAULT_PROFILE_HZ as HZ
from tests import profile_truth as truth
from tests.gunicorn_run import get, get_async
from tests.live import Session, master_threads_and_fds, settle

APP = "profile_app:app"
SECONDS = 3.0


class GroundTruthTest(unittest.TestCase):
    def test_sync_cpu_sleep_and_half(self):
        s = Session(self, ["-w", "1", "-k", "sync"], app=APP)
        self.assertEqual(s.hello["server"]["profileHz"], HZ)
        truth.workers_up(s, 1)
        for path in ("/cpu", "/sleep", "/half"):
            self.assertEqual(get(s.port, "%s?s=%s" % (path, SECONDS))[0], 200)
        found = truth.samples(truth.wait_for_profile_after(s, time.time()))
        self.assertEqual(truth.agent_files(found), [])
        self.check_cpu(truth.samples(s.frames, "/cpu"))
        self.check_sleep(truth.samples(s.frames, "/sleep"))
        self.check_half(truth.samples(s.frames, "/half"))
        # Between requests the worker's only thread waits for the next one, in Gunicorn's sync loop.
        idle = truth.samples(s.frames, "(idle)")
        self.assertGreater(truth.wall(idle), 0)
        self.assertTrue(all(any(f[0].endswith("gunicorn/workers/sync.py") for f in x.stack) for x in idle),
                        [x.functions() for x in idle][:3])
        self.assertEqual(set(x.method for x in idle), {""})

    def check_cpu(self, cpu):
        total = truth.wall(cpu)
        # HZ a second for 3 s; a loaded machine delays the sampler, never by half.
        self.assertGreater(total, 0.5 * HZ * SECONDS, total)
        self.assertEqual(set(x.method for x in cpu), {"GET"})
        self.assertGreaterEqual(truth.wall(cpu, truth.has("burn_cpu")), 0.8 * total)
        # Outermost first: the time is spent in burn_cpu itself, called from the app.
        self.assertGreaterEqual(truth.wall(cpu, truth.innermost("burn_cpu")), 0.8 * total)
        self.assertTrue(all(x.functions().index("app") < x.functions().index("burn_cpu")
                            for x in cpu if "burn_cpu" in x.functions()))
        self.assertGreaterEqual(truth.cpu(cpu), 0.5 * total, "on-CPU samples of a CPU-bound route")

    def check_sleep(self, sleep):
        total = truth.wall(sleep)
        self.assertGreater(total, 0.5 * HZ * SECONDS, total)
        self.assertGreaterEqual(truth.wall(sleep, truth.has("sleep_wait")), 0.8 * total)
        self.assertLessEqual(truth.cpu(sleep), 0.1 * total, "on-CPU samples of a sleeping route")

    def check_half(self, half):
        total = truth.wall(half)
        self.assertGreater(total, 0.5 * HZ * SECONDS, total)
        share = truth.wall(half, truth.has("burn_cpu")) / float(total)
        self.assertTrue(0.35 <= share <= 0.65, share)
        self.assertGreaterEqual(truth.wall(half, truth.has("sleep_wait")) / float(total), 0.35)

    def test_gthread_concurrent_requests_each_under_their_own_route(self):
        s = Session(self, ["-w", "1", "-k", "gthread", "--threads", "4"], app=APP)
        truth.workers_up(s, 1)
        calls = [get_async(s.port, path + "?s=%s" % SECONDS) for path in ("/cpu", "/sleep", "/half")]
        for call in calls:
            call.join()
            self.assertEqual(call.result[0], 200)
        truth.wait_for_profile_after(s, time.time())
        cpu, sleep, half = (truth.samples(s.frames, r) for r in ("/cpu", "/sleep", "/half"))
        # The three ran at once, on three threads of one worker.
        self.assertEqual(len(set(x.pid for x in cpu + sleep + half)), 1)
        self.check_cpu(cpu)
        self.check_sleep(sleep)
        self.check_half(half)
        self.assertEqual(truth.wall(cpu, truth.has("sleep_wait")), 0)
        self.assertEqual(truth.wall(sleep, truth.has("burn_cpu")), 0)
        # gthread's main thread polls for connections and serves none: (no request); its pool threads
        # wait for work: (idle).
        none = truth.samples(s.frames, "(no request)")
        self.assertTrue(any(any(f[0].endswith("gunicorn/workers/gthread.py") and f[2] == "ThreadWorker.run"
                                for f in x.stack) for x in none), [x.functions() for x in none][:3])
        idle = truth.samples(s.frames, "(idle)")
        self.assertTrue(idle)
        self.assertTrue(all(any(f[0].endswith("concurrent/futures/thread.py") for f in x.stack) for x in idle),
                        [x.functions() for x in idle][:3])
        self.assertFalse(any(any(f[0].endswith("gthread.py") and f[2] == "ThreadWorker.run" for f in x.stack)
                             for x in idle))


class DemoTest(unittest.TestCase):
    def test_the_demos_cpu_route_is_its_burn_function(self):
        # What the dashboard's flame graph of `GET /cpu` shows on the demo: its CPU function, `_burn`.
        s = Session(self, ["-w", "2", "--pythonpath", os.path.dirname(os.path.dirname(os.path.dirname(__file__)))],
                    app="demo.app:app")
        truth.workers_up(s, 2)
        for _ in range(60):
            self.assertEqual(get(s.port, "/cpu")[0], 200)
        truth.wait_for_profile_after(s, time.time())
        cpu = truth.samples(s.frames, "/cpu")
        self.assertGreater(truth.wall(cpu), 0.5 * HZ * 60 * 0.05, truth.wall(cpu))
        self.assertGreaterEqual(truth.cpu(cpu, truth.innermost("_burn")), 0.8 * truth.cpu(cpu))
        self.assertTrue(all(f[0].endswith("demo/app.py") for x in cpu for f in x.stack if f[2] == "_burn"))


class WorkerExitTest(unittest.TestCase):
    def test_a_worker_that_exits_hands_over_its_last_samples(self):
        # max_requests retires the worker right after its one request, long before its first 5 s interval
        # ends: the samples of that request exist only in the table the sampler holds at the worker's exit.
        s = Session(self, ["-w", "1", "--max-requests", "1"], app=APP, env={"GUNICORN_LIVE_INTERVAL": "5"})
        (pid,) = truth.workers_up(s, 1)
        self.assertEqual(get(s.port, "/cpu?s=1")[0], 200)
        self.assertEqual(s.exit_of(pid)["reason"], "max_requests")
        try:  # the master forwards what the worker handed over at its next tick
            s.next(lambda m: m["type"] == "profile" and any(x["pid"] == pid for x in m["samples"]), 12)
        except AssertionError:
            pass  # nothing came: the assertion below says so
        found = [x for x in truth.samples(s.frames, "/cpu") if x.pid == pid]
        self.assertGreater(truth.wall(found), 0.5 * HZ, truth.wall(found))
        self.assertGreaterEqual(truth.wall(found, truth.has("burn_cpu")), 0.8 * truth.wall(found))


class SamplerThreadTest(unittest.TestCase):
    def test_off_means_no_sampler_thread_and_no_profiles(self):
        s = Session(self, ["-w", "2"], app=APP, env={"GUNICORN_LIVE_PROFILE": "off"})
        self.assertIsNone(s.hello["server"]["profileHz"])
        s.live_sample(2)
        self.assertEqual(get(s.port, "/cpu?s=0.5")[0], 200)
        done = time.time()
        s.sample(lambda m: m["at"] > done + 1.0)
        for pid in procfs.children(s.master):
            names = truth.thread_names(pid)
            self.assertTrue(names)
            self.assertNotIn(truth.SAMPLER_NAME, names)
        self.assertEqual([m for m in s.frames if m["type"] == "profile"], [])

    def test_a_hub_older_than_profiles_gets_none_and_keeps_the_connection(self):
        # A 1.1 hub names no version in its handshake and closes the connection on a frame type it does not know.
        s = Session(self, ["-w", "1"], app=APP, hub_protocol=None)
        truth.workers_up(s, 1)
        self.assertEqual(get(s.port, "/cpu?s=1")[0], 200)
        done = time.time()
        s.sample(lambda m: m["at"] > done + 2.0)
        self.assertEqual([m for m in s.frames if m["type"] == "profile"], [])
        self.assertEqual(len(s.hub.connections), 1)
        self.assertIn(truth.SAMPLER_NAME, truth.thread_names(next(iter(procfs.children(s.master)))))

    def test_rate_from_the_environment(self):
        s = Session(self, ["-w", "1"], app=APP, env={"GUNICORN_LIVE_PROFILE_HZ": "197"})
        self.assertEqual(s.hello["server"]["profileHz"], 197.0)
        truth.workers_up(s, 1)
        self.assertEqual(get(s.port, "/cpu?s=%s" % SECONDS)[0], 200)
        truth.wait_for_profile_after(s, time.time())
        found = truth.samples(s.frames, "/cpu")
        self.assertTrue(all(m["hz"] == 197.0 for m in s.frames if m["type"] == "profile"))
        # ~197 a second for 3 s: far from the default's rate, even when a busy machine delays the sampler.
        self.assertTrue(0.3 * 197 * SECONDS <= truth.wall(found) <= 1.2 * 197 * SECONDS, truth.wall(found))

    def test_twenty_reloads_one_sampler_per_worker_none_in_the_master(self):
        s = Session(self, ["-w", "2", "--graceful-timeout", "5"], app=APP)
        truth.workers_up(s, 2)
        master = s.master
        before = master_threads_and_fds(master)
        for i in range(20):
            old = procfs.children(master)
            os.kill(master, signal.SIGHUP)
            self.assertTrue(settle(lambda old=old: len(procfs.children(master) - old) == 2, 20), "reload %d" % (i + 1))
        pids = truth.workers_up(s, 2)
        self.assertEqual(master_threads_and_fds(master), before)
        self.assertNotIn(truth.SAMPLER_NAME, truth.thread_names(master))
        for pid in pids:
            self.assertEqual(truth.samplers(pid), 1, truth.thread_names(pid))
        # And the new workers' samplers report.
        s.next(lambda m: m["type"] == "profile" and set(x["pid"] for x in m["samples"]) == set(pids), 20)

