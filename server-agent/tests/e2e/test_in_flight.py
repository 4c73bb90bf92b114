"""What workers are doing right now, on the real Gunicorn 20.1.0: busy/idle and the request in flight
for sync and gthread, in-flight counts for async workers; slow requests as examples; clients that go
away counted apart from failures."""
import time
import unittest

from tests.gunicorn_run import abandon, get, get_async
from tests.live import Session, parallel


class InFlightTest(unittest.TestCase):
    def test_in_flight_state_per_worker_class(self):
        parallel(("sync", self.sync_busy_and_idle), ("gthread", self.gthread_oldest_of_two),
                 ("gevent", self.async_count("gevent", "app:app", "/sleep?s=2")),
                 ("uvicorn", self.async_count("uvicorn.workers.UvicornWorker", "fastapi_app:app", "/sleep?s=2")),
                 ("disconnects", self.client_disconnects))

    def sync_busy_and_idle(self):
        s = Session(self, ["-w", "2"])
        s.live_sample(2)
        request = get_async(s.port, "/sleep?s=2")

        def one_busy(sample):
            busy = [w for w in sample["workers"] if w["state"] == "busy"]
            idle = [w for w in sample["workers"] if w["state"] == "idle"]
            return len(busy) == 1 and len(idle) == 1 and busy[0]["inFlight"] and busy[0]["inFlight"]["elapsed"] > 0.5
        sample = s.sample(one_busy)
        busy = [w for w in sample["workers"] if w["state"] == "busy"][0]
        idle = [w for w in sample["workers"] if w["state"] == "idle"][0]
        self.assertEqual((busy["inFlight"]["method"], busy["inFlight"]["route"], busy["inFlightCount"]),
                         ("GET", "/sleep", 1))
        self.assertLess(busy["inFlight"]["elapsed"], 2.5)
        self.assertEqual((idle["inFlight"], idle["inFlightCount"]), (None, 0))
        request.join(10)
        self.assertEqual(request.result[0], 200)
        # Done: idle again, and the slow request is an example.
        examples = []
        s.sample(lambda m: examples.extend(m.get("examples", [])) or
                 (examples and all(w["state"] == "idle" for w in m["workers"])))
        self.assertEqual([(e["route"], e["status"], e["pid"]) for e in examples], [("/sleep", 200, busy["pid"])])
        self.assertGreaterEqual(examples[0]["duration"], 2.0)
        self.assertNotIn("exception", examples[0])

    def gthread_oldest_of_two(self):
        s = Session(self, ["-w", "1", "-k", "gthread", "--threads", "4"])
        s.live_sample(1)
        first = get_async(s.port, "/sleep?s=3")
        s.sample(lambda m: m["workers"][0]["inFlightCount"] == 1)
        started_second = time.monotonic()
        second = get_async(s.port, "/sleep?s=1.5")
        sample = s.sample(lambda m: m["workers"][0]["inFlightCount"] == 2)
        worker = sample["workers"][0]
        self.assertEqual((worker["state"], worker["inFlight"]["route"]), ("busy", "/sleep"))
        # The oldest request is reported: it has run longer than the second one has existed.
        self.assertGreater(worker["inFlight"]["elapsed"], time.monotonic() - started_second - 0.3)
        for request in (first, second):
            request.join(10)
            self.assertEqual(request.result[0], 200)
        s.sample(lambda m: m["workers"][0]["state"] == "idle" and m["workers"][0]["inFlightCount"] == 0)

    def async_count(self, worker_class, app, path):
        def run():
            s = Session(self, ["-w", "1", "-k", worker_class], app=app, hello_timeout=60)
            s.live_sample(1, timeout=60)
            requests = [get_async(s.port, path) for _ in range(3)]
            sample = s.sample(lambda m: m["workers"][0]["inFlightCount"] == 3)
            self.assertNotIn("state", sample["workers"][0])
            self.assertNotIn("inFlight", sample["workers"][0])
            for request in requests:
                request.join(10)
                self.assertEqual(request.result[0], 200)
            s.sample(lambda m: m["workers"][0]["inFlightCount"] == 0 and m["workers"][0]["requests"] == 3)
        return run

    def client_disconnects(self):
        s = Session(self, ["-w", "1"])
        s.live_sample(1)
        for _ in range(2):
            abandon(s.port, "/big?s=0.5")
        self.assertEqual(get(s.port, "/")[0], 200)
        counts, exceptions, disconnects, examples, last = s.count_requests(3)
        # Not failures, not 5xx, not in the groups: their own counter.
        self.assertEqual((counts, exceptions, disconnects, examples), ({("GET", "/", 200): 1}, {}, 2, []))
        self.assertEqual(last["workers"][0]["requests"], 3)
