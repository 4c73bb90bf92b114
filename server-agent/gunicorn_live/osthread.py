"""Real OS threads for the agent's watchers (the profiler's sampler, the stuck-request watchdog): they must
run while the worker's own loop is blocked, so under gevent or eventlet they cannot be greenlets. Each
thread also gets an OS name (/proc/PID/task/TID/comm), so tests and `top -H` can see it from outside."""
import _thread
import ctypes
import sys
import threading
import time

# Bound at import: the agent is imported from Gunicorn's config, before a worker class patches anything.
_start_new_thread = _thread.start_new_thread
_allocate_lock = _thread.allocate_lock
_get_ident = _thread.get_ident
_sleep = time.sleep
_PR_SET_NAME = 15
# OS thread ids of the agent's own threads alive in this process: the profiler samples every thread but these.
AGENT_THREADS = set()


def _original(module, name, fallback):
    """The unpatched `module.name`, even if gevent or eventlet patched it before the agent was imported."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None:
        try:
            return monkey.get_original(module, name)
        except Exception:
            pass
    patcher = sys.modules.get("eventlet.patcher")
    if patcher is not None:
        try:
            return getattr(patcher.original(module), name)
        except Exception:
            pass
    return fallback


def sleep(seconds):
    """Sleeps the OS thread (gevent's patched time.sleep would switch greenlets instead)."""
    _original("time", "sleep", _sleep)(seconds)


def allocate_lock():
    return _original("_thread", "allocate_lock", _allocate_lock)()


def get_ident():
    """The OS thread's id, as sys._current_frames() keys it (patched, get_ident names the greenlet)."""
    return _original("_thread", "get_ident", _get_ident)()


def _set_os_name(name):
    try:
        # CDLL(None): the process's own symbols, libc's prctl among them (find_library would fork ldconfig).
        ctypes.CDLL(None).prctl(_PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)
    except Exception:
        pass  # not Linux, or no prctl: the thread just keeps its inherited name


def _patched():
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        return True
    patcher = sys.modules.get("eventlet.patcher")
    return patcher is not None and patcher.is_monkey_patched("thread")


def start(name, target):
    """Runs `target()` on a new daemon OS thread named `name` (≤ 15 characters shown by the OS). Returns the
    threading.Thread where `threading` is the real one, else None (the thread is still a real one)."""
    def run():
        ident = get_ident()
        AGENT_THREADS.add(ident)
        try:
            _set_os_name(name)
            target()
        finally:
            AGENT_THREADS.discard(ident)
    try:
        patched = _patched()
    except Exception:
        patched = True
    if not patched:
        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        return thread
    _original("_thread", "start_new_thread", _start_new_thread)(run, ())
    return None
