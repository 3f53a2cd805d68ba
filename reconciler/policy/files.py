"""Finding and reading policy files.

* A path may be a file or a directory; directories are searched recursively for
  ``*.yaml`` / ``*.yml``, skipping hidden entries (``.git``, ``.terraform``, editor swap
  files).  A file named explicitly is read whatever its extension.
* Nothing is skipped silently: a directory that cannot be listed or looked into, a broken
  symbolic link (whatever its name: it may have pointed at a directory), and a
  policy-named entry that is not a regular file (a named pipe, socket or device; never
  opened) are each a problem located at that path.
  Under ``management: authoritative`` a file that silently went missing would turn into
  deletes.
* Symbolic links are followed, to files and to directories.  A link that leads back to a
  directory being searched is a loop, reported at the link; a directory reached again by
  another way (a second link, or a path given after one that led into it) is not searched
  again, so that no arrangement of links makes the search grow beyond the tree.
* Files are read in sorted order of their display path, once each, however many of the
  given paths (or links, or hard links) reach them: the smallest display path found for a
  file names it.
* A display path is relative to the current directory (``policies/org.yaml``,
  ``../common/org.yaml``), always with ``/`` separators; symbolic links are not resolved.
* At most :data:`MAX_FILE_BYTES` are read from a file (:func:`reconciler.readfile.read_bounded`);
  a larger one is refused.

The digest binds a plan to the exact policy it was made from: sha256 over, for each file
in order, its display path, its length and its bytes.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.errors import Problem
from reconciler.readfile import UnreadableFile, kind_of, read_bounded, reason_for

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


def discover(
    paths: Sequence[str | Path], *, default: bool = False
) -> tuple[list[Path], list[Problem]]:
    """Every policy file under ``paths`` (sorted by display path) and problems with paths.

    ``default`` says the paths are the default (the user named none), which changes how a
    missing one is reported."""
    search = _Search()
    for given in paths:
        path = Path(given)
        try:
            info = os.stat(path)
        except OSError as e:
            search.problems.append(_missing(str(given), e, default))
            continue
        if stat.S_ISDIR(info.st_mode):
            search.walk(path, info)
        elif stat.S_ISREG(info.st_mode):
            search.add(path, info)
        else:
            search.problems.append(_not_regular(display_path(path), info.st_mode))
    return search.files(), search.problems


def _missing(given: str, error: OSError, default: bool) -> Problem:
    if default and isinstance(error, FileNotFoundError) and not os.path.islink(given):
        return Problem(
            given,
            1,
            1,
            f"no policy directory found: looked for `{given}/` in the current directory "
            f"({os.getcwd()})",
            hint="run from the directory that holds it, or name the policy files or "
            "directories to read",
        )
    reason = reason_for(error, given)
    return Problem(
        given, 1, 1, reason if reason.startswith("no such") else f"cannot read: {reason}"
    )


def _not_regular(name: str, mode: int) -> Problem:
    return Problem(
        name,
        1,
        1,
        f"cannot read: {kind_of(mode)}, not a regular file",
        hint="policy files must be regular files",
    )


@dataclass
class _Search:
    problems: list[Problem] = field(default_factory=list)
    found: dict[tuple[int, int], tuple[str, Path]] = field(default_factory=dict)
    searched: set[tuple[int, int]] = field(default_factory=set)

    def add(self, path: Path, info: os.stat_result) -> None:
        name = display_path(path)
        known = self.found.get((info.st_dev, info.st_ino))
        if known is None or name < known[0]:
            self.found[(info.st_dev, info.st_ino)] = (name, path)

    def files(self) -> list[Path]:
        return [path for _, path in sorted(self.found.values())]

    def walk(self, root: Path, info: os.stat_result) -> None:
        """Search ``root`` depth first (by hand: nesting may be deeper than Python's stack)."""
        # Each entry: a directory, its identity, and the directories above it in this walk.
        stack: list[tuple[Path, tuple[int, int], tuple[tuple[tuple[int, int], Path], ...]]] = [
            (root, (info.st_dev, info.st_ino), ())
        ]
        while stack:
            directory, ident, above = stack.pop()
            loop = next((path for seen, path in above if seen == ident), None)
            if loop is not None:
                name = display_path(directory)
                self.problems.append(
                    Problem(
                        name,
                        1,
                        1,
                        f"symbolic link loop: `{name}` leads back to `{display_path(loop)}`",
                        hint="remove the link, or point it outside the directories it is in",
                    )
                )
                continue
            if ident in self.searched:
                continue  # reached before by another way: its files are already found
            self.searched.add(ident)
            below = (*above, (ident, directory))
            for path, child in reversed(self.entries(directory)):
                stack.append((path, (child.st_dev, child.st_ino), below))

    def entries(self, directory: Path) -> list[tuple[Path, os.stat_result]]:
        """The sub-directories of ``directory`` to search (sorted), after adding its policy
        files and reporting whatever cannot be looked at."""
        try:
            with os.scandir(directory) as listing:
                names = sorted(entry.name for entry in listing)
        except OSError as e:
            self.problems.append(_unreadable_directory(directory, e))
            return []
        subdirectories = []
        for name in names:
            if name.startswith("."):
                continue
            path = directory / name
            policy_named = name.endswith(SUFFIXES)
            try:
                info = os.stat(path)  # follows symbolic links
            except PermissionError as e:  # a directory we may list but not look into
                self.problems.append(_unreadable_directory(directory, e))
                return []
            except OSError as e:  # a broken link or a loop, whatever its name
                self.problems.append(
                    Problem(display_path(path), 1, 1, f"cannot read: {reason_for(e, path)}")
                )
                continue
            if stat.S_ISDIR(info.st_mode):
                subdirectories.append((path, info))
            elif not policy_named:
                continue
            elif stat.S_ISREG(info.st_mode):
                self.add(path, info)
            else:
                self.problems.append(_not_regular(display_path(path), info.st_mode))
        return subdirectories


def _unreadable_directory(directory: Path, error: OSError) -> Problem:
    return Problem(
        display_path(directory),
        1,
        1,
        f"cannot read the directory: {reason_for(error, directory)}",
        hint="nothing under it was read: fix its permissions, or move it out of the policy path",
    )


def read(path: Path) -> tuple[PolicyFile | None, Problem | None]:
    """Read one file, refusing oversized and unreadable ones (as located problems)."""
    name = display_path(path)
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
    except UnreadableFile as e:
        if e.size is not None:
            return None, _too_big(name, e.size, e.at_least)
        return None, Problem(name, 1, 1, f"cannot read the file: {e.reason}")
    return PolicyFile(path, name, data), None


def _too_big(name: str, size: int, at_least: bool) -> Problem:
    shown = f"more than {MAX_FILE_BYTES:,}" if at_least else f"{size:,}"
    return Problem(
        name,
        1,
        1,
        f"file is too large ({shown} bytes; the limit is {MAX_FILE_BYTES:,} bytes, 4 MiB)",
        hint="split the policy into several files",
    )


def digest(files: Sequence[PolicyFile]) -> str:
    h = hashlib.sha256()
    for f in files:
        name = f.name.encode("utf-8")
        h.update(b"%d:" % len(name) + name + b"%d:" % len(f.data))
        h.update(f.data)
    return h.hexdigest()
