"""A small stdlib validator for the JSON Schema subset zod 4 emits (draft 2020-12), and the agent
protocol's schema, extension/protocol/agent.schema.json, generated from the zod source the hub validates
with. Tests only: the agent itself never loads the schema.

`problems(instance, schema, document)` lists what is wrong ([] when valid), each as "path: what". A
keyword outside the subset raises, so a schema this validator does not understand never passes silently."""
import json
import os
import re

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "extension", "protocol", "agent.schema.json")

# Keywords that say nothing about validity.
ANNOTATIONS = frozenset(("$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"))
# Keywords that apply to one type of instance only (checked with that type, below).
SHAPE_KEYWORDS = frozenset(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
                            "pattern", "minItems", "maxItems", "items", "prefixItems", "properties", "required",
                            "additionalProperties", "propertyNames"))


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": lambda v: _is_number(v) and float(v).is_integer(),
}


def _json_equal(a, b):
    """JSON equality: 1 == 1.0, but true is not 1 (as it is in Python)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


_patterns = {}


def _pattern(source):
    """An ECMA-262 pattern as Python's re: `$` (outside a class) is the end of the input only, `\\d` and
    `\\w` are ASCII, as in JavaScript."""
    if source not in _patterns:
        out, i, in_class = [], 0, False
        while i < len(source):
            c = source[i]
            if c == "\\":
                out.append(source[i:i + 2])
                i += 2
                continue
            if c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            out.append(r"\Z" if c == "$" and not in_class else c)
            i += 1
        _patterns[source] = re.compile("".join(out), re.ASCII)
    return _patterns[source]


def _resolve(ref, document):
    if not ref.startswith("#/"):
        raise ValueError("only local $ref is supported: %r" % ref)
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def problems(instance, schema, document=None, path="$"):
    """What is wrong with `instance` under `schema` ([] when valid); `document` resolves "#/..." refs."""
    document = schema if document is None else document
    if schema is True:
        return []
    if schema is False:
        return ["%s: not allowed" % path]
    found = []
    for key, value in schema.items():
        if key in _KEYWORDS:
            found += _KEYWORDS[key](instance, value, schema, document, path)
        elif key not in ANNOTATIONS and key not in SHAPE_KEYWORDS and not key.startswith("x-"):
            raise ValueError("%s: JSON Schema keyword %r is outside the subset this validator knows" % (path, key))
    if _is_number(instance):
        found += _numeric(instance, schema, path)
    elif isinstance(instance, str):
        found += _string(instance, schema, path)
    elif isinstance(instance, list):
        found += _array(instance, schema, document, path)
    elif isinstance(instance, dict):
        found += _object(instance, schema, document, path)
    return found


def _type(instance, expected, schema, document, path):
    names = expected if isinstance(expected, list) else [expected]
    for name in names:
        if name not in TYPES:
            raise ValueError("%s: unknown type %r" % (path, name))
    if any(TYPES[name](instance) for name in names):
        return []
    return ["%s: %r is not of type %s" % (path, instance, "/".join(names))]


def _const(instance, expected, schema, document, path):
    return [] if _json_equal(instance, expected) else ["%s: %r is not %r" % (path, instance, expected)]


def _enum(instance, allowed, schema, document, path):
    if any(_json_equal(instance, v) for v in allowed):
        return []
    return ["%s: %r is not one of %s" % (path, instance, ", ".join(json.dumps(v) for v in allowed))]


def _ref(instance, ref, schema, document, path):
    return problems(instance, _resolve(ref, document), document, path)


def _all_of(instance, branches, schema, document, path):
    return [p for branch in branches for p in problems(instance, branch, document, path)]


def _branches(instance, branches, document, path):
    return [problems(instance, branch, document, path) for branch in branches]


def _closest(results, path, what):
    """No branch fits: the problems of the one that came closest (for a tagged union, the right tag's)."""
    best = min(results, key=len)
    return ["%s: matches no %s branch" % (path, what)] + best


def _any_of(instance, branches, schema, document, path):
    results = _branches(instance, branches, document, path)
    return [] if any(not r for r in results) else _closest(results, path, "anyOf")


def _one_of(instance, branches, schema, document, path):
    results = _branches(instance, branches, document, path)
    fits = sum(1 for r in results if not r)
    if fits == 1:
        return []
    if fits > 1:
        return ["%s: matches %d oneOf branches, not exactly one" % (path, fits)]
    return _closest(results, path, "oneOf")


_KEYWORDS = {"type": _type, "const": _const, "enum": _enum, "$ref": _ref, "allOf": _all_of, "anyOf": _any_of,
             "oneOf": _one_of}


def _numeric(v, schema, path):
    found = []
    for key, bad, words in (("minimum", lambda lim: v < lim, "below the minimum"),
                            ("maximum", lambda lim: v > lim, "above the maximum"),
                            ("exclusiveMinimum", lambda lim: v <= lim, "not above"),
                            ("exclusiveMaximum", lambda lim: v >= lim, "not below")):
        if key in schema and bad(schema[key]):
            found.append("%s: %r is %s %r" % (path, v, words, schema[key]))
    return found


def _string(v, schema, path):
    found = []
    # Code points, as JSON Schema (and zod 4) count them.
    if "maxLength" in schema and len(v) > schema["maxLength"]:
        found.append("%s: %d characters, more than %d" % (path, len(v), schema["maxLength"]))
    if "minLength" in schema and len(v) < schema["minLength"]:
        found.append("%s: %d characters, fewer than %d" % (path, len(v), schema["minLength"]))
    if "pattern" in schema and not _pattern(schema["pattern"]).search(v):
        found.append("%s: %r does not match %s" % (path, v, schema["pattern"]))
    return found


def _array(v, schema, document, path):
    found = []
    if "maxItems" in schema and len(v) > schema["maxItems"]:
        found.append("%s: %d items, more than %d" % (path, len(v), schema["maxItems"]))
    if "minItems" in schema and len(v) < schema["minItems"]:
        found.append("%s: %d items, fewer than %d" % (path, len(v), schema["minItems"]))
    prefix = schema.get("prefixItems", [])
    for i, (item, sub) in enumerate(zip(v, prefix)):
        found += problems(item, sub, document, "%s[%d]" % (path, i))
    if "items" in schema:
        for i in range(len(prefix), len(v)):
            found += problems(v[i], schema["items"], document, "%s[%d]" % (path, i))
    return found


def _object(v, schema, document, path):
    found = []
    properties = schema.get("properties", {})
    for key in schema.get("required", []):
        if key not in v:
            found.append("%s.%s: missing" % (path, key))
    for key, value in v.items():
        if "propertyNames" in schema:
            found += problems(key, schema["propertyNames"], document, "%s (key %r)" % (path, key))
        if key in properties:
            found += problems(value, properties[key], document, "%s.%s" % (path, key))
        elif schema.get("additionalProperties") is False:
            found.append("%s.%s: unexpected key" % (path, key))
        elif isinstance(schema.get("additionalProperties"), dict):
            found += problems(value, schema["additionalProperties"], document, "%s.%s" % (path, key))
    return found


_agent_schema = []


def agent_schema():
    """extension/protocol/agent.schema.json, read once."""
    if not _agent_schema:
        with open(SCHEMA_PATH) as f:
            _agent_schema.append(json.load(f))
    return _agent_schema[0]


def definition(name):
    return agent_schema()["$defs"][name]


def check(frame):
    """Problems with an agent → hub frame ([] when the hub would accept it)."""
    return problems(frame, agent_schema())


def check_command(frame):
    """Problems with a hub → agent command frame."""
    return problems(frame, definition("CommandFrame"), agent_schema())


def unknown_keywords(node, path="$"):
    """Every keyword anywhere in a schema document that this validator does not know (it must be [])."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            known = key in _KEYWORDS or key in ANNOTATIONS or key in SHAPE_KEYWORDS or key.startswith("x-")
            if not known:
                found.append("%s.%s" % (path, key))
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    found += unknown_keywords(sub, "%s.%s.%s" % (path, key, name))
            elif key in ("items", "additionalProperties", "propertyNames"):
                found += unknown_keywords(value, "%s.%s" % (path, key))
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
                for i, sub in enumerate(value):
                    found += unknown_keywords(sub, "%s.%s[%d]" % (path, key, i))
    return found
