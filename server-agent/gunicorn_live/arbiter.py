"""Master (arbiter) side, started from when_ready before the first fork. One sampler thread drains the
workers' datagrams, samples every live worker and the master from /proc each interval, and queues
hello/sample/event frames for the uplink thread (transport.py).

Fork safety: the arbiter thread only appends to deques (atomic in CPython, also from signal handlers);
the one lock (OutboundBuffer's) never spans I/O; an at-fork handler in every child drops the master's
state and sockets and hands the worker the datagram sending end. Nothing here spawns or reaps."""
import os
import platform
import select
import signal
import socket
import threading
import time
from collections import deque

from . import exits, frames, handoff, procfs
from . import worker as worker_side
from .log import logger, once
from .stats import IntervalRequests, WorkerLedger
from .transport import OutboundBuffer, Transport

WATCHED_SIGNALS = ("SIGHUP", "SIGUSR1", "SIGUSR2", "SIGTTIN", "SIGTTOU", "SIGCHLD", "SIGINT", "SIGQUIT",
                   "SIGTERM", "SIGWINCH")
# Seconds of samples the outbound buffer keeps while the hub is unreachable (≥ 5 minutes).
BUFFER_SECONDS = 330
BUFFER_EXTRA_FRAMES = 512

_settings = None
_master = None
_fork_handler = False


def configure(settings):
    global _settings
    _settings = settings


def current():
    return _master


class MasterAgent(object):
    def __init__(self, server, settings, version):
        self.server = server
        self.settings = settings
        self.version = version
        self.pid = os.getpid()
        self.started_at = procfs.start_time(self.pid) or time.time()
        self.interval = settings.interval
        self.channel = handoff.Channel()
        # Appended by the arbiter's thread (signal handlers, child_exit), consumed by the sampler.
        self.observations = deque()
        self.ledgers = {}
        self.hints = {}
        self.retiring = {}
        self.requests = IntervalRequests(settings.buckets)
        self.cpu = procfs.CpuMeter()
        self.seq = 0
        self.buffer = OutboundBuffer(int(BUFFER_SECONDS / self.interval) + BUFFER_EXTRA_FRAMES)
        self.transport = Transport(settings.url, settings.token, self.hello, self.buffer)
        self._signals = {}
        self._stop = threading.Event()
        self.thread = None

    # ---- lifecycle (arbiter thread) -------------------------------------------------------------

    def start(self):
        global _master, _fork_handler
        _master = self
        if not _fork_handler and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _fork_handler = True
        # The uplink's getaddrinfo() imports the idna codec on first use; a fork during that import would
        # leave the .pyc file open in the worker. Import it here, in the arbiter's thread, instead.
        import encodings.idna  # noqa: F401
        self._watch_signals()
        self.thread = threading.Thread(target=self._run, name="gunicorn-live-sampler", daemon=True)
        self.thread.start()
        self.transport.start()
        logger.info("sending telemetry of master %d to %s every %ss", self.pid, self.settings.url, self.interval)

    def stop(self, drain_timeout=1.0):
        """Final sample, a bounded wait for the uplink to send it, then every thread and socket closed."""
        global _master
        self._stop.set()
        handoff.send(self.channel.sender, {"k": "wake"})
        if self.thread is not None:
            self.thread.join(drain_timeout)
        deadline = time.monotonic() + drain_timeout
        while len(self.buffer) and self.transport.ws is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        self.transport.stop()
        self._unwatch_signals()
        self.channel.close()
        if _master is self:
            _master = None

    def _watch_signals(self):
        """Wraps the arbiter's own handlers so every signal it receives becomes an event; the handler
        Gunicorn installed still runs, unchanged, right after."""
        for name in WATCHED_SIGNALS:
            number = getattr(signal, name, None)
            original = signal.getsignal(number) if number is not None else None
            if not callable(original) or getattr(original, "_gunicorn_live", False):
                continue
            handler = self._signal_handler(name, original)
            signal.signal(number, handler)
            self._signals[number] = (original, handler)

    def _unwatch_signals(self):
        if threading.current_thread() is not threading.main_thread():
            return
        for number, (original, handler) in self._signals.items():
            if signal.getsignal(number) is handler:
                signal.signal(number, original)
        self._signals.clear()

    def _signal_handler(self, name, original):
        def handler(sig, frame):
            try:
                self._on_signal(name)
            except Exception:
                pass
            return original(sig, frame)
        handler._gunicorn_live = True
        return handler

    def _on_signal(self, name):
        """In the signal handler: note which workers the arbiter is about to retire, and why."""
        workers = list(self.server.WORKERS.items())
        retiring, pids = None, []
        if name == "SIGHUP":
            retiring, pids = "reload", [pid for pid, _ in workers]
        elif name in ("SIGTERM", "SIGINT", "SIGQUIT"):
            retiring, pids = "shutdown", [pid for pid, _ in workers]
        elif name == "SIGTTOU" and (self.server.num_workers or 0) > 1 and workers:
            # handle_ttou retires the oldest worker (lowest age).
            retiring, pids = "scale_down", [min(workers, key=lambda w: w[1].age)[0]]
        self.observations.append(("signal", name, time.time(), retiring, pids))

    def child_exit(self, worker, status):
        self.observations.append(("exit", worker.pid, time.time(), status, bool(getattr(worker, "aborted", False))))

    # ---- sampler thread ---------------------------------------------------------------------------

    def _run(self):
        next_tick = time.monotonic() + self.interval
        while True:
            try:
                stopping = self._stop.is_set()
                now = time.monotonic()
                if not stopping and now < next_tick:
                    ready, _, _ = select.select([self.channel.receiver], [], [], next_tick - now)
                    if ready:
                        self.catch_up()
                    continue
                self.tick()
                if stopping:
                    return
                next_tick += self.interval
                if next_tick < time.monotonic():
                    next_tick = time.monotonic() + self.interval
            except Exception:
                once("sampler", "sampler error (it keeps running)", exc_info=True)
                if self._stop.is_set():
                    return
                self._stop.wait(self.interval)

    def catch_up(self):
        """Turns what happened since the last call into events, in the order it happened: signals and
        exits the arbiter saw, then workers that appeared (a replacement's spawn follows the exit)."""
        observed = []
        while self.observations:
            observed.append(self.observations.popleft())
        # Datagrams a worker sent before it exited are all queued by now: read them before its exit.
        messages = handoff.drain(self.channel.receiver)
        self._absorb([m for m in messages if m.get("k") != "spawn"])
        for item in observed:
            if item[0] == "signal":
                self._signal(*item[1:])
            else:
                self._exit(*item[1:])
        self._absorb([m for m in messages if m.get("k") == "spawn"])

    def tick(self):
        self.catch_up()
        self.emit(self.sample())

    def sample(self):
        server = self.server
        workers = list(server.WORKERS.items())
        trace = self.settings.trace_workers
        out = []
        for pid, worker in workers:
            ledger = self._ledger(pid)
            state = None if ledger.in_flight is None else ("busy" if ledger.in_flight > 0 else "idle")
            out.append(frames.worker(
                pid, getattr(worker, "age", 0), ledger.booted_at,
                self.cpu.percent(pid) if trace else None,
                procfs.rss_bytes(pid) if trace else None,
                procfs.pss_bytes(pid) if trace else None,
                ledger.requests, state))
        self.cpu.forget(set(pid for pid, _ in workers) | {self.pid})
        groups = [frames.request_group(*g) for g in self.requests.take()]
        frame = frames.sample(self.seq, time.time(), self.pid, self.cpu.percent(self.pid),
                              procfs.rss_bytes(self.pid), server.num_workers or 0, out, groups)
        self.seq += 1
        return frame

    def _absorb(self, messages):
        for message in messages:
            try:
                kind, pid = message.get("k"), message.get("pid")
                if not isinstance(pid, int) or pid <= 0:
                    continue
                if kind == "spawn":
                    self._ledger(pid, message.get("at"))
                elif kind == "stats":
                    ledger = self._ledger(pid)
                    ledger.reported = True
                    ledger.requests = max(ledger.requests, int(message.get("nr", 0)))
                    ledger.in_flight = int(message.get("inFlight", 0))
                    for g in message.get("g", ()):
                        self.requests.absorb(ledger, (str(g[0]), str(g[1]), int(g[2])), g[3:])
                elif kind == "exit":
                    self.hints.setdefault(pid, {})["maxRequests"] = bool(message.get("maxRequests"))
                elif kind == "abort":
                    self.hints.setdefault(pid, {})["stack"] = message.get("stack") or []
            except (TypeError, ValueError, IndexError, AttributeError):
                continue

    def _ledger(self, pid, at=None):
        """The worker's ledger; the first time a pid is seen its worker_spawn event goes out."""
        ledger = self.ledgers.get(pid)
        if ledger is None:
            booted = at if isinstance(at, (int, float)) else procfs.start_time(pid)
            ledger = self.ledgers[pid] = WorkerLedger(pid, booted if booted else time.time())
            self.emit(frames.worker_spawn(pid, ledger.booted_at))
        return ledger

    def _signal(self, name, at, retiring, pids):
        self.emit(frames.signal_event(name, at))
        for pid in pids:
            self.retiring.setdefault(pid, retiring)

    def _exit(self, pid, at, status, aborted):
        self.ledgers.pop(pid, None)
        reason, sig, code, stack = exits.classify(status, aborted, self.retiring.pop(pid, None),
                                                  self.hints.pop(pid, {}))
        self.emit(frames.worker_exit(pid, reason, at, signal=sig, exit_code=code, stack=stack))

    def emit(self, frame):
        self.buffer.put(frames.encode(frame))
        self.transport.wake()

    # ---- hello (uplink thread) ----------------------------------------------------------------

    def hello(self):
        server, cfg = self.server, self.server.cfg
        app = getattr(server.app, "app_uri", None) or _setting(cfg, "wsgi_app") or ""
        service = self.settings.service_name or str(app).split(":")[0] or "gunicorn"
        try:
            import gunicorn
            gunicorn_version = gunicorn.__version__
        except Exception:
            gunicorn_version = "unknown"
        return frames.hello(self.version, platform.python_version(), gunicorn_version, self.pid,
                            socket.gethostname(), app, _bind(server), _setting(cfg, "worker_class_str") or "",
                            service, self.started_at, server.num_workers or 0, self.interval,
                            self.settings.buckets)


def _setting(cfg, name):
    try:
        return getattr(cfg, name)
    except Exception:
        return None


def _bind(server):
    """Where the arbiter really listens (port 0 resolved), else the configured bind."""
    out = []
    for listener in list(getattr(server, "LISTENERS", None) or []):
        try:
            name = listener.getsockname()
        except Exception:
            continue
        if isinstance(name, tuple):
            host = name[0] if ":" not in name[0] else "[%s]" % name[0]
            out.append("%s:%d" % (host, name[1]))
        elif name:
            out.append("unix:%s" % (name.decode() if isinstance(name, bytes) else name))
    return out or [str(b) for b in (_setting(server.cfg, "bind") or [])]


def _after_fork_in_child():
    """Runs in every child the master forks, before Gunicorn's code: the master's threads do not exist
    here, so drop its state and sockets, keeping only the datagram sending end for the worker."""
    global _master
    agent = _master
    _master = None
    if agent is None:
        return
    try:
        agent.channel.close_receiver()
        agent.transport.close_after_fork()
        worker_side.inherit(agent.channel.sender, agent.settings)
    except Exception:
        pass


# ---- hooks (master process) ----------------------------------------------------------------

def when_ready(server):
    if _settings is None or not _settings.enabled or _master is not None:
        return
    from . import __version__
    MasterAgent(server, _settings, __version__).start()


def child_exit(server, worker):
    agent = _master
    if agent is not None:
        agent.child_exit(worker, exits.reaped_status(worker.pid))


def worker_exit_in_master(server, worker):
    """Gunicorn ≤ 25 calls worker_exit in the master when kill_worker finds the worker already gone."""
    agent = _master
    if agent is not None and os.getpid() == agent.pid:
        agent.child_exit(worker, None)


def on_exit(server):
    agent = _master
    if agent is not None and os.getpid() == agent.pid:
        agent.stop()
