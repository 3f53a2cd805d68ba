"""A fast checker for the part of JSON Schema that the state schema is written in.

``jsonschema`` takes about 8 s to validate the state of a 50,000-member organization,
which the emulator reads at every start.  :func:`compile_schema` turns a schema into
plain closures once; they stop at the first problem and say where it is
(``users[3].seq: expected an integer, got 'x'``).

Keywords checked: ``type``, ``enum``, ``const``, ``pattern``, ``minLength``,
``maxLength``, ``minimum``, ``maximum``, ``properties``, ``required``,
``additionalProperties``, ``propertyNames``, ``items``, ``prefixItems``, ``minItems``,
``maxItems``, ``anyOf`` and ``$ref`` (to ``#/$defs/…``).  Annotations (``title``,
``description``, ``default``, ``$comment``, ``$schema``, ``$id``, ``$defs``) are
ignored; any other keyword is refused when compiling, so a schema can never promise
more than is checked.

Stricter than JSON Schema in three ways, all about what JSON text can carry: an
``integer`` is a number written without a fraction (``1.0`` is not one); a pattern's
final ``$`` is the end of the string, not "before a final newline"; and every string
(keys included) must be encodable as UTF-8, so a lone surrogate is refused wherever
it appears.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.emulator.documents import dotted

# A problem: the path to it, innermost step first (filled in while unwinding), and what.
Problem = tuple[list[Any], str]
Check = Callable[[Any], "Problem | None"]

ANNOTATIONS = frozenset({"title", "description", "default", "$comment", "$schema", "$id", "$defs"})
KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "anyOf",
        "$ref",
    }
)
# JSON type name → the Python types of a parsed document that are of that type.
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}
_ARTICLES = {"integer": "an integer", "array": "an array", "object": "an object", "null": "null"}


class SchemaCheckError(ValueError):
    """A schema that uses something this checker does not implement."""


def show(value: Any, width: int = 60) -> str:
    """``repr`` of a value, cut to ``width`` characters (messages stay one short line)."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _unencodable(text: str) -> str | None:
    """Why ``text`` cannot be encoded as UTF-8 (a lone surrogate), or None."""
    if text.isascii():
        return None
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            return f"contains a lone surrogate (U+{ord(char):04X}), which is not a character"
    return None


def _anchored(pattern: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"(?<!\\)\$\Z", r"\\Z", pattern))


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs", {})
        self.compiled: dict[str, Check] = {}

    def ref(self, ref: str) -> Check:
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in self.defs:
            raise SchemaCheckError(f"unsupported $ref {ref!r}")
        if name not in self.compiled:
            target: list[Check] = []
            # Stands in while the definition compiles, so a definition may refer to itself.
            self.compiled[name] = lambda value: target[0](value)
            target.append(self.node(self.defs[name]))
            self.compiled[name] = target[0]
        return self.compiled[name]

    def node(self, schema: Any) -> Check:
        """One closure for one schema node: the checks it needs, inlined, because this
        runs once per value of a file that can hold millions."""
        if schema is True or schema == {}:
            return _accept
        if not isinstance(schema, Mapping):
            raise SchemaCheckError(f"unsupported schema {schema!r}")
        unknown = set(schema) - KEYWORDS - ANNOTATIONS
        if unknown:
            raise SchemaCheckError(f"unsupported keywords {sorted(unknown)}")
        if "$ref" in schema:
            if set(schema) - ANNOTATIONS != {"$ref"}:
                raise SchemaCheckError("$ref must stand alone (besides annotations)")
            return self.ref(schema["$ref"])
        wanted = schema.get("type")
        names = [] if wanted is None else [wanted] if isinstance(wanted, str) else list(wanted)
        types = frozenset(t for name in names for t in _TYPES[name])
        expected = " or ".join(_ARTICLES.get(n, f"a {n}") for n in names)
        choice = self.choice(schema) if "enum" in schema or "const" in schema else None
        any_of = self.any_of(schema["anyOf"]) if "anyOf" in schema else None
        text = self.strings(schema)
        number = self.numbers(schema)
        mapping = self.objects(schema)
        array = self.arrays(schema)
        if choice is not None and not types and any_of is None:
            return choice  # enum and const values are JSON text: nothing more to check
        if types == {str} and choice is None and any_of is None:
            return self.string_only(expected, text)

        def check(value: Any) -> Problem | None:
            kind = type(value)
            if types and kind not in types:
                return [], f"expected {expected}, got {show(value)}"
            if choice is not None:
                found = choice(value)
                if found is not None:
                    return found
            if any_of is not None:
                found = any_of(value)
                if found is not None:
                    return found
            if kind is str:
                if not value.isascii():
                    why = _unencodable(value)
                    if why is not None:
                        return [], why
                return None if text is None else text(value)
            if kind is dict:
                return None if mapping is None else mapping(value)
            if kind is list:
                return None if array is None else array(value)
            if kind is int or kind is float:
                return None if number is None else number(value)
            return None

        return check

    @staticmethod
    def string_only(expected: str, text: Check | None) -> Check:
        """The commonest node, ``{"type": "string", "pattern": …}``, in one call."""

        def check(value: Any) -> Problem | None:
            if type(value) is not str:
                return [], f"expected {expected}, got {show(value)}"
            if not value.isascii():
                why = _unencodable(value)
                if why is not None:
                    return [], why
            return None if text is None else text(value)

        return check

    @staticmethod
    def choice(schema: Mapping[str, Any]) -> Check:
        allowed = list(schema["enum"]) if "enum" in schema else [schema["const"]]
        # Compared with their types, so that true is not 1 and 1 is not 1.0.
        keys = {(type(v), v) for v in allowed}
        listed = ", ".join(show(v) for v in allowed)

        def check(value: Any) -> Problem | None:
            try:
                if (type(value), value) in keys:
                    return None
            except TypeError:  # an unhashable value is never one of the choices
                pass
            return [], f"{show(value)} is not one of {listed}"

        return check

    def any_of(self, options: list[Any]) -> Check:
        checks = [self.node(option) for option in options]

        def check(value: Any) -> Problem | None:
            first: Problem | None = None
            for one in checks:
                found = one(value)
                if found is None:
                    return None
                first = first or found
            return first

        return check

    @staticmethod
    def strings(schema: Mapping[str, Any]) -> Check | None:
        pattern = schema.get("pattern")
        low, high = schema.get("minLength"), schema.get("maxLength")
        if pattern is None and low is None and high is None:
            return None
        search = None if pattern is None else _anchored(pattern).search

        def check(value: str) -> Problem | None:
            if low is not None and len(value) < low:
                return [], f"{show(value)} is shorter than {low} characters"
            if high is not None and len(value) > high:
                return [], f"{show(value)} is longer than {high} characters"
            if search is not None and search(value) is None:
                return [], f"{show(value)} does not match {pattern}"
            return None

        return check

    @staticmethod
    def numbers(schema: Mapping[str, Any]) -> Check | None:
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None and high is None:
            return None

        def check(value: float) -> Problem | None:
            if low is not None and value < low:
                return [], f"{show(value)} is less than the minimum of {low}"
            if high is not None and value > high:
                return [], f"{show(value)} is more than the maximum of {high}"
            return None

        return check

    def objects(self, schema: Mapping[str, Any]) -> Check | None:
        if not {"properties", "required", "additionalProperties", "propertyNames"} & set(schema):
            return None
        get = {k: self.node(v) for k, v in schema.get("properties", {}).items()}.get
        required = list(schema.get("required", ()))
        needed = frozenset(required)
        extra_schema = schema.get("additionalProperties", True)
        extra = None if extra_schema is False else self.node(extra_schema)
        names = self.node(schema["propertyNames"]) if "propertyNames" in schema else None

        def check(value: dict[Any, Any]) -> Problem | None:
            if not needed <= value.keys():
                missing = next(key for key in required if key not in value)
                return [], f"the key {missing!r} is missing"
            for key, item in value.items():
                if names is not None:
                    found = names(key)
                    if found is not None:
                        return [], f"key {found[1]}"
                elif not key.isascii():
                    why = _unencodable(key)
                    if why is not None:
                        return [], f"a key {why}"
                one = get(key, extra)
                if one is None:
                    return [], f"unknown key {show(key)}"
                found = one(item)
                if found is not None:
                    found[0].append(key)
                    return found
            return None

        return check

    def arrays(self, schema: Mapping[str, Any]) -> Check | None:
        if not {"items", "prefixItems", "minItems", "maxItems"} & set(schema):
            return None
        prefix = [self.node(s) for s in schema.get("prefixItems", ())]
        items_schema = schema.get("items", True)
        rest = None if items_schema is False else self.node(items_schema)
        low, high = schema.get("minItems"), schema.get("maxItems")

        def check(value: list[Any]) -> Problem | None:
            if low is not None and len(value) < low:
                return [], f"has {_items(len(value))}, fewer than {low}"
            if high is not None and len(value) > high:
                return [], f"has {_items(len(value))}, more than {high}"
            if rest is None and len(value) > len(prefix):
                return [], f"has {_items(len(value))}, more than {len(prefix)}"
            for index, item in enumerate(value):
                one = prefix[index] if index < len(prefix) else rest
                assert one is not None
                found = one(item)
                if found is not None:
                    found[0].append(index)
                    return found
            return None

        return check


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def _accept(value: Any) -> Problem | None:
    return None


def compile_schema(schema: Mapping[str, Any]) -> Callable[[Any], str | None]:
    """A checker for ``schema``: it returns ``"path: problem"`` for the first problem of
    a document, or None.  :class:`SchemaCheckError` when the schema uses anything this
    module does not implement."""
    check = _Compiler(schema).node(schema)

    def first_problem(document: Any) -> str | None:
        found = check(document)
        if found is None:
            return None
        path, message = found
        return f"{dotted(path[::-1])}: {message}"

    return first_problem
