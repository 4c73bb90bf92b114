"""Route templates and caught exceptions from the frameworks, read cheaply after the response. When the
framework matches a route, the template is copied into environ[ROUTE_KEY] (one dict store per request):
- Flask: Request.url_rule becomes a property whose setter copies the rule's `rule`.
- Django: the request class gets a `resolver_match` setter that copies the resolver's `route`.
- Starlette/FastAPI (ASGI): FastAPI puts the matched route in scope['route']; for plain Starlette the
  matched endpoint is looked up once in the app's routes.
Flask and Django catch the app's exceptions and answer 500 themselves; their got_request_exception
signals mark the environ, so the request still counts as an exception, and hand the exception to the
worker's request_exceptions log. Nothing here runs unless the app
imported the framework, and every failure degrades to the normalized path with one logged line."""
import sys

from . import request_exceptions
from .log import once

ROUTE_KEY = "gunicorn_live.route"
EXCEPTION_KEY = "gunicorn_live.exception"
MAX_EXCEPTION_CHARS = 512

_installed = set()
# Starlette endpoint → route path, filled on first sight (bounded by the app's own routes).
_endpoints = {}


def describe(exc):
    """'RuntimeError: message', cut to the protocol's limit."""
    try:
        text = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    except Exception:
        text = type(exc).__name__
    return text[:MAX_EXCEPTION_CHARS]


def wsgi_route(environ):
    """The framework's route template for this finished request, or None."""
    return environ.get(ROUTE_KEY)


def asgi_route(scope):
    """FastAPI's matched route (scope['route']), else a Starlette endpoint's route, else None."""
    route = scope.get("route")
    if route is None:
        endpoint = scope.get("endpoint")
        if endpoint is None:
            return None
        route = _endpoints.get(endpoint)
        if route is None:
            route = _endpoints[endpoint] = _starlette_route(scope.get("app"), endpoint) or False
        if route is False:
            return None
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else None


def _starlette_route(app, endpoint):
    for route in getattr(getattr(app, "router", None), "routes", None) or ():
        if getattr(route, "endpoint", None) is endpoint:
            return route
    return None


def active():
    """Whether a framework was hooked in this process (else environ never holds our keys)."""
    return bool(_installed)


def install():
    """In a worker, after the app is loaded: hooks into the frameworks the app uses."""
    if "django.core.handlers.wsgi" in sys.modules and "django" not in _installed:
        _installed.add("django")
        _guard("django", _install_django)
    if "flask" in sys.modules and "flask" not in _installed:
        _installed.add("flask")
        _guard("flask", _install_flask)


def _guard(name, install_one):
    try:
        install_one()
    except Exception as e:
        once("framework:" + name, "could not hook into %s (%s); its requests are labelled by path and its "
             "caught exceptions count only as 500s", name, e)


def _install_django():
    from django.core.handlers.wsgi import WSGIHandler
    base = WSGIHandler.request_class
    if not getattr(base, "_gunicorn_live", False):
        WSGIHandler.request_class = route_recording(base)
    from django.core.signals import got_request_exception
    got_request_exception.connect(_django_exception, weak=False, dispatch_uid="gunicorn_live")


def route_recording(base):
    """A subclass of Django's request class whose `resolver_match` also lands in environ[ROUTE_KEY]."""
    class Request(base):
        _gunicorn_live = True

        @property
        def resolver_match(self):
            return self.__dict__.get("_gunicorn_live_match")

        @resolver_match.setter
        def resolver_match(self, match):
            self.__dict__["_gunicorn_live_match"] = match
            route = getattr(match, "route", None)
            environ = self.__dict__.get("environ")
            if isinstance(route, str) and isinstance(environ, dict):
                environ[ROUTE_KEY] = django_route(route)
    Request.__name__, Request.__qualname__, Request.__module__ = base.__name__, base.__qualname__, base.__module__
    return Request


def django_route(route):
    """'items/<int:pk>/' → '/items/<int:pk>/'; a re_path's anchors are dropped."""
    if route.startswith("^"):
        route = route[1:]
    if route.endswith("$") and not route.endswith("\\$"):
        route = route[:-1]
    return "/" + route.lstrip("/")


def _django_exception(sender, request=None, **kwargs):
    exc = sys.exc_info()[1]
    environ = getattr(request, "META", None)
    if exc is not None and isinstance(environ, dict):
        environ[EXCEPTION_KEY] = describe(exc)
        request_exceptions.note_environ(exc, environ)


def _install_flask():
    import flask
    from flask import wrappers
    if not isinstance(wrappers.Request.__dict__.get("url_rule"), property):
        wrappers.Request.url_rule = property(_get_rule, _set_rule)
    try:
        flask.got_request_exception.connect(_flask_exception, weak=False)
    except Exception as e:  # Flask < 2.3 needs blinker for signals
        once("flask-signals", "Flask signals are unavailable (%s); exceptions Flask catches count only as "
                              "500s", e)


def _get_rule(request):
    return request.__dict__.get("_gunicorn_live_rule")


def _set_rule(request, rule):
    request.__dict__["_gunicorn_live_rule"] = rule
    template = getattr(rule, "rule", None)
    environ = request.__dict__.get("environ")
    if isinstance(template, str) and isinstance(environ, dict):
        environ[ROUTE_KEY] = template


def _flask_exception(sender, exception=None, **extra):
    flask = sys.modules.get("flask")
    try:
        environ = flask.request.environ
    except Exception:
        return  # no request context (the signal came from outside one): nothing to note the failure on
    if exception is not None:
        environ[EXCEPTION_KEY] = describe(exception)
        request_exceptions.note_environ(exception, environ)
