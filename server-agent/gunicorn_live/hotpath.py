"""The two hooks Gunicorn calls for every request, built per worker as closures: the agent's part is
inlined in front of the user's hook, everything it touches is a captured local, and nothing is called
that need not be. This is the code the overhead benchmark (bench/agent) measures; keep it flat.

Outcome of a request: an exception raised by the app counts in its group's `exceptions` (a failure,
whatever the status); a broken pipe or reset while Gunicorn talked to the client counts as a client
disconnect instead, outside the groups (it is neither the app's failure nor a response)."""
import sys
import time
from bisect import bisect_left
from time import perf_counter

from . import frameworks
from .log import once
from .routes import KNOWN_METHODS
from .stats import BYTES, COUNT, DURATION, EXCEPTIONS, FIRST_BUCKET

assert (COUNT, DURATION, BYTES, EXCEPTIONS, FIRST_BUCKET) == (0, 1, 2, 3, 4)  # the layout record() hardcodes

# Attribute pre_request sets on Gunicorn's request object (async workers: many requests per thread).
T0 = "_gunicorn_live_t0"
# A request at least this slow becomes an example (as does every failed one).
SLOW_SECONDS = 1.0
ROUTE_KEY = frameworks.ROUTE_KEY
EXCEPTION_KEY = frameworks.EXCEPTION_KEY


def _failed(name):
    once("hook:" + name, "the agent's %s hook failed; Gunicorn and your hook are unaffected", name, exc_info=True)


def request_hooks(recorder, user_pre, user_post):
    """(pre_request, post_request) for Gunicorn. A user hook None is not called: Gunicorn's default
    post_request does nothing, and its default pre_request only formats a debug line (hooks.py decides
    when that can be skipped)."""
    stats = recorder.stats
    routes = recorder.routes
    cache, known, route_of, admit = routes.cache, routes.routes, routes.route, routes.admit
    bounds, examples, new_group = stats.bounds, stats.examples, stats.new_group
    first_bound, slow = bounds[0], SLOW_SECONDS
    main, tally_of, threaded, outcome = recorder.main, stats.tally, recorder.threaded, recorder.outcome
    exc_info, methods = sys.exc_info, KNOWN_METHODS
    # Frameworks hooked at post_worker_init (frameworks.install) leave routes and caught exceptions in
    # environ; a plain WSGI app never does, so its requests skip those lookups.
    framework = frameworks.active()

    if threaded:
        def begin(worker, req):
            try:
                tally = main or tally_of()
                tally.current = req
                tally.since = perf_counter()
            except Exception:
                _failed("pre_request")
    else:
        def begin(worker, req):
            try:
                (main or tally_of()).started += 1
                req._gunicorn_live_t0 = perf_counter()
            except Exception:
                _failed("pre_request")
    if user_pre is None:
        pre_request = begin
    else:
        def pre_request(worker, req):
            begin(worker, req)
            return user_pre(worker, req)

    def record(worker, req, environ, resp):
        """Gunicorn's post_request when the user has none of their own; else called first by it."""
        try:
            t1 = perf_counter()
            tally = main or tally_of()
            if threaded:
                if tally.current is not req:
                    tally.current = None
                    return  # pre_request did not run for it (the agent arrived mid-request)
                t0 = tally.since
                tally.current = None
            else:
                t0 = getattr(req, T0, None)
                if t0 is None:
                    return
            seconds = t1 - t0
            exception = None
            exc = exc_info()[1]
            if exc is not None:
                exception = outcome(exc)
                if exception is False:
                    tally.disconnects += 1
                    return
            try:
                status = resp.status_code
                nbytes = resp.sent
            except AttributeError:  # no start_response (the app raised first), or another Response class
                status = getattr(resp, "status", None)
                nbytes = getattr(resp, "sent", 0)
                if nbytes.__class__ is not int:
                    nbytes = 0
            if status.__class__ is not int:
                status = status_code(status)
            try:
                path = req.path or "/"
                method = req.method
            except AttributeError:
                path, method = "/", None
            if method not in methods:
                method = "OTHER"
            route = environ.get(ROUTE_KEY) if framework and environ else None
            if route is None:
                try:
                    route = cache[path]
                except KeyError:
                    route = route_of(path)
            elif route not in known or path not in cache:
                route = admit(route, path)
            if status >= 500 and exception is None and framework and environ:
                # Flask and Django answer 500 themselves when a view raises; their signal left a note.
                exception = environ.get(EXCEPTION_KEY)
            key = (method, route, status)
            try:
                group = tally.groups[key]
            except KeyError:
                group = tally.groups[key] = new_group()
            # Literal indexes (stats.DURATION, BYTES, EXCEPTIONS, FIRST_BUCKET): no global lookups; the
            # count is the buckets' sum (stats.totals).
            group[1] += seconds
            group[2] += nbytes
            group[4 if seconds <= first_bound else 4 + bisect_left(bounds, seconds)] += 1
            if exception is not None:
                group[3] += 1
            if seconds >= slow or status >= 500 or exception is not None:
                examples.append((method, route, status, seconds, time.time(), exception))
        except Exception:
            _failed("post_request")

    if user_post is None:
        post_request = record
    else:
        def post_request(worker, req, environ, resp):
            record(worker, req, environ, resp)
            return user_post(worker, req, environ, resp)

    return pre_request, post_request


def status_code(status):
    if status.__class__ is int:
        return status
    try:
        return int(str(status).split(None, 1)[0])
    except (ValueError, IndexError):
        return 500
