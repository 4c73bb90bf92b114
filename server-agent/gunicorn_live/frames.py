"""Builds the agent → hub frames of docs/protocol.md (version 1.3). Every frame the agent sends is
made here, so the shapes live in one place; `encode` makes the JSON text."""
import json

from . import exphist

PROTOCOL = "1.3"
PROTOCOL_TUPLE = (1, 3)
# The header of the hub's 101 answer naming its protocol version (since 1.2; absent from older hubs).
PROTOCOL_HEADER = "X-Gunicorn-Live-Protocol"
# Frame types (and fields) and the protocol version that brought them: not sent to a hub older than that.
SINCE = {"profile": (1, 2), "aborted": (1, 3), "request_exception": (1, 3)}


def hub_version(headers):
    """(major, minor) the hub named in its handshake answer (lower-cased header names), (1, 1) without it."""
    raw = (headers or {}).get(PROTOCOL_HEADER.lower(), "")
    try:
        major, minor = raw.split(".")
        return int(major), int(minor)
    except ValueError:
        return 1, 1
ALLOWED_SIGNALS = ("HUP", "USR1", "USR2", "TTIN", "TTOU", "QUIT", "TERM")
SIGNAL_NAMES = ("SIGHUP", "SIGUSR1", "SIGUSR2", "SIGTTIN", "SIGTTOU", "SIGCHLD", "SIGINT", "SIGQUIT",
                "SIGTERM", "SIGWINCH")
EXIT_REASONS = ("timeout", "max_requests", "signal", "crash", "reload", "scale_down", "shutdown", "unknown")
MAX_STACK = 256
MAX_EXAMPLES = 64


def _text(value, limit):
    value = "" if value is None else str(value)
    return value if len(value) <= limit else value[:limit]


def _count(value):
    return max(0, int(value))


def _maybe_bytes(value):
    return None if value is None else max(0, int(value))


def hello(agent_version, python, gunicorn, master_pid, host, app, bind, worker_class, service_name,
          started_at, target_workers, interval, buckets, stuck_after=None, profile_hz=None):
    """`stuck_after`: seconds after which a request in flight is reported stuck, None when never;
    `profile_hz`: the workers' sampling rate, None when the profiler is off."""
    return {
        "type": "hello", "protocol": PROTOCOL,
        "agent": {"version": _text(agent_version, 64), "python": _text(python, 64),
                  "gunicorn": _text(gunicorn, 64)},
        "server": {
            "masterPid": int(master_pid), "host": _text(host, 255), "app": _text(app, 1024),
            "bind": [_text(b, 1024) for b in list(bind)[:64]], "workerClass": _text(worker_class, 256),
            "serviceName": _text(service_name, 256), "startedAt": max(0.0, float(started_at)),
            "targetWorkers": _count(target_workers), "interval": float(interval),
            "durationBuckets": [float(b) for b in buckets],
            "durationScale": exphist.SCALE,
            "stuckAfter": float(stuck_after) if stuck_after else None,
            "profileHz": None if profile_hz is None else float(profile_hz),
        },
    }


# An optional field left out of the frame (as opposed to an explicit null).
ABSENT = object()


def worker(pid, age, booted_at, cpu_percent, rss, pss, requests, state, in_flight=ABSENT, in_flight_count=None):
    """`in_flight`: (method, route, elapsed) or None (idle) for sync/gthread workers; leave it out
    where the worker class cannot tell. `in_flight_count`: requests in progress, when known."""
    frame = {"pid": int(pid), "age": _count(age), "bootedAt": max(0.0, float(booted_at)),
             "cpuPercent": None if cpu_percent is None else max(0.0, float(cpu_percent)),
             "rssBytes": _maybe_bytes(rss), "pssBytes": _maybe_bytes(pss), "requests": _count(requests)}
    if state in ("busy", "idle"):
        frame["state"] = state
    if in_flight is None:
        frame["inFlight"] = None
    elif in_flight is not ABSENT:
        method, route, elapsed = in_flight
        frame["inFlight"] = {"method": _text(method, 32), "route": _text(route, 512),
                             "elapsed": max(0.0, float(elapsed))}
    if in_flight_count is not None:
        frame["inFlightCount"] = _count(in_flight_count)
    return frame


def request_group(method, route, status, count, duration_sum, durations, response_bytes, exceptions, duration_min,
                  duration_max, bounds, aborted=0, hub=PROTOCOL_TUPLE):
    """`durations`: the group's exponential histogram (exphist.py); `bounds`: the classic buckets the agent
    also derives from it, for hubs older than protocol 1.1; `aborted`: of count, the requests a worker had in
    flight as it died, named only to hubs of 1.3 or later (`hub`: its version), which know the field."""
    group = {"method": _text(method, 32), "route": _text(route, 512), "status": min(999, _count(status)),
             "count": int(count), "durationSum": max(0.0, float(duration_sum)),
             "buckets": exphist.classic(durations, bounds), "responseBytes": _count(response_bytes),
             "durations": exphist.to_wire(durations)}
    if exceptions:
        group["exceptions"] = min(int(count), _count(exceptions))
    if aborted and hub >= SINCE["aborted"]:
        group["aborted"] = min(int(count), _count(aborted))
    if duration_min is not None:
        group["durationMin"] = max(0.0, float(duration_min))
        group["durationMax"] = max(group["durationMin"], float(duration_max))
    return group


def example(pid, method, route, status, duration, at, exception=None):
    frame = {"pid": int(pid), "method": _text(method, 32), "route": _text(route, 512),
             "status": min(999, _count(status)), "duration": max(0.0, float(duration)), "at": max(0.0, float(at))}
    if exception:
        frame["exception"] = _text(exception, 512)
    return frame


def sample(seq, at, master_pid, master_cpu, master_rss, target_workers, workers, requests, client_disconnects=None,
           examples=None, dropped=None, reloads=None):
    frame = {"type": "sample", "seq": _count(seq), "at": float(at),
             "master": {"pid": int(master_pid),
                        "cpuPercent": None if master_cpu is None else max(0.0, float(master_cpu)),
                        "rssBytes": _maybe_bytes(master_rss)},
             "targetWorkers": _count(target_workers), "workers": list(workers), "requests": list(requests)}
    if client_disconnects is not None:
        frame["clientDisconnects"] = _count(client_disconnects)
    if examples:
        frame["examples"] = list(examples)[:MAX_EXAMPLES]
    if dropped is not None:
        frame["dropped"] = _count(dropped)
    if reloads is not None:
        frame["reloads"] = _count(reloads)
    return frame


def worker_spawn(pid, at):
    return {"type": "event", "event": {"type": "worker_spawn", "pid": int(pid), "at": float(at)}}


def worker_exit(pid, reason, at, signal=None, exit_code=None, stack=None, oom=None):
    event = {"type": "worker_exit", "pid": int(pid),
             "reason": reason if reason in EXIT_REASONS else "unknown", "at": float(at)}
    if signal is not None:
        event["signal"] = _text(signal, 16)
    if exit_code is not None:
        event["exitCode"] = int(exit_code)
    if oom is not None:
        event["oom"] = bool(oom)
    if stack:
        event["stack"] = _stack(stack)
    return {"type": "event", "event": event}


def request_stuck(pid, method, route, elapsed, stack, at):
    return {"type": "event", "event": {
        "type": "request_stuck", "pid": int(pid), "method": _text(method, 32), "route": _text(route, 512),
        "elapsed": max(0.0, float(elapsed)), "stack": _stack(stack or []), "at": max(0.0, float(at))}}


def request_exception(pid, method, route, exception, stack, count, at):
    """`stack`: (file, line, function) of the exception's traceback, outermost first; `count`: occurrences
    since this exception's previous event."""
    return {"type": "event", "event": {
        "type": "request_exception", "pid": int(pid), "method": _text(method, 32), "route": _text(route, 512),
        "exception": _text(exception, 512), "stack": _stack([{"file": f[0], "line": f[1], "function": f[2]} for f in stack]),
        "count": max(1, int(count)), "at": max(0.0, float(at))}}


def _stack(stack):
    """A worker's frames (outermost first), the innermost MAX_STACK kept."""
    return [{"file": _text(f.get("file"), 4096), "line": _count(f.get("line") or 0),
             "function": _text(f.get("function"), 512)} for f in stack[-MAX_STACK:]]


def signal_event(name, at):
    return {"type": "event", "event": {"type": "signal", "signal": name, "at": float(at)}}


def ack(command_id, ok, error=None):
    frame = {"type": "ack", "id": _text(command_id, 64), "ok": bool(ok)}
    if error is not None:
        frame["error"] = _text(error, 1024)
    return frame


def profile(at, hz, frames, stacks, samples):
    """`frames`: [file, line, function]; `stacks`: lists of indexes into `frames`, outermost first;
    `samples`: (pid, method, route, stack index, wall, cpu). profiles.py keeps them within the protocol's
    bounds (PROFILE_LIMITS)."""
    return {"type": "profile", "at": max(0.0, float(at)), "hz": float(hz),
            "frames": [{"file": _text(f[0], 4096), "line": _count(f[1]), "function": _text(f[2], 512)}
                       for f in frames],
            "stacks": [list(s) for s in stacks],
            "samples": [{"pid": int(pid), "method": _text(method, 32), "route": _text(route, 512),
                         "stack": int(stack), "wall": int(wall), "cpu": min(int(wall), _count(cpu))}
                        for pid, method, route, stack, wall, cpu in samples]}


def encode(frame):
    return json.dumps(frame, separators=(",", ":"), allow_nan=False)
