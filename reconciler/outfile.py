"""The one writer of output files (SPEC §4 "Output files").

Every file a command writes — ``plan --out``, ``--json-out``, ``--markdown-out``,
``apply --report``, ``import --out DIR`` and new commands' ``--out`` — goes through here:

* a regular file, or a path where nothing exists yet, is **replaced atomically**: the text
  goes to a temporary file in the same directory, which is then renamed over the target, so
  a reader (or a crash) never sees half a file.  An existing file keeps its permissions;
  a new one gets the usual ones (``0666`` less the umask);
* a **symlink is followed** and its target replaced the same way (the link stays a link);
* **anything else** — a pipe, ``/dev/stdout``, a device such as ``/dev/null`` — is
  **written through**: opened and written, never replaced;
* a path that **cannot be written** (missing directory, a directory, ``/proc/x``, no
  permission, a full device) raises :class:`~reconciler.errors.OutputError`: one line,
  exit 1, never a traceback.

:func:`check_writable` is the cheap pre-check a command makes before it does anything
costly or irreversible (``apply`` calls it before its first write): it creates and removes
one empty temporary file where a replacement would be made, and never opens a pipe (which
would wait for a reader).  :func:`write_new` is for ``import``, which must never
overwrite; :func:`check_directory` and :func:`make_directory` are its pre-check and first
step.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from reconciler.errors import OutputError

__all__ = ["check_directory", "check_writable", "make_directory", "write_new", "write_text"]

Text = str | Iterable[str]


def check_writable(path: str | Path) -> None:
    """Raise :class:`OutputError` unless :func:`write_text` could write ``path`` now."""
    mode = _mode(path)
    if mode is None or stat.S_ISREG(mode):
        _probe(_replace_target(path).parent, path)
    elif not os.access(path, os.W_OK):
        raise OutputError(f"{path}: cannot write: permission denied")


def check_directory(path: str | Path) -> None:
    """Raise :class:`OutputError` unless files could be made in directory ``path`` now (it
    exists, or its nearest existing ancestor is a directory it could be made in)."""
    here = Path(path)
    while not os.path.lexists(here) and here != here.parent:
        here = here.parent
    if not here.is_dir():
        raise OutputError(f"{path}: cannot write: {here} is not a directory")
    _probe(Path(os.path.realpath(here)), path)


def make_directory(path: str | Path) -> None:
    """Make directory ``path`` (and its parents) unless it exists; one-line errors."""
    check_directory(path)
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _error(path, e) from None


def write_text(path: str | Path, text: Text) -> None:
    """Write ``text`` (a string, or pieces of one) to ``path`` as the module says."""
    mode = _mode(path)
    if mode is None or stat.S_ISREG(mode):
        _replace(_replace_target(path), text, mode, shown=path)
    else:
        _write_through(path, text)


def write_new(path: str | Path, text: str) -> None:
    """Create ``path`` with ``text``, atomically, refusing if anything exists there (a
    dangling symlink included): the temporary file is hard-linked into place."""
    target = Path(path)
    tmp = _temporary(target.parent, target.name, path)
    try:
        _fill(tmp, text, None)
        os.link(tmp, target)
    except FileExistsError:
        raise OutputError(f"{path}: refusing to overwrite an existing file") from None
    except OSError as e:
        raise _error(path, e) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


# --------------------------------------------------------------------------- internals


def _mode(path: str | Path) -> int | None:
    """``st_mode`` of what ``path`` names (symlinks followed); ``None``: nothing there."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as e:
        raise _error(path, e) from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: cannot write: it is a directory")
    return mode


def _replace_target(path: str | Path) -> Path:
    """The file a replacement renames over: the end of any chain of symlinks."""
    return Path(os.path.realpath(path))


def _probe(directory: Path, shown: str | Path) -> None:
    Path(_temporary(directory, "probe", shown)).unlink()


def _temporary(directory: Path, name: str, shown: str | Path) -> str:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise _error(shown, e) from None
    os.close(fd)
    return tmp


def _replace(target: Path, text: Text, mode: int | None, *, shown: str | Path) -> None:
    tmp = _temporary(target.parent, target.name, shown)
    try:
        _fill(tmp, text, mode)
        os.replace(tmp, target)
    except OSError as e:
        raise _error(shown, e) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _fill(tmp: str, text: Text, mode: int | None) -> None:
    """Write the temporary file; give it the replaced file's permissions, or the usual
    ones for a new file (``mkstemp`` makes it private)."""
    with open(tmp, "w", encoding="utf-8") as fh:
        _put(fh, text)
    os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())


def _write_through(path: str | Path, text: Text) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            _put(fh, text)
    except OSError as e:
        raise _error(path, e) from None


def _put(fh: TextIO, text: Text) -> None:
    if isinstance(text, str):
        fh.write(text)
    else:
        fh.writelines(text)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _error(path: str | Path, e: OSError) -> OutputError:
    return OutputError(f"{path}: cannot write: {(e.strerror or str(e)).lower()}")
