"""The master's sampler: turns what the arbiter observed (signals, exits) and what the workers reported
(datagrams) into events (request exceptions merged, request_exceptions.py), in the order they happened, and builds one sample per interval from /proc and
the workers' reports. Runs in the agent's sampler thread; `emit` queues a frame for the uplink."""
import time
from time import perf_counter

from . import compat, exits, frames, handoff, procfs
from .oom import OomWatch
from .profiles import ProfileBuffer
from .aggregate import LOST_METHOD, LOST_ROUTE, ServerRequests, WorkerLedger
from .handoff import MAX_RUNNING
from .request_exceptions import ExceptionTable
from .log import logger

# PSS comes from /proc/PID/smaps_rollup, which makes the kernel walk the worker's page tables: read it
# at most this often per worker (it moves slowly) and report the last reading in between.
PSS_SECONDS = 5.0
# A worker's watched stack (watchdog.py sends it every tick, at most a second apart, while a request blocks
# the worker) still describes its exit if it came this recently.
WATCHED_SECONDS = 5.0


class Sampler(object):
    def __init__(self, server, settings, pid, emit, dropped=lambda: 0, hub=lambda: frames.PROTOCOL_TUPLE):
        self.server = server
        self.settings = settings
        self.pid = pid
        self.emit = emit
        self.dropped = dropped
        # The protocol version of the hub connected now: fields newer than it are left out of samples.
        self.hub = hub
        # pid → {start (perf_counter): (method, route)} of the requests a worker said it had in flight (its
        # last report, then its watchdog's): names the request its scoreboard slot says it died serving.
        self.named = {}
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
        hub = self.hub()
        frame = frames.sample(self.seq, now, self.pid, self.cpu.percent(self.pid), procfs.rss_bytes(self.pid),
                              compat.target_workers(server, len(workers)), out,
                              [frames.request_group(*g[:10], bounds=self.settings.buckets, aborted=g[10], hub=hub) for g in groups], disconnects,
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
                    hints = self.hints.setdefault(pid, {})
                    hints["stack"] = message.get("stack") or []
                    if "running" in message:
                        hints["running"] = _requests(message["running"])
                elif kind == handoff.STACK:
                    request = _requests([message["request"]]) if message.get("request") else []
                    self.watched[pid] = (time.monotonic(), message.get("stack") or [], request)
                    self._name(pid, request)
                elif kind == handoff.EXCEPTION:
                    self.exceptions.absorb(pid, message)
                elif kind == handoff.STUCK:
                    if message.get("t0") is not None:
                        self._name(pid, _requests([[message.get("method"), message.get("route"), message["t0"]]]))
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
        if "running" in message:
            ledger.running = _requests(message["running"])
            ledger.starts_in_slot = bool(message.get("startsInSlot"))
            self.named[ledger.pid] = dict((t0, (method, route)) for method, route, t0 in ledger.running)
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

    def _in_flight_at_death(self, pid, ledger, final, hints, watched, aborted):
        """(method, route, start) of each request the worker was serving as it died, from the best witness:
        its own word at the timeout's abort (sync, gthread); its scoreboard slot's start (sync: exact
        whatever killed it), named by what it last reported; its last report, when nothing completed since
        (gthread); the request its watchdog saw blocking it (other classes, at a timeout)."""
        named = self.named.pop(pid, {})
        found = dict((t0, (method, route)) for method, route, t0 in hints.get("running") or ())
        started = final.started if final is not None else None
        if started is not None and started not in found:
            found[started] = named.get(started, (LOST_METHOD, LOST_ROUTE))
        if (not found and ledger is not None and ledger.running and not ledger.starts_in_slot and final is not None
                and final.requests() == ledger.requests):
            found.update((t0, (method, route)) for method, route, t0 in ledger.running)
        if not found and aborted and watched is not None and watched[2] and (ledger is None or not ledger.threaded):
            method, route, t0 = watched[2][0]
            found[t0] = (method, route)
        return [(method, route, t0) for t0, (method, route) in sorted(found.items())]

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

    def _name(self, pid, requests):
        named = self.named.setdefault(pid, {})
        if len(named) >= MAX_RUNNING:
            named.clear()
        for method, route, t0 in requests:
            named[t0] = (method, route)

    def _exit(self, pid, at, status, aborted, final=None, died=None):
        """`died`: when the master reaped the worker, on the perf_counter clock (that of the requests' starts)."""
        ledger = self.ledgers.pop(pid, None)
        if final is not None:
            self.requests.absorb_final(ledger, final)
        hints = self.hints.pop(pid, {})
        watched = self.watched.pop(pid, None)
        if watched is not None and time.monotonic() - watched[0] > WATCHED_SECONDS:
            watched = None
        if not hints.get("stack") and watched is not None:
            # The worker's abort never reached worker_abort (uvicorn, the asgi worker's blocked loop): the
            # stack its watchdog sent last, while the same request blocked it.
            hints["stack"] = watched[1]
        died = perf_counter() if died is None else died
        for method, route, t0 in self._in_flight_at_death(pid, ledger, final, hints, watched, aborted):
            self.requests.absorb_aborted(method, route, died - t0)
        reason, sig, code, stack = exits.classify(status, aborted, self.retiring.pop(pid, None), hints)
        oom = self.oom.killed_recently() if (reason, sig) == ("signal", "SIGKILL") else None
        line = exits.log_line(pid, reason, sig, code, oom)
        if line:
            logger.warning(line)  # before the event, so whoever sees the event finds the line logged
        self.emit(frames.worker_exit(pid, reason, at, signal=sig, exit_code=code, stack=stack, oom=oom))


def _requests(raw):
    """[(method, route, start)] from a worker's [[method, route, start], …]; malformed entries left out."""
    out = []
    for r in list(raw or ())[:MAX_RUNNING]:
        try:
            out.append((str(r[0]), str(r[1]), float(r[2])))
        except (TypeError, ValueError, IndexError):
            continue
    return out
