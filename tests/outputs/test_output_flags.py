"""Every output flag through the real CLI against the emulator (SPEC §4 "Output files").

Each of ``plan --out``, ``plan --json-out``, ``plan --markdown-out`` and ``apply --report``
is tried on a regular file, a new file, a symlink, a pipe with a reader, ``/dev/null``, a
path in a missing directory and a directory.  The last two are a one-line error, exit 1,
before any request is sent; the others get the whole output.  ``import --out DIR`` is tried
on the same kinds of place, as a directory.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conftest import REPO, SEEDS
from tests.support.cli import CONSOLE_KEY, Result, invoke
from tests.support.emulator import Emulator, running_emulator
from tests.support.fifo import Fifo, reading_fifo
from tests.support.orgs import FAST_EMULATOR

POLICY = str(REPO / "policies")
CASES = ["regular", "new", "symlink", "fifo", "dev-null", "missing-dir", "directory"]
FAILING = {"missing-dir", "directory"}


@pytest.fixture(scope="module")
def console() -> Iterator[Emulator]:
    with running_emulator(SEEDS / "console.yaml", *FAST_EMULATOR) as emu:
        yield emu


class Place:
    """An output path of one kind, and what ended up there."""

    def __init__(self, case: str, root: Path, stack: ExitStack) -> None:
        self.case = case
        self.fifo: Fifo | None = None
        self.file = root / "out.txt"
        if case == "regular":
            self.file.write_text("old contents, longer than some outputs\n" * 50)
            self.path = str(self.file)
        elif case == "new":
            self.path = str(self.file)
        elif case == "symlink":
            (root / "real").mkdir()
            self.file = root / "real" / "out.txt"
            self.file.write_text("old")
            (root / "link.txt").symlink_to(self.file)
            self.path = str(root / "link.txt")
        elif case == "fifo":
            self.fifo = stack.enter_context(reading_fifo(root / "pipe"))
            self.path = str(self.fifo.path)
        elif case == "dev-null":
            self.path = os.devnull
        elif case == "missing-dir":
            self.path = str(root / "missing" / "out.txt")
        else:
            self.path = str(root)

    def written(self) -> str | None:
        """What the command wrote there (``None`` where it cannot be read back)."""
        if self.fifo is not None:
            return self.fifo.received()
        if self.case in ("regular", "new", "symlink"):
            if self.case == "symlink":
                assert Path(self.path).is_symlink()
            return self.file.read_text(encoding="utf-8")
        return None


def requests(emu: Emulator) -> int:
    return int(emu.stats()["requests_total"])


def check_failed(result: Result, place: Place, sent: int) -> None:
    assert result.code == 1, result.err
    lines = result.err.strip().splitlines()
    assert lines == [f"Error: {place.path}: cannot write: {lines[0].split(': ')[-1]}"]
    assert "Traceback" not in result.err
    assert sent == 0  # checked before the first request


Check = Callable[[str], None]


def _plan_file(text: str) -> None:
    assert json.loads(text)["format_version"] == "1"


def _markdown(text: str) -> None:
    assert text.startswith("### claude-policy plan")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    ("flag", "check"),
    [("--out", _plan_file), ("--json-out", _plan_file), ("--markdown-out", _markdown)],
)
def test_plan_outputs(
    console: Emulator, tmp_path: Path, case: str, flag: str, check: Check
) -> None:
    with ExitStack() as stack:
        place = Place(case, tmp_path, stack)
        before = requests(console)
        result = invoke(["plan", POLICY, flag, place.path], url=console.url, key=CONSOLE_KEY)
        if case in FAILING:
            check_failed(result, place, requests(console) - before)
            return
        assert result.code == 0, result.err
        assert "Organization: Acme Health" in result.out  # stdout keeps the text rendering
        text = place.written()
        if text is not None:
            check(text)


@pytest.mark.parametrize("case", CASES)
def test_apply_report(console: Emulator, tmp_path: Path, case: str) -> None:
    console.control("POST", "reset").raise_for_status()
    with ExitStack() as stack:
        place = Place(case, tmp_path, stack)
        before = requests(console)
        result = invoke(
            ["apply", "--policies", POLICY, "--auto-approve", "--report", place.path],
            url=console.url,
            key=CONSOLE_KEY,
        )
        if case in FAILING:
            check_failed(result, place, requests(console) - before)
            return
        assert result.code == 0, result.err
        assert "Apply complete. 5 applied" in result.out
        text = place.written()
        if text is not None:
            assert len(json.loads(text)["applied"]) == 5


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_report_that_cannot_be_written_after_the_apply(console: Emulator) -> None:
    """The summary of what was applied still reaches stdout; the run exits 1."""
    console.control("POST", "reset").raise_for_status()
    result = invoke(
        ["apply", "--policies", POLICY, "--auto-approve", "--report", "/dev/full"],
        url=console.url,
        key=CONSOLE_KEY,
    )
    assert result.code == 1
    assert "Apply complete. 5 applied" in result.out
    assert result.err.strip().splitlines() == [
        "Error: /dev/full: cannot write: no space left on device"
    ]


@pytest.mark.parametrize("flag", ["--json-out", "--markdown-out"])
@pytest.mark.parametrize("command", ["drift", "audit"])
def test_drift_and_audit_check_their_outputs_first(
    console: Emulator, tmp_path: Path, command: str, flag: str
) -> None:
    before = requests(console)
    path = str(tmp_path / "missing" / "out")
    result = invoke([command, POLICY, flag, path], url=console.url, key=CONSOLE_KEY)
    assert result.code == 1
    assert result.err.startswith(f"Error: {path}: cannot write: no such file or directory")
    assert requests(console) == before


IMPORTED = ["organization.yaml", "spend_limits.yaml", "workspaces.yaml"]


@pytest.mark.parametrize("case", CASES)
def test_import_out(console: Emulator, tmp_path: Path, case: str) -> None:
    """``--out DIR``: an existing or new directory (through a symlink too) gets the files;
    a pipe, a device or a regular file in its place is a one-line error before any read."""
    with ExitStack() as stack:
        if case == "regular":  # a regular file where the directory should be
            (tmp_path / "file").write_text("")
            out, made = tmp_path / "file", None
        elif case == "new":
            out = made = tmp_path / "new"
        elif case == "symlink":
            (tmp_path / "real").mkdir()
            (tmp_path / "link").symlink_to(tmp_path / "real")
            out, made = tmp_path / "link", tmp_path / "real"
        elif case == "fifo":
            out, made = stack.enter_context(reading_fifo(tmp_path / "pipe")).path, None
        elif case == "dev-null":
            out, made = Path(os.devnull), None
        elif case == "missing-dir":
            out = made = tmp_path / "missing" / "nested"
        else:
            out = made = tmp_path
        before = requests(console)
        result = invoke(["import", "--out", str(out)], url=console.url, key=CONSOLE_KEY)
        if made is None:
            assert result.code == 1, result.err
            assert result.err.strip().splitlines() == [
                f"Error: {out}: cannot write: {out} is not a directory"
            ]
            assert requests(console) == before
            return
        assert result.code == 0, result.err
        assert sorted(p.name for p in made.iterdir() if p.suffix == ".yaml") == IMPORTED
        assert all(stat.S_ISREG((made / n).stat().st_mode) for n in IMPORTED)
