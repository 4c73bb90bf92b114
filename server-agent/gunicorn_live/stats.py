"""Request statistics: per-thread cumulative tallies in the worker (plain arithmetic, no locks, no I/O)
and, in the master, the ledger that turns each worker's cumulative totals into per-interval deltas.

A group is keyed by (method, route, status) and holds [count, durationSum, responseBytes, bucket0…bucketN],
where bucket i counts durations ≤ bounds[i] and > bounds[i-1]; the last slot is +Inf."""
from bisect import bisect_left
from threading import get_ident

COUNT, DURATION, BYTES, FIRST_BUCKET = 0, 1, 2, 3


def bucket_index(bounds, seconds):
    """Index of the first bound ≥ seconds (Prometheus' `le`); len(bounds) means +Inf."""
    return bisect_left(bounds, seconds)


class Tally(object):
    """One thread's counters; only that thread writes them, so no lock is needed."""
    __slots__ = ("groups", "started", "finished")

    def __init__(self):
        self.groups = {}
        self.started = 0
        self.finished = 0


class RequestStats(object):
    """A worker's requests, cumulative since it booted. Threads (gthread) each write their own Tally;
    the flusher thread only reads, taking copies that CPython makes atomically."""

    def __init__(self, bounds):
        self.bounds = tuple(float(b) for b in bounds)
        self._width = FIRST_BUCKET + len(self.bounds) + 1
        self._tallies = {}
        self._sent = {}

    def tally(self):
        ident = get_ident()
        tally = self._tallies.get(ident)
        if tally is None:
            tally = self._tallies[ident] = Tally()
        return tally

    def started(self):
        self.tally().started += 1

    def finished(self, method, route, status, seconds, nbytes):
        tally = self.tally()
        key = (method, route, status)
        group = tally.groups.get(key)
        if group is None:
            group = tally.groups[key] = [0, 0.0, 0] + [0] * (self._width - FIRST_BUCKET)
        group[COUNT] += 1
        group[DURATION] += seconds
        group[BYTES] += nbytes
        group[FIRST_BUCKET + bisect_left(self.bounds, seconds)] += 1
        tally.finished += 1

    def totals(self):
        """(groups merged over threads, started, finished), all cumulative."""
        merged = {}
        started = finished = 0
        for tally in list(self._tallies.values()):
            started += tally.started
            finished += tally.finished
            for key, group in list(tally.groups.items()):
                group = list(group)
                mine = merged.get(key)
                if mine is None:
                    merged[key] = group
                else:
                    for i, value in enumerate(group):
                        mine[i] += value
        return merged, started, finished

    def changed(self, merged):
        """The groups whose totals moved since the last `mark_sent`."""
        return [(key, group) for key, group in merged.items()
                if self._sent.get(key, -1) != group[COUNT]]

    def mark_sent(self, groups):
        for key, group in groups:
            self._sent[key] = group[COUNT]


class WorkerLedger(object):
    """The master's view of one worker: its last cumulative totals, state, and boot time."""
    __slots__ = ("pid", "groups", "requests", "in_flight", "booted_at", "reported")

    def __init__(self, pid, booted_at=None):
        self.pid = pid
        self.groups = {}
        self.requests = 0
        self.in_flight = None
        self.booted_at = booted_at
        self.reported = False


class IntervalRequests(object):
    """Requests completed since the last sample, summed over workers, as deltas."""

    def __init__(self, bounds):
        self.width = FIRST_BUCKET + len(bounds) + 1
        self._groups = {}

    def absorb(self, ledger, key, group):
        """Adds the growth of one cumulative group of `ledger`'s worker. Stale or reordered reports
        (a smaller count than already seen) are ignored: totals only grow."""
        if len(group) != self.width:
            return
        last = ledger.groups.get(key)
        if last is not None and group[COUNT] <= last[COUNT]:
            return
        ledger.groups[key] = group
        delta = group if last is None else [now - before for now, before in zip(group, last)]
        mine = self._groups.get(key)
        if mine is None:
            self._groups[key] = list(delta)
        else:
            for i, value in enumerate(delta):
                mine[i] += value

    def take(self):
        """[(method, route, status, count, durationSum, buckets, responseBytes)], then starts afresh."""
        groups, self._groups = self._groups, {}
        out = []
        for (method, route, status), g in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
            if g[COUNT] > 0:
                out.append((method, route, status, g[COUNT], max(0.0, g[DURATION]), g[FIRST_BUCKET:], g[BYTES]))
        return out
