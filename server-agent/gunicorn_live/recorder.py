"""What the agent does for each request, in the worker: arithmetic and dict lookups only — no I/O, no
locks. Worker classes that call Gunicorn's pre_request/
post_request hooks (sync, gthread, gevent, eventlet, Gunicorn's own ASGI worker) get them from hotpath.py;
the app wrappers (wrappers.py, for tornado and uvicorn) call start/finish. Both decide a request's
outcome the same way (`outcome`)."""
import errno
import os
import time
from time import perf_counter

from . import frameworks, hotpath, request_exceptions, scoreboard
from .hotpath import SLOW_SECONDS
from .routes import UNMATCHED, method_label

_DISCONNECT_ERRNOS = frozenset((errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN))
# Where Gunicorn reads requests and writes responses: an OSError raised through here is the client's.
_GUNICORN_HTTP = os.sep + os.path.join("gunicorn", "http") + os.sep


class Recorder(object):
    def __init__(self, stats, routes, threaded, single_thread=False, board=None):
        self.stats = stats
        self.routes = routes
        # The worker's scoreboard slot (cells the master reads after the worker's death), or cells of
        # its own where it has none; `counts` holds the same numbers, so the slot is only ever written.
        self.board = scoreboard.unshared() if board is None else board
        self.counts = scoreboard.unshared()
        # sync and gthread run one request per thread at a time, so the thread's current request is known
        # and its start time lives in the thread's tally; async workers keep it on the request object.
        self.threaded = threaded
        # A sync or async worker serves every request from the thread that made this recorder: its tally
        # is fixed.
        self.main = stats.tally() if single_thread else None
        # A sync worker keeps its request's start in its slot's STARTED cell (scoreboard.py), so the master
        # knows a request it killed in flight, and since when; the others write cells of their own.
        self.starts = scoreboard.starts_of(board) if board is not None and threaded and single_thread else \
            scoreboard.starts_of(None)
        self._begin, self._end = hotpath.request_hooks(self, _nothing, None)

    def pre_request_hook(self, user_hook):
        """Gunicorn's pre_request for this worker: the agent's part, then the user's hook (None: none)."""
        return hotpath.request_hooks(self, user_hook, None)[0]

    def post_request_hook(self, user_hook):
        """Gunicorn's post_request for this worker; `user_hook` None when it is Gunicorn's no-op default."""
        return hotpath.request_hooks(self, _nothing, user_hook)[1]

    # The same, without user hooks (tests, and callers that have only the request).
    def begin(self, req):
        self._begin(None, req)

    def end(self, req, environ, resp):
        self._end(None, req, environ, resp)

    @staticmethod
    def outcome(exc):
        """None (no failure), False (the client went away) or the exception's description."""
        if isinstance(exc, StopIteration):
            # Gunicorn raises StopIteration to close the connection; after headers were sent, the app's
            # exception is its context.
            exc = exc.__context__
            if exc is None or isinstance(exc, StopIteration):
                return None
        if isinstance(exc, OSError) and exc.errno in _DISCONNECT_ERRNOS and _through_gunicorn_http(exc):
            return False
        return frameworks.describe(exc)

    # ---- app wrappers (tornado, uvicorn) ---------------------------------------------------------

    def count(self, cell):
        """One more in a scoreboard cell (what hotpath.py does inline)."""
        n = self.counts[cell] + 1
        self.counts[cell] = n
        self.board[cell] = n

    def start(self):
        """A request entered the wrapped app; returns its start time."""
        self.stats.tally().started += 1
        return perf_counter()

    def finish(self, t0, method, path, route, status, nbytes, exc, disconnected, routed=False):
        """`routed`: a framework that routes handled the request, so a 404 without a route matched nothing."""
        seconds = perf_counter() - t0
        tally = self.stats.tally()
        if disconnected:
            self.count(scoreboard.DISCONNECTS)
            tally.disconnects += 1
            return
        # exc: the exception the app raised, or a framework's description of one it caught.
        exception = exc if exc is None or isinstance(exc, str) else frameworks.describe(exc)
        path = path or "/"
        status = status if status.__class__ is int else 500
        if route is None:
            route = UNMATCHED if routed and status == 404 else self.routes.route(path)
        else:
            route = self.routes.admit(route, path)
        method = method_label(method)
        self.count(scoreboard.class_cell(status))
        self.stats.add(tally, method, route, status, seconds, nbytes, exception is not None)
        if exception is not None and not isinstance(exc, str):
            request_exceptions.note(exc, method, route)  # raised through the wrapper (a string: noted by a framework)
        if seconds >= SLOW_SECONDS or status >= 500 or exception is not None:
            self.stats.examples.append((method, route, status, seconds, time.time(), exception))


def _through_gunicorn_http(exc):
    tb = exc.__traceback__
    while tb is not None:
        if _GUNICORN_HTTP in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


def _nothing(*args):
    return None
