"""The master's sampler: turns what the arbiter observed (signals, exits) and what the workers reported
(datagrams) into events (request exceptions merged, request_exceptions.py), in the order they happened, and builds one sample per interval from /proc and
the workers' reports. Runs in the agent's sampler thread; `emit` queues a frame for the uplink."""
import time

from . import compat, exits, frames, handoff, procfs
from .oom import OomWatch
from .profiles import ProfileBuffer
from .request_exceptions import ExceptionTable
from .aggregate import ServerRequests, WorkerLedger
from .log import logger

# PSS comes from /proc/PID/smaps_rollup, which makes the kernel walk the worker's page tables: read it
# at most this often per worker (it moves slowly) and report the last reading in between.
PSS_SECONDS = 5.0
# A worker's watched stack (watchdog.py sends it every tick, at most a second apart, while a request blocks
# the worker) still describes its exit if it came this recently.
WATCHED_SECONDS = 5.0


class Sampler(object):
    def __init__(self, server, settings, pid, emit, dropped=lambda: 0):
        self.server = server
        self.settings = settings
        self.pid = pid
        self.emit = emit
        self.dropped = dropped
        self.ledgers = {}
        self.hints = {}
        # pid → (monotonic time, stack) of the request blocking a worker, from its watchdog (handoff STACK).
        self.watched = {}
        self.retiring = {}
        self.requests = ServerRequests()
        self.cpu = procfs.CpuMeter()
        self.seq = 0
        self.reloads = 0
        self._pss = {}
        self.oom = OomWatch()
        self.profiles = ProfileBuffer()
        self.exceptions = ExceptionTable()

    def catch_up(self, observed, messages):
        """`observed`: signals and exits the arbiter saw, oldest first; `messages`: the workers' datagrams
        read since. A worker's datagrams were sent before it exited, so they count before its exit; a
        spawn is announced after the exits (a replacement follows the worker it replaces)."""
        self.absorb([m for m in messages if m.get("type") != handoff.SPAWN])
        for item in observed:
            if item[0] == "signal":
                self._signal(*item[1:])
            elif item[0] == "retire":
                self._retire(*item[1:])
            elif item[0] == "exit":
                self._exit(*item[1:])
        self.absorb([m for m in messages if m.get("type") == handoff.SPAWN])

    def sample(self):
        server = self.server
        self.oom.tick()
        workers = compat.workers(server)
        trace = self.settings.trace_workers
        now = time.time()
        out = []
        for pid, worker in workers:
            ledger = self.ledger(pid)
            state, in_flight = None, frames.ABSENT
            if ledger.reported and ledger.threaded:
                state = "busy" if ledger.in_flight_count else "idle"
                in_flight = None
                if ledger.in_flight is not None:
                    method, route, since = ledger.in_flight
                    in_flight = (method, route, now - since)
            out.append(frames.worker(
                pid, compat.worker_age(worker), ledger.booted_at,
                self.cpu.percent(pid) if trace else None,
                procfs.rss_bytes(pid) if trace else None,
                self.pss(pid, now) if trace else None,
                ledger.requests, state, in_flight, ledger.in_flight_count))
        live = set(pid for pid, _ in workers)
        self.cpu.forget(live | {self.pid})
        for pid in [p for p in self._pss if p not in live]:
            del self._pss[pid]
        groups, disconnects, examples = self.requests.take()
        frame = frames.sample(self.seq, now, self.pid, self.cpu.percent(self.pid), procfs.rss_bytes(self.pid),
                              compat.target_workers(server, len(workers)), out,
                              [frames.request_group(*g, bounds=self.settings.buckets) for g in groups], disconnects,
                              [frames.example(*e) for e in examples], self.dropped(), self.reloads)
        self.seq += 1
        return frame

    def profile_frames(self, now):
        """The workers' stack samples since the last call, as `profile` frames (none if none came)."""
        hz = self.settings.profile_hz
        return self.profiles.take(now, hz) if hz else []

    def exception_frames(self, now):
        """request_exception events due now (`now`: monotonic): first sights, and repeats with their count."""
        return [frames.request_exception(*e) for e in self.exceptions.due(now)]

    def pss(self, pid, now):
        last = self._pss.get(pid)
        if last is None or now - last[1] >= PSS_SECONDS or last[0] is None:
            last = self._pss[pid] = (procfs.pss_bytes(pid), now)
        return last[0]

    def absorb(self, messages):
        """The workers' handoff messages (handoff.py), in the order they arrived."""
        for message in messages:
            try:
                kind, pid = message.get("type"), message.get("pid")
                if not isinstance(pid, int) or pid <= 0:
                    continue
                if kind == handoff.SPAWN:
                    self.ledger(pid, message.get("at"))
                elif kind == handoff.STATS:
                    self._stats(self.ledger(pid), message)
                elif kind == handoff.EXIT:
                    self.hints.setdefault(pid, {})["maxRequests"] = bool(message.get("maxRequests"))
                elif kind == handoff.PROFILE:
                    self.profiles.absorb(message)
                elif kind == handoff.ABORT:
                    self.hints.setdefault(pid, {})["stack"] = message.get("stack") or []
                elif kind == handoff.STACK:
                    self.watched[pid] = (time.monotonic(), message.get("stack") or [])
                elif kind == handoff.EXCEPTION:
                    self.exceptions.absorb(pid, message)
                elif kind == handoff.STUCK:
                    self.emit(frames.request_stuck(pid, message.get("method"), message.get("route"), message.get("elapsed"),
                                                   message.get("stack"), message.get("at")))
            except (TypeError, ValueError, IndexError, KeyError, AttributeError):
                continue  # a malformed message from a worker: the next one carries cumulative totals

    def _stats(self, ledger, message):
        ledger.reported = True
        ledger.requests = max(ledger.requests, int(message.get("requests", 0)))
        ledger.in_flight_count = max(0, int(message.get("inFlightCount", 0)))
        ledger.threaded = "inFlight" in message
        in_flight = message.get("inFlight")
        ledger.in_flight = (str(in_flight[0]), str(in_flight[1]), float(in_flight[2])) if in_flight else None
        self.requests.absorb_disconnects(ledger, int(message.get("clientDisconnects", 0)))
        for g in message.get("groups", ()):
            self.requests.absorb(ledger, (str(g[0]), str(g[1]), int(g[2])), g[3:])
        for e in message.get("examples", ()):
            self.requests.add_example(ledger.pid, str(e[0]), str(e[1]), int(e[2]), float(e[3]), float(e[4]),
                                      str(e[5]) if e[5] else None)

    def ledger(self, pid, at=None):
        """The worker's ledger; the first time a pid is seen its worker_spawn event goes out."""
        ledger = self.ledgers.get(pid)
        if ledger is None:
            booted = at if isinstance(at, (int, float)) else procfs.start_time(pid)
            ledger = self.ledgers[pid] = WorkerLedger(pid, booted if booted else time.time())
            self.emit(frames.worker_spawn(pid, ledger.booted_at))
        return ledger

    def _signal(self, name, at, retiring, pids):
        self.emit(frames.signal_event(name, at))
        self._retire(retiring, pids)

    def _retire(self, reason, pids):
        """Why these workers will leave. A reload replaces the whole generation, whatever else was
        noted for it (its config may also lower the worker count); otherwise the first reason stands."""
        for pid in pids:
            if reason == "reload":
                self.retiring[pid] = reason
            else:
                self.retiring.setdefault(pid, reason)

    def _exit(self, pid, at, status, aborted, final=None):
        ledger = self.ledgers.pop(pid, None)
        if final is not None:
            self.requests.absorb_final(ledger, final)
        hints = self.hints.pop(pid, {})
        watched = self.watched.pop(pid, None)
        if not hints.get("stack") and watched is not None and time.monotonic() - watched[0] <= WATCHED_SECONDS:
            # The worker's abort never reached worker_abort (uvicorn, the asgi worker's blocked loop): the
            # stack its watchdog sent last, while the same request blocked it.
            hints["stack"] = watched[1]
        reason, sig, code, stack = exits.classify(status, aborted, self.retiring.pop(pid, None), hints)
        oom = self.oom.killed_recently() if (reason, sig) == ("signal", "SIGKILL") else None
        line = exits.log_line(pid, reason, sig, code, oom)
        if line:
            logger.warning(line)  # before the event, so whoever sees the event finds the line logged
        self.emit(frames.worker_exit(pid, reason, at, signal=sig, exit_code=code, stack=stack, oom=oom))
