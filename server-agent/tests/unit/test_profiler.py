"""The profiler's parts in this process, with real threads: what a sample sees and how it is marked, how
stacks are cut and bounded, how a full table truncates, how the worker's datagrams and the master's
frames stay within their limits and add up to what was sampled."""
import json
import socket
import threading
import time
import unittest

from gunicorn_live import frames, handoff, osthread, profiler, profiles, settings, worker
from gunicorn_live.routes import RouteTable
from tests import schema


def spin_here(stop):
    while not stop.is_set():
        sum(i * i for i in range(1000))


def wait_here(stop):
    stop.wait(30)


class Holder(object):
    def method_of_a_class(self):
        return self.method_of_a_class.__code__


def start(function):
    stop = threading.Event()
    thread = threading.Thread(target=function, args=(stop,), daemon=True)
    thread.start()
    return thread, stop


def new_profiler(sender=None, **kwargs):
    kwargs.setdefault("main_serves", True)
    return profiler.Profiler(4242, 97, 1.0, RouteTable(), sender, **kwargs)


def entries(table, names):
    """{(route, the first of `names` on the stack): [wall, cpu]} of a profiler's table."""
    out = {}
    for (route, key), counts in table.items():
        on_stack = set(c.co_name for c in key[::2])
        for name in names:
            if name in on_stack:
                got = out.setdefault((route[1], name), [0, 0])
                got[0] += counts[0]
                got[1] += counts[1]
                break
    return out


class SampleTest(unittest.TestCase):
    def test_busy_thread_on_cpu_waiting_thread_not_main_thread_idle(self):
        spinner, stop_spin = start(spin_here)
        waiter, stop_wait = start(wait_here)
        self.addCleanup(stop_spin.set)
        self.addCleanup(stop_wait.set)
        p = new_profiler()
        time.sleep(0.1)  # both threads in their loops by now
        p.sample()  # the first reading of each thread's CPU clock
        p.table, p.last = {}, {}
        for _ in range(30):
            p.sample()
            time.sleep(0.01)
        me = "test_busy_thread_on_cpu_waiting_thread_not_main_thread_idle"
        got = entries(p.table, ["spin_here", "wait_here", me])
        self.assertEqual(got[("(no request)", "spin_here")][0], 30)
        # On-CPU when it ran since the previous sample (10 ms): mostly, on a machine shared with other work.
        self.assertGreaterEqual(got[("(no request)", "spin_here")][1], 15)
        self.assertEqual(got[("(no request)", "wait_here")], [30, 0])
        # The test's own (main) thread serves requests in this profiler's eyes: idle, never (no request).
        self.assertEqual([k for k in got if k[1] == me], [("(idle)", me)])

    def test_a_thread_that_moved_on_is_walked_again(self):
        first, second = threading.Event(), threading.Event()
        self.addCleanup(second.set)

        def waits_twice(stop):
            first.wait(30)
            wait_here(second)
        thread, _ = start(waits_twice)
        time.sleep(0.1)
        p = new_profiler()
        for _ in range(5):
            p.sample()
        first.set()
        time.sleep(0.1)
        for _ in range(5):
            p.sample()
        got = entries(p.table, ["wait_here", "waits_twice"])
        # Still threads count where their last walk went; once it ran, its new stack is walked.
        self.assertEqual(got[("(no request)", "waits_twice")], [5, 0])
        self.assertEqual(got[("(no request)", "wait_here")][0], 5)

    def test_agent_threads_and_skipped_idents_are_not_sampled(self):
        stop = threading.Event()
        self.addCleanup(stop.set)
        osthread.start("gl-test-agent", lambda: stop.wait(30))
        waiter, stop_wait = start(wait_here)
        self.addCleanup(stop_wait.set)
        deadline = time.monotonic() + 5
        while len(osthread.AGENT_THREADS) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        p = new_profiler(skip=[waiter.ident])
        p.sample()
        names = set(c.co_name for (_, key) in p.table for c in key[::2])
        self.assertNotIn("<lambda>", names)
        self.assertNotIn("wait_here", names)
        self.assertIn("test_agent_threads_and_skipped_idents_are_not_sampled", names)

    def test_a_full_table_counts_the_rest_as_truncated(self):
        p = new_profiler()
        for i in range(profiler.MAX_ENTRIES):
            p.table[(profiler.IDLE, (i,))] = [1, 0]
        p.sample()
        p.sample()
        self.assertEqual(len(p.table), profiler.MAX_ENTRIES)
        self.assertEqual(p.truncated, 2)  # this thread, twice


class ResolveTest(unittest.TestCase):
    def test_outermost_first_qualified_names_agent_frames_cut(self):
        p = new_profiler()
        inner = Holder().method_of_a_class()
        agent = worker.WorkerAgent.flush.__code__
        outer = spin_here.__code__
        stack = p.resolve([inner, 7, agent, 8, outer, 9])
        qualified = "Holder.method_of_a_class" if hasattr(inner, "co_qualname") else "method_of_a_class"
        self.assertEqual(stack, [(__file__, 9, "spin_here"), (__file__, 7, qualified)])

    def test_samples_of_the_agents_own_thread_entry_are_dropped(self):
        p = new_profiler(drop=[worker.WorkerAgent._run.__code__])
        self.assertIsNone(p.resolve([spin_here.__code__, 1, worker.WorkerAgent._run.__code__, 2]))

    def test_deep_stacks_keep_their_roots_and_leaves(self):
        p = new_profiler()
        key = []
        for line in range(300, 0, -1):  # innermost first: line 300 is the innermost frame
            key += [spin_here.__code__, line]
        stack = p.resolve(key)
        self.assertEqual(len(stack), profiles.MAX_STACK_DEPTH)
        self.assertEqual([f[1] for f in stack[:3]], [1, 2, 3])
        self.assertEqual(stack[profiler.KEEP_OUTER], profiler.CUT_FRAME)
        self.assertEqual(stack[-1][1], 300)
        self.assertEqual(stack[profiler.KEEP_OUTER + 1][1], 300 - profiler.KEEP_INNER + 1)


class ShipTest(unittest.TestCase):
    def test_chunks_are_datagrams_within_bounds_that_add_up(self):
        receiver, sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(receiver.close)
        self.addCleanup(sender.close)
        receiver.setblocking(False)
        p = new_profiler(sender)
        code = spin_here.__code__
        # 900 distinct 60-frame stacks with long file names: several datagrams.
        for i in range(900):
            p.table[(("GET", "/r%d" % (i % 7)), tuple([code, i] * 60))] = [3, 1]
        p.truncated = 5
        messages, done = [], threading.Event()

        def master():  # drains as the master's sampler does, while the worker sends
            while not done.is_set():
                messages.extend(handoff.drain(receiver))
                time.sleep(0.001)
        reader = threading.Thread(target=master, daemon=True)
        reader.start()
        p.ship()
        time.sleep(0.05)
        done.set()
        reader.join()
        messages.extend(handoff.drain(receiver))
        self.assertGreater(len(messages), 1)
        sizes = [len(json.dumps(m, separators=(",", ":"))) for m in messages]
        self.assertLessEqual(max(sizes), profiler.DATAGRAM_BYTES)
        self.assertEqual(sum(s[3] for m in messages for s in m["samples"]), 2700)
        self.assertEqual(sum(s[4] for m in messages for s in m["samples"]), 900)
        self.assertEqual([m.get("truncated", 0) for m in messages], [5] + [0] * (len(messages) - 1))
        for m in messages:  # each self-contained
            self.assertTrue(all(0 <= s[2] < len(m["stacks"]) for s in m["samples"]))
            self.assertTrue(all(0 <= i < len(m["frames"]) for st in m["stacks"] for i in st))
        self.assertEqual(p.table, {})

    def test_a_datagram_the_master_cannot_take_counts_as_truncated(self):
        receiver, sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sender.close)
        receiver.close()
        p = new_profiler(sender)
        p.table[(("GET", "/"), (spin_here.__code__, 3))] = [4, 2]
        p.ship()
        self.assertEqual(p.truncated, 4)


def message(pid, samples, frames_=None):
    return {"type": "profile", "pid": pid, "frames": frames_ or [["/a.py", 1, "root"], ["/a.py", 2, "leaf"]],
            "stacks": [[0, 1], [0]], "samples": samples}


class MasterTest(unittest.TestCase):
    def test_workers_merged_into_valid_frames(self):
        buffer = profiles.ProfileBuffer()
        buffer.absorb(message(11, [["GET", "/x", 0, 5, 4], ["", "(idle)", 1, 3, 0]]))
        buffer.absorb(dict(message(12, [["GET", "/x", 0, 2, 9]]), truncated=7))
        buffer.absorb(message(11, [["GET", "/x", 0, 1, 1]]))
        out = buffer.take(100.0, 97.0)
        self.assertEqual(len(out), 1)
        frame = json.loads(frames.encode(out[0]))
        self.assertEqual(schema.check(frame), [])
        self.assertEqual(frame["frames"], [{"file": "/a.py", "line": 1, "function": "root"},
                                           {"file": "/a.py", "line": 2, "function": "leaf"}])
        got = sorted((s["pid"], s["route"], frame["stacks"][s["stack"]], s["wall"], s["cpu"]) for s in frame["samples"])
        # cpu never above wall; the same (pid, route, stack) twice is one sample
        self.assertEqual(got, [(11, "(idle)", [0], 3, 0), (11, "/x", [0, 1], 6, 5), (12, "/x", [0, 1], 2, 2)])
        self.assertEqual(frame["truncated"], [{"pid": 12, "samples": 7}])
        self.assertEqual(buffer.take(101.0, 97.0), [])

    def test_frames_split_under_the_size_bound_each_self_contained(self):
        buffer = profiles.ProfileBuffer()
        long_name = "/srv/" + "x" * 3000 + ".py"
        for pid in range(1, 400):
            buffer.absorb(message(pid, [["GET", "/r", 0, 1, 0]], [[long_name, pid, "f%d" % pid], [long_name, 2, "g"]]))
        out = buffer.take(1.0, 97.0)
        self.assertGreater(len(out), 1)
        total = 0
        for frame in out:
            text = frames.encode(frame)
            self.assertLessEqual(len(text.encode()), profiles.FRAME_BYTES)
            self.assertEqual(schema.check(json.loads(text)), [])
            total += sum(s["wall"] for s in frame["samples"])
        self.assertEqual(total, 399)

    def test_too_many_pending_samples_count_as_truncated(self):
        buffer = profiles.ProfileBuffer()
        buffer.absorb(message(3, [["GET", "/", 0, profiles.MAX_PENDING_SAMPLES, 0]]))
        buffer.absorb(message(3, [["GET", "/", 0, 10, 0]]))
        out = buffer.take(1.0, 97.0)
        self.assertEqual(out[0]["truncated"], [{"pid": 3, "samples": 10}])


class SettingsTest(unittest.TestCase):
    def test_on_by_default_at_97(self):
        self.assertEqual(settings.from_env({}).profile_hz, 97.0)

    def test_off(self):
        for value in ("off", "OFF", "0", "false", "no"):
            self.assertIsNone(settings.from_env({"GUNICORN_LIVE_PROFILE": value}).profile_hz, value)

    def test_rate(self):
        self.assertEqual(settings.from_env({"GUNICORN_LIVE_PROFILE_HZ": "49"}).profile_hz, 49.0)
        self.assertIsNone(settings.from_env({"GUNICORN_LIVE_PROFILE": "off", "GUNICORN_LIVE_PROFILE_HZ": "49"}).profile_hz)

    def test_bad_values_say_so_once_and_keep_the_default(self):
        for env in ({"GUNICORN_LIVE_PROFILE_HZ": "fast"}, {"GUNICORN_LIVE_PROFILE_HZ": "0"},
                    {"GUNICORN_LIVE_PROFILE_HZ": "5000"}, {"GUNICORN_LIVE_PROFILE": "maybe"}):
            with self.assertLogs("gunicorn_live", "WARNING") as logged:
                self.assertEqual(settings.from_env(env).profile_hz, 97.0)
            self.assertEqual(len(logged.output), 1, logged.output)
