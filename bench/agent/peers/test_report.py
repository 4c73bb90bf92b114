"""The arithmetic and parsing --peers reports with (no Gunicorn, no timing):
python3 -m unittest discover -s bench/agent -p 'test_*.py' -v"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from peers import report  # noqa: E402
from peers.run import ScrapeClock  # noqa: E402
from peers.scrape import exposition_samples  # noqa: E402
from peers.venv import pins_from_report  # noqa: E402


def run(requests, cpu_seconds, rps, p99):
    return {"requests": requests, "cpuSeconds": cpu_seconds, "cpuPerRequestUs": cpu_seconds / requests * 1e6,
            "rps": rps, "p99": p99}


ROUNDS = [
    {"plain": run(1000, 0.100, 1000, 0.010), "plain2": run(1000, 0.110, 1100, 0.012),
     "peer": run(500, 0.105, 500, 0.022)},
    {"plain": run(2000, 0.200, 2000, 0.010), "plain2": run(2000, 0.180, 1900, 0.010),
     "peer": run(1000, 0.300, 800, 0.030)},
    {"plain": run(1000, 0.100, 1000, 0.010), "plain2": run(1000, 0.100, 1000, 0.010),
     "peer": run(1000, 0.150, 700, 0.020)},
]


class SummaryTest(unittest.TestCase):

    def test_ratios_are_to_the_mean_of_both_plains_each_round(self):
        s = report.summarize(ROUNDS, ["plain", "plain2", "peer"])
        # round 1: 210 µs / mean(100, 110) = 2.0; round 2: 300 / 95 = 3.1579; round 3: 150 / 100 = 1.5
        self.assertEqual(s["peer"]["cpuPerRequestRatio"]["rounds"], [2.0, 3.1579, 1.5])
        self.assertEqual(s["peer"]["cpuPerRequestRatio"]["median"], 2.0)
        # pooled: 0.555 s / 2500 requests = 222 µs against mean(100, 97.5) µs
        self.assertEqual(s["peer"]["cpuPerRequestUs"], 222.0)
        self.assertEqual(s["peer"]["cpuPerRequestRatio"]["pooled"], round(222 / 98.75, 4))
        self.assertEqual(s["peer"]["rpsRatio"]["rounds"], [round(500 / 1050, 4), round(800 / 1950, 4), 0.7])
        self.assertEqual(s["peer"]["p99Ratio"]["rounds"], [2.0, 3.0, 2.0])
        self.assertEqual(s["peer"]["p99Ms"], 22.0)
        self.assertEqual(s["peer"]["rps"], 700)
        self.assertNotIn("cpuPerRequestRatio", s["plain"])

    def test_noise_floor_is_plain2_over_plain(self):
        floor = report.summarize(ROUNDS, ["plain", "plain2", "peer"])["noiseFloor"]
        self.assertEqual(floor["cpuPerRequestRatio"]["range"], [0.9, 1.1])
        self.assertEqual(floor["cpuPerRequestRatio"]["median"], 1.0)
        self.assertEqual(floor["rpsRatio"]["range"], [0.95, 1.1])

    def test_a_missing_plain_leaves_the_other_as_baseline(self):
        rounds = [{"plain": run(1000, 0.1, 1000, 0.01), "peer": run(1000, 0.2, 500, 0.02)}]
        s = report.summarize(rounds, ["plain", "peer"])
        self.assertEqual(s["peer"]["cpuPerRequestRatio"]["rounds"], [2.0])
        self.assertEqual(s["noiseFloor"]["cpuPerRequestRatio"]["range"], None)

    def test_instructions_at_measured_rate_spread_the_masters_per_second_work(self):
        counts = {"plain": {"workers": 400000.0, "master": 100.0, "total": 400100.0, "masterPerSecond": 0.0},
                  "peer": {"workers": 404000.0, "master": 2400.0, "total": 406400.0, "masterPerSecond": 1e6}}
        summary = {"plain": {"rps": 2000.0}, "peer": {"rps": 2000.0}}
        out = report.instructions_ratios(counts, "peer", summary)
        self.assertEqual(out["ratio"], round(406400 / 400100, 4))
        self.assertEqual(out["ratioAtMeasuredRate"], round((404000 + 500) / 400000, 4))


class ParsingTest(unittest.TestCase):

    def test_exposition_samples_count_value_lines_only(self):
        text = ("# HELP a_total A\n# TYPE a_total counter\na_total{x=\"1\"} 3\n\n"
                "a_total{x=\"2\"} 4\n  # a comment\nb 1.5e+07\n")
        self.assertEqual(exposition_samples(text), 3)
        self.assertEqual(exposition_samples(""), 0)

    def test_pins_are_the_requested_distributions_by_canonical_name(self):
        doc = {"install": [
            {"requested": True, "metadata": {"name": "gunicorn", "version": "27.0.1"}},
            {"requested": True, "metadata": {"name": "prometheus_client", "version": "0.26.0"}},
            {"requested": False, "metadata": {"name": "psutil", "version": "7.2.2"}},
        ]}
        self.assertEqual(pins_from_report(doc), {"gunicorn": "27.0.1", "prometheus-client": "0.26.0"})


class ScrapeClockTest(unittest.TestCase):

    def test_one_scrape_per_15_seconds_of_load_the_first_at_once(self):
        clock = ScrapeClock()
        self.assertEqual([clock.due("a", 3) for _ in range(11)],
                         [True, False, False, False, True, False, False, False, False, True, False])
        self.assertTrue(clock.due("b", 3))  # each server keeps its own clock


if __name__ == "__main__":
    unittest.main()
