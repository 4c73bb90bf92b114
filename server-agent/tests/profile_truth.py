"""Reading the `profile` frames a test hub received, for the profiler's ground-truth tests: the samples
of one route, each with its stack as (file, line, function) outermost first, and the worker's threads as
the OS names them."""
import glob
import os
import time

from gunicorn_live import procfs

SAMPLER_NAME = "gl-profiler"


class Sample(object):
    __slots__ = ("pid", "method", "route", "stack", "wall", "cpu")

    def __init__(self, pid, method, route, stack, wall, cpu):
        self.pid, self.method, self.route, self.stack, self.wall, self.cpu = pid, method, route, stack, wall, cpu

    def functions(self):
        return [f[2] for f in self.stack]


def samples(messages, route=None):
    """Every sample in the `profile` frames among `messages` (of `route` only, if given)."""
    out = []
    for m in messages:
        if m.get("type") != "profile":
            continue
        frames = [(f["file"], f["line"], f["function"]) for f in m["frames"]]
        stacks = [[frames[i] for i in s] for s in m["stacks"]]
        for s in m["samples"]:
            if route is None or s["route"] == route:
                out.append(Sample(s["pid"], s["method"], s["route"], stacks[s["stack"]], s["wall"], s["cpu"]))
    return out


def wall(found, predicate=lambda s: True):
    return sum(s.wall for s in found if predicate(s))


def cpu(found, predicate=lambda s: True):
    return sum(s.cpu for s in found if predicate(s))


def has(function):
    return lambda s: function in s.functions()


def innermost(function):
    return lambda s: s.stack[-1][2] == function


def thread_names(pid):
    """The OS names (comm) of the process's threads."""
    names = []
    for path in glob.glob("/proc/%d/task/*/comm" % pid):
        try:
            with open(path) as f:
                names.append(f.read().strip())
        except OSError:
            pass  # the thread ended while listed
    return names


def samplers(pid):
    return thread_names(pid).count(SAMPLER_NAME)


def wait_for_profile_after(session, at, timeout=20.0):
    """Reads frames until a `profile` frame sent after `at` (epoch seconds) plus two intervals has come:
    by then every sample taken before `at` has been handed over and sent."""
    interval = session.hello["server"]["interval"]
    session.next(lambda m: m["type"] == "profile" and m["at"] >= at + 2 * interval + 0.05, timeout)
    return session.frames


def workers_up(session, n, timeout=30.0):
    """The worker pids once `n` workers have each started their sampler."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = procfs.children(session.master)
        if len(pids) == n and all(samplers(p) == 1 for p in pids):
            return pids
        time.sleep(0.05)
    raise AssertionError("workers %s have samplers %s" % (
        sorted(procfs.children(session.master)),
        [samplers(p) for p in sorted(procfs.children(session.master))]))


def agent_files(found):
    """Frames from the agent's own package in the samples' stacks (there must be none)."""
    agent = os.sep + "gunicorn_live" + os.sep
    return sorted(set(f for s in found for f in s.stack if agent in f[0]))
