"""The exponential histogram: bucket indexes against the shared vectors (which the hub checks too),
exact merging, and quantiles within the scale's error."""
import json
import math
import os
import random
import unittest
from fractions import Fraction

from gunicorn_live import exphist

VECTORS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "test", "vectors", "exphist.json")


def exact_index(seconds):
    """The i with 2**(i/16) < seconds <= 2**((i+1)/16), in integers: 2**i < seconds**16 <= 2**(i+1)."""
    power = Fraction(seconds) ** exphist.PER_OCTAVE
    i = math.floor(math.log2(seconds) * exphist.PER_OCTAVE) - 3
    while Fraction(2) ** (i + 1) < power:
        i += 1
    while Fraction(2) ** i >= power:
        i -= 1
    return i


class VectorsTest(unittest.TestCase):
    def setUp(self):
        with open(VECTORS) as f:
            self.doc = json.load(f)

    def test_the_vectors_are_the_exact_indexes(self):
        self.assertEqual((self.doc["scale"], self.doc["minIndex"], self.doc["maxIndex"]),
                         (exphist.SCALE, exphist.MIN_INDEX, exphist.MAX_INDEX))
        for case in self.doc["cases"]:
            seconds, expected = case["seconds"], case["index"]
            if expected is None:
                self.assertEqual(seconds, 0.0)
                continue
            truth = min(max(exact_index(seconds), exphist.MIN_INDEX), exphist.MAX_INDEX)
            self.assertEqual(truth, expected, seconds)

    def test_the_agent_gives_every_vector(self):
        for case in self.doc["cases"]:
            expected = exphist.ZERO if case["index"] is None else case["index"]
            self.assertEqual(exphist.key(case["seconds"]), expected, case)

    def test_powers_of_two_close_their_bucket(self):
        for k in range(-29, 19):
            self.assertEqual(exphist.key(2.0 ** k), k * 16 - 1, k)
            self.assertEqual(exphist.key(2.0 ** k * 1.000001), k * 16, k)

    def test_random_durations_match_the_exact_index(self):
        rng = random.Random(7)
        for _ in range(3000):
            seconds = math.exp(rng.uniform(math.log(1e-8), math.log(1e4)))
            self.assertEqual(exphist.index(seconds), exact_index(seconds), seconds)


class MergeTest(unittest.TestCase):
    def test_the_merge_of_intervals_is_the_histogram_of_all_requests(self):
        rng = random.Random(3)
        durations = [rng.lognormvariate(math.log(0.002), 1.5) for _ in range(5000)] + [0.0] * 3
        whole = {}
        for d in durations:
            k = exphist.key(d)
            whole[k] = whole.get(k, 0) + 1
        merged = {}
        for start in range(0, len(durations), 97):
            part = {}
            for d in durations[start:start + 97]:
                k = exphist.key(d)
                part[k] = part.get(k, 0) + 1
            # Each interval travels in its wire form, as from master to hub.
            exphist.merge(merged, exphist.from_wire(exphist.to_wire(part)))
        self.assertEqual(merged, whole)
        self.assertEqual(exphist.count(merged), 5003)
        self.assertEqual(merged[exphist.ZERO], 3)

    def test_delta_of_cumulative_copies(self):
        before = {-100: 3, -90: 1}
        now = {-100: 5, -90: 1, -80: 2}
        self.assertEqual(exphist.delta(now, before), {-100: 2, -80: 2})
        self.assertEqual(exphist.delta(now, None), now)

    def test_wire_form(self):
        wire = exphist.to_wire({-3: 2, 0: 1, exphist.ZERO: 4})
        self.assertEqual(wire, {"scale": 4, "zeroCount": 4, "offset": -3, "counts": [2, 0, 0, 1]})
        self.assertEqual(exphist.to_wire({}), {"scale": 4, "zeroCount": 0, "offset": 0, "counts": []})

    def test_out_of_range_indexes_are_clamped_so_a_histogram_stays_bounded(self):
        merged = exphist.merge({}, {-10_000: 1, 10_000: 2, 5: 1})
        self.assertEqual(merged, {exphist.MIN_INDEX: 1, exphist.MAX_INDEX: 2, 5: 1})


class QuantileTest(unittest.TestCase):
    def test_within_the_scale_error_of_the_exact_quantile(self):
        rng = random.Random(11)
        durations = sorted(rng.lognormvariate(math.log(0.0003), 1.0) for _ in range(20000))
        hist = {}
        for d in durations:
            k = exphist.key(d)
            hist[k] = hist.get(k, 0) + 1
        for q in (0.5, 0.9, 0.95, 0.99):
            truth = durations[int(q * len(durations)) - 1]
            got = exphist.quantile(q, hist)
            self.assertLess(abs(got - truth) / truth, 0.025, (q, got, truth))

    def test_one_value_reads_back_exactly_with_min_and_max(self):
        hist = {exphist.key(0.00024): 1000}
        self.assertEqual(exphist.quantile(0.5, hist, 0.00024, 0.00024), 0.00024)
        # Without them, still within the bucket's 4.4 %.
        self.assertLess(abs(exphist.quantile(0.5, hist) - 0.00024) / 0.00024, 0.045)

    def test_empty_and_zero(self):
        self.assertIsNone(exphist.quantile(0.5, {}))
        self.assertEqual(exphist.quantile(0.5, {exphist.ZERO: 3, 10: 1}), 0.0)


class ClassicTest(unittest.TestCase):
    def test_classic_buckets_from_exponential(self):
        bounds = (0.00025, 0.001, 0.005)
        hist = {}
        for d in (0.0001, 0.0002, 0.0009, 0.004, 0.2, 0.0):
            k = exphist.key(d)
            hist[k] = hist.get(k, 0) + 1
        self.assertEqual(exphist.classic(hist, bounds), [3, 1, 1, 1])


if __name__ == "__main__":
    unittest.main()
