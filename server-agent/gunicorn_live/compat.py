"""Every Gunicorn internal the agent reads, in one place (checked against 20.1.0 and 25.x's source).
Each accessor detects a missing or changed internal and degrades: a neutral value, and one logged line
naming what is lost — never an exception into Gunicorn."""
from .log import once


def _missing(key, message, *args):
    once("compat:" + key, "this Gunicorn differs from what gunicorn-live knows: " + message, *args)


# ---- the arbiter (master) ------------------------------------------------------------------------

def workers(server):
    """[(pid, worker)] of the live workers (Arbiter.WORKERS)."""
    try:
        return list(server.WORKERS.items())
    except Exception:
        _missing("WORKERS", "no Arbiter.WORKERS; worker samples are not available")
        return []


def target_workers(server, live):
    """Arbiter.num_workers (changed by TTIN/TTOU), else the number of live workers."""
    value = getattr(server, "num_workers", None)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    _missing("num_workers", "no Arbiter.num_workers; the target worker count is the live count")
    return live


def listeners(server):
    value = getattr(server, "LISTENERS", None)
    if value is None:
        _missing("LISTENERS", "no Arbiter.LISTENERS; the configured bind is reported")
        return []
    return list(value)


def setting(cfg, name):
    try:
        return getattr(cfg, name)
    except Exception:
        _missing("setting:" + name, "no setting %r", name)
        return None


def app_uri(server):
    return getattr(getattr(server, "app", None), "app_uri", None) or setting(getattr(server, "cfg", None),
                                                                           "wsgi_app") or ""


# ---- a worker object (in the master or the worker) -------------------------------------------------

def worker_age(worker):
    value = getattr(worker, "age", None)
    if isinstance(value, int):
        return value
    _missing("age", "workers have no `age`; it is reported as 0")
    return 0


def aborted(worker):
    """True when the arbiter timed this worker out (Worker.aborted, set by murder_workers)."""
    value = getattr(worker, "aborted", None)
    if value is None:
        _missing("aborted", "workers have no `aborted` flag; timeouts are reported by their exit status")
        return False
    return bool(value)


def max_requests_reached(worker, counted):
    """Whether the worker stopped because of --max-requests: Gunicorn's own count (worker.nr), or the
    agent's where the worker class does not keep one (uvicorn)."""
    limit = getattr(worker, "max_requests", None)
    if not isinstance(limit, int):
        _missing("max_requests", "workers have no `max_requests`; max_requests exits are reported by status")
        return False
    nr = getattr(worker, "nr", 0)
    return limit > 0 and max(nr if isinstance(nr, int) else 0, counted) >= limit


def get_app(worker, name="wsgi"):
    """The app the worker serves (Worker.wsgi, or ASGIWorker.asgi; set by load_wsgi before
    post_worker_init)."""
    app = getattr(worker, name, None)
    if app is None:
        _missing(name, "the worker has no `%s` app; requests of this worker class are not counted", name)
    return app


def set_app(worker, app, name="wsgi"):
    try:
        setattr(worker, name, app)
        return True
    except Exception:
        _missing(name + "-set", "the worker's `%s` app cannot be replaced; requests are not counted", name)
        return False
