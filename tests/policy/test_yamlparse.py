"""YAML → located values: marks, source text, and everything that must be refused."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from reconciler.policy import yamlparse
from reconciler.policy.located import Mapping, Scalar, Sequence, to_plain
from reconciler.policy.yamlparse import MAX_ALIAS_NODES, MAX_DEPTH, parse


def root(text: str | bytes) -> Mapping:
    data = text.encode() if isinstance(text, str) else text
    parsed = parse(data, "p.yaml")
    assert parsed.problems == []
    assert isinstance(parsed.root, Mapping)
    return parsed.root


def problems(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [p.render() for p in parse(data, "p.yaml").problems]


def test_every_key_and_value_knows_where_it_is() -> None:
    doc = root("a:\n  bee: 1\n  cé: [x, {k: v}]\n")
    a = doc.get("a")
    assert isinstance(a, Mapping)
    key, value = a.entries["cé"]
    assert (key.mark.file, key.mark.line, key.mark.column) == ("p.yaml", 3, 3)
    assert isinstance(value, Sequence)
    assert (value.mark.line, value.mark.column) == (3, 7)  # columns count characters
    inner = value.items[1]
    assert isinstance(inner, Mapping)
    assert str(inner.key_mark("k")) == "p.yaml:3:12"


@pytest.mark.parametrize(
    ("text", "value", "source"),
    [
        ("800.10", 800.1, "800.10"),
        ('"800.10"', "800.10", "800.10"),
        ("4410", 4410, "4410"),
        ("1_000", 1000, "1_000"),
        ("true", True, "true"),
        ("'true'", "true", "true"),
        ("~", None, "~"),
        ("", None, ""),
        ("2027-01-31", date(2027, 1, 31), "2027-01-31"),
        ("!!str 4410", "4410", "4410"),
        ("us", "us", "us"),
    ],
)
def test_scalars_keep_their_source_text(text: str, value: object, source: str) -> None:
    node = root(f"k: {text}\n").get("k")
    assert isinstance(node, Scalar)
    assert node.value == value
    assert node.text == source


def test_keys_are_always_text() -> None:
    doc = root("4410: a\ntrue: b\n1.50: c\n")
    assert list(doc.entries) == ["4410", "true", "1.50"]


def test_aliases_and_merge_keys() -> None:
    doc = root("base: &us {allowed: [us], default: us}\nws:\n  <<: *us\n  default: global\n")
    assert to_plain(doc.get("ws")) == {"default": "global", "allowed": ["us"]}
    ws = doc.get("ws")
    assert isinstance(ws, Mapping)
    # merged values keep the position of their definition (the anchor)
    assert ws.key_mark("allowed") is not None
    assert ws.key_mark("allowed").line == 1  # type: ignore[union-attr]


def test_merge_of_a_list_of_mappings_first_wins() -> None:
    doc = root("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n")
    assert to_plain(doc.get("c")) == {"x": 1, "y": 2}


def test_empty_and_comment_only_files_have_no_root() -> None:
    for text in ("", "# only a comment\n", "---\n"):
        parsed = parse(text.encode(), "p.yaml")
        assert parsed.root is None or to_plain(parsed.root) is None
        assert parsed.problems == []


def test_utf8_byte_order_mark_is_accepted() -> None:
    assert to_plain(root(b"\xef\xbb\xbfa: 1\n")) == {"a": 1}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "duplicate key",
            "a: 1\nb: 2\na: 3\n",
            "p.yaml:3:1: duplicate key `a` (first defined at line 1) (path: a) hint: a key may "
            "appear once in a mapping: remove or merge one of them",
        ),
        (
            "tab indentation",
            "a:\n\tb: 1\n",
            "p.yaml:2:1: tab character in indentation: YAML indents with spaces "
            "hint: replace the tab with spaces",
        ),
        (
            "unclosed flow mapping",
            "a: {b: 1\nc: 2\n",
            "p.yaml:2:2: malformed YAML: did not find expected ',' or '}' "
            "hint: while parsing a flow mapping started at line 1, column 4",
        ),
        (
            "second document",
            "a: 1\n---\nb: 2\n",
            "p.yaml:2:1: a policy file holds one YAML document; found a second one "
            "hint: split the documents into separate files",
        ),
        (
            "undefined alias",
            "a: *nope\n",
            "p.yaml:1:4: undefined alias `*nope` hint: define it first with `&nope`",
        ),
        (
            "recursive alias",
            "a: &a [*a]\n",
            "p.yaml:1:8: alias `*a` refers to the node that contains it",
        ),
        (
            "python tag",
            "a: !!python/object/apply:os.system [ls]\n",
            "p.yaml:1:4: unsupported YAML tag `!!python/object/apply:os.system` "
            "hint: policy files use plain YAML: text, numbers, true/false, lists and mappings",
        ),
        (
            "local tag that meant a core one",
            "a: !str 4410\n",
            "p.yaml:1:4: unsupported YAML tag `!str` hint: did you mean `!!str`?",
        ),
        (
            "bad core tag value",
            "a: !!int many\n",
            "p.yaml:1:4: `many` is not a valid !!int",
        ),
        (
            "non-text key",
            "? [a, b]\n: 1\n",
            "p.yaml:1:3: a mapping key must be text, not a list or mapping",
        ),
        (
            "merge of a scalar",
            "a:\n  <<: 5\n",
            "p.yaml:2:3: `<<` merges a mapping or a list of mappings",
        ),
        (
            "control character",
            'a: "x\x07"\n',
            "p.yaml:1:6: control character U+0007 is not allowed in YAML "
            "hint: remove it, or write it as an escape inside a double-quoted string",
        ),
    ],
)
def test_refused(name: str, text: str, expected: str) -> None:
    assert problems(text) == [expected], name


def test_non_utf8_is_located_at_the_first_bad_byte() -> None:
    assert problems(b"a: 1\nb: caf\xe9\n") == [
        "p.yaml:2:7: not valid UTF-8 (byte 0xe9 at offset 11) hint: save the file as UTF-8"
    ]


def test_alias_bomb_is_stopped_before_expansion() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    found = parse("\n".join(lines).encode(), "bomb.yaml")
    assert found.root is None
    assert len(found.problems) == 1
    assert f"beyond {MAX_ALIAS_NODES:,} nodes" in found.problems[0].message


def test_reasonable_aliases_are_fine() -> None:
    text = "us: &us {allowed_inference_geos: [us], default_inference_geo: us}\n" + "".join(
        f"w{i}: *us\n" for i in range(1000)
    )
    assert len(root(text).entries) == 1001


# libyaml 0.2.6+ refuses nesting past 1,000 levels in its scanner, before our guard sees the
# events; older libyaml and the pure-Python parser leave the guard to us.  Either way the
# user gets one problem, located at the first collection past MAX_DEPTH.
DEEP_CASES = {
    "flow, within libyaml's own bound": ("a: " + "[" * 100 + "]" * 100 + "\n", 1, 3 + MAX_DEPTH),
    "flow, past libyaml's own bound": ("a: " + "[" * 5000 + "]" * 5000 + "\n", 1, 3 + MAX_DEPTH),
    "flow mappings past libyaml's bound": (
        "{a: " * 1100 + "1" + "}" * 1100 + "\n",
        1,
        4 * MAX_DEPTH + 1,
    ),
    "block sequences past libyaml's bound": ("- " * 1100 + "x\n", 1, 2 * MAX_DEPTH + 1),
    "block mappings past libyaml's bound": (
        "".join(f"{' ' * i}k{i}:\n" for i in range(1100)) + " " * 1100 + "x: 1\n",
        MAX_DEPTH + 1,
        MAX_DEPTH + 1,
    ),
}


@pytest.mark.parametrize("loader", ["libyaml", "pure-python"])
@pytest.mark.parametrize("case", sorted(DEEP_CASES))
def test_deep_nesting_is_one_located_problem_whichever_guard_fires(
    case: str, loader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if loader == "pure-python":
        monkeypatch.setattr(yamlparse, "_Loader", yaml.SafeLoader)
    text, line, column = DEEP_CASES[case]
    found = parse(text.encode(), "deep.yaml")
    assert found.root is None
    assert [(p.line, p.column, p.message) for p in found.problems] == [
        (line, column, f"nesting deeper than {MAX_DEPTH} levels")
    ]


def test_libyaml_errors_other_than_depth_keep_their_own_message() -> None:
    found = parse(b"a: [1, 2\nb: 3\n", "bad.yaml")
    assert len(found.problems) == 1
    assert found.problems[0].message.startswith("malformed YAML: ")


def test_block_nesting_within_the_bound_is_fine() -> None:
    text = "".join(f"{' ' * i}k{i}:\n" for i in range(MAX_DEPTH - 1)) + " " * MAX_DEPTH + "x: 1\n"
    assert root(text).get("k0") is not None
