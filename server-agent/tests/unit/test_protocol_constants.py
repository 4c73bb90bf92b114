"""The agent's own copies of the protocol's lists and limits (it is stdlib only and never loads the
schema) agree with extension/protocol/agent.schema.json, generated from the zod source: the allowed
signals, signal and exit-reason names and the version are the schema's, and every text and list the
agent cuts is cut to exactly the schema's limit — never longer (the hub would refuse the frame), never
shorter (the agent would lose what the hub accepts)."""
import json
import unittest

from gunicorn_live import aggregate, commands, exphist, frames, stacks
from gunicorn_live.settings import DURATION_BUCKETS
from tests.schema import agent_schema, check, definition

HUGE = 10000


def prop(definition_name, *path):
    """The schema of a property, following `path` through properties, $ref, anyOf (the non-null branch)
    and items."""
    node = definition(definition_name)
    for step in path:
        node = node["properties"][step] if step != "[]" else node["items"]
        while "$ref" in node or "anyOf" in node:
            node = (definition(node["$ref"].rsplit("/", 1)[1]) if "$ref" in node
                    else next(b for b in node["anyOf"] if b.get("type") != "null"))
    return node


def roundtrip(frame):
    return json.loads(frames.encode(frame))


class ListsTest(unittest.TestCase):
    def test_allowed_signals_are_the_commands_enum(self):
        self.assertEqual(list(frames.ALLOWED_SIGNALS), prop("CommandFrame", "signal")["enum"])
        self.assertIs(commands.ALLOWED, frames.ALLOWED_SIGNALS)

    def test_signal_names_are_the_signal_events_enum(self):
        self.assertEqual(list(frames.SIGNAL_NAMES), prop("SignalEvent", "signal")["enum"])

    def test_exit_reasons_are_the_worker_exits_enum(self):
        self.assertEqual(list(frames.EXIT_REASONS), prop("WorkerExitEvent", "reason")["enum"])

    def test_protocol_version_is_the_schemas(self):
        self.assertEqual(frames.PROTOCOL, agent_schema()["x-protocol-version"])

    def test_the_duration_histogram_is_the_schemas(self):
        self.assertEqual(exphist.SCALE, prop("DurationHistogram", "scale")["const"])
        self.assertEqual(exphist.SCALE, prop("ServerInfo", "durationScale")["const"])
        self.assertEqual((exphist.MIN_INDEX, exphist.MAX_INDEX),
                         (prop("DurationHistogram", "offset")["minimum"], prop("DurationHistogram", "offset")["maximum"]))
        self.assertEqual(exphist.BUCKET_LIMIT, prop("DurationHistogram", "counts")["maxItems"])
        self.assertEqual(list(DURATION_BUCKETS), agent_schema()["x-default-duration-buckets"])

    def test_list_caps_are_the_schemas(self):
        self.assertEqual(frames.MAX_STACK, prop("WorkerExitEvent", "stack")["maxItems"])
        self.assertEqual(frames.MAX_EXAMPLES, prop("SampleFrame", "examples")["maxItems"])
        self.assertLessEqual(aggregate.MAX_EXAMPLES, frames.MAX_EXAMPLES)
        self.assertLessEqual(stacks.MAX_FRAMES, frames.MAX_STACK)
        self.assertLessEqual(len(DURATION_BUCKETS), prop("ServerInfo", "durationBuckets")["maxItems"])
        self.assertLessEqual(len(DURATION_BUCKETS) + 1, prop("RequestGroup", "buckets")["maxItems"])


class CutToTheLimitTest(unittest.TestCase):
    """Every builder, fed texts and lists far over the limits: the frame is valid and each was cut to
    exactly the schema's limit."""

    def assertCut(self, value, definition_name, *path):
        limit = prop(definition_name, *path)
        self.assertEqual(len(value), limit.get("maxLength", limit.get("maxItems")), (definition_name, path))

    def test_hello(self):
        built = roundtrip(frames.hello("v" * HUGE, "p" * HUGE, "g" * HUGE, 1, "h" * HUGE, "a" * HUGE,
                                       ["b" * HUGE] * 100, "w" * HUGE, "s" * HUGE, 1.0, 1, 1.0, [1.0]))
        self.assertEqual(check(built), [])
        for key in ("version", "python", "gunicorn"):
            self.assertCut(built["agent"][key], "AgentInfo", key)
        for key in ("host", "app", "workerClass", "serviceName"):
            self.assertCut(built["server"][key], "ServerInfo", key)
        self.assertCut(built["server"]["bind"], "ServerInfo", "bind")
        self.assertCut(built["server"]["bind"][0], "ServerInfo", "bind", "[]")

    def test_sample_workers_groups_and_examples(self):
        busy = frames.worker(2, 1, 1.0, 1.0, 1, 1, 1, "busy", in_flight=("M" * HUGE, "/" * HUGE, 0.1))
        group = frames.request_group("M" * HUGE, "/" * HUGE, 5000, 1, 0.1, {exphist.key(0.1): 1}, 10, 0, 0.1, 0.1,
                                     DURATION_BUCKETS)
        examples = [frames.example(2, "M" * HUGE, "/" * HUGE, 5000, 0.1, 1.0, "E" * HUGE)] * 100
        built = roundtrip(frames.sample(0, 1.0, 1, None, None, 1, [busy], [group], examples=examples))
        self.assertEqual(check(built), [])
        self.assertCut(built["workers"][0]["inFlight"]["method"], "InFlight", "method")
        self.assertCut(built["workers"][0]["inFlight"]["route"], "InFlight", "route")
        self.assertCut(built["requests"][0]["method"], "RequestGroup", "method")
        self.assertCut(built["requests"][0]["route"], "RequestGroup", "route")
        self.assertEqual(built["requests"][0]["status"], prop("RequestGroup", "status")["maximum"])
        self.assertCut(built["examples"], "SampleFrame", "examples")
        for key in ("method", "route", "exception"):
            self.assertCut(built["examples"][0][key], "RequestExample", key)
        self.assertEqual(built["examples"][0]["status"], prop("RequestExample", "status")["maximum"])

    def test_worker_exit_with_a_deep_stack(self):
        stack = [{"file": "f" * HUGE, "line": 1, "function": "g" * HUGE}] * 1000
        built = roundtrip(frames.worker_exit(2, "signal", 1.0, signal="S" * HUGE, exit_code=1, stack=stack))
        self.assertEqual(check(built), [])
        event = built["event"]
        self.assertCut(event["signal"], "WorkerExitEvent", "signal")
        self.assertCut(event["stack"], "WorkerExitEvent", "stack")
        self.assertCut(event["stack"][0]["file"], "StackFrame", "file")
        self.assertCut(event["stack"][0]["function"], "StackFrame", "function")

    def test_ack(self):
        built = roundtrip(frames.ack("i" * HUGE, False, "e" * HUGE))
        self.assertEqual(check(built), [])
        self.assertCut(built["id"], "AckFrame", "id")
        self.assertCut(built["error"], "AckFrame", "error")


if __name__ == "__main__":
    unittest.main()
