"""Worker side (post_fork … worker_exit): count each request in memory — arithmetic only, no I/O, no
locks — and hand the totals to the master at most once per interval from a background thread."""
import os
import sys
import threading
import time
import traceback
from time import perf_counter

from . import handoff
from .log import forget_after_fork
from .routes import RouteTable, method_label
from .stats import RequestStats

# Set in the child by the master's at-fork handler: the inherited sending end and the settings.
_inherited = None
# This worker's agent, made in post_fork.
_agent = None

START = "_gunicorn_live_t0"
# Stats groups per datagram: keeps each well under the socket's datagram limit.
CHUNK = 100
MAX_STACK_FRAMES = 64


def inherit(sender, settings):
    """Called in every forked child before any Gunicorn code runs there."""
    global _inherited, _agent
    _inherited = (sender, settings)
    _agent = None


def current():
    return _agent


class WorkerAgent(object):
    def __init__(self, sender, settings, worker):
        self.pid = os.getpid()
        self.sender = sender
        self.interval = settings.interval
        self.stats = RequestStats(settings.buckets)
        self.routes = RouteTable()
        self.worker = worker
        self.stopping = False
        self.thread = None

    def report_spawn(self):
        handoff.send(self.sender, {"k": "spawn", "pid": self.pid, "at": time.time()})

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
        """Sends the groups that moved since the last successful send, as cumulative totals, plus the
        worker's request count and in-flight requests. A failed send is retried next time."""
        merged, started, finished = self.stats.totals()
        changed = self.stats.changed(merged)
        head = {"k": "stats", "pid": self.pid, "nr": finished, "inFlight": max(0, started - finished)}
        chunks = [changed[i:i + CHUNK] for i in range(0, len(changed), CHUNK)] or [[]]
        for chunk in chunks:
            message = dict(head, g=[[k[0], k[1], k[2]] + g for k, g in chunk])
            if not handoff.send(self.sender, message):
                return False
            self.stats.mark_sent(chunk)
        return True

    def stuck_stack(self):
        """The Python frames of the request in flight (outermost first), read when the master's abort
        arrives: the thread with a request in flight, past the signal handler that interrupted it."""
        frames = sys._current_frames()
        me = threading.get_ident()
        busy = [ident for ident, tally in list(self.stats._tallies.items()) if tally.started > tally.finished]
        ident = busy[0] if busy else threading.main_thread().ident
        frame = frames.get(ident)
        if ident == me:
            probe = sys._getframe(1)
            while probe is not None and probe.f_code.co_name != "handle_abort":
                probe = probe.f_back
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
    # After the worker class has patched what it patches (gevent/eventlet), so the flusher is native to it.
    if _agent is not None:
        _agent.start_flusher()


def pre_request(worker, req):
    agent = _agent
    if agent is None:
        return
    setattr(req, START, perf_counter())
    agent.stats.started()


def post_request(worker, req, environ, resp):
    agent = _agent
    if agent is None:
        return
    started = getattr(req, START, None)
    if started is None:
        return
    seconds = perf_counter() - started
    status = getattr(resp, "status_code", None) if resp is not None else None
    if not isinstance(status, int):
        # No start_response (the app raised before it): Gunicorn answers 500.
        status = _status_code(getattr(resp, "status", None))
    nbytes = getattr(resp, "sent", 0) if resp is not None else 0
    agent.stats.finished(method_label(req.method), agent.routes.route(req.path), status, seconds,
                         nbytes if isinstance(nbytes, int) else 0)


def _status_code(status):
    if isinstance(status, int):
        return status
    try:
        return int(str(status).split(None, 1)[0])
    except (ValueError, IndexError):
        return 500


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
    max_requests = getattr(worker, "max_requests", None)
    handoff.send(agent.sender, {"k": "exit", "pid": agent.pid,
                                "maxRequests": bool(max_requests and getattr(worker, "nr", 0) >= max_requests)})
