"""The two hooks Gunicorn calls for every request, built per worker as closures: the agent's part is
inlined in front of the user's hook, everything it touches is a captured local, and nothing is called
that need not be. This is the code the overhead benchmark (bench/agent) measures; keep it flat.

Outcome of a request: an exception raised by the app counts in its group's `exceptions` (a failure,
whatever the status); a broken pipe or reset while Gunicorn talked to the client counts as a client
disconnect instead, outside the groups (it is neither the app's failure nor a response)."""
import sys
import time
from time import perf_counter

from . import frameworks, request_exceptions
from .log import once
from .scoreboard import DISCONNECTS, STARTED, class_cell
from . import routes as routes_module
from .routes import KNOWN_METHODS, UNMATCHED
from .stats import BYTES, COUNT, DURATION, EXCEPTIONS, PENDING

assert (COUNT, DURATION, BYTES, EXCEPTIONS, PENDING) == (0, 1, 2, 3, 7)  # the layout record() hardcodes
assert (DISCONNECTS, STARTED) == (11, 12)  # the scoreboard cells begin() and record() hardcode

# Attribute pre_request sets on Gunicorn's request object (async workers: many requests per thread).
T0 = "_gunicorn_live_t0"
# A request at least this slow becomes an example (as does every failed one).
SLOW_SECONDS = 1.0
ROUTE_KEY = frameworks.ROUTE_KEY
EXCEPTION_KEY = frameworks.EXCEPTION_KEY
# (method, path, status) → (group, its key, its scoreboard cell), per tally: at most this many, then emptied and refilled;
# longer paths are not kept (memory stays bounded whatever Gunicorn's limit_request_line).
HOT_LIMIT = 4096
HOT_PATH_CHARS = routes_module.CACHE_PATH_CHARS
# The exception being handled (Gunicorn calls post_request in a `finally`); sys.exception() (3.11+)
# builds no tuple.
current_exception = getattr(sys, "exception", None) or (lambda: sys.exc_info()[1])


def _failed(name):
    once("hook:" + name, "the agent's %s hook failed; Gunicorn and your hook are unaffected", name, exc_info=True)


def request_hooks(recorder, user_pre, user_post):
    """(pre_request, post_request) for Gunicorn. A user hook None is not called: Gunicorn's default
    post_request does nothing, and its default pre_request only formats a debug line (hooks.py decides
    when that can be skipped)."""
    stats = recorder.stats
    routes = recorder.routes
    cache, known, route_of, admit = routes.cache, routes.routes, routes.route, routes.admit
    examples, new_group, slow = stats.examples, stats.new_group, SLOW_SECONDS
    main, tally_of, threaded, outcome = recorder.main, stats.tally, recorder.threaded, recorder.outcome
    methods, hot_limit = KNOWN_METHODS, HOT_LIMIT
    # This worker's scoreboard slot (scoreboard.py): a request counts there first, so it survives the
    # worker's death even before it is handed over. The recorder's own list holds the same counts, so the
    # slot is only written, never read (a read of shared memory costs as much as the write); the three
    # statements that count run no bytecode that lets another thread in between (no call into Python, no
    # eval-breaker check): gthread's threads may share the slot.
    board, counts, starts = recorder.board, recorder.counts, recorder.starts
    # Frameworks hooked at post_worker_init (frameworks.install) leave routes and caught exceptions in
    # environ; a plain WSGI app never does, so its requests skip those lookups.
    framework = frameworks.active()
    note_exception = request_exceptions.note

    # sync/gthread: the start time is set before the request, so the flusher thread (which reads both)
    # never pairs a new request with the previous one's start.
    if threaded and main is not None:
        def begin(worker, req):
            try:
                # The start also goes to the slot (a double): the master reads it if the worker dies now.
                main.since = starts[12] = perf_counter()
                main.current = req
            except Exception:
                _failed("pre_request")
    elif threaded:
        def begin(worker, req):
            try:
                tally = tally_of()
                tally.since = perf_counter()
                tally.current = req
            except Exception:
                _failed("pre_request")
    else:
        def begin(worker, req):
            try:
                # The start time first: a request object that takes no attribute (one with __slots__) is
                # then not counted as started, since post_request could never count it as finished.
                req._gunicorn_live_t0 = perf_counter()
                (main or tally_of()).started += 1
            except Exception:
                _failed("pre_request")
    if user_pre is None:
        pre_request = begin
    else:
        def pre_request(worker, req):
            begin(worker, req)
            return user_pre(worker, req)

    def group_of(tally, key):
        """The tally's group for (method label, route, status), that key (for examples) and the
        scoreboard cell of its status class."""
        group = tally.groups.get(key)
        if group is None:
            group = tally.groups[key] = new_group()
        return group, key, class_cell(key[2])

    def by_path(tally, method, path, status):
        """First sight of (method, path, status) since the tally's hot cache was last emptied. A framework
        that routes (Flask, Django) and matched nothing answered 404: one route for all such paths."""
        route = UNMATCHED if framework and status == 404 else route_of(path or "/")
        entry = group_of(tally, (method if method in methods else "OTHER", route, status))
        if not path or len(path) <= HOT_PATH_CHARS:
            hot = tally.hot
            if len(hot) >= hot_limit:
                hot.clear()  # bounded; the paths still in use come back on their next request
            hot[(method, path, status)] = entry
        return entry

    def by_route(tally, method, route, path, status):
        """A framework's route template from environ."""
        path = path or "/"
        if route not in known or path not in cache:
            route = admit(route, path)
        return group_of(tally, (method if method in methods else "OTHER", route, status))

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
                starts[12] = 0.0  # done (gthread: cells of its own, never read)
            else:
                t0 = getattr(req, T0, None)
                if t0 is None:
                    return
            seconds = t1 - t0
            exception = None
            exc = current_exception()
            if exc is not None:
                exception = outcome(exc)
                if exception is False:
                    n = counts[11] + 1
                    counts[11] = n
                    board[11] = n
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
                path = req.path
                method = req.method
            except AttributeError:
                path, method = "/", None
            route = environ.get(ROUTE_KEY) if framework and environ else None
            if route is None:
                # Seen before: one lookup gives the group, its labels (method, route, status) and its cell.
                try:
                    group, labels, cell = tally.hot[(method, path, status)]
                except KeyError:
                    group, labels, cell = by_path(tally, method, path, status)
            else:
                group, labels, cell = by_route(tally, method, route, path, status)
            n = counts[cell] + 1
            counts[cell] = n
            board[cell] = n
            if status >= 500 and exception is None and framework and environ:
                # Flask and Django answer 500 themselves when a view raises; their signal left a note.
                exception = environ.get(EXCEPTION_KEY)
            # Literal indexes (stats.BYTES, PENDING, EXCEPTIONS): no global lookups. The duration waits in
            # the group's deque; the flusher folds it into the histogram, sum, min and max (stats.fold), and
            # the count is the histogram's sum.
            group[2] += nbytes
            group[7].append(seconds)
            if exception is not None:
                group[3] += 1
                if exc is not None and not (framework and environ and EXCEPTION_KEY in environ):
                    # Raised into Gunicorn, and no framework's signal noted it already.
                    note_exception(exc, labels[0], labels[1])
            if seconds >= slow or status >= 500 or exception is not None:
                examples.append(labels + (seconds, time.time(), exception))
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
