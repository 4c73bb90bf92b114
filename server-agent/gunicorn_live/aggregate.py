"""The master's view of its workers' reports: each worker's last cumulative totals (WorkerLedger), and
the server-wide requests of the current interval as deltas (ServerRequests), with at most MAX_SERVER_ROUTES
distinct routes per server (the rest are `other`), client disconnects and a few examples. A worker's
requests that died with it before it handed them over are counted under LOST_ROUTE; the requests it had in
flight as it died (the master's timeout, SIGKILL, the OOM killer) count as aborted (absorb_aborted)."""
from . import exphist
from .routes import OTHER
from .scoreboard import STATUS_CLASSES, class_status
from .stats import COUNT, DURATION, BYTES, EXCEPTIONS, HIST, MAX, MIN, NO_MIN, WIDTH

MAX_SERVER_ROUTES = 200
MAX_EXAMPLES = 64
# Requests a worker served (its scoreboard slot counted them) but never handed over because it died first:
# their route, method, duration and size are not known, only their status class. They count under this
# route with an empty method and the class's status (200 for 2xx…), with no duration buckets: every
# total adds up and none of them pretends to have been attributed.
LOST_ROUTE = "(lost at worker exit)"
LOST_METHOD = ""
# The status of an aborted request: none was sent. Its group counts it in `aborted` too.
ABORTED_STATUS = 0
# A server group's aborted requests: the index after the handoff's fields (stats.py's layout up to HIST).
ABORTED = WIDTH


class WorkerLedger(object):
    """What the master knows of one worker: its last cumulative totals, what it had in flight when it
    last reported, and its boot time."""
    __slots__ = ("pid", "groups", "requests", "in_flight_count", "in_flight", "threaded", "booted_at",
                 "reported", "disconnects", "running", "starts_in_slot")

    def __init__(self, pid, booted_at=None):
        self.pid = pid
        self.groups = {}
        self.requests = 0
        self.in_flight_count = None
        self.in_flight = None       # (method, route, since) of a sync/gthread worker's oldest request
        self.threaded = False
        self.booted_at = booted_at
        self.reported = False
        self.disconnects = 0
        # (method, route, start on the perf_counter clock) of each request in flight at the last report
        # (sync/gthread), and whether the worker keeps its request's start in its scoreboard slot (sync).
        self.running = ()
        self.starts_in_slot = False


class ServerRequests(object):
    def __init__(self, max_routes=MAX_SERVER_ROUTES, max_examples=MAX_EXAMPLES):
        self.max_routes = max_routes
        self.max_examples = max_examples
        self.routes = set()
        self._groups = {}
        self._disconnects = 0
        self._examples = []

    def route(self, route):
        """The route as reported, while the server has fewer than max_routes; then new ones are `other`."""
        if route in self.routes:
            return route
        if len(self.routes) >= self.max_routes:
            return OTHER
        self.routes.add(route)
        return route

    def absorb(self, ledger, key, group):
        """Adds the growth of one of `ledger`'s worker's cumulative groups, as the worker handed it over:
        [count, durationSum, responseBytes, exceptions, min, max, durations in wire form], min and max
        those of the worker's interval (min None when it had none). Stale or reordered reports (a smaller count than already seen)
        are ignored: totals only grow."""
        if len(group) != WIDTH:
            return
        last = ledger.groups.get(key)
        if last is not None and group[COUNT] <= last[COUNT]:
            return
        hist = exphist.from_wire(group[HIST])
        ledger.groups[key] = (group[COUNT], group[DURATION], group[BYTES], group[EXCEPTIONS], hist)
        if last is None:
            delta = [group[COUNT], group[DURATION], group[BYTES], group[EXCEPTIONS], exphist.merge({}, hist)]
        else:
            delta = [group[i] - last[i] for i in (COUNT, DURATION, BYTES, EXCEPTIONS)] + [exphist.delta(hist, last[4])]
        low = NO_MIN if group[MIN] is None else float(group[MIN])
        high = float(group[MAX] or 0.0)
        method, route, status = key
        server_key = (method, self.route(route), status)
        mine = self._groups.get(server_key)
        if mine is None:
            self._groups[server_key] = delta[:4] + [low, high, exphist.merge({}, delta[4]), 0]
        else:
            for i in (COUNT, DURATION, BYTES, EXCEPTIONS):
                mine[i] += delta[i]
            mine[MIN] = min(mine[MIN], low)
            mine[MAX] = max(mine[MAX], high)
            exphist.merge(mine[HIST], delta[4])

    def absorb_final(self, ledger, final):
        """A reaped worker's scoreboard slot (`final`) against what it had handed over (`ledger`, None if
        nothing): the difference is counted under LOST_ROUTE, by status class, and as client
        disconnects. Returns the number of requests that were lost."""
        reported = [0] * STATUS_CLASSES
        disconnects = 0
        if ledger is not None:
            for (_, _, status), group in ledger.groups.items():
                reported[status // 100 if 0 <= status <= 999 else 0] += group[COUNT]
            disconnects = ledger.disconnects
        lost = 0
        for index, total in enumerate(final.classes):
            missing = total - reported[index]
            if missing > 0:
                lost += missing
                key = (LOST_METHOD, LOST_ROUTE, class_status(index))
                mine = self._groups.get(key)
                if mine is None:
                    mine = self._groups[key] = [0, 0.0, 0, 0, NO_MIN, 0.0, {}, 0]
                mine[COUNT] += missing
        if final.disconnects > disconnects:
            lost += final.disconnects - disconnects
            self._disconnects += final.disconnects - disconnects
        return lost

    def absorb_aborted(self, method, route, seconds):
        """A request a worker had in flight as it died: counted once, under its method and route (LOST_*
        when unknown), status ABORTED_STATUS, with its real duration — from its start to the death."""
        seconds = max(0.0, float(seconds))
        key = (method, self.route(route), ABORTED_STATUS)
        mine = self._groups.get(key)
        if mine is None:
            mine = self._groups[key] = [0, 0.0, 0, 0, NO_MIN, 0.0, {}, 0]
        mine[COUNT] += 1
        mine[DURATION] += seconds
        mine[MIN] = min(mine[MIN], seconds)
        mine[MAX] = max(mine[MAX], seconds)
        i = exphist.key(seconds)
        mine[HIST][i] = mine[HIST].get(i, 0) + 1
        mine[ABORTED] += 1

    def absorb_disconnects(self, ledger, total):
        if total > ledger.disconnects:
            self._disconnects += total - ledger.disconnects
            ledger.disconnects = total

    def add_example(self, pid, method, route, status, duration, at, exception):
        if len(self._examples) < self.max_examples:
            self._examples.append((pid, method, self.route(route), status, duration, at, exception))

    def take(self):
        """(groups, client disconnects, examples) of the interval, then starts afresh. Groups are
        (method, route, status, count, durationSum, durations, responseBytes, exceptions, min, max, aborted),
        the durations an exponential histogram, min None when no duration is known."""
        groups, self._groups = self._groups, {}
        disconnects, self._disconnects = self._disconnects, 0
        examples, self._examples = self._examples, []
        out = []
        for (method, route, status), g in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
            if g[COUNT] > 0:
                out.append((method, route, status, g[COUNT], max(0.0, g[DURATION]), g[HIST], g[BYTES],
                            g[EXCEPTIONS], None if g[MIN] == NO_MIN else g[MIN], g[MAX], g[ABORTED]))
        return out, disconnects, examples
