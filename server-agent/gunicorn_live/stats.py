"""Request statistics in the worker: per-thread cumulative tallies. Plain arithmetic, no locks, no I/O on
the request path — each thread (gthread) writes only its own Tally; greenlets and the event loop share
their OS thread's.

A group is keyed by (method, route, status) and holds
[count, durationSum, responseBytes, exceptions, durationMin, durationMax, durations, pending]. The request
path only appends each duration to `pending` (a deque: appends and pops are atomic across threads); the
flusher folds them, a batch at a time in C-level loops, into `durations` — an exponential histogram
(exphist.py: bucket index → count) — and the sum, min and max. Bucketing one request inline would cost it
two C calls and a dict update; folded, the request path is cheaper than a classic bucket's bisect was.
`count` is the histogram's sum, filled in by totals(); min and max are the current interval's: the
flusher starts them afresh after each handoff."""
import threading
from bisect import bisect_right
from collections import deque
from itertools import repeat, starmap
# Bound now, before gevent/eventlet patch `threading`: every greenlet of a worker then shares its OS
# thread's tally, so the tally never grows with the number of connections.
from threading import get_ident

from . import exphist
from .log import once

COUNT, DURATION, BYTES, EXCEPTIONS, MIN, MAX, HIST, PENDING = 0, 1, 2, 3, 4, 5, 6, 7
# The handoff's group (stats.py's layout up to HIST, the histogram in wire form).
WIDTH = 7
NO_MIN = float("inf")
# Durations one group may hold unfolded: the flusher folds every interval, so only a dead flusher fills
# it (then the oldest are dropped, and said once).
PENDING_LIMIT = 1 << 16
EXAMPLES_PER_FLUSH = 8


class Tally(object):
    """One thread's counters. `current` is the request this thread is handling (sync/gthread), and
    `since` its start on the perf_counter clock; `started` counts requests begun where several can be in
    flight on one thread (async workers). Completed requests are those in the groups and disconnects.
    `hot` maps a raw (method, path, status) to its group and key, for the request path (hotpath.py)."""
    __slots__ = ("groups", "started", "disconnects", "current", "since", "hot")

    def __init__(self):
        self.groups = {}
        self.hot = {}
        self.started = 0
        self.disconnects = 0
        self.current = None
        self.since = 0.0

    def completed(self):
        total = self.disconnects
        for group in list(self.groups.values()):
            total += sum(group[HIST].copy().values()) + len(group[PENDING])
        return total


class RequestStats(object):
    """A worker's requests, cumulative since it booted. The flusher thread only reads, taking copies
    that CPython makes atomically."""

    def __init__(self):
        self._tallies = {}
        # One folder at a time (the flusher, or worker_exit's last flush); never taken on the request path.
        self._folding = threading.Lock()
        self._sent = {}
        # deque.append/popleft are atomic: request threads append, the flusher drains.
        self.examples = deque(maxlen=EXAMPLES_PER_FLUSH)

    def tally(self):
        ident = get_ident()
        tally = self._tallies.get(ident)
        if tally is None:
            tally = self._tallies[ident] = Tally()
        return tally

    def tallies(self):
        return list(self._tallies.values())

    def busy_threads(self):
        """Idents of the threads with a request in flight now (sync/gthread: a current request; async: more
        begun than completed), for the stack of a stuck request."""
        return [ident for ident, tally in list(self._tallies.items())
                if tally.current is not None or tally.started > tally.completed()]

    @staticmethod
    def new_group():
        return [0, 0.0, 0, 0, NO_MIN, 0.0, {}, deque(maxlen=PENDING_LIMIT)]

    def add(self, tally, method, route, status, seconds, nbytes, raised):
        """Counts one completed request in `tally` (the calling thread's); hotpath.py inlines the same."""
        key = (method, route, status)
        group = tally.groups.get(key)
        if group is None:
            group = tally.groups[key] = self.new_group()
        group[BYTES] += nbytes
        if raised:
            group[EXCEPTIONS] += 1
        group[PENDING].append(seconds)

    def totals(self, new_range=False):
        """(groups merged over threads, completed requests, client disconnects), all cumulative but the
        interval's min and max; `new_range` starts those afresh (the flusher, as it hands them over). The
        durations the request path left pending are folded in first."""
        merged = {}
        completed = disconnects = 0
        with self._folding:
            for tally in self.tallies():
                disconnects += tally.disconnects
                completed += tally.disconnects
                for key, group in list(tally.groups.items()):
                    fold(group)
                    hist = group[HIST].copy()
                    count = sum(hist.values())
                    completed += count
                    mine = merged.get(key)
                    if mine is None:
                        merged[key] = [count, group[DURATION], group[BYTES], group[EXCEPTIONS], group[MIN], group[MAX], hist]
                    else:
                        mine[COUNT] += count
                        mine[DURATION] += group[DURATION]
                        mine[BYTES] += group[BYTES]
                        mine[EXCEPTIONS] += group[EXCEPTIONS]
                        mine[MIN] = min(mine[MIN], group[MIN])
                        mine[MAX] = max(mine[MAX], group[MAX])
                        exphist.merge(mine[HIST], hist)
                    if new_range:
                        group[MIN], group[MAX] = NO_MIN, 0.0
        return merged, completed, disconnects

    def in_flight(self):
        """(count, oldest) of requests in progress; oldest is (request, since) from the threads that
        track their current request (sync, gthread), else None."""
        count = 0
        oldest = None
        for tally in self.tallies():
            current, since = tally.current, tally.since
            if current is not None:
                count += 1
                if oldest is None or since < oldest[1]:
                    oldest = (current, since)
            elif tally.started:
                count += max(0, tally.started - tally.completed())
        return count, oldest

    def take_examples(self):
        out = []
        while True:
            try:
                out.append(self.examples.popleft())
            except IndexError:
                return out

    def changed(self, merged):
        """The groups whose totals moved since the last `mark_sent`."""
        return [(key, group) for key, group in merged.items()
                if self._sent.get(key, -1) != group[COUNT]]

    def mark_sent(self, groups):
        for key, group in groups:
            self._sent[key] = group[COUNT]


def fold(group):
    """Moves the durations pending in `group` into its histogram, sum, min and max. The batch is sorted
    (C-level comparisons), then each bucket's share is one bisect at its upper edge: a Python step per
    bucket the batch fills, not per request. Pops only what was there when it began, so a request
    appending meanwhile waits for the next fold."""
    pending = group[PENDING]
    n = len(pending)
    if not n:
        return
    if n == PENDING_LIMIT:
        once("pending-full", "request durations waited unfolded beyond %d on one route; the oldest were dropped "
                             "(is the agent's flusher thread alive?)", PENDING_LIMIT)
    values = sorted(starmap(pending.popleft, repeat((), n)))  # n pops, looped in C
    group[DURATION] += sum(values)
    if values[0] < group[MIN]:
        group[MIN] = values[0]
    if values[-1] > group[MAX]:
        group[MAX] = values[-1]
    hist = group[HIST]
    start = bisect_right(values, 0.0)  # a clock that did not advance: the zero bucket
    if start:
        hist[exphist.ZERO] = hist.get(exphist.ZERO, 0) + start
    while start < n:
        i = exphist.key(values[start])
        end = n if i == exphist.MAX_INDEX else bisect_right(values, exphist.upper_bound(i), start)
        end = max(end, start + 1)  # values[start] is in bucket i, whatever the edge's last bit says
        hist[i] = hist.get(i, 0) + end - start
        start = end
