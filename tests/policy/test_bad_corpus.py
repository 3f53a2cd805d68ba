"""The bad-policy corpus: every case under tests/policies/bad/ with its exact output.

Each case is a file (``<case>.yaml``) or a directory (``<case>/``) named for what it
triggers; ``<case>.expected`` holds exactly what ``claude-policy validate <case>`` prints
(run from the corpus directory), compared whole.  Regenerate with ``UPDATE_GOLDEN=1`` and
review every change by eye.

A few cases are generated at test time rather than stored (an oversized file has no place
in the repository); their expected output is stored like any other.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.policy import MAX_FILE_BYTES
from tests.support.cli import invoke as run_cli

BAD = Path(__file__).resolve().parents[1] / "policies" / "bad"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _oversized(path: Path) -> None:
    head = b"organization: {id: 8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37, kind: console}\n"
    path.write_bytes(head + b"# padding\n" * (MAX_FILE_BYTES // 10))


_CONSOLE = (
    "organization: {id: 8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37, kind: console, currency: USD}\n"
)
_LONG = "9" * 5000  # past Python's 4,300-digit bound on reading integers from text


def _policy(body: str, head: str = _CONSOLE) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_text(head + body, encoding="utf-8")

    return make


def _monthly(value: str) -> Callable[[Path], None]:
    return _policy(f"spend_limits:\n  organization: {{monthly: {value}}}\n")


GENERATED: dict[str, Callable[[Path], None]] = {
    "oversized.yaml": _oversized,
    # Numbers too long to read: each located at the value, never `1:1`.
    "number-too-long-amount.yaml": _monthly(_LONG),
    "number-too-long-hexadecimal.yaml": _policy(f"safety: {{min_existing: 0x{'f' * 4000}}}\n"),
    "number-too-long-base-60.yaml": _policy(
        f"safety: {{min_existing: 1:{':'.join(['59'] * 2500)}}}\n"
    ),
    "number-too-long-tagged.yaml": _policy(f"safety: {{min_existing: !!int {_LONG}}}\n"),
    "number-too-long-organization-id.yaml": _policy(
        "", f"organization: {{id: {_LONG}, kind: console}}\n"
    ),
    "number-too-long-in-list.yaml": _policy(
        f"workspaces:\n  claims:\n    data_residency: {{allowed_inference_geos: [us, {_LONG}]}}\n"
    ),
    "amount-too-large-quoted.yaml": _monthly(f'"{_LONG}"'),
    "amount-too-large-with-decimals.yaml": _monthly(f"{_LONG}.5"),
    "amount-too-large-negative.yaml": _monthly(f"-{_LONG}"),
    "amount-decimals-too-long.yaml": _monthly(f"0.{'0' * 5000}1"),
}


def cases() -> list[str]:
    stored = {p.name for p in BAD.iterdir() if p.suffix != ".expected"}
    return sorted(stored | set(GENERATED))


def test_corpus_is_large_and_every_case_has_its_golden() -> None:
    names = cases()
    assert len(names) >= 40
    for name in names:
        assert (BAD / f"{Path(name).stem}.expected").exists() or UPDATE, name
    for golden in BAD.glob("*.expected"):
        assert any(Path(n).stem == golden.stem for n in names), f"orphan {golden.name}"


@pytest.mark.parametrize("case", cases())
def test_case(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if case in GENERATED:
        GENERATED[case](tmp_path / case)
    else:
        source = BAD / case
        if source.is_dir():
            shutil.copytree(source, tmp_path / case)
        else:
            shutil.copy(source, tmp_path / case)
    monkeypatch.chdir(tmp_path)
    result = run_cli(["validate", case])
    assert result.code == 1, result
    golden = BAD / f"{Path(case).stem}.expected"
    if UPDATE:
        golden.write_text(result.out, encoding="utf-8")
    assert result.out == golden.read_text(encoding="utf-8")
    assert "Traceback" not in result.out + result.err
