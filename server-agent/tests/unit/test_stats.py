import threading
import unittest

from gunicorn_live import exphist
from gunicorn_live.aggregate import ServerRequests, WorkerLedger
from gunicorn_live.routes import OTHER
from gunicorn_live.stats import HIST, MAX, MIN, NO_MIN, PENDING, RequestStats


def finish(stats, method, route, status, seconds, nbytes, raised=False):
    """What the recorder does for one completed request on the calling thread."""
    tally = stats.tally()
    stats.add(tally, method, route, status, seconds, nbytes, raised)


class HistogramTest(unittest.TestCase):
    def test_finished_requests_fill_groups(self):
        stats = RequestStats()
        for seconds in (0.001, 0.003, 0.2, 12.0):
            finish(stats, "GET", "/x", 200, seconds, 10, raised=seconds > 1)
        stats.tally().started += 5  # as an async worker counts: five begun, four completed
        groups, completed, disconnects = stats.totals()
        self.assertEqual((completed, disconnects), (4, 0))
        g = groups[("GET", "/x", 200)]
        self.assertEqual(g[0], 4)
        self.assertAlmostEqual(g[1], 12.204)
        self.assertEqual((g[2], g[3]), (40, 1))
        self.assertEqual(g[HIST], {exphist.key(s): 1 for s in (0.001, 0.003, 0.2, 12.0)})
        self.assertEqual((g[MIN], g[MAX]), (0.001, 12.0))
        self.assertEqual(stats.in_flight(), (1, None))

    def test_min_and_max_are_the_intervals_the_counts_cumulative(self):
        stats = RequestStats()
        finish(stats, "GET", "/x", 200, 0.002, 1)
        finish(stats, "GET", "/x", 200, 0.5, 1)
        g = stats.totals(new_range=True)[0][("GET", "/x", 200)]
        self.assertEqual((g[0], g[MIN], g[MAX]), (2, 0.002, 0.5))
        finish(stats, "GET", "/x", 200, 0.01, 1)
        g = stats.totals(new_range=True)[0][("GET", "/x", 200)]
        self.assertEqual((g[0], g[MIN], g[MAX]), (3, 0.01, 0.01))
        g = stats.totals()[0][("GET", "/x", 200)]
        self.assertEqual((g[0], g[MIN], g[MAX], g[HIST]),
                         (3, NO_MIN, 0.0, {exphist.key(s): 1 for s in (0.002, 0.5, 0.01)}))
        self.assertAlmostEqual(g[1], 0.512)

    def test_durations_wait_in_the_group_until_a_fold_and_count_as_completed_meanwhile(self):
        stats = RequestStats()
        for seconds in (0.001, 0.002, 0.002):
            finish(stats, "GET", "/x", 200, seconds, 1)
        tally = stats.tally()
        group = tally.groups[("GET", "/x", 200)]
        self.assertEqual(list(group[PENDING]), [0.001, 0.002, 0.002])
        self.assertEqual(group[HIST], {})
        self.assertEqual(tally.completed(), 3)
        stats.totals()
        self.assertEqual((len(group[PENDING]), group[HIST]), (0, {exphist.key(0.001): 1, exphist.key(0.002): 2}))
        self.assertEqual(tally.completed(), 3)

    def test_a_fold_buckets_exactly_as_the_index_does(self):
        stats = RequestStats()
        durations = [2.0 ** k for k in range(-20, 5)] + [1e-7, 3e-4, 0.0305, 7.5]
        for seconds in durations:
            finish(stats, "GET", "/x", 200, seconds, 1)
        hist = stats.totals()[0][("GET", "/x", 200)][HIST]
        expected = {}
        for seconds in durations:
            expected[exphist.key(seconds)] = expected.get(exphist.key(seconds), 0) + 1
        self.assertEqual(hist, expected)

    def test_a_duration_of_zero_counts_in_the_zero_bucket(self):
        stats = RequestStats()
        finish(stats, "GET", "/x", 200, 0.0, 1)
        self.assertEqual(stats.totals()[0][("GET", "/x", 200)][HIST], {exphist.ZERO: 1})

    def test_threads_keep_their_own_tallies_and_totals_merge_them(self):
        stats = RequestStats()

        def work():
            for _ in range(1000):
                finish(stats, "GET", "/t", 200, 0.02, 1)
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        groups, completed, _ = stats.totals()
        self.assertEqual((completed, groups[("GET", "/t", 200)][0]), (4000, 4000))
        self.assertEqual(groups[("GET", "/t", 200)][HIST], {exphist.key(0.02): 4000})

    def test_in_flight_is_the_oldest_current_request_over_threads(self):
        stats = RequestStats()
        mine = stats.tally()
        mine.current, mine.since = "newer", 20.0
        other = threading.Thread(target=lambda: setattr(stats.tally(), "current", "older"))
        other.start()
        other.join()
        older = [t for t in stats.tallies() if t.current == "older"][0]
        older.since = 10.0
        self.assertEqual(stats.in_flight(), (2, ("older", 10.0)))

    def test_changed_only_reports_groups_that_moved_since_mark_sent(self):
        stats = RequestStats()
        finish(stats, "GET", "/a", 200, 0.1, 1)
        finish(stats, "GET", "/b", 200, 0.1, 1)
        changed = stats.changed(stats.totals()[0])
        self.assertEqual(sorted(k for k, _ in changed), [("GET", "/a", 200), ("GET", "/b", 200)])
        stats.mark_sent(changed)
        self.assertEqual(stats.changed(stats.totals()[0]), [])
        finish(stats, "GET", "/b", 200, 0.1, 1)
        self.assertEqual([k for k, _ in stats.changed(stats.totals()[0])], [("GET", "/b", 200)])


FAST, SLOW = exphist.key(0.001), exphist.key(0.1)


def group(count, seconds, nbytes, fast, exceptions=0, low=0.001, high=0.1):
    """A worker's cumulative group as it hands it over: `fast` requests of 1 ms, the rest of 100 ms."""
    hist = {FAST: fast, SLOW: count - fast}
    return [count, seconds, nbytes, exceptions, low, high, exphist.to_wire(hist)]


class ServerRequestsTest(unittest.TestCase):
    def test_cumulative_reports_become_deltas_and_stale_ones_are_ignored(self):
        requests = ServerRequests()
        a, b = WorkerLedger(1), WorkerLedger(2)
        key = ("GET", "/x", 200)
        requests.absorb(a, key, group(3, 0.3, 30, 3, exceptions=1))
        requests.absorb(b, key, group(2, 0.2, 20, 1))
        out, _, _ = requests.take()
        self.assertEqual(len(out), 1)
        method, route, status, count, duration, hist, nbytes, exceptions, low, high, aborted = out[0]
        self.assertEqual(aborted, 0)
        self.assertEqual((method, route, status, count, nbytes, exceptions), ("GET", "/x", 200, 5, 50, 1))
        self.assertAlmostEqual(duration, 0.5)
        self.assertEqual(hist, {FAST: 4, SLOW: 1})
        self.assertEqual((low, high), (0.001, 0.1))
        requests.absorb(a, key, group(5, 0.5, 50, 4, exceptions=2, low=0.05, high=0.09))  # +2, one more exception
        requests.absorb(a, key, group(4, 0.4, 40, 4))                 # older report arriving late: ignored
        out, _, _ = requests.take()
        self.assertEqual((out[0][3], out[0][6], out[0][5], out[0][7]), (2, 20, {FAST: 1, SLOW: 1}, 1))
        self.assertEqual(out[0][8:], (0.05, 0.09, 0))
        self.assertEqual(requests.take(), ([], 0, []))

    def test_malformed_groups_are_ignored(self):
        requests = ServerRequests()
        requests.absorb(WorkerLedger(1), ("GET", "/", 200), [1, 0.1, 1, 1])
        self.assertEqual(requests.take(), ([], 0, []))

    def test_at_most_200_routes_per_server_the_rest_is_other(self):
        requests = ServerRequests()
        # Two workers, each under its own cap of 200, together reporting 300 distinct routes.
        for pid, offset in ((1, 0), (2, 100)):
            ledger = WorkerLedger(pid)
            for i in range(offset, offset + 200):
                requests.absorb(ledger, ("GET", "/r%d" % i, 200), group(1, 0.01, 1, 1))
        out, _, _ = requests.take()
        routes = dict((g[1], g[3]) for g in out)
        self.assertEqual(len(routes), 201)
        self.assertEqual(routes[OTHER], 100)
        self.assertEqual(sum(routes.values()), 400)
        self.assertIn("/r0", routes)
        self.assertNotIn("/r299", routes)

    def test_client_disconnects_are_deltas_of_each_workers_total(self):
        requests = ServerRequests()
        a, b = WorkerLedger(1), WorkerLedger(2)
        requests.absorb_disconnects(a, 2)
        requests.absorb_disconnects(b, 1)
        requests.absorb_disconnects(a, 2)            # same total again: nothing new
        self.assertEqual(requests.take()[1], 3)
        requests.absorb_disconnects(a, 5)
        self.assertEqual(requests.take()[1], 3)

    def test_examples_are_capped_per_interval(self):
        requests = ServerRequests()
        for i in range(100):
            requests.add_example(7, "GET", "/slow", 200, 1.5, 1000.0 + i, None)
        examples = requests.take()[2]
        self.assertEqual(len(examples), 64)
        self.assertEqual(examples[0], (7, "GET", "/slow", 200, 1.5, 1000.0, None))
        self.assertEqual(requests.take()[2], [])
