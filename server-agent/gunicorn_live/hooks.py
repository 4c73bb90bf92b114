"""Chains the agent's hooks in front of whatever hook Gunicorn would call — the user's, from any config
file, the command line or the defaults. Gunicorn reads a hook as `cfg.<hook>`, i.e. Config.__getattr__
→ `settings[name].get()` (20.1.0 … 25.x), so the agent overrides `get` on the Setting classes of the
hooks it needs only: every other setting lookup — a dozen per request — stays exactly Gunicorn's.
This works however and whenever the user defines their hooks. The agent's part runs first, guarded: its
exceptions are logged once and swallowed, and the user's hook always runs, with its result and
exceptions exactly as without the agent."""
import itertools

from . import arbiter, worker
from .log import once


def _worker_exit(server, w):
    worker.worker_exit(server, w)
    arbiter.worker_exit_in_master(server, w)


def _post_worker_init(w):
    worker.post_worker_init(w)
    refresh()


def refresh():
    """Makes every hook lookup rebuild its chain (the worker's recorder just appeared)."""
    state.generation += 1


AGENT_HOOKS = {
    "when_ready": arbiter.when_ready,
    "on_reload": arbiter.on_reload,
    "nworkers_changed": arbiter.nworkers_changed,
    "pre_fork": arbiter.pre_fork,
    "child_exit": arbiter.child_exit,
    "on_exit": arbiter.on_exit,
    "post_fork": worker.post_fork,
    "post_worker_init": _post_worker_init,
    "pre_request": worker.pre_request,
    "post_request": worker.post_request,
    "worker_abort": worker.worker_abort,
    "worker_exit": _worker_exit,
}

_MISSING = object()


class Installation(object):
    """What the agent changed in Gunicorn's Setting classes, so it can be undone (one per process)."""
    __slots__ = ("patched", "plain", "generation", "pinned")

    def __init__(self):
        # Setting class → its own `get` before the agent's (_MISSING: it inherited one).
        self.patched = {}
        # The Setting classes whose `get` was Gunicorn's plain `return self.value`.
        self.plain = set()
        # Bumped by every install, so a chain cached on a Setting by an earlier install is never reused.
        self.generation = 0
        # Setting instances whose `get` this worker pinned (pin()).
        self.pinned = []


state = Installation()


def chain(name, agent_hook, user_hook):
    """The hook Gunicorn calls: the agent's part, guarded, then the user's."""
    if agent_hook is worker.pre_request:
        return _pre_request_chain(user_hook)
    if agent_hook is worker.post_request:
        return _post_request_chain(user_hook)
    if agent_hook is _post_worker_init:
        return _post_worker_init_chain(user_hook)
    return _generic_chain(name, agent_hook, user_hook)


def _named(hook, user_hook, name):
    hook.__wrapped__ = user_hook
    hook.__name__ = getattr(user_hook, "__name__", name)
    hook.__qualname__ = getattr(user_hook, "__qualname__", name)
    hook._gunicorn_live = True
    return hook


def _failed(name):
    once("hook:" + name, "the agent's %s hook failed; Gunicorn and your hook are unaffected", name, exc_info=True)


# The two hooks Gunicorn calls for every request are built by the worker's recorder (hotpath.py), with
# the agent's part inlined. Before a worker's recorder exists (in the master, or an inert agent) they
# are the user's hooks, untouched; post_worker_init bumps the generation so they are rebuilt then.
def _pre_request_chain(user_hook):
    recorder = worker.state.recorder
    if recorder is None:
        return user_hook
    # Gunicorn's default pre_request formats "METHOD path" for a debug line on every request — more work
    # than the agent's own part. Where debug logging is off, that work has no effect: skip it.
    default = user_hook is getattr(_setting_class("pre_request"), "default", _MISSING)
    skip = default and not _debug_logging()
    return _named(recorder.pre_request_hook(None if skip else user_hook), user_hook, "pre_request")


def _debug_logging():
    """Whether this worker's Gunicorn logger emits debug lines (any doubt counts as yes)."""
    try:
        import logging
        agent = worker.current()
        return agent.worker.log.error_log.isEnabledFor(logging.DEBUG)
    except Exception:
        return True


def _post_request_chain(user_hook):
    recorder = worker.state.recorder
    if recorder is None:
        return user_hook
    # Gunicorn's default post_request does nothing: calling it would only cost time.
    default = user_hook is getattr(_setting_class("post_request"), "default", _MISSING)
    return _named(recorder.post_request_hook(None if default else user_hook), user_hook, "post_request")


def _post_worker_init_chain(user_hook):
    """The agent's post_worker_init, the user's, then the request hooks are pinned (they are final)."""
    def post_worker_init(w):
        try:
            _post_worker_init(w)
        except Exception:
            _failed("post_worker_init")
        try:
            return user_hook(w)
        finally:
            try:
                pin(w)
            except Exception:
                _failed("pin")
    return _named(post_worker_init, user_hook, "post_worker_init")


PINNED_HOOKS = ("pre_request", "post_request")


def pin(w):
    """Gunicorn looks up `cfg.pre_request` and `cfg.post_request` on every request, each a call of the
    hook Setting's `get`. In a worker whose recorder is in place, that `get` becomes, on the Setting
    instance itself (an instance attribute wins over the class's method), a C-level callable returning
    the chain built once: the agent adds no Python call to the lookup. Only where `get` is Gunicorn's
    plain `return self.value`; a worker's settings do not change once it serves requests (Gunicorn
    re-reads its config in the master, for new workers)."""
    if worker.state.recorder is None:
        return
    settings = getattr(getattr(w, "cfg", None), "settings", None)
    if not isinstance(settings, dict):
        return
    for name in PINNED_HOOKS:
        setting = settings.get(name)
        if type(setting) not in state.plain or "get" in getattr(setting, "__dict__", ("get",)):
            continue
        setting.get = itertools.repeat(setting.get()).__next__
        state.pinned.append(setting)


def _generic_chain(name, agent_hook, user_hook):
    def hook(*args):
        try:
            agent_hook(*args)
        except Exception:
            _failed(name)
        return user_hook(*args)
    return _named(hook, user_hook, name)


def _chained_get(name, original, agent_hook):
    """Setting.get for one hook: the user's hook chained behind the agent's, built once per user hook
    and kept on the Setting itself (each Config has its own copies)."""
    def get(self):
        value = original(self) if original is not None else self.value
        try:
            cached = self._gunicorn_live_chain
            if cached[0] is value and cached[1] == state.generation:
                return cached[2]
        except AttributeError:
            pass  # no chain built on this Setting yet: build it below
        if not callable(value):
            return value
        chained = chain(name, agent_hook, value)
        self._gunicorn_live_chain = (value, state.generation, chained)
        return chained
    get._gunicorn_live = True
    return get


def _setting_class(name):
    try:
        from gunicorn import config
        for cls in config.KNOWN_SETTINGS:
            if getattr(cls, "name", None) == name:
                return cls
    except Exception:
        pass  # a Gunicorn without KNOWN_SETTINGS: install() has said so already, and None is the answer
    return None


def hook_settings():
    """{hook name: Setting class} for the hooks the agent needs, from gunicorn.config.KNOWN_SETTINGS;
    None when this Gunicorn does not keep its settings that way."""
    try:
        from gunicorn import config
        known = list(config.KNOWN_SETTINGS)
    except Exception:
        return None
    found = {}
    for cls in known:
        name = getattr(cls, "name", None)
        if name in AGENT_HOOKS and callable(getattr(cls, "get", None)):
            found[name] = cls
    return found or None


def install():
    """True when hooks are wired in (idempotent); False, with one logged line, when this Gunicorn does
    not look up hooks the way the agent expects."""
    if state.patched:
        return True
    classes = hook_settings()
    if classes is None:
        once("no-hook-settings", "gunicorn.config has no KNOWN_SETTINGS with the server hooks in this "
                                 "Gunicorn; gunicorn-live cannot add its hooks and stays inert")
        return False
    missing = sorted(set(AGENT_HOOKS) - set(classes))
    if missing:
        once("hooks-missing", "this Gunicorn has no %s hook(s); what they report is missing", ", ".join(missing))
    state.generation += 1
    for name, cls in classes.items():
        own = cls.__dict__.get("get", _MISSING)
        current = cls.get
        # Setting.get is `return self.value`: read the value directly, one call less per lookup.
        plain = own is _MISSING and getattr(current, "__qualname__", "") == "Setting.get"
        state.patched[cls] = own
        if plain:
            state.plain.add(cls)
        cls.get = _chained_get(name, None if plain else current, AGENT_HOOKS[name])
    return True


def uninstall():
    for setting in state.pinned:
        setting.__dict__.pop("get", None)
    del state.pinned[:]
    state.plain.clear()
    for cls, own in state.patched.items():
        if own is _MISSING:
            try:
                del cls.get
            except AttributeError:
                pass  # someone else removed it already: Gunicorn's inherited `get` is back either way
        else:
            cls.get = own
    state.patched.clear()


def installed():
    return bool(state.patched)
