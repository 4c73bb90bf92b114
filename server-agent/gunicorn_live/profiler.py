"""The worker's stack sampler: one real OS thread (`gl-profiler`, also under gevent and eventlet) reads every
thread's current Python stack (sys._current_frames()) `hz` times a second, names the request each one
serves (inflight.py), marks it on-CPU when the thread's own CPU clock moved since its previous sample, and
counts distinct (method, route, stack) in a bounded table. Once per interval the same thread turns the
table into self-contained datagrams for the master (handoff.py `profile`) and starts a new one: one
writer, no lock, nothing on the request path.

Routes of samples without a request: `(idle)` on a thread that serves requests (the worker's main thread
for every class but gthread, gthread's pool threads, any thread a request was seen on), `(no request)` on
any other (gthread's main thread, the app's own threads). The agent's own threads are not sampled; its
frames (hooks, app wrappers) are cut out of the stacks, their time counting as their caller's."""
import os
import sys
import time

from . import handoff, osthread, profiles
from .inflight import NAMES, request_of
from .log import once

IDLE = ("", profiles.IDLE_ROUTE)
NO_REQUEST = ("", profiles.NO_REQUEST_ROUTE)
# How long a worker's exit waits for the sampler's last shipment (a sleep of one period, then one ship).
STOP_WAIT = 0.5
# Distinct (method, route, stack) kept per interval; samples beyond it count as truncated.
MAX_ENTRIES = 1000
# Frames walked per thread and sample at most (CPython's default recursion limit is 1000).
MAX_WALK = 2000
# A stack deeper than the protocol's bound keeps its outermost frames (a flame graph's roots) and its
# innermost (where the time goes), with this frame between them standing for the ones cut.
CUT_FRAME = ("", 0, "(frames cut)")
KEEP_OUTER = profiles.MAX_STACK_DEPTH // 2
KEEP_INNER = profiles.MAX_STACK_DEPTH - KEEP_OUTER - 1
# Each datagram stays far below the socket's limit: the workers share one send buffer of ~200 KiB.
DATAGRAM_BYTES = 48 * 1024
# A datagram the master's socket cannot take yet is tried again this often, this far apart.
SEND_TRIES = 20
SEND_PAUSE = 0.005
# A code object whose samples are dropped (an agent thread's entry), as codes' cache marks it.
DROP = 2
# Code objects whose (file, function) are remembered; the cache starts over past this.
MAX_CODES = 20000
_AGENT_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_getcpuclockid = getattr(time, "pthread_getcpuclockid", None)
_clock_gettime = getattr(time, "clock_gettime", None)


# What a thread's CPU clock did since its previous sample.
MOVED, STILL, UNKNOWN = 1, 0, -1


class CpuClocks(object):
    """Each thread's own CPU clock, read from the sampler's thread: did it move since the last read?
    A thread whose clock cannot be read counts as waiting (UNKNOWN)."""

    def __init__(self):
        self.clocks = {}  # ident → [clock id or None, last reading]

    def _open(self, ident):
        try:
            clock = _getcpuclockid(ident)
            return [clock, _clock_gettime(clock)]
        except (OSError, TypeError, ValueError, OverflowError):
            return [None, 0.0]

    def moved(self, ident):
        entry = self.clocks.get(ident)
        if entry is None:
            self.clocks[ident] = self._open(ident)
            return UNKNOWN  # no earlier reading to compare with
        clock = entry[0]
        if clock is None:
            return UNKNOWN
        try:
            now = _clock_gettime(clock)
        except OSError:
            # The thread this clock measured is gone and a new one has its ident: read the new one's.
            self.clocks[ident] = self._open(ident)
            return UNKNOWN
        if now > entry[1]:
            entry[1] = now
            return MOVED
        return STILL

    def keep(self, idents):
        if len(self.clocks) > len(idents):
            for ident in [i for i in self.clocks if i not in idents]:
                del self.clocks[ident]


class Profiler(object):
    def __init__(self, pid, hz, interval, routes, sender, main_serves, pool=lambda: (), skip=(), drop=()):
        """`main_serves`: the worker's main thread serves requests (all classes but gthread); `pool`: a
        callable naming the idents of the worker's request threads (gthread's pool); `skip`: idents of
        other agent threads not started by osthread (the flusher); `drop`: code objects of agent threads
        that may run as greenlets on a request thread (the flusher under gevent): samples with them go."""
        self.pid = pid
        self.hz = float(hz)
        self.interval = max(float(interval), 1.0 / self.hz)
        self.routes = routes
        self.sender = sender
        self.pool = pool
        self.skip = set(i for i in skip if i is not None)
        self.drop = frozenset(drop)
        self.main = osthread.get_ident()  # made in post_worker_init, on the worker's main thread
        self.main_serves = main_serves
        self.serving = set([self.main]) if main_serves else set()
        self.clocks = CpuClocks()
        self.table = {}
        # ident → the counts its previous sample went to in this table: a thread that has not run since
        # (its CPU clock is still) has the same stack and request, so its sample needs no walk.
        self.last = {}
        self.truncated = 0
        self.codes = {}
        self.stacks = {}  # [code, line, …] → its resolved stack (or None: dropped)
        self.stopping = False
        self.samples = 0
        # Held while the sampler runs: stop() waits on it so the last interval ships before the worker exits.
        self._running = osthread.allocate_lock()

    def start(self):
        if _getcpuclockid is None or _clock_gettime is None or not hasattr(sys, "_current_frames"):
            once("profiler-platform", "this Python cannot read threads' CPU clocks or stacks; the profiler is off")
            return False
        self._refresh_pool()
        self._running.acquire()
        try:
            osthread.start("gl-profiler", self._run)
        except Exception:
            self._running.release()
            raise
        return True

    def stop(self, wait=STOP_WAIT):
        """Ends the sampler and waits (at most `wait` seconds) until it shipped what it holds: the worker is
        about to exit, and a daemon thread's last table would go with it."""
        self.stopping = True
        try:
            if self._running.acquire(True, wait):
                self._running.release()
        except Exception:
            pass

    def _run(self):
        try:
            self._loop()
        finally:
            self._running.release()

    def _loop(self):
        try:
            period = 1.0 / self.hz
            sleep = osthread.original_sleep()
            now = time.monotonic()
            next_sample, next_ship = now + period, now + self.interval
            while not self.stopping:
                delay = next_sample - time.monotonic()
                if delay > 0:
                    sleep(delay)
                self.sample()
                now = time.monotonic()
                next_sample += period
                if next_sample < now:  # fell behind (a busy machine): skip, never catch up in a burst
                    next_sample = now + period
                if now >= next_ship:
                    self.ship()
                    next_ship = max(next_ship + self.interval, now)
            self.ship()
        except Exception:
            once("profiler", "the profiler failed and stopped; the worker and its requests are unaffected",
                 exc_info=True)

    def sample(self):
        """One sample of every thread but the agent's."""
        frames = sys._current_frames()
        agent, skip, serving = osthread.AGENT_THREADS, self.skip, self.serving
        table, moved, names, routes, last = self.table, self.clocks.moved, NAMES, self.routes, self.last
        known = self.clocks.clocks
        for ident, frame in frames.items():
            if ident in agent or ident in skip:
                continue
            if ident not in known:
                self._refresh_pool()  # a new thread: gthread's pool may have grown
            cpu = moved(ident)
            if cpu == STILL:
                counts = last.get(ident)
                if counts is not None:
                    counts[0] += 1
                    continue
            key = []
            found = None
            walked = 0
            while frame is not None and walked < MAX_WALK:
                code = frame.f_code
                if found is None and code.co_name in names:
                    found = frame
                key.append(code)
                key.append(frame.f_lineno)
                frame = frame.f_back
                walked += 1
            request = request_of(found, routes) if found is not None else None
            if request is not None:
                route = (request.method, request.route)
                serving.add(ident)
            else:
                route = IDLE if ident in serving else NO_REQUEST
            entry_key = (route, tuple(key))
            counts = table.get(entry_key)
            if counts is None:
                if len(table) >= MAX_ENTRIES:
                    self.truncated += 1
                    last.pop(ident, None)
                    continue
                counts = table[entry_key] = [0, 0]
            counts[0] += 1
            if cpu == MOVED:
                counts[1] += 1
            last[ident] = counts
        self.samples += 1
        self.clocks.keep(frames)
        if len(last) > len(frames):
            for ident in [i for i in last if i not in frames]:
                del last[ident]
        if len(serving) > len(frames):  # threads gone (their idents may come back for other threads)
            serving.intersection_update(frames)
            if self.main_serves:
                serving.add(self.main)

    def _refresh_pool(self):
        try:
            self.serving.update(i for i in self.pool() if i is not None)
        except Exception:
            pass  # a Gunicorn whose pool looks different: its threads are found by their requests

    def ship(self):
        """Hands the interval's table to the master and starts a new one. A datagram the master's queue
        cannot take within SEND_TRIES is lost: its samples count as truncated in the next."""
        table, truncated = self.table, self.truncated
        self.table, self.truncated, self.last = {}, 0, {}
        self._refresh_pool()
        if len(self.codes) > MAX_CODES:
            self.codes, self.stacks = {}, {}
        items = []
        stacks = self.stacks
        if len(stacks) > MAX_CODES // 4:
            stacks = self.stacks = {}
        for (route, key), (wall, cpu) in table.items():
            # The same stacks come back interval after interval (a loop's lines, a wait): resolved once.
            stack = stacks.get(key, False)
            if stack is False:
                stack = stacks[key] = self.resolve(key)
            if stack:
                items.append((self.pid, route[0], route[1], stack, wall, cpu))
        chunks = profiles.pack(items, DATAGRAM_BYTES)
        if not chunks and not truncated:
            return
        for n, tables in enumerate(chunks or [profiles.ProfileTables()]):
            message = handoff.profile(self.pid, tables.frame_list(), tables.stack_list(),
                                      [[method, route, stack, counts[0], counts[1]]
                                       for (_, method, route, stack), counts in tables.samples.items()],
                                      truncated if n == 0 else 0)
            if not self._send(message):
                self.truncated += sum(c[0] for c in tables.samples.values()) + (truncated if n == 0 else 0)

    def _send(self, message):
        # The workers share one socket buffer and the master drains it as it can: wait a little for room.
        for _ in range(SEND_TRIES):
            if handoff.send(self.sender, message):
                return True
            osthread.sleep(SEND_PAUSE)
        return False

    def resolve(self, key):
        """[code, line, code, line, …] innermost first → (file, line, function) outermost first, the agent's
        frames cut out; None for a sample of the agent's own code (`drop`)."""
        codes, drop = self.codes, self.drop
        stack = []
        append = stack.append
        for i in range(len(key) - 2, -1, -2):
            code = key[i]
            where = codes.get(code)
            if where is None:
                # 3.11+ knows the qualified name (Class.method); older Pythons only the bare one.
                name = getattr(code, "co_qualname", None) or code.co_name
                where = codes[code] = (code.co_filename[:4096], name[:512],
                                       DROP if code in drop else code.co_filename.startswith(_AGENT_DIR))
            cut = where[2]
            if cut:
                if cut == DROP:
                    return None
                continue
            append((where[0], key[i + 1] or 0, where[1]))
        if len(stack) > profiles.MAX_STACK_DEPTH:
            stack = stack[:KEEP_OUTER] + [CUT_FRAME] + stack[-KEEP_INNER:]
        return stack
