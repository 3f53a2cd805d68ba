"""Finding and reading policy files: order, recursion, the size bound, the digest."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from reconciler.errors import PolicyError
from reconciler.policy import MAX_FILE_BYTES, load
from reconciler.policy.files import discover, display_path

from .builders import CONSOLE_HEAD, write


def test_directories_are_searched_recursively_in_sorted_path_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        {
            "policies/z.yaml": CONSOLE_HEAD,
            "policies/a/b.yml": "workspaces: {b: {}}\n",
            "policies/a.yaml": "workspaces: {a: {}}\n",
            "policies/README.md": "not a policy\n",
            "policies/.hidden/x.yaml": "nonsense: [\n",
            "policies/.swap.yaml": "nonsense: [\n",
        },
    )
    policy = load(["policies"])
    assert policy.files == ("policies/a.yaml", "policies/a/b.yml", "policies/z.yaml")


def test_a_file_given_twice_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"policies/org.yaml": CONSOLE_HEAD})
    policy = load(["policies", "policies/org.yaml", "./policies/org.yaml"])
    assert policy.files == ("policies/org.yaml",)


def test_display_paths_are_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"repo/policies/org.yaml": CONSOLE_HEAD, "other/x.yaml": ""})
    monkeypatch.chdir(tmp_path / "repo")
    assert display_path(tmp_path / "repo/policies/org.yaml") == "policies/org.yaml"
    assert display_path(tmp_path / "other/x.yaml") == "../other/x.yaml"


def test_missing_path_is_a_located_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    found, problems = discover(["nope"])
    assert found == []
    assert [p.render() for p in problems] == ["nope:1:1: no such file or directory"]


def test_oversized_file_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"policies/org.yaml": CONSOLE_HEAD})
    big = tmp_path / "policies/big.yaml"
    big.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(PolicyError) as caught:
        load(["policies"])
    assert [p.render() for p in caught.value.problems] == [
        f"policies/big.yaml:1:1: file is too large ({MAX_FILE_BYTES + 3:,} bytes; the limit "
        f"is {MAX_FILE_BYTES:,} bytes, 4 MiB) hint: split the policy into several files"
    ]


def test_a_file_at_the_bound_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    head = CONSOLE_HEAD.encode()
    padding = b"#" * (MAX_FILE_BYTES - len(head) - 1) + b"\n"
    (tmp_path / "org.yaml").write_bytes(head + padding)
    assert load(["org.yaml"]).files == ("org.yaml",)


def test_digest_covers_each_files_path_and_bytes_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"policies/a.yaml": CONSOLE_HEAD, "policies/b.yaml": "version: 1\n"})
    policy = load(["policies"])
    h = hashlib.sha256()
    for name in ("policies/a.yaml", "policies/b.yaml"):
        data = Path(name).read_bytes()
        h.update(b"%d:" % len(name) + name.encode() + b"%d:" % len(data))
        h.update(data)
    assert policy.digest == h.hexdigest()
    # any byte, or a rename, changes it
    Path("policies/b.yaml").write_text("version: 1\n\n")
    assert load(["policies"]).digest != policy.digest
    Path("policies/b.yaml").write_text("version: 1\n")
    Path("policies/b.yaml").rename("policies/c.yaml")
    assert load(["policies"]).digest != policy.digest


def test_empty_files_are_valid_and_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"policies/org.yaml": CONSOLE_HEAD, "policies/empty.yaml": "# later\n"})
    policy = load(["policies"])
    assert policy.files == ("policies/empty.yaml", "policies/org.yaml")


def test_a_bare_path_is_one_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"policies/org.yaml": CONSOLE_HEAD})
    assert load("policies").files == ("policies/org.yaml",)  # type: ignore[arg-type]
    assert load(Path("policies")).files == ("policies/org.yaml",)  # type: ignore[arg-type]
    assert load([]).files == ("policies/org.yaml",)  # no path: policies/


def test_a_file_reached_by_several_names_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"policies/org.yaml": CONSOLE_HEAD, "common/ws.yaml": "workspaces: {a: {}}\n"})
    os.link(tmp_path / "common/ws.yaml", tmp_path / "policies/hard.yaml")
    (tmp_path / "policies/soft.yaml").symlink_to("../common/ws.yaml")
    (tmp_path / "policies/dir").symlink_to("../common")
    policy = load(["policies", "common"])
    # One name stands for the file (no "defined twice"): the smallest found; `common/` was
    # already searched through `policies/dir` and is not searched again.
    assert policy.files == ("policies/dir/ws.yaml", "policies/org.yaml")


def test_nesting_deeper_than_the_interpreter_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    deep = Path("policies", *["d"] * 200)
    deep.mkdir(parents=True)
    (deep / "org.yaml").write_text(CONSOLE_HEAD)
    # A stack smaller than the tree: a recursive search would fail.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)
    try:
        found, problems = discover(["policies"])
    finally:
        sys.setrecursionlimit(limit)
        # Removed here, bottom up: a recursive clean-up of the temporary directories (by this
        # or a later test run) must never meet a tree this deep.
        (deep / "org.yaml").unlink()
        for level in range(len(deep.parts), 0, -1):
            Path(*deep.parts[:level]).rmdir()
    assert (found, problems) == ([Path(*["policies"] + ["d"] * 200) / "org.yaml"], [])


def test_a_loop_is_reported_once_at_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"policies/org.yaml": CONSOLE_HEAD})
    (tmp_path / "policies/a").mkdir()
    (tmp_path / "policies/a/up").symlink_to("../..")  # the directory above policies/
    found, problems = discover(["policies"])
    assert found == [Path("policies/org.yaml")]
    assert [p.render() for p in problems] == [
        "policies/a/up/policies:1:1: symbolic link loop: `policies/a/up/policies` leads back "
        "to `policies` hint: remove the link, or point it outside the directories it is in"
    ]
