"""The stuck-request watchdog, in every worker: a real OS thread (osthread.py, `gl-watchdog`) that looks at
the requests in flight about once a second, from outside the worker's own loop, so it still runs while a
request blocks that loop (sync, tornado, an event loop, a gevent hub) or hangs in a gthread pool thread.

- A request older than `stuck_after` seconds is reported once: a `stuck` handoff with its stack, which
  the master sends as a request_stuck event.
- A request blocking the worker's main thread for half the worker timeout has its stack sent every tick
  (`stack` handoff): the master attaches the latest to the worker's timeout exit, for the worker classes
  whose abort never reaches worker_abort (uvicorn's resets SIGABRT, the asgi worker's loop never runs its
  handler) — their stack has to leave before the kill.

Where the requests are, by worker class (nothing is added to the request path):
- sync, gthread: each request thread's tally holds its current request and start (stats.py);
- every other class: the request running on a thread now, named from its stack (inflight.py); the
  greenlets waiting meanwhile (gevent), from the pools of Gunicorn's gevent servers, found once on the
  worker's main greenlet (GeventWorker.run's `servers`); the asyncio tasks waiting (uvicorn, asgi), from
  the loop found on the main thread's stack. (eventlet: only the greenlet running.)"""
import sys
import time
from time import perf_counter

from . import handoff, inflight, osthread, stacks
from .log import once
from .routes import method_label

THREAD_NAME = "gl-watchdog"
# A request blocking the main thread this far into the worker timeout has its stack kept by the master.
TIMEOUT_FRACTION = 0.5
MAX_PERIOD = 1.0
MIN_PERIOD = 0.05
_LOOP_FRAMES = ("_run_once", "run_forever", "run_until_complete")


def period(stuck_after, timeout):
    """Seconds between looks: a quarter of the shortest threshold, at most one second."""
    shortest = min(x for x in (stuck_after, (timeout or 0) * TIMEOUT_FRACTION or None, MAX_PERIOD * 4) if x)
    return max(MIN_PERIOD, min(MAX_PERIOD, shortest / 4.0))


class Seen(object):
    """A request in flight as the watchdog saw it: what inflight.py named, its start (perf_counter), the
    frames of its stack (innermost frame, or a suspended task's await chain), and whether it runs on the
    worker's main thread now (the thread whose loop Gunicorn's timeout watches)."""
    __slots__ = ("named", "t0", "frame", "chain", "blocking")

    def __init__(self, named, t0, frame=None, chain=None, blocking=False):
        self.named = named
        self.t0 = t0
        self.frame = frame
        self.chain = chain
        self.blocking = blocking

    def stack(self):
        return stacks.of_frames(self.chain) if self.chain is not None else stacks.of_frame(self.frame)


class Watchdog(object):
    def __init__(self, agent, stuck_after, timeout, main_ident=None, greenlets=None):
        self.agent = agent
        self.stuck_after = stuck_after
        # Gunicorn's worker timeout (None or 0: none), for the stack kept for a timeout exit.
        self.timeout = timeout if timeout and timeout > 0 else None
        self.watch_after = min(x for x in (stuck_after, self.timeout and self.timeout * TIMEOUT_FRACTION,
                                           float("inf")) if x)
        self.period = period(stuck_after, self.timeout)
        self.main_ident = main_ident if main_ident is not None else osthread.get_ident()
        # (request key, start) of the requests reported stuck and still in flight: one event per request.
        self.reported = set()
        self.loop = None
        self.ident = None
        # gevent: the worker's main greenlet (`greenlets`), then the pools of its servers once found.
        self.main_greenlet = greenlets
        self.pools = None

    def start(self):
        return osthread.start(THREAD_NAME, self._run)

    def _run(self):
        self.ident = osthread.get_ident()
        while not self.agent.stopping:
            osthread.sleep(self.period)
            try:
                self.tick()
            except Exception:
                once("watchdog", "the stuck-request watchdog failed once (it keeps running)", exc_info=True)

    # ---- one look ---------------------------------------------------------------------------------

    def tick(self, now=None):
        """Reports what is stuck now; returns the requests it looked at (tests)."""
        now = perf_counter() if now is None else now
        seen = self.requests(now)
        keys = set()
        blocking = None
        for s in seen:
            elapsed = now - s.t0
            key = (s.named.key, s.t0)
            keys.add(key)
            if self.stuck_after is not None and elapsed >= self.stuck_after and key not in self.reported:
                self.reported.add(key)
                self.send(handoff.stuck(self.agent.pid, s.named.method, s.named.route, elapsed, s.stack(), time.time(),
                                        s.t0))
            if s.blocking and (blocking is None or s.t0 < blocking.t0):
                blocking = s
        if blocking is not None and self.timeout is not None and now - blocking.t0 >= self.timeout * TIMEOUT_FRACTION:
            self.send(handoff.stack(self.agent.pid, blocking.stack(),
                                    [blocking.named.method, blocking.named.route, blocking.t0]))
        self.reported &= keys
        return seen

    def send(self, message):
        return handoff.send(self.agent.sender, message)

    def requests(self, now):
        """Seen for every request in flight longer than watch_after."""
        since = now - self.watch_after
        frames = sys._current_frames()
        agent = self.agent
        if agent.threaded:
            return self._threads(frames, since)
        out = []
        routes = agent.routes
        for ident, frame in frames.items():
            if ident == self.ident:
                continue
            named = inflight.request_of(frame, routes)
            if named is not None and named.t0 is not None and named.t0 <= since:
                out.append(Seen(named, named.t0, frame=frame, blocking=ident == self.main_ident))
        running = set(s.named.key for s in out)
        out += self._greenlets(since, running)
        out += self._tasks(frames.get(self.main_ident), since, running)
        return out

    def _threads(self, frames, since):
        """sync and gthread: the tallies say which thread runs which request since when."""
        out = []
        routes = self.agent.routes
        for ident, tally in list(self.agent.stats._tallies.items()):
            req, t0 = tally.current, tally.since
            if req is None or t0 > since:
                continue
            frame = frames.get(ident)
            named = inflight.request_of(frame, routes) if frame is not None else None
            if named is None or named.key != id(req):
                # Between Gunicorn's pre_request and handle_request's frame (or no frame readable): the
                # request object itself still names it.
                named = inflight.InFlight(method_label(getattr(req, "method", "") or ""),
                                          routes.known(getattr(req, "path", None) or "/"), t0, id(req))
            out.append(Seen(named, t0, frame=frame, blocking=ident == self.main_ident))
        return out

    def _greenlets(self, since, running):
        """gevent: the greenlets of the servers' pools that wait (the running one's stack was read from its
        thread above); each names its request from its own frames (gr_frame)."""
        pools = self._pools()
        if not pools:
            return []
        out = []
        routes = self.agent.routes
        for pool in pools:
            for greenlet in list(getattr(pool, "greenlets", ())):
                frame = getattr(greenlet, "gr_frame", None)
                named = inflight.request_of(frame, routes) if frame is not None else None
                if named is None or named.t0 is None or named.t0 > since or named.key in running:
                    continue
                out.append(Seen(named, named.t0, frame=frame))
        return out

    def _pools(self):
        """The request pools of Gunicorn's gevent servers: the `servers` GeventWorker.run keeps (20.1 … 27),
        read on the main greenlet's suspended stack; found once."""
        if self.pools is not None or self.main_greenlet is None:
            return self.pools
        frame = getattr(self.main_greenlet, "gr_frame", None)  # None while the main greenlet runs
        depth = 0
        while frame is not None and depth < inflight.MAX_WALK:
            if frame.f_code.co_name == "run":
                servers = frame.f_locals.get("servers")
                if isinstance(servers, list):
                    self.pools = [s.pool for s in servers if getattr(s, "pool", None) is not None]
                    return self.pools
            frame = frame.f_back
            depth += 1
        return None

    def _tasks(self, main_frame, since, running):
        """uvicorn, asgi: the asyncio tasks of the main thread's loop that wait, each named by the agent's
        wrapper coroutine on its await chain."""
        loop = self._loop(main_frame)
        if loop is None:
            return []
        import asyncio
        try:
            tasks = asyncio.all_tasks(loop)
        except RuntimeError:
            return []  # the set changed under us too often: next tick
        out = []
        routes = self.agent.routes
        for task in tasks:
            chain = stacks.await_chain(task.get_coro())
            if not chain:
                continue  # done, or a task without a Python coroutine
            named = inflight.request_in(chain, routes)
            if named is None or named.t0 is None or named.t0 > since or named.key in running:
                continue
            out.append(Seen(named, named.t0, chain=chain))
        return out

    def _loop(self, frame):
        """The asyncio loop the main thread runs (found once on its stack: `self` of the loop's run
        methods), or None where there is none."""
        if self.loop is not None:
            return self.loop
        if "asyncio" not in sys.modules:
            return None
        import asyncio
        depth = 0
        while frame is not None and depth < inflight.MAX_WALK:
            if frame.f_code.co_name in _LOOP_FRAMES:
                candidate = frame.f_locals.get("self")
                if isinstance(candidate, asyncio.AbstractEventLoop):
                    self.loop = candidate
                    return candidate
            frame = frame.f_back
            depth += 1
        return None
