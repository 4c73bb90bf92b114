"""The hub is down when the real Gunicorn starts: what the agent measured meanwhile is replayed, in order
and complete, once the hub is up (seq has no gap, nothing was dropped), and requests served during the
outage are counted."""
import time
import unittest

from tests.gunicorn_run import free_port, get, read_log, start, wait_until
from tests.live import TOKEN
from tests.wsserver import TestHub


class OutageTest(unittest.TestCase):
    def test_samples_and_events_from_an_outage_are_replayed(self):
        port = free_port()
        proc = start(self, ["-w", "2"], {"GUNICORN_LIVE_URL": "ws://127.0.0.1:%d/ws/agent" % port,
                                         "GUNICORN_LIVE_TOKEN": TOKEN, "GUNICORN_LIVE_INTERVAL": "0.2"})
        self.assertTrue(wait_until(lambda: "cannot reach the hub" in read_log(proc), 30))
        http_port = int(read_log(proc).split("Listening at: http://127.0.0.1:")[1].split()[0])
        self.assertEqual([get(http_port, "/items/%d" % i)[0] for i in range(5)], [200] * 5)
        time.sleep(1.0)  # the outage itself: five sampling intervals with the hub away
        self.assertEqual(read_log(proc).count("cannot reach the hub"), 1)  # one line for the whole outage
        hub = TestHub(token=TOKEN, port=port)
        self.addCleanup(hub.close)
        self.addCleanup(hub.assert_frames_valid)
        back = time.time()
        self.assertEqual(hub.next(timeout=30)[1]["type"], "hello")
        frames = []

        def collect(conn, message):
            frames.append(message)
            return message["type"] == "sample" and message["at"] > back
        hub.next(collect, timeout=30)
        samples = [m for m in frames if m["type"] == "sample"]
        self.assertGreaterEqual(len(samples), 5)
        self.assertEqual([m["seq"] for m in samples], list(range(len(samples))))
        self.assertEqual(set(m["dropped"] for m in samples), {0})
        spawns = [m for m in frames if m["type"] == "event" and m["event"]["type"] == "worker_spawn"]
        self.assertEqual(len(spawns), 2)
        self.assertEqual(sum(g["count"] for m in samples for g in m["requests"]), 5)
