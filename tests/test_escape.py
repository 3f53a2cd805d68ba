"""Echoed text cannot hide or reorder what a terminal shows (:func:`reconciler.errors.escape`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import PolicyError, Problem, escape
from tests.robustness.fakeserver import CONSOLE_ORG, FakeServer, Reply, console_org
from tests.support.cli import CONSOLE_KEY, invoke


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text, café, 東京, emoji 🎉", "plain text, café, 東京, emoji 🎉"),
        ("a\u202eb", "a\\u202eb"),  # right-to-left override
        ("a\u202ab\u202bc\u202cd\u202de", "a\\u202ab\\u202bc\\u202cd\\u202de"),  # embeddings
        ("\u200e\u200f", "\\u200e\\u200f"),  # left-to-right / right-to-left marks
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),  # isolates
        ("\u061c", "\\u061c"),  # Arabic letter mark
        ("a\u200bb\u200cc\u200dd\u2060e\ufeff", "a\\u200bb\\u200cc\\u200dd\\u2060e\\ufeff"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),  # ANSI
        ("two\nlines\r\tand\x00", "two\\nlines\\r\\tand\\x00"),
        ("\x85\u2028\u2029", "\\x85\\u2028\\u2029"),  # next line, line and paragraph separators
        ("\U000e0041\U000e007f", "\\U000e0041\\U000e007f"),  # invisible tag characters
        ("\ud800", "\\ud800"),  # a lone surrogate cannot even be written to UTF-8
        ("a\u00a0b\u3000c", "a\u00a0b\u3000c"),  # visible spaces stay
    ],
)
def test_escape(text: str, shown: str) -> None:
    assert escape(text) == shown
    assert all(c.isprintable() or c in "\u00a0\u3000" for c in escape(text))


def test_lines_can_be_kept() -> None:
    assert escape("one \u202e\ntwo\x1b", keep_newlines=True) == "one \\u202e\ntwo\\x1b"


def test_every_rendered_problem_is_escaped_whoever_made_it() -> None:
    problem = Problem("a\u202e.yaml", 1, 2, "name `x\u2066y`", "p.\u200b", "hint\x1b")
    assert (
        problem.render() == "a\\u202e.yaml:1:2: name `x\\u2066y` (path: p.\\u200b) hint: hint\\x1b"
    )
    assert str(PolicyError([problem])).splitlines()[0] == problem.render()


# --------------------------------------------------------------------------- through the CLI


def test_an_error_line_quoting_a_path_is_escaped(tmp_path: Path) -> None:
    result = invoke(["show", str(tmp_path / "plan\u202ejson.txt")])
    assert result.code == 1
    assert result.err == (
        f"Error: {tmp_path}/plan\\u202ejson.txt: cannot read the plan file: "
        "no such file or directory\n"
    )


def test_a_usage_error_quoting_an_argument_is_escaped() -> None:
    result = invoke(["plan", "--admin-rpm", "\u202e12\x1b[2J"], fast=False)
    assert result.code == 64
    assert "'\\u202e12\\x1b[2J' is not a valid float" in result.err
    assert all(c.isprintable() or c == "\n" for c in result.err)


def test_a_server_message_is_escaped_and_redacted(tmp_path: Path) -> None:
    """Whatever the server says is quoted on one line: no override, no ANSI, no key."""
    routes = console_org()
    message = f"bad \u202eemordnilap\x1b[31m red\nsecond line, key {CONSOLE_KEY}"
    routes["/workspaces"] = Reply(
        400, {"type": "error", "error": {"type": "invalid_request_error", "message": message}}
    )
    policy = tmp_path / "policies"
    policy.mkdir()
    (policy / "org.yaml").write_text(
        f"organization: {{id: {CONSOLE_ORG}, kind: console}}\nworkspaces: {{claims: {{}}}}\n"
    )
    with FakeServer(routes) as api:
        result = invoke(["plan", str(policy)], url=api.url, key=CONSOLE_KEY)
    assert result.code == 1
    [line] = result.err.splitlines()
    assert "bad \\u202eemordnilap\\x1b[31m red\\nsecond line, key [REDACTED]" in line
    assert CONSOLE_KEY not in result.err
