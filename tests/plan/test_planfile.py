"""Reading a saved plan file: bounded, never waiting forever, and saying what is wrong.

(Whether the document's fields are what the plan schema says is checked after this read;
here: the file itself, its JSON, its format version and its checksum.)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import PlanFileError
from reconciler.plan import planfile
from reconciler.plan.model import checksum


def refusal(path: str | Path) -> str:
    with pytest.raises(PlanFileError) as caught:
        planfile.read_document(path)
    return str(caught.value)


def sealed(doc: dict[str, Any]) -> str:
    return json.dumps({**doc, "checksum": checksum(doc)})


def test_a_sealed_document_is_read(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(sealed({"format_version": "1", "changes": []}))
    assert planfile.read_document(tmp_path / "p.json")["changes"] == []


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (
            1,
            "format_version is a number (1) where text belongs: "
            'plan files say "format_version": "1"',
        ),
        (1.0, "format_version is a number (1.0) where text belongs"),
        (None, "format_version is null where text belongs"),
        (["1"], "format_version is a list where text belongs"),
        (True, "format_version is true/false (true) where text belongs"),
        ("2", 'plan format "2" is not supported (this version reads format "1")'),
        ("9" * 500, 'plan format "999999999999999999999999999999999999999…" is not supported'),
    ],
)
def test_the_format_version_says_what_is_wrong(version: Any, message: str, tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(sealed({"format_version": version}))
    assert refusal(tmp_path / "p.json").startswith(f"{tmp_path / 'p.json'}: {message}")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not a plan file: it is empty"),
        ('{"format_version": "1", "n": ' + "9" * 5000 + "}", "a number is too long to read"),
        ("[" * 100_000 + "]" * 100_000, "not a plan file: nested too deeply"),
        ("{", "1:2: not a plan file: Expecting property name enclosed in double quotes"),
        ('"just text"', "not a claude-policy plan file"),
    ],
)
def test_malformed_json_is_one_line(content: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(content)
    assert message in refusal(tmp_path / "p.json")


def test_the_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert planfile.MAX_PLAN_BYTES == 256 * 1024 * 1024
    with open(tmp_path / "p.json", "wb") as fh:
        fh.truncate(planfile.MAX_PLAN_BYTES + 1)  # sparse: refused by its size, not read
    assert refusal(tmp_path / "p.json") == (
        f"{tmp_path / 'p.json'}: not a plan file: too large (268,435,457 bytes; "
        "the limit is 268,435,456 bytes)"
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/dev/zero", "cannot read the plan file: a character device, not a regular file"),
        ("/nonexistent/p.json", "cannot read the plan file: no such file or directory"),
    ],
)
def test_what_is_not_a_plan_file(path: str, message: str) -> None:
    assert refusal(path) == f"{path}: {message}"


@pytest.mark.timeout(30)
def test_a_plan_through_a_pipe_is_read(tmp_path: Path) -> None:
    """``claude-policy show <(gunzip -c plan.json.gz)``."""
    read_end, write_end = os.pipe()
    os.write(write_end, sealed({"format_version": "1"}).encode())
    os.close(write_end)
    try:
        assert planfile.read_document(f"/dev/fd/{read_end}")["format_version"] == "1"
    finally:
        os.close(read_end)
