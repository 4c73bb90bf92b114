"""Worker side (post_fork … worker_exit): count each request in memory (recorder.py) and hand the totals
to the master at most once per interval from a background thread. How requests are seen depends on the
worker class: Gunicorn's request hooks, or a wrapper around the app for classes that never call them."""
import os
import sys
import threading
import time
from threading import get_ident
from time import perf_counter

from . import compat, debugger, frameworks, handoff, inflight, request_exceptions, stacks
from .log import forget_after_fork, once
from .recorder import Recorder
from .routes import RouteTable, method_label
from .exphist import to_wire
from .stats import NO_MIN, RequestStats
from .watchdog import Watchdog
from .wrappers import wrap_asgi, wrap_wsgi


# Stats groups per datagram: keeps each well under the socket's datagram limit.
CHUNK = 100
# Classes (by MRO name) that call pre_request/post_request; the first two run one request per thread.
THREADED_CLASSES = ("gunicorn.workers.sync.SyncWorker", "gunicorn.workers.gthread.ThreadWorker")
# ... and these serve every request from the worker's main OS thread (greenlets and event loops included).
SINGLE_THREAD_CLASSES = ("gunicorn.workers.sync.SyncWorker", "gunicorn.workers.base_async.AsyncWorker",
                         "gunicorn.workers.gasgi.ASGIWorker")
HOOKED_CLASSES = THREADED_CLASSES + SINGLE_THREAD_CLASSES[1:]
TORNADO_CLASS = "gunicorn.workers.gtornado.TornadoWorker"
ASGI_CLASS = "gunicorn.workers.gasgi.ASGIWorker"


class WorkerSide(object):
    """What this process knows as a Gunicorn worker; all None in the master (and in an inert agent)."""
    __slots__ = ("inherited", "agent", "recorder")

    def __init__(self):
        self.forget(None)

    def forget(self, inherited):
        # (sending end, settings, scoreboard) handed over by the master's at-fork handler, before
        # post_fork runs.
        self.inherited = inherited
        # This worker's WorkerAgent, made in post_fork.
        self.agent = None
        # The recorder Gunicorn's request hooks feed (hooks.py reads it); None where a wrapper observes
        # the worker class's requests instead.
        self.recorder = None


state = WorkerSide()


def inherit(sender, settings, scoreboard):
    """Called in every forked child before any Gunicorn code runs there."""
    state.forget((sender, settings, scoreboard))
    request_exceptions.log = None


def current():
    return state.agent


def _class_names(worker):
    return [c.__module__ + "." + c.__name__ for c in type(worker).__mro__]


def _pool_threads(worker):
    """The idents of gthread's request threads (its ThreadPoolExecutor's), as far as they exist yet."""
    pool = getattr(worker, "tpool", None)
    return [t.ident for t in list(getattr(pool, "_threads", None) or ())]


class WorkerAgent(object):
    def __init__(self, sender, settings, worker, board=None):
        self.pid = os.getpid()
        self.sender = sender
        self.interval = settings.interval
        self.stats = RequestStats()
        self.routes = RouteTable()
        names = _class_names(worker)
        self.threaded = any(n in THREADED_CLASSES for n in names)
        single = any(n in SINGLE_THREAD_CLASSES for n in names) and "gunicorn.workers.gthread.ThreadWorker" not in names
        self.recorder = Recorder(self.stats, self.routes, self.threaded, single_thread=single, board=board)
        self.exceptions = request_exceptions.ExceptionLog(self.routes)
        self.worker = worker
        self.settings = settings
        self.stopping = False
        self.thread = None
        self.watchdog = None
        self.profile_hz = getattr(settings, "profile_hz", None)
        self.profiler = None

    def report_spawn(self):
        handoff.send(self.sender, handoff.spawn(self.pid, time.time()))

    def attach(self):
        """After the app is loaded: hook into its framework, and pick how requests are observed. Returns
        the recorder for Gunicorn's request hooks, or None when a wrapper observes them instead."""
        frameworks.install()
        names = _class_names(self.worker)
        if any(n.startswith("uvicorn") for n in names):
            self._wrap(wrap_asgi)
            return None
        if ASGI_CLASS in names:
            # Gunicorn's own ASGI worker (24.0+) calls the request hooks, but with environ and resp None
            # unless access logging is on, and with request objects that take no attribute (__slots__):
            # its requests are counted around the app (ASGIWorker.asgi) instead.
            self._wrap(wrap_asgi, "asgi")
            return None
        if TORNADO_CLASS in names:
            app = compat.get_app(self.worker)
            tornado = sys.modules.get("tornado.web")
            if tornado is not None and isinstance(app, getattr(tornado, "Application", ())):
                once("tornado-native", "a native Tornado application is not WSGI; its requests are not counted")
                return None
            self._wrap(wrap_wsgi)
            return None
        if not any(n in HOOKED_CLASSES for n in names):
            once("worker-class", "worker class %s is not one gunicorn-live knows; its requests are counted "
                                 "only if it calls Gunicorn's pre_request/post_request hooks", names[0])
        return self.recorder

    def _wrap(self, wrapper, name="wsgi"):
        app = compat.get_app(self.worker, name)
        if app is None or getattr(app, "__name__", "").startswith("gunicorn_live"):
            return False  # nothing to wrap, or wrapped already
        return compat.set_app(self.worker, wrapper(app, self.recorder), name)

    def start_flusher(self):
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="gunicorn-live-flusher", daemon=True)
            self.thread.start()

    def start_watchdog(self):
        """The stuck-request watchdog (watchdog.py), unless GUNICORN_LIVE_STUCK_AFTER is off and the worker
        has no timeout. From post_worker_init: on the worker's main thread, the one its timeout watches."""
        timeout = compat.setting(getattr(self.worker, "cfg", None), "timeout")
        timeout = timeout if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) else None
        stuck_after = self.settings.stuck_seconds(timeout)
        if self.watchdog is None and (stuck_after or timeout):
            self.watchdog = Watchdog(self, stuck_after, timeout, greenlets=_greenlet_of_this_thread())
            self.watchdog.start()
    def start_profiler(self):
        """The stack sampler (profiler.py), unless GUNICORN_LIVE_PROFILE=off: after the worker class patched
        what it patches and the flusher started (so it can skip it)."""
        if self.profile_hz is None or self.profiler is not None:
            return
        try:
            from .profiler import Profiler
            gthread = "gunicorn.workers.gthread.ThreadWorker" in _class_names(self.worker)
            worker = self.worker
            self.profiler = Profiler(self.pid, self.profile_hz, self.interval, self.routes, self.sender,
                                     main_serves=not gthread, pool=lambda: _pool_threads(worker),
                                     skip=[getattr(self.thread, "ident", None)], drop=[WorkerAgent._run.__code__])
            self.profiler.start()
        except Exception:
            once("profiler-start", "the profiler could not start; requests are still counted", exc_info=True)

    def _run(self):
        while not self.stopping:
            time.sleep(self.interval)
            try:
                self.flush()
            except Exception:
                once("flush", "the worker could not hand its counts to the master; it retries every interval",
                     exc_info=True)

    def flush(self):
        """Sends the groups that moved since the last successful send, as cumulative totals, with the
        worker's request count, what is in flight now, client disconnects and the new examples. A failed
        send is retried next time (examples excepted: they are samples, not totals)."""
        self.flush_exceptions()
        merged, completed, disconnects = self.stats.totals(new_range=True)
        count, oldest = self.stats.in_flight()
        in_flight = handoff.ABSENT
        if self.threaded:
            in_flight = None
            if oldest is not None:
                req, since = oldest
                path = getattr(req, "path", None) or "/"
                in_flight = [str(getattr(req, "method", "") or "")[:32], self.routes.known(path),
                             time.time() - (perf_counter() - since)]
        running = self.running(sys._current_frames()) if self.threaded else handoff.ABSENT
        examples = [list(e) for e in self.stats.take_examples()]
        changed = self.stats.changed(merged)
        chunks = [changed[i:i + CHUNK] for i in range(0, len(changed), CHUNK)] or [[]]
        for n, chunk in enumerate(chunks):
            message = handoff.stats(self.pid, completed, count, disconnects,
                                    [[k[0], k[1], k[2], g[0], g[1], g[2], g[3], None if g[4] == NO_MIN else g[4], g[5],
                                      to_wire(g[6])] for k, g in chunk],
                                    in_flight, examples if n == 0 else None, running,
                                    isinstance(self.recorder.starts, memoryview))
            if not handoff.send(self.sender, message):
                return False
            self.stats.mark_sent(chunk)
        return True

    def flush_exceptions(self):
        """Each distinct exception noted since the last flush, with its count (lost if the send fails:
        the request groups still count them)."""
        for description, frames, method, route, count, at in self.exceptions.take():
            handoff.send(self.sender, handoff.exception(self.pid, description, frames, method, route, count, at))

    def running(self, frames=None, take=False):
        """[method, route, start (perf_counter)] of each request a sync/gthread thread has in flight, at most
        MAX_RUNNING: what the master counts as aborted if the worker dies with them. `frames`
        (sys._current_frames()) names a request by its stack, so a framework's route template counts;
        `take` also forgets them, so post_request, should it still run, does not count them too."""
        out = []
        for ident, tally in list(self.stats._tallies.items())[:handoff.MAX_RUNNING]:
            req, since = tally.current, tally.since
            if req is None:
                continue
            named = inflight.request_of(frames[ident], self.routes) if frames and ident in frames else None
            if named is None or named.key != id(req):
                named = inflight.InFlight(method_label(getattr(req, "method", "") or ""),
                                          self.routes.known(getattr(req, "path", None) or "/"), since, id(req))
            out.append([named.method, named.route, since])
            if take:
                tally.current = None
        return out

    def stuck_stack(self):
        """The Python frames of the request in flight (outermost first, the agent's own cut off), read when
        the master's abort arrives: the thread with a request in flight, past the signal handler that
        interrupted it."""
        frames = sys._current_frames()
        # get_ident as bound at import, before gevent patches `threading` (patched, it names the greenlet):
        # the OS thread's id, as sys._current_frames() and the tallies key it.
        me = get_ident()
        busy = self.stats.busy_threads()
        ident = busy[0] if busy else threading.main_thread().ident
        frame = frames.get(ident)
        if ident == me:
            probe = sys._getframe(1)
            while probe is not None and probe.f_code.co_name != "handle_abort":
                probe = probe.f_back
            if probe is None:
                once("no-handle-abort", "the worker's abort handler is not Worker.handle_abort here; timeouts "
                                        "are reported without the stuck request's stack")
            frame = probe.f_back if probe is not None else None
        return stacks.of_frame(frame)


def _greenlet_of_this_thread():
    """The greenlet running now (the worker's main greenlet, in post_worker_init) where greenlets serve the
    requests (gevent, eventlet), else None."""
    greenlet = sys.modules.get("greenlet")
    getcurrent = getattr(greenlet, "getcurrent", None)
    if getcurrent is None or not any(m in sys.modules for m in ("gevent", "eventlet")):
        return None
    try:
        return getcurrent()
    except Exception:
        return None


# ---- hooks (worker process) ------------------------------------------------------------------

def post_fork(server, worker):
    forget_after_fork()
    # Before anything else: a worker under debugpy gets what its debugger lacks after the fork.
    debugger.after_fork(worker)
    if state.inherited is None:
        return
    sender, settings, scoreboard = state.inherited
    state.agent = WorkerAgent(sender, settings, worker, scoreboard.claim(worker, os.getpid()))
    request_exceptions.log = state.agent.exceptions
    state.agent.report_spawn()


def post_worker_init(worker):
    # After the worker class has patched what it patches (gevent/eventlet) and loaded the app, so the
    # flusher is native to it and the app can be wrapped.
    agent = state.agent
    if agent is not None:
        state.recorder = agent.attach()
        agent.start_flusher()
        agent.start_watchdog()
        agent.start_profiler()


def pre_request(worker, req):
    recorder = state.recorder
    if recorder is not None:
        recorder.begin(req)


def post_request(worker, req, environ, resp):
    recorder = state.recorder
    if recorder is not None:
        recorder.end(req, environ, resp)


def worker_abort(worker):
    agent = state.agent
    if agent is None:
        return
    # The master's timeout: the requests in flight end here, counted by the master as aborted (with their real
    # durations, up to the worker's death) rather than by post_request as the app's SystemExit.
    running = agent.running(sys._current_frames(), take=True) if agent.threaded else None
    handoff.send(agent.sender, handoff.abort(agent.pid, agent.stuck_stack(), running))


def worker_exit(server, worker):
    agent = state.agent
    if agent is None or os.getpid() != agent.pid:
        return
    agent.stopping = True
    if agent.profiler is not None:
        agent.profiler.stop()
    # A worker that never booted (its app would not load) counted nothing: a report would make the master
    # show it idle, as if it had served.
    if agent.thread is not None:
        agent.flush()
    counted = agent.stats.totals()[1]
    handoff.send(agent.sender, handoff.exiting(agent.pid, compat.max_requests_reached(worker, counted)))
