"""Why a worker exited. Gunicorn's child_exit hook gets no exit status, but the arbiter's reap_workers
frame that calls it holds `wpid` and `status` (20.1.0 through 25.x): read it from there, and combine it
with what the master asked for (HUP, TTOU, TERM), the arbiter's `aborted` flag, and what the worker said
before it went (max_requests, the stack at abort)."""
import os
import signal
import sys

from .log import once

_QUIT_SIGNALS = ("SIGTERM", "SIGQUIT", "SIGINT")


def reaped_status(pid, max_depth=8):
    """The wait status of `pid` from the calling reap_workers frame, or None where Gunicorn differs."""
    try:
        frame = sys._getframe(1)
    except (AttributeError, ValueError):
        return None
    depth = 0
    while frame is not None and depth < max_depth:
        if frame.f_code.co_name == "reap_workers":
            local = frame.f_locals
            status = local.get("status")
            if local.get("wpid") == pid and isinstance(status, int):
                return status
            break
        frame = frame.f_back
        depth += 1
    once("no-status", "this Gunicorn's reap_workers does not expose the exit status; "
                      "worker exits without a known cause are reported as 'unknown'")
    return None


def decode(status):
    """(signal name or None, exit code or None) from a wait status."""
    if status is None:
        return None, None
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return signal.Signals(number).name, None
        except ValueError:
            return "SIG%d" % number, None
    if os.WIFEXITED(status):
        return None, os.WEXITSTATUS(status)
    return None, None


def classify(status, aborted, retiring, hints):
    """(reason, signal, exitCode, stack) for one worker exit.

    status:   wait status or None;  aborted: the arbiter's worker.aborted (it timed the worker out);
    retiring: 'reload' | 'scale_down' | 'shutdown' | None — what the master was asked to do to it;
    hints:    what the worker reported ({'maxRequests': bool, 'stack': [...]}) or {}."""
    sig, code = decode(status)
    stack = hints.get("stack") or None
    if aborted:
        return "timeout", sig, code, stack
    clean = code == 0 or sig in _QUIT_SIGNALS
    if hints.get("maxRequests") and code == 0:
        return "max_requests", None, code, None
    if retiring and clean:
        return retiring, sig, code, None
    if sig is not None:
        return "signal", sig, None, None
    if code is not None and code != 0:
        return "crash", None, code, None
    return "unknown", None, code, None


def log_line(pid, reason, sig, code, oom=None):
    """One line for the log when a worker died badly; None for the expected exits. `oom`: whether the
    kernel counted an OOM kill around a SIGKILL (None: it cannot tell here)."""
    if reason == "signal" and sig == "SIGKILL" and oom:
        return ("worker %d was killed by the kernel's OOM killer (out of memory): the kernel counted an "
                "OOM kill in its memory cgroup as it died; see `dmesg`" % pid)
    if reason == "signal" and sig == "SIGKILL" and oom is None:
        return ("worker %d was killed by SIGKILL — possibly the kernel's OOM killer (out of memory); "
                "see `dmesg` or the container's OOM events" % pid)
    if reason == "signal":
        return "worker %d was killed by %s" % (pid, sig)
    if reason == "crash":
        return "worker %d exited with code %d" % (pid, code)
    if reason == "timeout":
        return "worker %d timed out and was aborted by the master" % pid
    return None
