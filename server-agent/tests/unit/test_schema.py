"""The stdlib JSON Schema validator the agent's frames are checked with: it accepts what is valid and
rejects each kind of invalid, with the path and the reason."""
import unittest

from tests import schema
from tests.schema import problems

DOCUMENT = {
    "$defs": {
        "Point": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                  "required": ["x"], "additionalProperties": False},
        "Tagged": {"oneOf": [
            {"type": "object", "properties": {"type": {"type": "string", "const": "a"}, "n": {"type": "number"}},
             "required": ["type", "n"], "additionalProperties": False},
            {"type": "object", "properties": {"type": {"type": "string", "const": "b"}, "s": {"type": "string"}},
             "required": ["type", "s"], "additionalProperties": False},
        ]},
    },
}


def ref(name):
    return {"$ref": "#/$defs/%s" % name}


class AcceptsTest(unittest.TestCase):
    def test_values_that_fit_pass(self):
        cases = [
            (1, {"type": "integer", "minimum": 0, "maximum": 9}),
            (2.0, {"type": "integer"}),  # a whole float is an integer in JSON, as in zod
            (0.5, {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}),
            (None, {"anyOf": [{"type": "number"}, {"type": "null"}]}),
            ("1.0", {"type": "string", "pattern": r"^\d+\.\d+$"}),
            ("ab", {"type": "string", "minLength": 1, "maxLength": 2}),
            ("😀😀", {"type": "string", "maxLength": 2}),  # code points, as zod counts
            ("busy", {"type": "string", "enum": ["idle", "busy"]}),
            (True, {"type": "boolean"}),
            ([1, "x", "y"], {"type": "array", "prefixItems": [{"type": "integer"}], "items": {"type": "string"},
                             "minItems": 1, "maxItems": 3}),
            ({"x": 1}, ref("Point")),
            ({"type": "b", "s": "hi"}, ref("Tagged")),
            ({"k1": [1]}, {"type": "object", "propertyNames": {"type": "string", "maxLength": 2},
                           "additionalProperties": {"type": "array", "items": {"type": "integer"}}}),
            ({"x": 1}, {"type": "object", "description": "annotations are ignored", "x-anything": 1}),
        ]
        for value, s in cases:
            self.assertEqual(problems(value, s, DOCUMENT), [], (value, s))


class RejectsTest(unittest.TestCase):
    def assertProblem(self, value, s, expected):
        found = problems(value, s, DOCUMENT)
        self.assertIn(expected, found, (value, s))

    def test_wrong_type(self):
        self.assertProblem("1", {"type": "number"}, "$: '1' is not of type number")
        self.assertProblem(1.5, {"type": "integer"}, "$: 1.5 is not of type integer")
        self.assertProblem(True, {"type": "integer"}, "$: True is not of type integer")  # a bool is no number
        self.assertProblem(0, {"type": "boolean"}, "$: 0 is not of type boolean")
        self.assertProblem({}, {"type": "array"}, "$: {} is not of type array")
        self.assertProblem(None, {"type": ["string", "array"]}, "$: None is not of type string/array")

    def test_const_and_enum(self):
        self.assertProblem("hallo", {"const": "hello"}, "$: 'hallo' is not 'hello'")
        self.assertProblem(True, {"const": 1}, "$: True is not 1")
        self.assertProblem("KILL", {"enum": ["HUP", "TERM"]}, '$: \'KILL\' is not one of "HUP", "TERM"')
        self.assertProblem(1, {"enum": [True]}, "$: 1 is not one of true")

    def test_numbers_out_of_range(self):
        self.assertProblem(-1, {"minimum": 0}, "$: -1 is below the minimum 0")
        self.assertProblem(1000, {"maximum": 999}, "$: 1000 is above the maximum 999")
        self.assertProblem(0, {"exclusiveMinimum": 0}, "$: 0 is not above 0")
        self.assertProblem(1, {"exclusiveMaximum": 1}, "$: 1 is not below 1")

    def test_strings_out_of_bounds(self):
        self.assertProblem("abc", {"maxLength": 2}, "$: 3 characters, more than 2")
        self.assertProblem("", {"minLength": 1}, "$: 0 characters, fewer than 1")
        self.assertProblem("1.x", {"pattern": r"^\d+\.\d+$"}, "$: '1.x' does not match ^\\d+\\.\\d+$")
        # As in JavaScript: `$` is the end of the input (not before a final newline), `\d` is ASCII.
        self.assertProblem("1.0\n", {"pattern": r"^\d+\.\d+$"}, "$: '1.0\\n' does not match ^\\d+\\.\\d+$")
        self.assertProblem("١.0", {"pattern": r"^\d+\.\d+$"}, "$: '١.0' does not match ^\\d+\\.\\d+$")

    def test_arrays(self):
        self.assertProblem([1, 2, 3], {"maxItems": 2}, "$: 3 items, more than 2")
        self.assertProblem([], {"minItems": 1}, "$: 0 items, fewer than 1")
        self.assertProblem([1, "x"], {"items": {"type": "integer"}}, "$[1]: 'x' is not of type integer")
        self.assertProblem(["x", "y"], {"prefixItems": [{"type": "integer"}], "items": {"type": "string"}},
                           "$[0]: 'x' is not of type integer")

    def test_objects(self):
        self.assertProblem({"y": 1}, ref("Point"), "$.x: missing")
        self.assertProblem({"x": 1, "z": 2}, ref("Point"), "$.z: unexpected key")
        self.assertProblem({"x": 1, "y": "2"}, ref("Point"), "$.y: '2' is not of type integer")
        self.assertProblem({"abc": [1]}, {"propertyNames": {"maxLength": 2}}, "$ (key 'abc'): 3 characters, more than 2")
        self.assertProblem({"k": ["x"]}, {"additionalProperties": {"items": {"type": "integer"}}},
                           "$.k[0]: 'x' is not of type integer")

    def test_unions(self):
        found = problems({"type": "a", "n": "1"}, ref("Tagged"), DOCUMENT)
        # No branch fits: the closest branch (the one with the right tag) says why.
        self.assertEqual(found, ["$: matches no oneOf branch", "$.n: '1' is not of type number"])
        self.assertProblem("x", {"anyOf": [{"type": "number"}, {"type": "null"}]}, "$: matches no anyOf branch")
        self.assertProblem(1, {"oneOf": [{"type": "number"}, {"type": "integer"}]},
                           "$: matches 2 oneOf branches, not exactly one")
        self.assertProblem(1, {"allOf": [{"type": "integer"}, {"minimum": 2}]}, "$: 1 is below the minimum 2")

    def test_a_keyword_outside_the_subset_raises_instead_of_passing(self):
        with self.assertRaises(ValueError):
            problems(1, {"multipleOf": 2})
        with self.assertRaises(ValueError):
            problems(1, {"$ref": "https://example.com/other.json"})
        self.assertEqual(schema.unknown_keywords({"properties": {"a": {"if": {}}}}), ["$.properties.a.if"])


class AgentSchemaTest(unittest.TestCase):
    def test_the_generated_schema_uses_only_the_subset(self):
        self.assertEqual(schema.unknown_keywords(schema.agent_schema()), [])

    def test_the_document_validates_agent_frames_and_names_commands(self):
        self.assertEqual(schema.agent_schema()["$ref"], "#/$defs/AgentFrame")
        self.assertEqual(schema.check({"type": "ack", "id": "c1", "ok": True}), [])
        self.assertNotEqual(schema.check({"type": "command", "id": "c1", "command": "signal", "signal": "HUP"}), [])
        self.assertEqual(schema.check_command({"type": "command", "id": "c1", "command": "signal", "signal": "HUP"}), [])


if __name__ == "__main__":
    unittest.main()
