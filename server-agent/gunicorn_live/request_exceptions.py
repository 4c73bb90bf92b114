"""Exceptions that failed requests, from the worker that saw them to the hub's request_exception events
(protocol 1.3), each distinct one counted rather than resent.

Where they are seen: the exception a framework caught and answered 500 for (Flask's and Django's
got_request_exception signals, frameworks.py), or the one the app raised into Gunicorn (post_request,
hotpath.py; the app wrappers, recorder.py) — the exception that reached the framework or server, so a
chained exception is reported as its outermost one. Not a logging.Handler: the frameworks' log records
depend on the user's logging configuration (a Django LOGGING dict, a silenced app logger) and carry no
route, while these hooks see every failed request once, with its route.

Worker (ExceptionLog): on the request's thread, only the traceback's frames are read (no formatting,
no I/O) and one dict entry is counted; the flusher hands each distinct exception to the master once per
interval with its count. Master (ExceptionTable): merges the workers' reports and emits an exception's
first sight at the next tick, its repeats at most every REPEAT_SECONDS as one event with their count."""
import time
from collections import OrderedDict

from . import frameworks, stacks
from .routes import method_label

# Distinct exceptions a worker holds between two flushes; more are counted as `dropped` only.
MAX_PENDING = 32
# Traceback entries read per exception at most (a deep recursion is cut at its inner end).
MAX_WALK = 1024
# Distinct exceptions the master remembers (the least recently seen is forgotten first).
MAX_KNOWN = 256
# An exception seen again is reported again at most this often, with the count since its last event.
REPEAT_SECONDS = 10.0


class ExceptionLog(object):
    """A worker's exceptions since its last flush: (exception, frames, method, route) → [count, at]."""

    def __init__(self, routes=None):
        self.routes = routes
        self.pending = {}
        self.dropped = 0

    def note(self, exc, method, route):
        """On the request's thread, for a failed request only. Never raises."""
        try:
            if isinstance(exc, StopIteration):
                exc = exc.__context__  # Gunicorn's way to close the connection after the app's exception
                if exc is None:
                    return
            frames = _frames(exc.__traceback__)
            key = (frameworks.describe(exc), frames, method, route)
            entry = self.pending.get(key)
            if entry is not None:
                entry[0] += 1
                entry[1] = time.time()
            elif len(self.pending) < MAX_PENDING:
                self.pending[key] = [1, time.time()]
            else:
                self.dropped += 1
        except Exception:
            pass  # an exception without a usable traceback: the request still counts as an exception

    def take(self):
        """What was noted since the last call: [(exception, frames, method, route, count, at)].
        A count a request thread adds while the dict is swapped may be lost (no lock on the request path)."""
        pending, self.pending = self.pending, {}
        return [key + (entry[0], entry[1]) for key, entry in pending.items()]


def _frames(tb):
    """((file, line, function), …) of a traceback, outermost first, the agent's own frames left out,
    the innermost stacks.MAX_FRAMES kept."""
    out = []
    while tb is not None and len(out) < MAX_WALK:
        frame = tb.tb_frame
        if not stacks.agent_frame(frame):
            out.append((frame.f_code.co_filename, tb.tb_lineno, frame.f_code.co_name))
        tb = tb.tb_next
    return tuple(out[-stacks.MAX_FRAMES:])


# This worker's log (set in post_fork); None in the master and in an inert agent.
log = None


def note(exc, method, route):
    """An exception that failed a request labelled (method, route) as its request group is."""
    current = log
    if current is not None and exc is not None:
        current.note(exc, method, route)


def note_environ(exc, environ):
    """An exception a framework caught (its signal, frameworks.py): labelled from the WSGI environ, as
    post_request will label the request. Never raises."""
    current = log
    if current is None or exc is None or current.routes is None:
        return
    try:
        path = environ.get("PATH_INFO") or "/"
        route = environ.get(frameworks.ROUTE_KEY)
        label = current.routes.route(path) if route is None else current.routes.admit(route, path)
        current.note(exc, method_label(environ.get("REQUEST_METHOD")), label)
    except Exception:
        pass  # a strange environ: the request still counts as an exception


class ExceptionTable(object):
    """The master's view: each distinct exception with the occurrences not yet reported."""

    def __init__(self, repeat_seconds=REPEAT_SECONDS, limit=MAX_KNOWN):
        self.repeat_seconds = repeat_seconds
        self.limit = limit
        # key → [pending count, latest at, latest pid, monotonic time of the last event or None]
        self.known = OrderedDict()

    def absorb(self, pid, message):
        frames = tuple((str(f[0]), int(f[1]), str(f[2])) for f in message["stack"])
        key = (str(message["exception"]), frames, str(message["method"]), str(message["route"]))
        count = int(message["count"])
        if count <= 0:
            return
        entry = self.known.get(key)
        if entry is None:
            if len(self.known) >= self.limit and not self._forget_one():
                return  # every known exception still has occurrences to report: this one waits for room
            entry = self.known[key] = [0, 0.0, pid, None]
        else:
            self.known.move_to_end(key)
        entry[0] += count
        entry[1] = max(entry[1], float(message["at"]))
        entry[2] = pid

    def _forget_one(self):
        for key, entry in self.known.items():
            if entry[0] == 0:
                del self.known[key]
                return True
        return False

    def due(self, now):
        """[(pid, method, route, exception, frames, count, at)] to report now (`now`: monotonic)."""
        out = []
        for key, entry in self.known.items():
            if entry[0] and (entry[3] is None or now - entry[3] >= self.repeat_seconds):
                exception, frames, method, route = key
                out.append((entry[2], method, route, exception, frames, entry[0], entry[1]))
                entry[0] = 0
                entry[3] = now
        return out
