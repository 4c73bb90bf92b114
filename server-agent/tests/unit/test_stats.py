import threading
import unittest

from gunicorn_live.aggregate import ServerRequests, WorkerLedger
from gunicorn_live.routes import OTHER
from gunicorn_live.settings import DURATION_BUCKETS
from gunicorn_live.stats import FIRST_BUCKET, RequestStats, bucket_index


def finish(stats, method, route, status, seconds, nbytes, raised=False):
    """What the recorder does for one completed request on the calling thread."""
    tally = stats.tally()
    stats.add(tally, method, route, status, seconds, nbytes, raised)


class HistogramTest(unittest.TestCase):
    def test_bucket_index_is_le(self):
        b = DURATION_BUCKETS
        self.assertEqual(bucket_index(b, 0.0), 0)
        self.assertEqual(bucket_index(b, 0.005), 0)      # exactly on a bound: that bound (le)
        self.assertEqual(bucket_index(b, 0.0051), 1)
        self.assertEqual(bucket_index(b, 0.3), 6)        # 0.25 < 0.3 <= 0.5
        self.assertEqual(bucket_index(b, 10.0), 10)
        self.assertEqual(bucket_index(b, 10.5), 11)      # +Inf slot
        self.assertEqual(bucket_index(b, 1e9), len(b))

    def test_finished_requests_fill_groups(self):
        stats = RequestStats(DURATION_BUCKETS)
        for seconds in (0.001, 0.003, 0.2, 12.0):
            finish(stats, "GET", "/x", 200, seconds, 10, raised=seconds > 1)
        stats.tally().started += 5  # as an async worker counts: five begun, four completed
        groups, completed, disconnects = stats.totals()
        self.assertEqual((completed, disconnects), (4, 0))
        g = groups[("GET", "/x", 200)]
        self.assertEqual(g[0], 4)
        self.assertAlmostEqual(g[1], 12.204)
        self.assertEqual((g[2], g[3]), (40, 1))
        self.assertEqual(g[FIRST_BUCKET:], [2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])
        self.assertEqual(stats.in_flight(), (1, None))

    def test_threads_keep_their_own_tallies_and_totals_merge_them(self):
        stats = RequestStats(DURATION_BUCKETS)

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
        self.assertEqual(groups[("GET", "/t", 200)][FIRST_BUCKET + 2], 4000)  # 0.01 < 0.02 <= 0.025

    def test_in_flight_is_the_oldest_current_request_over_threads(self):
        stats = RequestStats(DURATION_BUCKETS)
        mine = stats.tally()
        mine.current, mine.since = "newer", 20.0
        other = threading.Thread(target=lambda: setattr(stats.tally(), "current", "older"))
        other.start()
        other.join()
        older = [t for t in stats.tallies() if t.current == "older"][0]
        older.since = 10.0
        self.assertEqual(stats.in_flight(), (2, ("older", 10.0)))

    def test_changed_only_reports_groups_that_moved_since_mark_sent(self):
        stats = RequestStats(DURATION_BUCKETS)
        finish(stats, "GET", "/a", 200, 0.1, 1)
        finish(stats, "GET", "/b", 200, 0.1, 1)
        changed = stats.changed(stats.totals()[0])
        self.assertEqual(sorted(k for k, _ in changed), [("GET", "/a", 200), ("GET", "/b", 200)])
        stats.mark_sent(changed)
        self.assertEqual(stats.changed(stats.totals()[0]), [])
        finish(stats, "GET", "/b", 200, 0.1, 1)
        self.assertEqual([k for k, _ in stats.changed(stats.totals()[0])], [("GET", "/b", 200)])


WIDTH = FIRST_BUCKET + len(DURATION_BUCKETS) + 1


def group(count, seconds, nbytes, first_bucket, exceptions=0):
    g = [count, seconds, nbytes, exceptions] + [0] * (WIDTH - FIRST_BUCKET)
    g[FIRST_BUCKET] = first_bucket
    g[FIRST_BUCKET + 1] = count - first_bucket
    return g


class ServerRequestsTest(unittest.TestCase):
    def test_cumulative_reports_become_deltas_and_stale_ones_are_ignored(self):
        requests = ServerRequests(DURATION_BUCKETS)
        a, b = WorkerLedger(1), WorkerLedger(2)
        key = ("GET", "/x", 200)
        requests.absorb(a, key, group(3, 0.3, 30, 3, exceptions=1))
        requests.absorb(b, key, group(2, 0.2, 20, 1))
        out, _, _ = requests.take()
        self.assertEqual(len(out), 1)
        method, route, status, count, duration, buckets, nbytes, exceptions = out[0]
        self.assertEqual((method, route, status, count, nbytes, exceptions), ("GET", "/x", 200, 5, 50, 1))
        self.assertAlmostEqual(duration, 0.5)
        self.assertEqual(buckets[:2], [4, 1])
        self.assertEqual(len(buckets), len(DURATION_BUCKETS) + 1)
        requests.absorb(a, key, group(5, 0.5, 50, 4, exceptions=2))   # +2, one more exception
        requests.absorb(a, key, group(4, 0.4, 40, 4))                 # older report arriving late: ignored
        out, _, _ = requests.take()
        self.assertEqual((out[0][3], out[0][6], out[0][5][:2], out[0][7]), (2, 20, [1, 1], 1))
        self.assertEqual(requests.take(), ([], 0, []))

    def test_malformed_groups_are_ignored(self):
        requests = ServerRequests(DURATION_BUCKETS)
        requests.absorb(WorkerLedger(1), ("GET", "/", 200), [1, 0.1, 1, 1])
        self.assertEqual(requests.take(), ([], 0, []))

    def test_at_most_200_routes_per_server_the_rest_is_other(self):
        requests = ServerRequests(DURATION_BUCKETS)
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
        requests = ServerRequests(DURATION_BUCKETS)
        a, b = WorkerLedger(1), WorkerLedger(2)
        requests.absorb_disconnects(a, 2)
        requests.absorb_disconnects(b, 1)
        requests.absorb_disconnects(a, 2)            # same total again: nothing new
        self.assertEqual(requests.take()[1], 3)
        requests.absorb_disconnects(a, 5)
        self.assertEqual(requests.take()[1], 3)

    def test_examples_are_capped_per_interval(self):
        requests = ServerRequests(DURATION_BUCKETS)
        for i in range(100):
            requests.add_example(7, "GET", "/slow", 200, 1.5, 1000.0 + i, None)
        examples = requests.take()[2]
        self.assertEqual(len(examples), 64)
        self.assertEqual(examples[0], (7, "GET", "/slow", 200, 1.5, 1000.0, None))
        self.assertEqual(requests.take()[2], [])
