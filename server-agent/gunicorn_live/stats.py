"""Request statistics in the worker: per-thread cumulative tallies. Plain arithmetic, no locks, no I/O —
each thread (gthread) writes only its own Tally; greenlets and the event loop share their OS thread's.

A group is keyed by (method, route, status) and holds
[count, durationSum, responseBytes, exceptions, durationMax, durations]: `durations` counts each request
under its exponential-histogram bucket's edge (exphist.edge: a dict edge → count), which totals() turns
into a histogram; `count` stays 0 on the request path — it is the histogram's sum, filled in by totals() —
one update less per request. The max is the current interval's: the flusher starts it afresh after each
handoff. (A min would cost every request another comparison; the low end is read from the buckets.)"""
from collections import deque
# Bound now, before gevent/eventlet patch `threading`: every greenlet of a worker then shares its OS
# thread's tally, so the tally never grows with the number of connections.
from threading import get_ident

from . import exphist

COUNT, DURATION, BYTES, EXCEPTIONS, MAX, HIST = 0, 1, 2, 3, 4, 5
WIDTH = 6
# Slow or failed requests kept as examples between two flushes; the newest win.
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
            total += sum(group[HIST].copy().values())
        return total


class RequestStats(object):
    """A worker's requests, cumulative since it booted. The flusher thread only reads, taking copies
    that CPython makes atomically."""

    def __init__(self):
        self._tallies = {}
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
        return [0, 0.0, 0, 0, 0.0, {}]

    def add(self, tally, method, route, status, seconds, nbytes, raised):
        """Counts one completed request in `tally` (the calling thread's); hotpath.py inlines the same."""
        key = (method, route, status)
        group = tally.groups.get(key)
        if group is None:
            group = tally.groups[key] = self.new_group()
        group[DURATION] += seconds
        group[BYTES] += nbytes
        if raised:
            group[EXCEPTIONS] += 1
        if seconds > group[MAX]:
            group[MAX] = seconds
        edges = group[HIST]
        e = exphist.edge(seconds)
        edges[e] = edges.get(e, 0) + 1

    def totals(self, new_range=False):
        """(groups merged over threads, completed requests, client disconnects), all cumulative but the
        interval's max; `new_range` starts it afresh (the flusher, as it hands it over). Each group's
        durations come out as a histogram (index → count)."""
        merged = {}
        completed = disconnects = 0
        for tally in self.tallies():
            disconnects += tally.disconnects
            completed += tally.disconnects
            for key, group in list(tally.groups.items()):
                # dict.copy() is atomic under the GIL: a request thread adding a bucket cannot break it.
                hist = exphist.from_edges(group[HIST].copy())
                group_max = group[MAX]
                if new_range:
                    # A request finishing right now may land in either interval's max; its count is exact.
                    group[MAX] = 0.0
                count = sum(hist.values())
                completed += count
                mine = merged.get(key)
                if mine is None:
                    merged[key] = [count, group[DURATION], group[BYTES], group[EXCEPTIONS], group_max, hist]
                else:
                    mine[COUNT] += count
                    mine[DURATION] += group[DURATION]
                    mine[BYTES] += group[BYTES]
                    mine[EXCEPTIONS] += group[EXCEPTIONS]
                    mine[MAX] = max(mine[MAX], group_max)
                    exphist.merge(mine[HIST], hist)
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
