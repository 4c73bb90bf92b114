"""Master (arbiter) side, started from when_ready before the first fork. One sampler thread drains the
workers' datagrams and samples every interval (sampler.py); one uplink thread talks to the hub
(transport.py). The arbiter's own thread only appends to a deque and wakes the sampler.

Fork safety: the arbiter thread only appends to deques (atomic in CPython, also from signal handlers);
the one lock (OutboundBuffer's) never spans I/O; an at-fork handler in every child drops the master's
state and sockets and hands the worker the datagram sending end and the scoreboard. Nothing here spawns
or reaps."""
import os
import platform
import select
import socket
import threading
import time
from collections import deque

from . import compat, exits, frames, handoff, procfs
from .scoreboard import Scoreboard
from . import worker as worker_side
from .log import logger, once
from .sampler import Sampler
from .signals import SignalWatch
from .transport import OutboundBuffer, Transport

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


def buffer_capacity(interval):
    """Frames the outbound buffer holds: BUFFER_SECONDS of samples plus room for bursts of events."""
    return int(BUFFER_SECONDS / interval) + BUFFER_EXTRA_FRAMES


class MasterAgent(object):
    def __init__(self, server, settings, version):
        self.server = server
        self.settings = settings
        self.version = version
        self.pid = os.getpid()
        self.started_at = procfs.start_time(self.pid) or time.time()
        self.interval = settings.interval
        self.channel = handoff.Channel()
        # Made now, before the first fork: every worker inherits the mapping (scoreboard.py).
        self.scoreboard = Scoreboard()
        # Appended by the arbiter's thread (signal handlers, child_exit), consumed by the sampler.
        self.observations = deque()
        self.buffer = OutboundBuffer(buffer_capacity(self.interval))
        self.transport = Transport(settings.url, settings.token, self.hello, self.buffer)
        self.sampler = Sampler(server, settings, self.pid, self.emit, lambda: self.buffer.dropped_samples,
                               lambda: self.transport.hub_version)
        self.signals = SignalWatch(server, self.observe)
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
        self.signals.install()
        self.thread = threading.Thread(target=self._run, name="gunicorn-live-sampler", daemon=True)
        self.thread.start()
        self.transport.start()
        logger.info("sending telemetry of master %d to %s every %ss", self.pid, self.settings.url, self.interval)

    def stop(self, drain_timeout=1.0):
        """Final sample, a bounded wait for the uplink to send it, then every thread and socket closed."""
        global _master
        self._stop.set()
        handoff.send(self.channel.sender, handoff.wake())
        if self.thread is not None:
            self.thread.join(drain_timeout)
        deadline = time.monotonic() + drain_timeout
        while len(self.buffer) and self.transport.ws is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        self.transport.stop()
        self.signals.uninstall()
        self.channel.close()
        if _master is self:
            _master = None

    def observe(self, item):
        """From the arbiter's thread, possibly inside a signal handler: queue, and wake the sampler so
        the event goes out now rather than at the next tick."""
        self.observations.append(item)
        handoff.send(self.channel.sender, handoff.wake())

    def child_exit(self, worker, status):
        """The worker is reaped: its scoreboard slot holds its final counts, and is free again. The time of
        death on the perf_counter clock too: a request it died serving lasted until then."""
        final = self.scoreboard.release(worker)
        self.observe(("exit", worker.pid, time.time(), status, compat.aborted(worker), final, time.perf_counter()))

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
                self.catch_up()
                self.emit(self.sampler.sample())
                profiles = self.sampler.profile_frames(time.time())
                # Not kept while the hub is away (the buffer holds minutes of samples, not of profiles), nor
                # sent to a hub older than profiles: it would close the connection on them.
                if self.transport.ws is not None and self.transport.hub_version >= frames.SINCE["profile"]:
                    for frame in profiles:
                        self.emit(frame)
                # Kept in the sampler's table until a hub of 1.3 or later is connected: older ones would close on them.
                if self.transport.ws is not None and self.transport.hub_version >= frames.SINCE["request_exception"]:
                    for frame in self.sampler.exception_frames(time.monotonic()):
                        self.emit(frame)
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
        observed = []
        while self.observations:
            observed.append(self.observations.popleft())
        # Datagrams a worker sent before it exited are all queued by now: read them with its exit.
        self.sampler.catch_up(observed, handoff.drain(self.channel.receiver))

    def emit(self, frame):
        self.buffer.put(frames.encode(frame))
        self.transport.wake()

    # ---- hello (uplink thread) ----------------------------------------------------------------

    def hello(self):
        server, cfg = self.server, self.server.cfg
        app = compat.app_uri(server)
        service = self.settings.service_name or str(app).split(":")[0] or "gunicorn"
        try:
            import gunicorn
            gunicorn_version = gunicorn.__version__
        except Exception:
            gunicorn_version = "unknown"
        live = len(compat.workers(server))
        return frames.hello(self.version, platform.python_version(), gunicorn_version, self.pid,
                            socket.gethostname(), app, _bind(server), compat.setting(cfg, "worker_class_str") or "",
                            service, self.started_at, compat.target_workers(server, live), self.interval,
                            self.settings.buckets, self.settings.stuck_seconds(compat.setting(cfg, "timeout")),
                            profile_hz=self.settings.profile_hz)


def _bind(server):
    """Where the arbiter really listens (port 0 resolved), else the configured bind."""
    out = []
    for listener in compat.listeners(server):
        try:
            name = listener.getsockname()
        except Exception:
            continue  # a listener closed under us: it no longer says where the arbiter listens
        if isinstance(name, tuple):
            host = name[0] if ":" not in name[0] else "[%s]" % name[0]
            out.append("%s:%d" % (host, name[1]))
        elif name:
            out.append("unix:%s" % (name.decode() if isinstance(name, bytes) else name))
    return out or [str(b) for b in (compat.setting(server.cfg, "bind") or [])]


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
        worker_side.inherit(agent.channel.sender, agent.settings, agent.scoreboard)
    except Exception:
        # Before Gunicorn's code in the child: never raise into the fork. The worker then counts nothing.
        once("after-fork", "the agent could not hand its state to the new worker; its requests are not counted",
             exc_info=True)


# ---- hooks (master process) ----------------------------------------------------------------

def when_ready(server):
    if _settings is None or not _settings.enabled or _master is not None:
        return
    from . import __version__
    MasterAgent(server, _settings, __version__).start()


def on_reload(server):
    """HUP: Gunicorn re-read its config and is about to start a new generation of workers; every worker
    alive now belongs to the old one and will be retired."""
    agent = _master
    if agent is not None and os.getpid() == agent.pid:
        agent.sampler.reloads += 1
        agent.observe(("retire", "reload", [pid for pid, _ in compat.workers(server)]))


def nworkers_changed(server, new, old):
    """TTOU (or a reload to fewer workers): manage_workers is about to retire the oldest workers."""
    agent = _master
    if agent is None or os.getpid() != agent.pid or old is None or not isinstance(new, int) or new >= old:
        return
    workers = sorted(compat.workers(server), key=lambda w: compat.worker_age(w[1]))
    agent.observe(("retire", "scale_down", [pid for pid, _ in workers[:max(0, len(workers) - new)]]))


def pre_fork(server, worker):
    agent = _master
    if agent is not None and os.getpid() == agent.pid:
        agent.scoreboard.assign(worker)


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
