"""Worker → master handoff: one AF_UNIX datagram socketpair made by the master before the first fork.
Workers inherit the sending end and send small JSON datagrams without blocking; the master's sampler
drains the receiving end. No files, nothing on the request path.

The messages are built here (like frames.py for the hub), with the protocol's names for the same facts
(`requests`, `inFlightCount`, `clientDisconnects`…); sampler.py reads them by these names.
A message is a JSON object with `type` and the worker's `pid`:
  spawn  {at}: the worker is up (post_fork)
  stats  {requests, inFlightCount, clientDisconnects, [inFlight], groups, [examples]}: cumulative totals,
         at most once per interval; `groups` are [method, route, status, count, durationSum,
         responseBytes, exceptions, durationMin, durationMax, durations] (stats.py's layout after the key;
         min and max those of the interval, the durations an exponential histogram in the protocol's wire form)
  abort  {stack}: the stuck request's frames, as the master's timeout abort arrives
  stuck  {method, route, elapsed, stack, at}: a request in flight longer than stuckAfter (watchdog.py),
         once per request; the master sends it on as a request_stuck event
  stack  {stack}: the frames of the request blocking the worker's main thread past half its timeout,
         every watchdog tick; the master keeps the latest for the worker's timeout exit
  exit   {maxRequests}: the worker leaves on its own (worker_exit), after its last stats
  profile {frames, stacks, samples, [truncated]}: the stack samples of one interval (profiler.py), at most
         once per interval, in self-contained chunks: `frames` [file, line, function], `stacks` lists of
         indexes into frames (outermost first), `samples` [method, route, stack index, wall, cpu];
         `truncated`: samples taken but not kept (the first chunk only)
  exception {exception, stack, method, route, count, at}: one distinct exception of failed requests
         (request_exceptions.py), at most once per interval: `stack` [file, line, function] outermost
         first, `count` occurrences since the previous flush, `at` the latest
  wake   (no pid): the master's own nudge to its sampler thread"""
import json
import socket

# Bigger than any message a worker builds (stats are chunked well below this).
MAX_DATAGRAM = 256 * 1024
_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)


class Channel(object):
    def __init__(self):
        self.receiver, self.sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.receiver.setblocking(False)
        self.sender.setblocking(False)

    def close_receiver(self):
        """In a worker: only the master reads."""
        try:
            self.receiver.close()
        except OSError:
            pass  # already closed: nothing left to release

    def close(self):
        self.close_receiver()
        try:
            self.sender.close()
        except OSError:
            pass  # already closed: nothing left to release


SPAWN, STATS, ABORT, EXIT, WAKE, PROFILE = "spawn", "stats", "abort", "exit", "wake", "profile"
STUCK, STACK, EXCEPTION = "stuck", "stack", "exception"
# An optional field left out of a message (None is a value: an idle sync/gthread worker's inFlight).
ABSENT = object()
# Requests in flight a message names at most (a gthread worker's threads).
MAX_RUNNING = 256


def spawn(pid, at):
    return {"type": SPAWN, "pid": pid, "at": at}


def stats(pid, requests, in_flight_count, client_disconnects, groups, in_flight=ABSENT, examples=None,
          running=ABSENT, starts_in_slot=False):
    """`in_flight`: [method, route, since] of a sync/gthread worker's oldest request, or None when idle;
    ABSENT where the worker class cannot tell. `groups`: [[method, route, status] + group, …]. `running`:
    [[method, route, start (perf_counter)], …] of every request a sync/gthread worker has in flight;
    `starts_in_slot`: the worker keeps its request's start in its scoreboard slot (sync, scoreboard.py)."""
    message = {"type": STATS, "pid": pid, "requests": requests, "inFlightCount": in_flight_count,
               "clientDisconnects": client_disconnects, "groups": groups}
    if in_flight is not ABSENT:
        message["inFlight"] = in_flight
    if examples:
        message["examples"] = examples
    if running is not ABSENT:
        message["running"] = running
        message["startsInSlot"] = bool(starts_in_slot)
    return message


def abort(pid, stack, running=None):
    """`running`: the requests in flight as the master's timeout aborts the worker (sync/gthread), as in
    stats(); None where the worker class cannot tell."""
    message = {"type": ABORT, "pid": pid, "stack": stack}
    if running is not None:
        message["running"] = running
    return message


def stuck(pid, method, route, elapsed, stack, at, t0=None):
    return {"type": STUCK, "pid": pid, "method": method, "route": route, "elapsed": elapsed, "stack": stack,
            "at": at, "t0": t0}


def stack(pid, frames, request=None):
    """`request`: [method, route, start (perf_counter)] of the request blocking the worker, if named."""
    message = {"type": STACK, "pid": pid, "stack": frames}
    if request is not None:
        message["request"] = request
    return message


def exiting(pid, max_requests):
    return {"type": EXIT, "pid": pid, "maxRequests": bool(max_requests)}


def profile(pid, frames, stacks, samples, truncated=0):
    message = {"type": PROFILE, "pid": pid, "frames": frames, "stacks": stacks, "samples": samples}
    if truncated:
        message["truncated"] = truncated
    return message


def exception(pid, description, frames, method, route, count, at):
    return {"type": EXCEPTION, "pid": pid, "exception": description, "stack": [list(f) for f in frames],
            "method": method, "route": route, "count": count, "at": at}


def wake():
    return {"type": WAKE}


def send(sock, message):
    """True when the datagram left; False (never an exception) when the master's queue is full or gone."""
    try:
        data = json.dumps(message, separators=(",", ":")).encode("utf-8")
        sock.send(data, _DONTWAIT)
        return True
    except (OSError, ValueError, TypeError):
        return False


def drain(sock, limit=10000):
    """Every datagram waiting on the receiving end, decoded; garbage is skipped."""
    messages = []
    while len(messages) < limit:
        try:
            data = sock.recv(MAX_DATAGRAM)
        except (BlockingIOError, InterruptedError):
            break
        except OSError:
            break
        try:
            message = json.loads(data.decode("utf-8"))
        except ValueError:
            continue
        if isinstance(message, dict):
            messages.append(message)
    return messages
