"""A worker forked under debugpy (Gunicorn launched by "Launch with Debugger", or any debugpy launch with
subProcess): what its debugger lacks after the fork. Nothing here runs without debugpy in the process.

- breakpoint(): debugpy's hook stops at "the first frame that is not the debugger's". The forked child's
  debugger is set up again by pydevd without debugpy's "don't trace debugpy's own files" patterns, so the
  first such frame is debugpy's hook itself, a library frame justMyCode never stops in: the call returned
  at once. The patterns debugpy gives its first process are given again here.
- Exception filters ("Raised Exceptions"…) changed while the worker runs: pydevd remembers each function
  it saw run with nothing to stop for and never traces it again; new line breakpoints clear that memory,
  new exception filters do not, so they reached only functions never called yet (a new worker). Here
  they clear it too.
- Pause: with justMyCode, a paused thread stops at the next line of the user's code. A worker waiting for
  a request runs only Gunicorn's code, so Pause waited for the next request. Gunicorn's heartbeat
  (worker.notify, called between requests by every worker class) is called through pause_point.py,
  which the debug launch's rules count as the user's code: a paused worker stops there within a heartbeat.
"""
import os
import sys

from .log import once
from .pause_point import between_requests


def _debugger():
    """pydevd's debugger of this process, or None when no debugger runs here."""
    pydevd = sys.modules.get("pydevd")
    if pydevd is None or "debugpy" not in sys.modules:
        return None
    return pydevd.get_global_debugger()


def after_fork(worker):
    """In a worker, from post_fork. Never raises."""
    try:
        py_db = _debugger()
        if py_db is None:
            return
        _hide_debugpy(py_db)
        _forget_skips_on_exception_filters(py_db)
        worker.notify = between_requests(worker.notify)
    except Exception:
        once("debugger-after-fork", "could not prepare the worker for the debugger", exc_info=True)


def _hide_debugpy(py_db):
    # What debugpy.server.api passes to pydevd.settrace in the first process (hide_debugpy_internals).
    from _pydevd_bundle.pydevd_api import PyDevdAPI
    debugpy_dir = os.path.dirname(os.path.abspath(sys.modules["debugpy"].__file__))
    PyDevdAPI().set_dont_trace_start_end_patterns(py_db, (debugpy_dir,), ("debugpy_launcher.py",))


def _forget_skips_on_exception_filters(py_db):
    # setExceptionBreakpoints ends in on_breakpoints_changed(); setBreakpoints also clears the skip caches.
    changed = py_db.on_breakpoints_changed

    def on_breakpoints_changed(removed=False):
        if not removed:
            py_db._clear_skip_caches()
        return changed(removed)
    py_db.on_breakpoints_changed = on_breakpoints_changed
