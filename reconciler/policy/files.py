"""Finding and reading policy files.

* A path may be a file or a directory; directories are searched recursively for
  ``*.yaml`` / ``*.yml``, skipping hidden entries (``.git``, ``.terraform``, editor swap
  files).  A file named explicitly is read whatever its extension.
* Files are read in sorted order of their display path, once each, however many of the
  given paths reach them.
* A display path is relative to the current directory (``policies/org.yaml``,
  ``../common/org.yaml``), always with ``/`` separators; symbolic links are not resolved.
* Files larger than :data:`MAX_FILE_BYTES` are refused before they are read.

The digest binds a plan to the exact policy it was made from: sha256 over, for each file
in order, its display path, its length and its bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import Problem

MAX_FILE_BYTES = 4 * 1024 * 1024  # 4 MiB: a 50,000-member user list is about 2 MiB
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class PolicyFile:
    path: Path  # as found on disk
    name: str  # display path (relative to the current directory where possible)
    data: bytes


def display_path(path: Path | str, cwd: Path | str | None = None) -> str:
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.path.abspath(cwd or os.getcwd()))
    except ValueError:  # another drive (Windows)
        return Path(absolute).as_posix()
    return Path(relative).as_posix()


def discover(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Every policy file under ``paths`` (sorted by display path) and problems with paths."""
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in _walk(path):
                found.setdefault(display_path(file), file)
        elif path.is_file():
            found.setdefault(display_path(path), path)
        else:
            problems.append(Problem(str(given), 1, 1, "no such file or directory"))
    return [found[name] for name in sorted(found)], problems


def _walk(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.endswith(SUFFIXES):
                yield Path(dirpath) / name


def read(path: Path) -> tuple[PolicyFile | None, Problem | None]:
    """Read one file, refusing oversized and unreadable ones (as located problems)."""
    name = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, _too_big(name, size)
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        return None, Problem(name, 1, 1, f"cannot read the file: {e.strerror or e}")
    if len(data) > MAX_FILE_BYTES:  # grew while we looked
        return None, _too_big(name, len(data))
    return PolicyFile(path, name, data), None


def _too_big(name: str, size: int) -> Problem:
    return Problem(
        name,
        1,
        1,
        f"file is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes, 4 MiB)",
        hint="split the policy into several files",
    )


def digest(files: Sequence[PolicyFile]) -> str:
    h = hashlib.sha256()
    for f in files:
        name = f.name.encode("utf-8")
        h.update(b"%d:" % len(name) + name + b"%d:" % len(f.data))
        h.update(f.data)
    return h.hexdigest()
