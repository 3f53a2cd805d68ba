"""The bounded reader every input file goes through (:mod:`reconciler.readfile`)."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from pathlib import Path

import pytest

from reconciler.readfile import UnreadableFile, read_bounded


def refusal(path: str | Path, limit: int = 64, **options: object) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        read_bounded(path, limit, **options)  # type: ignore[arg-type]
    return caught.value


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 64)
    assert read_bounded(tmp_path / "f", 64) == b"x" * 64


def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path: Path) -> None:
    with open(tmp_path / "big", "wb") as fh:
        fh.truncate(1 << 40)  # a terabyte, sparse: it must not be read
    error = refusal(tmp_path / "big", 64)
    assert error.size == 1 << 40 and not error.at_least
    assert error.reason == "too large (1,099,511,627,776 bytes; the limit is 64 bytes)"


def test_an_endless_device_is_read_only_up_to_the_limit() -> None:
    error = refusal("/dev/zero", 4096, devices=True)
    assert error.size == 4097 and error.at_least
    assert error.reason == "too large (more than 4,096 bytes; the limit is 4,096 bytes)"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/dev/zero", "a character device, not a regular file"),
        ("/dev/null", "a character device, not a regular file"),
        ("/", "a directory, not a file"),
        ("/nonexistent/file", "no such file or directory"),
    ],
)
def test_what_is_not_a_regular_file_is_refused_unless_allowed(path: str, reason: str) -> None:
    assert refusal(path).reason == reason
    assert refusal(path, pipes=True).reason == reason


def test_a_named_pipe_is_refused_without_being_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p.yaml")
    assert refusal(tmp_path / "p.yaml").reason == "a named pipe, not a regular file"


@pytest.mark.timeout(30)
def test_a_named_pipe_nobody_opens_for_writing_is_given_up_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p")
    error = refusal(tmp_path / "p", pipes=True, wait=0.2)
    assert error.reason == "a named pipe that had no writer within 0.2 s"


@pytest.mark.timeout(10)  # far less than `wait`: the end is seen at once, not waited for
def test_a_pipe_whose_writer_left_without_writing_reads_as_empty(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(write_end)
    try:
        assert read_bounded(f"/dev/fd/{read_end}", 64, pipes=True, wait=600) == b""
    finally:
        os.close(read_end)


@pytest.mark.timeout(30)
def test_a_pipe_whose_writer_stays_silent_is_given_up_on(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    try:
        error = refusal(f"/dev/fd/{read_end}", pipes=True, wait=0.2)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert error.reason == "a named pipe that gave no end of data within 0.2 s"


@pytest.mark.timeout(30)
def test_a_named_pipe_with_a_writer_is_read_to_its_end(tmp_path: Path) -> None:
    fifo = tmp_path / "p"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as fh:
            fh.write(b"first ")
            fh.flush()
            fh.write(b"second")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        # The writer waits in open() for a reader; the read must wait for its data.
        assert read_bounded(fifo, 64, pipes=True, wait=20) == b"first second"
    finally:
        writer.join(20)


def test_a_socket_is_refused(tmp_path: Path) -> None:
    short = Path(tempfile.mkdtemp(prefix="s", dir="/tmp"))
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(short / "s"))
            assert refusal(short / "s", pipes=True).reason == "a socket, not a regular file"
    finally:
        (short / "s").unlink(missing_ok=True)
        short.rmdir()


def test_links_broken_and_looping(tmp_path: Path) -> None:
    (tmp_path / "gone").symlink_to("nowhere")
    (tmp_path / "loop").symlink_to("loop")
    assert refusal(tmp_path / "gone").reason == (
        "a broken symbolic link (its target `nowhere` does not exist)"
    )
    assert refusal(tmp_path / "loop").reason == (
        "a symbolic link loop (too many levels of symbolic links)"
    )


def test_a_link_to_a_regular_file_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"data")
    (tmp_path / "link").symlink_to("real")
    assert read_bounded(tmp_path / "link", 64) == b"data"


@pytest.mark.timeout(10)  # far less than `wait`: a device's end of file is final
def test_an_empty_device_reads_as_empty_at_once() -> None:
    assert read_bounded("/dev/null", 64, devices=True, wait=600) == b""
