"""Worker side (post_fork … worker_exit): count each request in memory (recorder.py) and hand the totals
to the master at most once per interval from a background thread. How requests are seen depends on the
worker class: Gunicorn's request hooks, or a wrapper around the app for classes that never call them."""
import os
import sys
import threading
import time
import traceback
from time import perf_counter

from . import compat, frameworks, handoff
from .log import forget_after_fork, once
from .recorder import Recorder
from .routes import RouteTable
from .exphist import to_wire
from .stats import RequestStats
from .wrappers import wrap_asgi, wrap_wsgi

# Set in the child by the master's at-fork handler: the inherited sending end and the settings.
_inherited = None
# This worker's agent, made in post_fork.
_agent = None
# The recorder Gunicorn's request hooks feed; None where the worker class is observed by a wrapper.
_hooked = None

# Stats groups per datagram: keeps each well under the socket's datagram limit.
CHUNK = 100
MAX_STACK_FRAMES = 64
# Classes (by MRO name) that call pre_request/post_request; the first two run one request per thread.
THREADED_CLASSES = ("gunicorn.workers.sync.SyncWorker", "gunicorn.workers.gthread.ThreadWorker")
# ... and these serve every request from the worker's main OS thread (greenlets and event loops included).
SINGLE_THREAD_CLASSES = ("gunicorn.workers.sync.SyncWorker", "gunicorn.workers.base_async.AsyncWorker",
                         "gunicorn.workers.gasgi.ASGIWorker")
HOOKED_CLASSES = THREADED_CLASSES + SINGLE_THREAD_CLASSES[1:]
TORNADO_CLASS = "gunicorn.workers.gtornado.TornadoWorker"


def inherit(sender, settings):
    """Called in every forked child before any Gunicorn code runs there."""
    global _inherited, _agent, _hooked
    _inherited = (sender, settings)
    _agent = None
    _hooked = None


def current():
    return _agent


def _class_names(worker):
    return [c.__module__ + "." + c.__name__ for c in type(worker).__mro__]


class WorkerAgent(object):
    def __init__(self, sender, settings, worker):
        self.pid = os.getpid()
        self.sender = sender
        self.interval = settings.interval
        self.stats = RequestStats()
        self.routes = RouteTable()
        names = _class_names(worker)
        self.threaded = any(n in THREADED_CLASSES for n in names)
        single = any(n in SINGLE_THREAD_CLASSES for n in names) and "gunicorn.workers.gthread.ThreadWorker" not in names
        self.recorder = Recorder(self.stats, self.routes, self.threaded, single_thread=single)
        self.worker = worker
        self.stopping = False
        self.thread = None

    def report_spawn(self):
        handoff.send(self.sender, {"k": "spawn", "pid": self.pid, "at": time.time()})

    def attach(self):
        """After the app is loaded: hook into its framework, and pick how requests are observed. Returns
        the recorder for Gunicorn's request hooks, or None when a wrapper observes them instead."""
        frameworks.install()
        names = _class_names(self.worker)
        if any(n.startswith("uvicorn") for n in names):
            self._wrap(wrap_asgi)
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

    def _wrap(self, wrapper):
        app = compat.get_app(self.worker)
        if app is None or getattr(app, "__name__", "").startswith("gunicorn_live"):
            return False  # nothing to wrap, or wrapped already
        return compat.set_app(self.worker, wrapper(app, self.recorder))

    def start_flusher(self):
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="gunicorn-live-flusher", daemon=True)
            self.thread.start()

    def _run(self):
        while not self.stopping:
            time.sleep(self.interval)
            try:
                self.flush()
            except Exception:
                pass  # the next flush carries cumulative totals

    def flush(self):
        """Sends the groups that moved since the last successful send, as cumulative totals, with the
        worker's request count, what is in flight now, client disconnects and the new examples. A failed
        send is retried next time (examples excepted: they are samples, not totals)."""
        merged, completed, disconnects = self.stats.totals(new_range=True)
        count, oldest = self.stats.in_flight()
        head = {"k": "stats", "pid": self.pid, "nr": completed, "ic": count, "cd": disconnects}
        if self.threaded:
            head["fl"] = None
            if oldest is not None:
                req, since = oldest
                path = getattr(req, "path", None) or "/"
                head["fl"] = [str(getattr(req, "method", "") or "")[:32], self.routes.known(path),
                              time.time() - (perf_counter() - since)]
        examples = self.stats.take_examples()
        if examples:
            head["ex"] = [list(e) for e in examples]
        changed = self.stats.changed(merged)
        chunks = [changed[i:i + CHUNK] for i in range(0, len(changed), CHUNK)] or [[]]
        for n, chunk in enumerate(chunks):
            message = dict(head, g=[[k[0], k[1], k[2], g[0], g[1], g[2], g[3], g[4], to_wire(g[5])] for k, g in chunk])
            if n:
                message.pop("ex", None)
            if not handoff.send(self.sender, message):
                return False
            self.stats.mark_sent(chunk)
        return True

    def stuck_stack(self):
        """The Python frames of the request in flight (outermost first), read when the master's abort
        arrives: the thread with a request in flight, past the signal handler that interrupted it."""
        frames = sys._current_frames()
        me = threading.get_ident()
        busy = [ident for ident, tally in list(self.stats._tallies.items())
                if tally.current is not None or tally.started > tally.completed()]
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
        if frame is None:
            return []
        summary = traceback.StackSummary.extract(traceback.walk_stack(frame), limit=MAX_STACK_FRAMES,
                                                 lookup_lines=False)
        return [{"file": f.filename, "line": f.lineno or 0, "function": f.name} for f in reversed(summary)]


# ---- hooks (worker process) ------------------------------------------------------------------

def post_fork(server, worker):
    global _agent
    forget_after_fork()
    if _inherited is None:
        return
    sender, settings = _inherited
    _agent = WorkerAgent(sender, settings, worker)
    _agent.report_spawn()


def post_worker_init(worker):
    # After the worker class has patched what it patches (gevent/eventlet) and loaded the app, so the
    # flusher is native to it and the app can be wrapped.
    global _hooked
    agent = _agent
    if agent is not None:
        _hooked = agent.attach()
        agent.start_flusher()


def pre_request(worker, req):
    recorder = _hooked
    if recorder is not None:
        recorder.begin(req)


def post_request(worker, req, environ, resp):
    recorder = _hooked
    if recorder is not None:
        recorder.end(req, environ, resp)


def worker_abort(worker):
    agent = _agent
    if agent is None:
        return
    handoff.send(agent.sender, {"k": "abort", "pid": agent.pid, "stack": agent.stuck_stack()})


def worker_exit(server, worker):
    agent = _agent
    if agent is None or os.getpid() != agent.pid:
        return
    agent.stopping = True
    agent.flush()
    counted = agent.stats.totals()[1]
    handoff.send(agent.sender, {"k": "exit", "pid": agent.pid,
                                "maxRequests": compat.max_requests_reached(worker, counted)})
