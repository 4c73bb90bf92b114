"""The uplink: hello first on every connection, buffered frames replayed after a reconnect, commands
acked, and a bounded buffer that drops (and counts) the oldest."""
import json
import signal
import time
import unittest

from gunicorn_live import arbiter, exphist, frames
from gunicorn_live.transport import OutboundBuffer, Transport
from tests import schema
from tests.wsserver import TestHub


def hello():
    return frames.hello("0.1.0", "3.11.2", "20.1.0", 4242, "h", "app:app", [], "sync", "app", 1.0, 2, 1.0, [1.0])


def sample(seq):
    return frames.encode(frames.sample(seq, 1.0 + seq, 4242, None, None, 2, [], []))


class BufferTest(unittest.TestCase):
    def test_full_buffer_drops_the_oldest_and_counts(self):
        buffer = OutboundBuffer(3)
        for i in range(5):
            buffer.put(str(i))
        self.assertEqual((len(buffer), buffer.dropped, buffer.peek()), (3, 2, "2"))
        head = buffer.peek()
        buffer.put("5")              # drops "2" while it was being sent…
        buffer.pop(head)             # …so popping it must not remove "3"
        self.assertEqual(buffer.peek(), "3")


    def test_only_dropped_samples_count_as_dropped_samples(self):
        buffer = OutboundBuffer(3)
        for i in range(3):
            buffer.put(frames.encode(frames.worker_spawn(10 + i, 1.0)))
        for i in range(5):
            buffer.put(sample(i))
        # The three events went first, then two samples.
        self.assertEqual((buffer.dropped, buffer.dropped_samples), (5, 2))
        self.assertEqual([json.loads(buffer.peek())["seq"], len(buffer)], [2, 3])

    def test_the_buffer_holds_more_than_five_minutes_of_samples(self):
        for interval in (0.2, 1.0, 5.0):
            self.assertGreaterEqual(arbiter.buffer_capacity(interval), 300 / interval + 100, interval)


class BackoffTest(unittest.TestCase):
    def test_exponential_with_jitter_and_a_cap(self):
        transport = Transport("ws://127.0.0.1:9/ws/agent", "t", hello, OutboundBuffer(1), backoff_base=0.5,
                              backoff_cap=30.0)
        self.addCleanup(transport.stop)
        for attempt in range(12):
            ceiling = min(30.0, 0.5 * 2 ** attempt)
            delays = [transport._backoff(attempt) for _ in range(200)]
            self.assertTrue(all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, min(delays), max(delays)))
            # Jittered: agents that lost the same hub do not come back in lockstep.
            self.assertGreater(max(delays) - min(delays), ceiling / 5)
        self.assertLessEqual(transport._backoff(1000), 30.0)


class TransportTest(unittest.TestCase):
    def setUp(self):
        self.hub = TestHub(token="tk")
        self.addCleanup(self.hub.close)
        self.killed = []
        self.buffer = OutboundBuffer(1000)
        self.transport = Transport(self.hub.url, "tk", hello, self.buffer, backoff_base=0.05, backoff_cap=0.2,
                                   kill=lambda pid, sig: self.killed.append(sig))
        self.addCleanup(self.transport.stop)

    def test_hello_first_then_frames_in_order(self):
        for i in range(3):
            self.buffer.put(sample(i))
        self.transport.start()
        conn, first = self.hub.next()
        self.assertEqual(first["type"], "hello")
        self.assertEqual(schema.check(first), [])
        self.assertEqual([self.hub.next()[1]["seq"] for _ in range(3)], [0, 1, 2])
        self.assertEqual(conn.unmasked, 0)

    def test_reconnect_sends_hello_again_and_replays_what_was_buffered(self):
        self.transport.start()
        self.hub.next(lambda c, m: m["type"] == "hello")
        self.buffer.put(sample(0))
        self.transport.wake()
        self.assertEqual(self.hub.next()[1]["seq"], 0)
        port = self.hub.port
        self.hub.close()                      # the hub goes away…
        deadline = time.monotonic() + 5
        while self.transport.ws is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertIsNone(self.transport.ws)
        for i in range(1, 150):               # …samples pile up meanwhile (more than one burst)…
            self.buffer.put(sample(i))
        time.sleep(0.3)                       # …through a few failed reconnects…
        hub = TestHub(token="tk", port=port)  # …and it comes back.
        self.addCleanup(hub.close)
        self.assertEqual(hub.next()[1]["type"], "hello")
        seqs = [hub.next()[1]["seq"] for _ in range(149)]
        self.assertEqual(seqs, list(range(1, 150)))
        self.assertEqual(len(self.buffer), 0)
        self.assertEqual(self.transport.connections, 2)
        self.assertEqual(hub.connections[0].unmasked, 0)

    def test_hub_down_at_start_then_up(self):
        port = self.hub.port
        self.hub.close()
        transport = Transport("ws://127.0.0.1:%d/ws/agent" % port, "tk", hello, self.buffer,
                              backoff_base=0.05, backoff_cap=0.2)
        self.addCleanup(transport.stop)
        self.buffer.put(sample(0))
        transport.start()
        time.sleep(0.5)
        hub = TestHub(token="tk", port=port)
        self.addCleanup(hub.close)
        self.assertEqual(hub.next()[1]["type"], "hello")
        self.assertEqual(hub.next()[1]["seq"], 0)

    def test_commands_are_acked_and_only_allowed_signals_sent(self):
        self.transport.start()
        conn, _ = self.hub.next(lambda c, m: m["type"] == "hello")
        conn.send_text(json.dumps({"type": "command", "id": "c1", "command": "signal", "signal": "HUP"}))
        conn.send_text(json.dumps({"type": "command", "id": "c2", "command": "signal", "signal": "KILL"}), fragments=3)
        acks = [self.hub.next(lambda c, m: m["type"] == "ack")[1] for _ in range(2)]
        self.assertEqual(acks[0], {"type": "ack", "id": "c1", "ok": True})
        self.assertEqual((acks[1]["id"], acks[1]["ok"]), ("c2", False))
        self.assertEqual(self.killed, [signal.SIGHUP])

    def test_replay_is_paced_below_the_hub_rate_limit(self):
        for i in range(250):
            self.buffer.put(sample(i))
        self.transport.start()
        self.hub.next(lambda c, m: m["type"] == "hello")
        start = time.monotonic()
        for _ in range(250):
            self.hub.next()
        elapsed = time.monotonic() - start
        # Burst of 50 then 100/s: 250 frames take ≥ 2 s; the hub allows 200/s with a burst of 200.
        self.assertGreater(elapsed, 1.8)
        self.assertLess(elapsed, 6.0)

    def test_overflow_while_the_hub_is_down_drops_the_oldest_and_the_samples_say_how_many(self):
        port = self.hub.port
        self.hub.close()
        buffer = OutboundBuffer(10)
        transport = Transport("ws://127.0.0.1:%d/ws/agent" % port, "tk", hello, buffer, backoff_base=0.05,
                              backoff_cap=0.1)
        self.addCleanup(transport.stop)
        transport.start()
        for seq in range(25):  # what a master's sampler does: each sample carries the count so far
            buffer.put(frames.encode(frames.sample(seq, 1.0 + seq, 4242, None, None, 2, [], [],
                                                   dropped=buffer.dropped_samples)))
        hub = TestHub(token="tk", port=port)
        self.addCleanup(hub.close)
        self.assertEqual(hub.next()[1]["type"], "hello")
        replayed = [hub.next()[1] for _ in range(10)]
        self.assertEqual([m["seq"] for m in replayed], list(range(15, 25)))
        self.assertEqual(replayed[-1]["dropped"], 14)  # the 15th drop happened when the last one was put
        self.assertEqual(buffer.dropped_samples, 15)

    def test_a_hub_that_stops_reading_never_blocks_the_master(self):
        slow = TestHub(token="tk", stall=True)
        self.addCleanup(slow.close)
        buffer = OutboundBuffer(100000)
        transport = Transport(slow.url, "tk", hello, buffer, backoff_base=0.05, backoff_cap=0.1, connect_timeout=0.5)
        self.addCleanup(transport.stop)
        transport.start()
        slow.wait_connections(1)
        frame = frames.encode(frames.sample(0, 1.0, 4242, None, None, 2, [], [frames.request_group(
            "GET", "/r/%d" % i, 200, 1, 0.1, {exphist.key(0.1): 1}, 10, 0, 0.1, 0.1, (0.5,)) for i in range(400)]))
        start = time.monotonic()
        for _ in range(400):                  # ~25 MB: far more than the socket buffers hold
            buffer.put(frame)
            transport.wake()
        self.assertLess(time.monotonic() - start, 1.0)   # the arbiter's side only ever appends
        # Once the kernel's buffers are full the uplink gives up on the stalled socket after its timeout
        # and connects again. What still waits in the buffer is kept (frames already handed to the dead
        # socket are lost with it; the hub sees the gap in `seq`).
        slow.wait_connections(2, timeout=20)
        self.assertGreater(len(buffer), 200)
        self.assertEqual(buffer.dropped, 0)

    def test_stop_closes_with_a_close_frame(self):
        self.transport.start()
        conn, _ = self.hub.next(lambda c, m: m["type"] == "hello")
        self.transport.stop()
        self.assertTrue(conn.closed.wait(5))
        self.assertEqual(conn.close_code, 1001)
