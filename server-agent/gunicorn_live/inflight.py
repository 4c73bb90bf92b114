"""Which request a stack belongs to, read from the stack itself: from an agent thread (the profiler, the
stuck-request watchdog), with nothing added to the request path. Walking a frame chain outwards, the
first frame that names a request wins:
- Gunicorn's `handle_request(…, req, …)` in every worker class that parses HTTP itself (sync, gthread,
  gevent, eventlet): the Request `req`, and the `environ` once the worker made it (a framework's route
  template lands there while the app runs);
- the agent's own app wrappers (wrappers.py: tornado, uvicorn, Gunicorn's ASGI worker): `environ` or
  `scope`, and `t0`, the request's start on the perf_counter clock.
A running coroutine's frames chain through f_back to the task that awaits them, so an event loop's
thread names the request of the task running on it; a waiting greenlet's or task's frame is reached
through its own gr_frame / cr_frame by whoever holds it."""
import os

from . import frameworks
from .hotpath import T0
from .routes import method_label

_GUNICORN_WORKERS = os.sep + os.path.join("gunicorn", "workers") + os.sep
_WRAPPERS = ("gunicorn_live_wsgi", "gunicorn_live_asgi")
# The names of the functions whose frames can name a request: a sampler walking a stack anyway can look
# for these and call request_of from the first one it finds.
NAMES = frozenset(("handle_request",) + _WRAPPERS)
# Frames walked outwards at most: deeper stacks exist (recursion), but a request's frame sits far above.
MAX_WALK = 512


class InFlight(object):
    """A request seen on a stack: method, route (the framework's template when it is known already, else
    the route its path had before, else the path's template), and its start (perf_counter) or None."""
    __slots__ = ("method", "route", "t0", "key")

    def __init__(self, method, route, t0, key):
        self.method = method
        self.route = route
        self.t0 = t0
        # Stays the same for one request across reads (the id of its Request, environ or scope object):
        # the watchdog reports each request once.
        self.key = key


def request_of(frame, routes):
    """The InFlight of the request whose code `frame` (innermost) runs, or None. `routes`: the worker's
    RouteTable (read only)."""
    walked = 0
    while frame is not None and walked < MAX_WALK:
        code = frame.f_code
        name = code.co_name
        if name == "handle_request" and _GUNICORN_WORKERS in code.co_filename:
            found = _from_gunicorn(frame.f_locals, routes)
            if found is not None:
                return found
        elif name in _WRAPPERS:
            found = _from_wrapper(frame.f_locals, routes)
            if found is not None:
                return found
        frame = frame.f_back
        walked += 1
    return None


def _from_gunicorn(local, routes):
    req = local.get("req")
    if req is None or not hasattr(req, "path"):
        return None
    environ = local.get("environ")
    template = frameworks.wsgi_route(environ) if isinstance(environ, dict) else None
    path = getattr(req, "path", None) or "/"
    route = template if isinstance(template, str) else routes.known(path)
    return InFlight(method_label(getattr(req, "method", "") or ""), route, getattr(req, T0, None), id(req))


def _from_wrapper(local, routes):
    t0 = local.get("t0")
    environ = local.get("environ")
    if isinstance(environ, dict):
        template = frameworks.wsgi_route(environ)
        path = environ.get("PATH_INFO") or "/"
        route = template if isinstance(template, str) else routes.known(path)
        return InFlight(method_label(environ.get("REQUEST_METHOD") or ""), route, t0, id(environ))
    scope = local.get("scope")
    if isinstance(scope, dict) and scope.get("type") == "http":
        try:
            template = frameworks.asgi_route(scope)
        except Exception:
            template = None
        path = scope.get("path") or "/"
        route = template if isinstance(template, str) else routes.known(path)
        return InFlight(method_label(scope.get("method") or ""), route, t0, id(scope))
    return None
