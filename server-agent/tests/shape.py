"""A stdlib transcription of extension/protocol/agent.ts (zod, strict objects) for the agent's tests:
`check(frame)` returns a list of problems, empty when the hub would accept the frame."""
import re

ALLOWED_SIGNALS = ("HUP", "USR1", "USR2", "TTIN", "TTOU", "QUIT", "TERM")
SIGNAL_NAMES = ("SIGHUP", "SIGUSR1", "SIGUSR2", "SIGTTIN", "SIGTTOU", "SIGCHLD", "SIGINT", "SIGQUIT",
                "SIGTERM", "SIGWINCH")
EXIT_REASONS = ("timeout", "max_requests", "signal", "crash", "reload", "scale_down", "shutdown", "unknown")


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int(v):
    return _num(v) and float(v).is_integer()


def pid(v):
    return _int(v) and v > 0


def epoch(v):
    return _num(v) and v >= 0


def count(v):
    return _int(v) and v >= 0


def string(limit, pattern=None, min_len=0):
    return lambda v: isinstance(v, str) and min_len <= len(v) <= limit and (
        pattern is None or re.match(pattern, v) is not None)


def literal(value):
    return lambda v: v == value


def enum(values):
    return lambda v: isinstance(v, str) and v in values


def nullable(f):
    return lambda v: v is None or f(v)


def boolean(v):
    return isinstance(v, bool)


def array(f, max_len, min_len=0):
    return lambda v: isinstance(v, list) and min_len <= len(v) <= max_len and all(f(x) for x in v)


def number(lo=None, hi=None, lo_open=False):
    def ok(v):
        if not _num(v):
            return False
        if lo is not None and (v <= lo if lo_open else v < lo):
            return False
        return hi is None or v <= hi
    return ok


OPTIONAL = object()


def strict(fields, optional=()):
    """A checker for an object with exactly these keys (optional ones may be absent)."""
    def ok(v, problems=None, path=""):
        found = []
        if not isinstance(v, dict):
            found.append("%s: not an object" % (path or "(root)"))
        else:
            for key in v:
                if key not in fields:
                    found.append("%s.%s: unexpected key" % (path, key))
            for key, f in fields.items():
                if key not in v:
                    if key not in optional:
                        found.append("%s.%s: missing" % (path, key))
                    continue
                sub = _apply(f, v[key], "%s.%s" % (path, key))
                found.extend(sub)
        if problems is not None:
            problems.extend(found)
        return not found
    ok.strict = True
    return ok


def nullable_strict(f):
    def ok(v, problems=None, path=""):
        return True if v is None else f(v, problems, path)
    ok.strict = True
    return ok


def _apply(f, value, path):
    if getattr(f, "strict", False):
        problems = []
        f(value, problems, path)
        return problems
    return [] if f(value) else ["%s: bad value %r" % (path, value)]


HELLO = strict({
    "type": literal("hello"), "protocol": string(64, r"^\d+\.\d+$"),
    "agent": strict({"version": string(64), "python": string(64), "gunicorn": string(64)}),
    "server": strict({
        "masterPid": pid, "host": string(255), "app": string(1024), "bind": array(string(1024), 64),
        "workerClass": string(256), "serviceName": string(256), "startedAt": epoch, "targetWorkers": count,
        "interval": number(0, 3600, lo_open=True), "durationBuckets": array(number(0, lo_open=True), 64, 1),
        "durationScale": literal(4)}, optional=("durationScale",)),
})
IN_FLIGHT = strict({"method": string(32), "route": string(512), "elapsed": number(0)})
WORKER = strict({"pid": pid, "age": count, "bootedAt": epoch, "cpuPercent": nullable(number(0)),
                 "rssBytes": nullable(count), "pssBytes": nullable(count), "requests": count,
                 "state": nullable(enum(("idle", "busy"))), "inFlight": nullable_strict(IN_FLIGHT),
                 "inFlightCount": count}, optional=("pssBytes", "state", "inFlight", "inFlightCount"))
STATUS = lambda v: _int(v) and 0 <= v <= 999  # noqa: E731
GROUP = strict({"method": string(32), "route": string(512), "status": STATUS,
                "count": lambda v: _int(v) and v > 0, "durationSum": number(0), "buckets": array(count, 65),
                "responseBytes": count, "exceptions": count,
                "durations": strict({"scale": literal(4), "zeroCount": count,
                                     "offset": lambda v: _int(v) and -480 <= v <= 319, "counts": array(count, 800)}),
                "durationMax": number(0)},
               optional=("exceptions", "durations", "durationMax"))
EXAMPLE = strict({"pid": pid, "method": string(32), "route": string(512), "status": STATUS, "duration": number(0),
                  "at": epoch, "exception": string(512)}, optional=("exception",))
SAMPLE = strict({
    "type": literal("sample"), "seq": count, "at": epoch,
    "master": strict({"pid": pid, "cpuPercent": nullable(number(0)), "rssBytes": nullable(count)}),
    "targetWorkers": count, "workers": lambda v: isinstance(v, list) and len(v) <= 1024,
    "requests": lambda v: isinstance(v, list) and len(v) <= 4096,
    "clientDisconnects": count, "examples": lambda v: isinstance(v, list) and len(v) <= 64,
    "dropped": count, "reloads": count,
}, optional=("clientDisconnects", "examples", "dropped", "reloads"))
STACK_FRAME = strict({"file": string(4096), "line": count, "function": string(512)})
EVENTS = {
    "worker_spawn": strict({"type": literal("worker_spawn"), "pid": pid, "at": epoch}),
    "worker_exit": strict({"type": literal("worker_exit"), "pid": pid, "reason": enum(EXIT_REASONS),
                           "signal": string(16), "exitCode": _int,
                           "stack": lambda v: isinstance(v, list) and len(v) <= 256, "oom": boolean,
                           "at": epoch},
                          optional=("signal", "exitCode", "stack", "oom")),
    "signal": strict({"type": literal("signal"), "signal": enum(SIGNAL_NAMES), "at": epoch}),
}
EVENT = strict({"type": literal("event"), "event": lambda v: isinstance(v, dict)})
ACK = strict({"type": literal("ack"), "id": string(64, min_len=1), "ok": boolean, "error": string(1024)},
             optional=("error",))
COMMAND = strict({"type": literal("command"), "id": string(64, min_len=1), "command": literal("signal"),
                  "signal": enum(ALLOWED_SIGNALS)})


def check(frame):
    """Problems with an agent → hub frame ([] when valid)."""
    if not isinstance(frame, dict):
        return ["(root): not an object"]
    kind = frame.get("type")
    if kind == "hello":
        return _apply(HELLO, frame, "")
    if kind == "sample":
        problems = _apply(SAMPLE, frame, "")
        if not problems:
            for i, w in enumerate(frame["workers"]):
                problems += _apply(WORKER, w, ".workers[%d]" % i)
            for i, g in enumerate(frame["requests"]):
                problems += _apply(GROUP, g, ".requests[%d]" % i)
            for i, e in enumerate(frame.get("examples") or []):
                problems += _apply(EXAMPLE, e, ".examples[%d]" % i)
        return problems
    if kind == "event":
        problems = _apply(EVENT, frame, "")
        if problems:
            return problems
        event = frame["event"]
        checker = EVENTS.get(event.get("type"))
        if checker is None:
            return [".event.type: unknown %r" % event.get("type")]
        problems = _apply(checker, event, ".event")
        for i, f in enumerate(event.get("stack") or []):
            problems += _apply(STACK_FRAME, f, ".event.stack[%d]" % i)
        return problems
    if kind == "ack":
        return _apply(ACK, frame, "")
    return [".type: unknown %r" % (kind,)]


def check_command(frame):
    return _apply(COMMAND, frame, "")
