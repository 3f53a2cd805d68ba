"""One policy file's bytes → a located tree (:mod:`reconciler.policy.located`) and problems.

Safe by construction: only YAML's core types are built (no Python objects, no unknown
tags), from libyaml's event stream (``CSafeLoader`` when available, the pure-Python
``SafeLoader`` otherwise).  Building straight from events skips PyYAML's node graph,
which matters for a 50,000-member user list.

Refused, each as a located :class:`~reconciler.errors.Problem` (never an exception):

* text that is not UTF-8 (a UTF-8 byte-order mark is allowed), and control characters;
* malformed YAML, located from libyaml's mark (tabs used for indentation get their own
  message: it is the commonest mistake);
* more than one YAML document in a file;
* duplicate mapping keys (naming both lines);
* nesting deeper than :data:`MAX_DEPTH` (libyaml's composer crashes on very deep input).
  libyaml 0.2.6 and later have a guard of their own (at 1,000 levels, in the scanner, which
  runs ahead of the events we see), so it may notice first; the same located problem is
  reported whichever guard fires (see :func:`_depth_problem`);
* aliases that would add more than :data:`MAX_ALIAS_NODES` nodes to the file
  ("billion laughs"): an alias reuses the anchored node, and its size is charged to a
  budget before anything is expanded;
* undefined aliases, non-text mapping keys; tags other than YAML's core tags refuse the
  whole file (``!!python/object`` must never be read as something else).

The merge key ``<<`` is supported (explicit keys win over merged ones).  The file size
bound is checked by the caller before reading (:mod:`reconciler.policy.files`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from reconciler.errors import Problem
from reconciler.gcpause import paused
from reconciler.policy.located import Mapping, Mark, Node, Scalar, Sequence, shown

try:  # libyaml is ~10x faster; fall back to the pure-Python parser where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is present in every supported install
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 64
MAX_ALIAS_NODES = 100_000
# Python's default bound on converting integers to and from text (sys.int_info): longer
# integers are refused where they are written, whatever the interpreter's setting.
MAX_INT_DIGITS = 4300
_MAX_INT = 10**MAX_INT_DIGITS

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_MERGE = _TAG + "merge"
_INT = _TAG + "int"
_INT_TEXT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
_CONSTRUCTORS = {
    _TAG + "null": _CONSTRUCTOR.construct_yaml_null,
    _TAG + "bool": _CONSTRUCTOR.construct_yaml_bool,
    _TAG + "int": _CONSTRUCTOR.construct_yaml_int,
    _TAG + "float": _CONSTRUCTOR.construct_yaml_float,
    _TAG + "timestamp": _CONSTRUCTOR.construct_yaml_timestamp,
}
# Outside YAML 1.1's printable set: C0 controls other than TAB, LF and CR; DEL; C1 but NEL;
# surrogates; U+FFFE/U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Parsed:
    """The located root (``None`` for an empty file or when parsing failed) and problems."""

    root: Node | None
    problems: list[Problem] = field(default_factory=list)


def parse(data: bytes, file: str) -> Parsed:
    """Parse one policy file's bytes (``file`` is the name used in every mark)."""
    text, problem = _decode(data, file)
    if problem is not None:
        return Parsed(None, [problem])
    assert text is not None
    bad = _FORBIDDEN.search(text)
    if bad:
        line, column = _position(text, bad.start())
        char = f"U+{ord(bad.group()):04X}"
        return Parsed(
            None,
            [
                Problem(
                    file,
                    line,
                    column,
                    f"control character {char} is not allowed in YAML",
                    hint="remove it, or write it as an escape inside a double-quoted string",
                )
            ],
        )
    with paused():  # the tree is acyclic and allocation-heavy
        return _Builder(text, file).run()


def _decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = len(data[data.rfind(b"\n", 0, e.start) + 1 : e.start].decode("utf-8", "replace"))
        return None, Problem(
            file,
            line,
            column + 1,
            f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})",
            hint="save the file as UTF-8",
        )


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


class _Stop(Exception):
    """Parsing of this file cannot go on (the problem is already recorded)."""


class _Frame:
    __slots__ = ("anchor", "key", "merges", "node", "size", "skip")

    def __init__(self, node: Mapping | Sequence, anchor: str | None) -> None:
        self.node = node
        self.anchor = anchor
        self.key: Scalar | None = None  # mappings: the key awaiting its value
        self.skip = False  # mappings: drop the next value (its key was refused)
        self.merges: list[tuple[Mark, Node]] = []
        self.size = 1  # nodes in this subtree, charged when an alias reuses it


class _Builder:
    def __init__(self, text: str, file: str, loader: type | None = None) -> None:
        self.text = text
        self.loader = loader or _Loader
        self.file = file
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []
        self.root: Node | None = None
        self.documents = 0
        self.alias_nodes = 0
        self.plain: dict[str, tuple[Any, str]] = {}

    # ------------------------------------------------------------------ driver

    def run(self) -> Parsed:
        loader = self.loader(self.text)
        get_event = loader.get_event
        scalar, start, end = self.scalar, self.start, self.end
        try:
            while True:
                event = get_event()
                kind = type(event)
                if kind is yaml.ScalarEvent:
                    scalar(event)
                elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    start(event)
                elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    end()
                elif kind is yaml.StreamEndEvent:
                    break
                else:
                    self.event(event)
        except _Stop:
            self.root = None
        except yaml.MarkedYAMLError as e:
            self.problems.append(self.depth_problem(e) or self.syntax_problem(e))
            self.root = None
        except yaml.YAMLError as e:  # reader errors carry no mark
            self.problems.append(Problem(self.file, 1, 1, f"malformed YAML: {e}"))
            self.root = None
        finally:
            loader.dispose()
        return Parsed(self.root, self.problems)

    def mark(self, event: Any) -> Mark:
        m = event.start_mark
        return Mark(self.file, m.line + 1, m.column + 1)

    def fail(self, mark: Mark, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(mark.file, mark.line, mark.column, message, hint=hint))

    def stop(self, mark: Mark, message: str, hint: str | None = None) -> NoReturn:
        self.fail(mark, message, hint)
        raise _Stop

    # ------------------------------------------------------------------ events

    def event(self, event: Any) -> None:
        """The rarer events (scalars and collections are dispatched in :meth:`run`)."""
        kind = type(event)
        if kind is yaml.AliasEvent:
            self.alias(event)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self.stop(
                    self.mark(event),
                    "a policy file holds one YAML document; found a second one",
                    hint="split the documents into separate files",
                )

    def start(self, event: Any) -> None:
        mark = self.mark(event)
        if len(self.stack) >= MAX_DEPTH:
            self.stop(mark, f"nesting deeper than {MAX_DEPTH} levels")
        self.check_tag(event, mark, "map" if isinstance(event, yaml.MappingStartEvent) else "seq")
        node: Mapping | Sequence = (
            Mapping(mark) if isinstance(event, yaml.MappingStartEvent) else Sequence(mark)
        )
        if event.anchor:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Frame(node, event.anchor))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.merges:
            assert isinstance(frame.node, Mapping)
            self.merge(frame.node, frame.merges)
        if frame.anchor:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.node, frame.size)
        self.attach(frame.node, frame.size)

    def scalar(self, event: Any) -> None:
        mark = self.mark(event)
        text: str = event.value
        style: str | None = event.style or None
        parent = self.stack[-1] if self.stack else None
        if parent is not None and isinstance(parent.node, Mapping) and parent.key is None:
            # A mapping key: always text; no type resolution needed (the merge key aside).
            if event.tag not in (None, "!", _STR):
                self.unsupported(mark, event.tag)
            if style is None and text == "<<" and event.tag is None:
                node = Scalar(text, text, style, _MERGE, mark)
            else:
                node = Scalar(text, text, style, _STR, mark)
        else:
            value, tag = self.resolve(event, text, style, mark)
            node = Scalar(value, text, style, tag, mark)
        if event.anchor:
            self.anchors[event.anchor] = (node, 1)
        self.attach(node, 1)

    def resolve(self, event: Any, text: str, style: str | None, mark: Mark) -> tuple[Any, str]:
        """YAML's value and tag for a scalar: plain scalars by the core schema's implicit
        rules (``800.10`` a float, ``true`` a bool …), quoted ones always text."""
        tag = event.tag
        if tag in (None, "!"):
            if style is None and event.implicit[0] and tag is None:
                cached = self.plain.get(text)
                if cached is not None:
                    return cached
                tag = _RESOLVER.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
                if tag not in _CONSTRUCTORS:  # text, or a tag we refuse below
                    return self.remember(text, (text, _STR)) if tag == _STR else (text, _STR)
                try:
                    value = _CONSTRUCTORS[tag](ScalarNode(tag, text))
                except (ValueError, TypeError, yaml.YAMLError):
                    if tag == _INT:  # only its length can make an integer fail
                        self.too_long(mark, text)
                    return text, _STR
                if isinstance(value, int) and abs(value) >= _MAX_INT:  # hex, octal, base 60
                    self.too_long(mark, text)
                return self.remember(text, (value, tag))
            else:
                return text, _STR
        if tag == _STR:
            return text, _STR
        construct = _CONSTRUCTORS.get(tag)
        if construct is None:
            self.unsupported(mark, tag)
        try:
            value = construct(ScalarNode(tag, text))
        except (ValueError, TypeError, yaml.YAMLError):
            if tag == _INT and _INT_TEXT.match(text):
                self.too_long(mark, text)
            self.fail(mark, f"`{shown(text)}` is not a valid {_short_tag(tag)}")
            return text, _STR
        if isinstance(value, int) and abs(value) >= _MAX_INT:
            self.too_long(mark, text)
        return value, tag

    def too_long(self, mark: Mark, text: str) -> NoReturn:
        """An integer too long to be used (Python refuses to turn such a number into text,
        or back): the file is refused at the number, not with an error from deep inside."""
        message = f"number `{shown(text)}` is too large: more than {MAX_INT_DIGITS:,} digits"
        self.problems.append(Problem(mark.file, mark.line, mark.column, message, self.at()))
        raise _Stop

    def at(self) -> str:
        """The dotted path of the value being read (rule indices are the file's own)."""
        path = ""
        for frame in self.stack:
            if isinstance(frame.node, Sequence):
                path += f"[{len(frame.node.items)}]"
            elif frame.key is not None:
                path = f"{path}.{frame.key.text}" if path else frame.key.text
        return path

    def remember(self, text: str, resolved: tuple[Any, str]) -> tuple[Any, str]:
        """Plain scalars repeat (amounts, geos, team names): resolve each text once."""
        if len(self.plain) < 10_000:
            self.plain[text] = resolved
        return resolved

    def alias(self, event: Any) -> None:
        mark = self.mark(event)
        name = event.anchor
        if name in self.open_anchors:
            self.stop(mark, f"alias `*{name}` refers to the node that contains it")
        found = self.anchors.get(name)
        if found is None:
            self.stop(mark, f"undefined alias `*{name}`", hint=f"define it first with `&{name}`")
        node, size = found
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            self.stop(
                mark,
                f"aliases expand this file beyond {MAX_ALIAS_NODES:,} nodes",
                hint=f"aliases may add at most {MAX_ALIAS_NODES:,} nodes to a file "
                "(protection against alias bombs)",
            )
        self.attach(node, size)

    def check_tag(self, event: Any, mark: Mark, kind: str) -> None:
        if event.tag not in (None, "!", _TAG + kind):
            self.unsupported(mark, event.tag)

    def unsupported(self, mark: Mark, tag: str) -> NoReturn:
        """Application tags (``!!python/object``, ``!foo``) have no place in a policy: the
        file is refused rather than read with the tag ignored."""
        hint = "policy files use plain YAML: text, numbers, true/false, lists and mappings"
        core = {_STR, _TAG + "map", _TAG + "seq", *_CONSTRUCTORS}
        if tag.startswith("!") and not tag.startswith("!!") and _TAG + tag[1:] in core:
            hint = f"did you mean `!{tag}`?"
        self.stop(mark, f"unsupported YAML tag `{_short_tag(tag)}`", hint=hint)

    # ------------------------------------------------------------------ tree building

    def attach(self, node: Node, size: int) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        frame.size += size
        parent = frame.node
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        if frame.key is None:
            if frame.skip:
                raise AssertionError("unreachable: a refused key is always followed by a value")
            if not isinstance(node, Scalar):
                self.fail(node.mark, "a mapping key must be text, not a list or mapping")
                frame.skip = True
                frame.key = Scalar("", "", None, _STR, node.mark)
                return
            frame.key = node
            return
        key, frame.key = frame.key, None
        if frame.skip:
            frame.skip = False
            return
        if key.tag == _MERGE:
            frame.merges.append((key.mark, node))
            return
        first = parent.entries.get(key.text)
        if first is not None:
            self.problems.append(
                Problem(
                    key.mark.file,
                    key.mark.line,
                    key.mark.column,
                    f"duplicate key `{key.text}` (first defined at line {first[0].mark.line})",
                    self.here(key.text),
                    "a key may appear once in a mapping: remove or merge one of them",
                )
            )
            return
        parent.entries[key.text] = (key, node)

    def here(self, last: str) -> str:
        """The dotted path of ``last`` in the mapping being built (rule indices are the
        file's own)."""
        path = ""
        for frame in self.stack[:-1]:
            if isinstance(frame.node, Sequence):
                path += f"[{len(frame.node.items)}]"
            elif frame.key is not None:
                path = f"{path}.{frame.key.text}" if path else frame.key.text
        return f"{path}.{last}" if path else last

    def merge(self, target: Mapping, merges: list[tuple[Mark, Node]]) -> None:
        sources: list[Mapping] = []
        for mark, node in merges:
            items = node.items if isinstance(node, Sequence) else [node]
            for item in items:
                if isinstance(item, Mapping):
                    sources.append(item)
                else:
                    self.fail(mark, "`<<` merges a mapping or a list of mappings")
        for source in sources:
            for key, pair in source.entries.items():
                target.entries.setdefault(key, pair)

    # ------------------------------------------------------------------ syntax errors

    def depth_problem(self, e: yaml.MarkedYAMLError) -> Problem | None:
        """Our nesting problem, when the parser's error was its own depth guard firing first.

        libyaml's scanner may refuse deep nesting before our guard sees the events.  Rather
        than trust its wording, the text up to its error is read again by the pure-Python
        parser, which has no depth guard: if nesting is what went wrong, our guard fires
        there, at the collection that first goes past :data:`MAX_DEPTH`.  Other errors keep
        the parser's own message.  Only error paths pay for this, on the part before the error.
        """
        mark = e.problem_mark
        if self.loader is yaml.SafeLoader or mark is None:
            return None
        prefix = self.text[: mark.index + 1]
        again = _Builder(prefix, self.file, yaml.SafeLoader).run().problems
        depth = f"nesting deeper than {MAX_DEPTH} levels"
        return again[-1] if again and again[-1].message == depth else None

    def syntax_problem(self, e: yaml.MarkedYAMLError) -> Problem:
        mark = e.problem_mark or e.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        source_line = self.line_text(line)
        if "\t" in source_line[: len(source_line) - len(source_line.lstrip())] or (
            0 < column <= len(source_line) and source_line[column - 1] == "\t"
        ):
            return Problem(
                self.file,
                line,
                column,
                "tab character in indentation: YAML indents with spaces",
                hint="replace the tab with spaces",
            )
        problem = (e.problem or "malformed YAML").strip()
        hint = None
        if e.context and e.context_mark is not None:
            hint = f"{e.context.strip()} started at line {e.context_mark.line + 1}"
            hint += f", column {e.context_mark.column + 1}"
        return Problem(self.file, line, column, f"malformed YAML: {problem}", hint=hint)

    def line_text(self, line: int) -> str:
        lines = self.text.split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""
