"""What every document from outside must be before any rule looks at it.

Request bodies (``/v1`` and ``/_emulator``), seed files and state files all pass
:func:`problem` right after parsing, so no field-by-field check can forget it:

* every string, mapping keys included, can be encoded as UTF-8: a JSON escape such as
  ``\\ud800`` decodes to a lone surrogate, which no response or state file could ever
  encode — accepted once, it would break every later read of that object;
* every number is finite: ``NaN`` and ``Infinity`` are not JSON, and ``1e999`` parses
  to an infinity;
* nesting is at most :data:`MAX_DEPTH` levels (the deepest real document has 6), so
  no later recursive step (schema validation, rendering) can run out of stack;
* it holds only what JSON can (a YAML seed could hold binary data, sets or keys that
  are numbers).
"""

from __future__ import annotations

import json
import math
from typing import Any

from reconciler.emulator.documents import MAX_DEPTH, dotted


class NotWellFormed(ValueError):
    """A document that is not well-formed JSON text or breaks a rule above."""


def _reject_constant(name: str) -> Any:
    raise NotWellFormed(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotWellFormed(f"the number {text[:40]} is too large")
    return value


def parse(text: str | bytes) -> Any:
    """Parse JSON strictly: UTF-8, no ``NaN``/``Infinity``, only finite numbers, integers
    of at most 4,300 digits; :class:`NotWellFormed` says what is wrong.  Strings are not
    checked here (see :func:`loads`)."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except NotWellFormed:
        raise
    except json.JSONDecodeError as e:
        where = f"line {e.lineno} column {e.colno}"
        raise NotWellFormed(f"not valid JSON: {e.msg} at {where}") from None
    except UnicodeDecodeError as e:
        raise NotWellFormed(f"not UTF-8 text (byte {e.start})") from None
    except RecursionError:
        raise NotWellFormed(f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as e:
        if "integer string conversion" in str(e):
            raise NotWellFormed("a number has more than 4,300 digits") from None
        raise NotWellFormed(f"not valid JSON: {e}") from None


def loads(text: str | bytes) -> Any:
    """:func:`parse`, then :func:`problem`: the whole check for a request body."""
    data = parse(text)
    found = problem(data)
    if found is not None:
        raise NotWellFormed(found)
    return data


def _text_problem(text: str) -> str | None:
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return f"contains a lone surrogate (U+{ord(text[e.start]):04X}), which is not a character"
    return None


_SCALARS = (str, int, float, bool, type(None))


def _value_problem(value: Any) -> str | None:
    """What is wrong with a value that is not a list or a mapping, or None."""
    kind = type(value)
    if kind is str:
        return _text_problem(value)
    if kind is float:
        return None if math.isfinite(value) else f"{value!r} is not a finite number"
    if kind in _SCALARS:
        return None
    # A YAML document can hold more than JSON can (binary, sets, …).
    return f"a value of type {kind.__name__} is not JSON"


def _key_problem(key: Any) -> str | None:
    if type(key) is not str:
        return f"the key {key!r} is not a string"
    found = _text_problem(key)
    return None if found is None else f"a key {found}"


def find(data: Any) -> tuple[list[Any], str] | None:
    """The first way ``data`` (a parsed document) breaks the rules above: the path to
    it (keys and indexes) and what is wrong; None when it keeps them all."""
    if _fine(data):
        return None
    stack: list[tuple[Any, list[Any]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return path, f"nested more than {MAX_DEPTH} levels deep"
        if type(value) is dict:
            for key, item in value.items():
                found = _key_problem(key)
                if found is not None:
                    return path, found
                stack.append((item, [*path, key]))
        elif type(value) is list:
            stack.extend((item, [*path, index]) for index, item in enumerate(value))
        else:
            found = _value_problem(value)
            if found is not None:
                return path, found
    return None  # pragma: no cover - _fine() and this walk judge alike


def _fine(data: Any) -> bool:
    """The same judgement as :func:`find`, without keeping paths (the common case)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        if depth > MAX_DEPTH:
            return False
        kind = type(value)
        if kind is str:
            if not value.isascii() and _text_problem(value) is not None:
                return False
        elif kind is dict:
            for key, item in value.items():
                if type(key) is not str or (not key.isascii() and _text_problem(key)):
                    return False
                push((item, depth + 1))
        elif kind is list:
            for item in value:
                push((item, depth + 1))
        elif _value_problem(value) is not None:
            return False
    return True


def problem(data: Any) -> str | None:
    """:func:`find` as one line, ``users[3].name: …``; None when ``data`` is fine."""
    found = find(data)
    return None if found is None else f"{dotted(found[0])}: {found[1]}"
