"""Every frame the agent builds is valid under the protocol's JSON Schema (extension/protocol/agent.schema.json,
generated from the zod source the hub validates with), and so are the shared test/vectors/agent-frames.json."""
import json
import os
import unittest

from gunicorn_live import commands, exphist, frames
from gunicorn_live.settings import DURATION_BUCKETS
from tests import schema

VECTORS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "test", "vectors", "agent-frames.json")


def load_vectors():
    with open(VECTORS) as f:
        return json.load(f)


class VectorsTest(unittest.TestCase):
    """The checker itself agrees with the shared vectors, so passing it means something."""

    def test_valid_vectors_pass(self):
        for vector in load_vectors()["valid"]:
            self.assertEqual(schema.check(vector["frame"]), [], vector["name"])

    def test_invalid_vectors_fail(self):
        for vector in load_vectors()["invalid"]:
            self.assertNotEqual(schema.check(vector["frame"]), [], vector["name"])

    def test_command_vectors(self):
        vectors = load_vectors()["commands"]
        for frame in vectors["valid"]:
            self.assertEqual(schema.check_command(frame), [])
        for frame in vectors["invalid"]:
            self.assertNotEqual(schema.check_command(frame), [])


def roundtrip(frame):
    return json.loads(frames.encode(frame))


class HubVersionTest(unittest.TestCase):
    def test_the_version_the_hub_names_in_its_handshake_else_one_older_than_profiles(self):
        self.assertEqual(frames.hub_version({"x-gunicorn-live-protocol": "1.2"}), (1, 2))
        self.assertEqual(frames.hub_version({"x-gunicorn-live-protocol": "1.10"}), (1, 10))
        for older in ({}, None, {"x-gunicorn-live-protocol": "two"}):
            self.assertEqual(frames.hub_version(older), (1, 1))
        self.assertLess(frames.hub_version({}), frames.SINCE["profile"])


class BuildersTest(unittest.TestCase):
    def test_hello_matches_the_valid_vector_key_for_key(self):
        for hz, name in ((97, "hello 1.3, profiler on"), (None, "hello 1.3, profiler off")):
            built = roundtrip(frames.hello("0.1.0", "3.11.2", "20.1.0", 4242, "devbox", "app:app", ["127.0.0.1:8000"],
                                           "sync", "app", 1763776800.5, 2, 1.0, DURATION_BUCKETS, 30, profile_hz=hz))
            expected = next(v["frame"] for v in load_vectors()["valid"] if v["name"] == name)
            self.assertEqual(schema.check(built), [])
            self.assertEqual(built, expected)

    def test_sample_with_workers_and_groups(self):
        workers = [frames.worker(4243, 1, 1763776800.7, 12.5, 30408704, 18874368, 120, "idle"),
                   frames.worker(4244, 2, 1763776800.8, None, None, None, 0, None)]
        hist = {exphist.key(0.0024): 9, exphist.key(0.0061): 1}
        groups = [frames.request_group("GET", "/items/{id}", 200, 10, 0.0277, hist, 1200, 0, 0.0024, 0.0061,
                                       DURATION_BUCKETS)]
        built = roundtrip(frames.sample(7, 1763776807.5, 4242, 0.4, 24117248, 2, workers, groups))
        self.assertEqual(schema.check(built), [])
        self.assertNotIn("state", built["workers"][1])
        self.assertIsNone(built["workers"][1]["pssBytes"])
        group = built["requests"][0]
        self.assertEqual(len(group["buckets"]), len(DURATION_BUCKETS) + 1)
        expected = [v for v in load_vectors()["valid"] if v["name"].startswith("sample with exponential")][0]
        self.assertEqual(group, expected["frame"]["requests"][0])
        self.assertEqual(exphist.from_wire(group["durations"]), hist)

    def test_events_and_acks(self):
        stack = [{"file": "/srv/app.py", "line": 12, "function": "slow"}]
        for frame in (frames.worker_spawn(4244, 1763776810.1),
                      frames.worker_exit(4243, "timeout", 1763776811.0, exit_code=1, stack=stack),
                      frames.worker_exit(4245, "signal", 1763776811.5, signal="SIGKILL", oom=False),
                      frames.worker_exit(4246, "signal", 1763776811.7, signal="SIGKILL", oom=True),
                      frames.worker_exit(4246, "crash", 1.0, exit_code=7),
                      frames.signal_event("SIGHUP", 1763776812.0),
                      frames.ack("c1", True), frames.ack("c2", False, "signal KILL is not allowed")):
            self.assertEqual(schema.check(roundtrip(frame)), [], frame)

    def test_unknown_exit_reason_becomes_unknown(self):
        self.assertEqual(frames.worker_exit(1, "gremlins", 1.0)["event"]["reason"], "unknown")

    def test_long_strings_are_cut_to_the_protocol_limits(self):
        group = frames.request_group("X" * 100, "/" + "a" * 1000, 200, 1, 0.1, {exphist.key(0.1): 1}, 10, 0, 0.1, 0.1,
                                     DURATION_BUCKETS)
        self.assertEqual(schema.check(roundtrip(frames.sample(0, 1, 1, None, None, 0, [], [group]))), [])

    def test_nan_is_never_encoded(self):
        with self.assertRaises(ValueError):
            frames.encode({"x": float("nan")})


class CommandsTest(unittest.TestCase):
    def setUp(self):
        self.sent = []

    def handle(self, frame):
        text = frame if isinstance(frame, str) else json.dumps(frame)
        return commands.handle(text, kill=lambda pid, sig: self.sent.append((pid, sig)), getpid=lambda: 4242)

    def test_every_valid_command_vector_is_obeyed_and_acked(self):
        import signal
        for frame in load_vectors()["commands"]["valid"]:
            ack = self.handle(frame)
            self.assertEqual(schema.check(ack), [])
            self.assertEqual(ack, {"type": "ack", "id": frame["id"], "ok": True})
            self.assertEqual(self.sent[-1], (4242, getattr(signal, "SIG" + frame["signal"])))

    def test_every_invalid_command_vector_is_refused_without_a_signal(self):
        for frame in load_vectors()["commands"]["invalid"]:
            ack = self.handle(frame)
            self.assertEqual(schema.check(ack), [])
            self.assertFalse(ack["ok"])
            self.assertEqual(ack["id"], frame["id"])
        self.assertEqual(self.sent, [])
        self.assertEqual(self.handle({"type": "command", "id": "c2", "command": "signal", "signal": "KILL"})["error"],
                         "signal KILL is not allowed (allowed: HUP USR1 USR2 TTIN TTOU QUIT TERM)")

    def test_non_commands_get_no_answer(self):
        for text in ("not json", "[1]", '{"type":"hello"}', '{"type":"command","command":"signal","signal":"HUP"}'):
            self.assertIsNone(self.handle(text))
        self.assertEqual(self.sent, [])

    def test_a_failed_kill_is_a_refusal(self):
        def kill(pid, sig):
            raise PermissionError(1, "Operation not permitted")
        ack = commands.handle('{"type":"command","id":"c1","command":"signal","signal":"HUP"}', kill=kill)
        self.assertEqual((ack["ok"], ack["error"]), (False, "could not send SIGHUP to the master: Operation not permitted"))
