"""Reading seed files: YAML or JSON, with the source position of every key and item.

YAML is read with a loader that refuses duplicate keys, keeps dates as the text the
user wrote, and remembers where each key and list item starts, so a problem found
later (by the JSON Schema or by a semantic check) can say ``FILE:LINE:COLUMN``.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 64 * 1024 * 1024
# Levels of nesting any document may have (see ``wellformed``; real ones have at most 6).
# The YAML reader stops there: its scanner slows down with the square of the depth.
MAX_DEPTH = 32

Position = tuple[int, int]  # 1-based line and column


class DocumentError(Exception):
    """A file that cannot be read as a document at all (the message says where)."""


@dataclass
class Locator:
    """Finds the position of a path (keys and indexes) inside a loaded document."""

    source: str
    # id(container) → position of each of its keys (dict) or items (list)
    marks: dict[int, dict[Any, Position]] = field(default_factory=dict)

    def position(self, data: Any, path: Sequence[Any]) -> Position | None:
        found: Position | None = None
        node = data
        for step in path:
            here = self.marks.get(id(node), {}).get(step)
            if here is not None:
                found = here
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
        return found

    def where(self, data: Any, path: Sequence[Any]) -> str:
        """``FILE:LINE:COLUMN: path`` (or ``FILE: path`` when no position is known)."""
        position = self.position(data, path)
        place = self.source if position is None else f"{self.source}:{position[0]}:{position[1]}"
        return f"{place}: {dotted(path)}"


def dotted(path: Sequence[Any]) -> str:
    """``users[3].email``; ``(top level)`` for the empty path."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(top level)"


def _position(mark: yaml.Mark) -> Position:
    return (mark.line + 1, mark.column + 1)


def _loader_class(marks: dict[int, dict[Any, Position]]) -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH + 1:
                    raise yaml.composer.ComposerError(
                        None,
                        None,
                        f"nested more than {MAX_DEPTH} levels deep",
                        self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        positions: dict[Any, Position] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = loader.construct_object(value_node, deep=True)
            positions[key] = _position(key_node.start_mark)
        marks[id(result)] = positions
        return result

    def sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> list[Any]:
        result = [loader.construct_object(child, deep=True) for child in node.value]
        marks[id(result)] = {i: _position(child.start_mark) for i, child in enumerate(node.value)}
        return result

    def as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
        return str(loader.construct_scalar(node))

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, sequence)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", as_text)
    return Loader


def parse(text: str, source: str, as_json: bool = False) -> tuple[Any, Locator]:
    """The document in ``text`` and its locator; :class:`DocumentError` if unreadable."""
    locator = Locator(source)
    if as_json:
        try:
            return json.loads(text), locator
        except json.JSONDecodeError as e:
            raise DocumentError(f"{source}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
        except RecursionError:
            raise DocumentError(f"{source}: not valid JSON: nested too deeply") from None
        except ValueError as e:  # an integer of more than 4,300 digits
            raise DocumentError(f"{source}: not valid JSON: {e}") from None
    try:
        return yaml.load(text, Loader=_loader_class(locator.marks)), locator
    except RecursionError:
        raise DocumentError(f"{source}: not valid YAML: nested too deeply") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        place = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise DocumentError(f"{place}: not valid YAML: {e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise DocumentError(f"{source}: not valid YAML: {e}") from None


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (a symlink to one is followed), at most
    ``limit`` of them: ``OSError`` when it cannot be read, :class:`DocumentError` when it
    is not a regular file (a pipe could block, ``/dev/zero`` never ends) or holds more."""
    # Non-blocking, so that opening a pipe with no writer returns, to be refused below.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DocumentError(f"{path}: not a regular file")
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise DocumentError(f"{path}: larger than {limit // (1024 * 1024)} MiB")
    return raw


def read(path: Path) -> tuple[Any, Locator]:
    """Read a ``.json`` file as JSON and anything else as YAML (at most 64 MiB)."""
    source = str(path)
    try:
        raw = read_bounded(path, MAX_BYTES)
    except OSError as e:
        raise DocumentError(f"{source}: cannot read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError(f"{source}: not UTF-8 text") from None
    return parse(text, source, as_json=path.suffix.lower() == ".json")
