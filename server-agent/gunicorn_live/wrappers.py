"""App wrappers for the worker classes that never call Gunicorn's pre_request/post_request hooks:
tornado (a WSGI app run by Tornado's WSGIContainer) and uvicorn's UvicornWorker (ASGI). Each wraps
`worker.wsgi` once, in post_worker_init, and reports to the same Recorder the hooks use."""
from . import frameworks


def wrap_wsgi(app, recorder):
    """A WSGI app that times the call and the iteration of the body (Tornado reads it whole, then
    calls close(), which is when the request is counted)."""
    def gunicorn_live_wsgi(environ, start_response):
        t0 = recorder.start()
        seen = [500]

        def observing_start_response(status, headers, exc_info=None):
            seen[0] = _status(status)
            return start_response(status, headers, exc_info)
        try:
            body = app(environ, observing_start_response)
        except BaseException as e:
            _finish_wsgi(recorder, t0, environ, 500, 0, e)
            raise
        return _Body(body, recorder, t0, environ, seen)
    gunicorn_live_wsgi.__wrapped__ = app
    return gunicorn_live_wsgi


class _Body(object):
    def __init__(self, body, recorder, t0, environ, seen):
        self._body = body
        self._recorder = recorder
        self._t0 = t0
        self._environ = environ
        self._seen = seen
        self._bytes = 0
        self._exc = None
        self._done = False

    def __iter__(self):
        try:
            for chunk in self._body:
                self._bytes += len(chunk)
                yield chunk
        except BaseException as e:
            self._exc = e
            raise

    def close(self):
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            if not self._done:
                self._done = True
                _finish_wsgi(self._recorder, self._t0, self._environ, self._seen[0], self._bytes, self._exc)


def _finish_wsgi(recorder, t0, environ, status, nbytes, exc):
    route = frameworks.wsgi_route(environ)
    if exc is None:
        exc = environ.get(frameworks.EXCEPTION_KEY)  # caught by the framework, already described
    recorder.finish(t0, environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), route, status, nbytes, exc,
                    False, frameworks.active())


def _status(status):
    try:
        return int(str(status).split(None, 1)[0])
    except (ValueError, IndexError):
        return 500


def wrap_asgi(app, recorder):
    """An ASGI app that counts each HTTP request; websocket and lifespan scopes pass straight through."""
    async def gunicorn_live_asgi(scope, receive, send):
        if scope.get("type") != "http":
            return await app(scope, receive, send)
        t0 = recorder.start()
        # status, response bytes, response complete, client went away first
        box = [500, 0, False, False]

        async def observing_send(message):
            kind = message.get("type")
            if kind == "http.response.start":
                box[0] = message.get("status", 500)
            elif kind == "http.response.body":
                box[1] += len(message.get("body", b""))
                if not message.get("more_body", False):
                    box[2] = True
            await send(message)

        async def observing_receive():
            message = await receive()
            if message.get("type") == "http.disconnect" and not box[2]:
                box[3] = True
            return message
        exc = None
        try:
            await app(scope, observing_receive, observing_send)
        except BaseException as e:
            # A cancelled request is one its client abandoned, not the app's failure.
            if type(e).__name__ == "CancelledError":
                box[3] = True
            else:
                exc = e
            raise
        finally:
            try:
                route = frameworks.asgi_route(scope)
            except Exception:
                route = None  # no framework route in this scope: the path's folded route counts instead
            # Starlette's router (FastAPI's too) marks the scope it handled.
            recorder.finish(t0, scope.get("method"), scope.get("path"), route, box[0], box[1], exc,
                            box[3] and exc is None, "router" in scope)
    gunicorn_live_asgi.__wrapped__ = app
    return gunicorn_live_asgi
