"""Chains the agent's hooks in front of whatever hook Gunicorn would call — the user's, from any config
file, the command line or the defaults — by wrapping hook lookup on gunicorn.config.Config. Gunicorn
calls every hook as `self.cfg.<hook>(...)`, which goes through Config.__getattr__ (20.1.0 … 25.x), so
this works however and whenever the user defines theirs. The agent's part runs first, guarded: its
exceptions are logged once and swallowed, and the user's hook always runs, with its result and
exceptions exactly as without the agent."""
from . import arbiter, worker
from .log import once


def _worker_exit(server, w):
    worker.worker_exit(server, w)
    arbiter.worker_exit_in_master(server, w)


AGENT_HOOKS = {
    "when_ready": arbiter.when_ready,
    "child_exit": arbiter.child_exit,
    "on_exit": arbiter.on_exit,
    "post_fork": worker.post_fork,
    "post_worker_init": worker.post_worker_init,
    "pre_request": worker.pre_request,
    "post_request": worker.post_request,
    "worker_abort": worker.worker_abort,
    "worker_exit": _worker_exit,
}

_original = None
_chains = {}


def chain(name, agent_hook, user_hook):
    def hook(*args):
        try:
            agent_hook(*args)
        except Exception:
            once("hook:" + name, "the agent's %s hook failed; Gunicorn and your hook are unaffected", name,
                 exc_info=True)
        return user_hook(*args)
    hook.__wrapped__ = user_hook
    hook.__name__ = getattr(user_hook, "__name__", name)
    hook.__qualname__ = getattr(user_hook, "__qualname__", name)
    hook._gunicorn_live = True
    return hook


def _config_class():
    try:
        from gunicorn.config import Config
    except Exception:
        return None
    return Config if callable(Config.__dict__.get("__getattr__")) else None


def install():
    """True when hooks are wired in (idempotent); False, with one logged line, when this Gunicorn does
    not look up hooks the way the agent expects."""
    global _original
    if _original is not None:
        return True
    config = _config_class()
    if config is None:
        once("no-config-getattr", "gunicorn.config.Config has no __getattr__ in this Gunicorn; "
                                  "gunicorn-live cannot add its hooks and stays inert")
        return False
    original = config.__dict__["__getattr__"]

    def __getattr__(self, name):
        value = original(self, name)
        agent_hook = AGENT_HOOKS.get(name)
        if agent_hook is None or not callable(value):
            return value
        cached = _chains.get(name)
        if cached is not None and cached[0] is value:
            return cached[1]
        chained = chain(name, agent_hook, value)
        _chains[name] = (value, chained)
        return chained

    __getattr__._gunicorn_live_original = original
    config.__getattr__ = __getattr__
    _original = original
    return True


def uninstall():
    global _original
    config = _config_class()
    if _original is not None and config is not None:
        config.__getattr__ = _original
    _original = None
    _chains.clear()


def installed():
    return _original is not None
