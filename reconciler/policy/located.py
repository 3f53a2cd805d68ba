"""Located YAML values: every key and value knows the ``file:line:column`` it came from.

The parser (:mod:`reconciler.policy.yamlparse`) builds these from libyaml's event stream.
Scalars keep their *source text* and style next to the value YAML resolved, so an amount
written ``800.10`` is read as ``Decimal("800.10")`` from the text, never through a float.

    Node = Scalar | Mapping | Sequence

Mappings are keyed by the key's text (policy keys are names, emails and tag keys: always
text, whatever YAML would have made of them).  Nodes reached through an alias are shared,
not copied; nothing here mutates a node after the parser returns it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Union

from reconciler.desired import Source


class Mark:
    """A 1-based position in a policy file (``file`` as the user should see it)."""

    __slots__ = ("column", "file", "line")

    def __init__(self, file: str, line: int, column: int) -> None:
        self.file = file
        self.line = line
        self.column = column

    def source(self, rule: str | None = None) -> Source:
        return Source(self.file, self.line, self.column, rule)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def __repr__(self) -> str:
        return f"Mark({self.file!r}, {self.line}, {self.column})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mark) and (self.file, self.line, self.column) == (
            other.file,
            other.line,
            other.column,
        )

    def __hash__(self) -> int:
        return hash((self.file, self.line, self.column))


class Scalar:
    """A scalar: ``value`` as YAML resolved it (str, int, float, bool, None, date), ``text``
    as written (after unquoting), ``style`` (``None`` plain, ``'``, ``"``, ``|``, ``>``)."""

    __slots__ = ("mark", "style", "tag", "text", "value")

    def __init__(self, value: Any, text: str, style: str | None, tag: str, mark: Mark) -> None:
        self.value = value
        self.text = text
        self.style = style
        self.tag = tag
        self.mark = mark

    @property
    def plain(self) -> bool:
        return self.style is None

    def __repr__(self) -> str:
        return f"Scalar({self.value!r} @ {self.mark})"


class Mapping:
    """A mapping in file order; ``entries[key] = (key scalar, value node)``."""

    __slots__ = ("entries", "mark")

    def __init__(self, mark: Mark) -> None:
        self.mark = mark
        self.entries: dict[str, tuple[Scalar, Node]] = {}

    def get(self, key: str) -> Node | None:
        pair = self.entries.get(key)
        return pair[1] if pair else None

    def key_mark(self, key: str) -> Mark | None:
        pair = self.entries.get(key)
        return pair[0].mark if pair else None

    def items(self) -> Iterator[tuple[str, Scalar, Node]]:
        for key, (knode, vnode) in self.entries.items():
            yield key, knode, vnode

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"Mapping({list(self.entries)} @ {self.mark})"


class Sequence:
    __slots__ = ("items", "mark")

    def __init__(self, mark: Mark) -> None:
        self.mark = mark
        self.items: list[Node] = []

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"Sequence({len(self.items)} items @ {self.mark})"


Node = Union[Scalar, Mapping, Sequence]  # noqa: UP007  (a runtime alias on Python 3.10)


def to_plain(node: Node) -> Any:
    """The plain data (dict / list / scalar values) a JSON Schema validator sees."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Mapping):
        return {key: to_plain(value) for key, (_, value) in node.entries.items()}
    return [to_plain(item) for item in node.items]


def describe(node: Node | None) -> str:
    """How a value reads in an error message: ``text "x"``, ``a number (4410)``, ``a list``."""
    if node is None:
        return "nothing"
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    value = node.value
    if value is None:
        return "nothing" if node.text in ("", "~") else "null"
    if isinstance(value, bool):
        return f"true/false ({node.text})"
    if isinstance(value, (int, float)):
        return f"a number ({shown(node.text)})"
    if isinstance(value, date):
        return f"a date ({node.text})"
    return f'text "{shown(node.text)}"'


def shown(text: str, width: int = 40) -> str:
    """A value as quoted in a message: on one line, and cut short (with its length) when
    long, so that a 5,000-digit number does not become a 5,000-character message."""
    text = text.replace("\n", "\\n")
    if len(text) <= width:
        return text
    return f"{text[: width - 1]}… ({len(text):,} characters)"


def join_path(parent: str, key: str | int) -> str:
    """``spend_limits.users`` + ``ana@x.com`` → ``spend_limits.users.ana@x.com``; ints index."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key
