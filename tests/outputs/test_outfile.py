"""The one output writer (SPEC §4 "Output files"), case by case, without the CLI."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.errors import OutputError
from reconciler.outfile import check_directory, check_writable, write_new, write_text
from tests.support.fifo import Fifo, reading_fifo


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Fifo]:
    with reading_fifo(tmp_path / "pipe") as pipe:
        yield pipe


def test_a_regular_file_is_replaced_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text("old and longer\n")
    path.chmod(0o640)
    inode = path.stat().st_ino
    write_text(path, ["new", "\n"])
    assert path.read_text() == "new\n"
    assert path.stat().st_ino != inode  # a new file renamed over the old one
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # its permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temporary left


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    path = tmp_path / "new.md"
    check_writable(path)
    write_text(path, "text")
    assert path.read_text() == "text"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_symlink_is_followed_and_its_target_replaced(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "plan.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    check_writable(link)
    write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["plan.json"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    write_text(link, "made")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "made"


def test_a_pipe_is_written_through(fifo: Fifo) -> None:
    check_writable(fifo.path)  # never opens the pipe: it would wait for a reader
    write_text(fifo.path, "through the pipe\n")
    assert fifo.received() == "through the pipe\n"
    assert stat.S_ISFIFO(fifo.path.stat().st_mode)  # still a pipe, never replaced


def test_dev_null_is_written_through() -> None:
    check_writable("/dev/null")
    write_text("/dev/null", "gone")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_device_is_a_one_line_error() -> None:
    with pytest.raises(OutputError, match=r"^/dev/full: cannot write: no space left on device$"):
        write_text("/dev/full", "x" * 100_000)


@pytest.mark.parametrize("check", [True, False], ids=["check", "write"])
def test_a_missing_directory(tmp_path: Path, check: bool) -> None:
    path = tmp_path / "missing" / "out.json"
    with pytest.raises(OutputError, match=r"missing/out.json: cannot write: no such file"):
        (check_writable if check else lambda p: write_text(p, "x"))(path)


@pytest.mark.parametrize("check", [True, False], ids=["check", "write"])
def test_a_directory(tmp_path: Path, check: bool) -> None:
    with pytest.raises(OutputError, match=r"cannot write: it is a directory$"):
        (check_writable if check else lambda p: write_text(p, "x"))(tmp_path)


def test_proc_is_refused_by_the_check() -> None:
    with pytest.raises(OutputError, match=r"^/proc/x: cannot write: "):
        check_writable("/proc/x")


def test_write_new_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "organization.yaml"
    write_new(path, "one")
    with pytest.raises(OutputError, match="refusing to overwrite"):
        write_new(path, "two")
    dangling = tmp_path / "spend_limits.yaml"
    dangling.symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(OutputError, match="refusing to overwrite"):
        write_new(dangling, "two")
    assert path.read_text() == "one" and not (tmp_path / "elsewhere.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["organization.yaml", "spend_limits.yaml"]


def test_check_directory(tmp_path: Path) -> None:
    check_directory(tmp_path / "new" / "nested")  # made on the way
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="is not a directory"):
        check_directory(tmp_path / "file" / "sub")
    with pytest.raises(OutputError, match="is not a directory"):
        check_directory("/dev/null")
