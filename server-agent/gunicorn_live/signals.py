"""Every signal the master receives becomes an event: the arbiter's own handlers are wrapped, and the
handler Gunicorn installed still runs, unchanged, right after. On TERM/INT/QUIT the wrapper also notes
that every worker is about to be retired (shutdown), because Gunicorn's child_exit says nothing about
it. HUP and TTOU are noted when Gunicorn acts on them (arbiter.on_reload, arbiter.nworkers_changed):
at receipt, a worker being forked may not be in Arbiter.WORKERS yet."""
import signal
import threading
import time

from . import compat

WATCHED_SIGNALS = ("SIGHUP", "SIGUSR1", "SIGUSR2", "SIGTTIN", "SIGTTOU", "SIGCHLD", "SIGINT", "SIGQUIT",
                   "SIGTERM", "SIGWINCH")


class SignalWatch(object):
    def __init__(self, server, observe):
        """`observe(("signal", name, at, retiring, pids))` is called in the signal handler: it must only
        append to a deque and wake the sampler."""
        self.server = server
        self.observe = observe
        self._installed = {}

    def install(self):
        """In the arbiter's main thread (when_ready), after Gunicorn installed its handlers."""
        for name in WATCHED_SIGNALS:
            number = getattr(signal, name, None)
            original = signal.getsignal(number) if number is not None else None
            if not callable(original) or getattr(original, "_gunicorn_live", False):
                continue
            handler = self._handler(name, original)
            signal.signal(number, handler)
            self._installed[number] = (original, handler)

    def uninstall(self):
        """Puts Gunicorn's handlers back (only possible from the main thread)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for number, (original, handler) in self._installed.items():
            if signal.getsignal(number) is handler:
                signal.signal(number, original)
        self._installed.clear()

    def _handler(self, name, original):
        def handler(sig, frame):
            try:
                self._on_signal(name)
            except Exception:
                # Inside a signal handler, on the arbiter's thread: no logging here (it may have interrupted
                # a log write), and Gunicorn's own handler below must run whatever happened to the event.
                pass
            return original(sig, frame)
        handler._gunicorn_live = True
        handler.__wrapped__ = original
        return handler

    def _on_signal(self, name):
        retiring, pids = None, []
        if name in ("SIGTERM", "SIGINT", "SIGQUIT"):
            retiring, pids = "shutdown", [pid for pid, _ in compat.workers(self.server)]
        self.observe(("signal", name, time.time(), retiring, pids))
