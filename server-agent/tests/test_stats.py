import threading
import unittest

from gunicorn_live.settings import DURATION_BUCKETS
from gunicorn_live.stats import IntervalRequests, RequestStats, WorkerLedger, bucket_index


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
            stats.started()
            stats.finished("GET", "/x", 200, seconds, 10)
        stats.started()
        groups, started, finished = stats.totals()
        self.assertEqual((started, finished), (5, 4))
        g = groups[("GET", "/x", 200)]
        self.assertEqual(g[0], 4)
        self.assertAlmostEqual(g[1], 12.204)
        self.assertEqual(g[2], 40)
        self.assertEqual(g[3:], [2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])
        self.assertEqual(sum(g[3:]), g[0])

    def test_threads_keep_their_own_tallies_and_totals_merge_them(self):
        stats = RequestStats(DURATION_BUCKETS)

        def work():
            for _ in range(1000):
                stats.started()
                stats.finished("GET", "/t", 200, 0.02, 1)
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        groups, started, finished = stats.totals()
        self.assertEqual((started, finished, groups[("GET", "/t", 200)][0]), (4000, 4000, 4000))
        self.assertEqual(groups[("GET", "/t", 200)][3 + 2], 4000)  # 0.01 < 0.02 <= 0.025

    def test_changed_only_reports_groups_that_moved_since_mark_sent(self):
        stats = RequestStats(DURATION_BUCKETS)
        stats.finished("GET", "/a", 200, 0.1, 1)
        stats.finished("GET", "/b", 200, 0.1, 1)
        changed = stats.changed(stats.totals()[0])
        self.assertEqual(sorted(k for k, _ in changed), [("GET", "/a", 200), ("GET", "/b", 200)])
        stats.mark_sent(changed)
        self.assertEqual(stats.changed(stats.totals()[0]), [])
        stats.finished("GET", "/b", 200, 0.1, 1)
        self.assertEqual([k for k, _ in stats.changed(stats.totals()[0])], [("GET", "/b", 200)])


class IntervalTest(unittest.TestCase):
    def test_cumulative_reports_become_deltas_and_stale_ones_are_ignored(self):
        width = 3 + len(DURATION_BUCKETS) + 1
        requests = IntervalRequests(DURATION_BUCKETS)
        a, b = WorkerLedger(1), WorkerLedger(2)
        key = ("GET", "/x", 200)

        def group(count, seconds, nbytes, first_bucket):
            g = [count, seconds, nbytes] + [0] * (width - 3)
            g[3] = first_bucket
            g[4] = count - first_bucket
            return g
        requests.absorb(a, key, group(3, 0.3, 30, 3))
        requests.absorb(b, key, group(2, 0.2, 20, 1))
        out = requests.take()
        self.assertEqual(len(out), 1)
        method, route, status, count, duration, buckets, nbytes = out[0]
        self.assertEqual((method, route, status, count, nbytes), ("GET", "/x", 200, 5, 50))
        self.assertAlmostEqual(duration, 0.5)
        self.assertEqual(buckets[:2], [4, 1])
        self.assertEqual(len(buckets), len(DURATION_BUCKETS) + 1)
        requests.absorb(a, key, group(5, 0.5, 50, 4))   # +2
        requests.absorb(a, key, group(4, 0.4, 40, 4))   # older report arriving late: ignored
        out = requests.take()
        self.assertEqual((out[0][3], out[0][6], out[0][5][:2]), (2, 20, [1, 1]))
        self.assertEqual(requests.take(), [])

    def test_malformed_groups_are_ignored(self):
        requests = IntervalRequests(DURATION_BUCKETS)
        requests.absorb(WorkerLedger(1), ("GET", "/", 200), [1, 0.1, 1, 1])
        self.assertEqual(requests.take(), [])
