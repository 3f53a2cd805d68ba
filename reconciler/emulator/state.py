"""``--state FILE``: the organization kept on disk between runs (SPEC §8).

Every mutation is written at once, atomically (a temporary file in the same folder,
then ``os.replace``), so a crash never leaves half a file and separate commands see
one organization.  A write costs about 0.15 s for 50,000 members with overrides, and
a few milliseconds for a sample org.  When the file exists it wins over ``--seed``.

The file is JSON: ``{"format", "version", "organization", "counters", "keys", …}``
with one key per section of :data:`~reconciler.emulator.store.SECTIONS`
(``schemas/state.schema.json``).  Each section's text is cached and re-serialized only
when the store marks it dirty, so a write to a 50,000-member organization does not
re-encode every member.

Reading is bounded and checked: the file must be a regular file of at most
:data:`MAX_BYTES`, and pass :mod:`~reconciler.emulator.statecheck` — a damaged file is
refused at start with one line, never served until it fails later.

One emulator per file: :class:`StateFile` takes an exclusive lock (``flock``) on
``FILE.lock`` beside it and holds it while it lives (the ``emulator`` command: until it
exits), so a second emulator on the same file refuses to start instead of losing the
first one's writes.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import weakref
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from reconciler.emulator import statecheck, wellformed
from reconciler.emulator.documents import DocumentError, read_bounded
from reconciler.emulator.model import (
    ApiKey,
    ExternalKey,
    IncreaseRequest,
    Organization,
    RbacGroup,
    SpendLimit,
    UsageEvent,
    User,
    Workspace,
)
from reconciler.emulator.store import SECTIONS, Store

FORMAT = "claude-policy-emulator-state"
VERSION = 2  # 2: usage rows are resolved events (time, workspace id, effective geo)
# A 50,000-member organization with as many overrides takes 21 MB; the largest seed the
# seed schema allows (1,000,000 generated members) fits too.
MAX_BYTES = 512 * 1024 * 1024


class StateError(Exception):
    """A state file that cannot be read back."""


def _records(items: Any) -> list[dict[str, Any]]:
    return [{f.name: getattr(item, f.name) for f in fields(item)} for item in items]


def _section(store: Store, name: str) -> Any:
    if name == "users":
        return _records(store.users.values())
    if name == "groups":
        return _records(store.groups.values())
    if name == "workspaces":
        return _records(store.workspaces.values())
    if name == "limits":
        return _records(store.limits.values())
    if name == "requests":
        return _records(store.requests.values())
    if name == "spend":
        return [[user_id, period, amount] for (user_id, period), amount in store.spend.items()]
    return {"events": _records(store.usage), "prices": store.prices, "days": store.usage_days}


def _head(store: Store) -> dict[str, Any]:
    return {
        "organization": asdict(store.org),
        "counters": {
            "next_seq": store.next_seq,
            "palette_next": store.palette_next,
            "runtime_ids": store.runtime_ids,
        },
        "keys": _records(store.keys.values()),
        "external_keys": _records(store.external_keys.values()),
        "user_profiles": sorted(store.user_profiles),
    }


def dumps(store: Store) -> str:
    """The whole state of ``store`` as the state file holds it (uncached: for comparing
    two moments, it leaves the store's record of what changed alone)."""
    whole = {"format": FORMAT, "version": VERSION, **_head(store)}
    whole.update((name, _section(store, name)) for name in SECTIONS)
    return json.dumps(whole, separators=(",", ":"))


def document(store: Store) -> dict[str, Any]:
    """:func:`dumps` as a fresh JSON document (nothing in it is shared with the store)."""
    loaded: dict[str, Any] = json.loads(dumps(store))
    return loaded


class Snapshot:
    """Serializes a store section by section, reusing the text of clean sections."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}

    def text(self, store: Store) -> str:
        for name in SECTIONS:
            if name in store.dirty or name not in self._texts:
                self._texts[name] = json.dumps(_section(store, name), separators=(",", ":"))
        store.dirty.clear()
        head = {"format": FORMAT, "version": VERSION, **_head(store)}
        parts = [json.dumps(head, separators=(",", ":"))[:-1]]
        parts += [f',"{name}":{self._texts[name]}' for name in SECTIONS]
        return "".join(parts) + "}\n"


def restore(data: Any, source: str = "state") -> Store:
    """A store from a state document (:class:`StateError`, one line, when it is not one)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StateError(f"{source}: not a claude-policy emulator state file")
    if data.get("version") != VERSION:
        raise StateError(f"{source}: state format version {data.get('version')!r} is not {VERSION}")
    found = statecheck.problem(data)
    if found is not None:
        raise StateError(f"{source}: damaged state file: {found}")
    try:
        return _restore(data)
    except (KeyError, TypeError, ValueError) as e:  # pragma: no cover - the checks come first
        raise StateError(f"{source}: damaged state file ({type(e).__name__}: {e})") from None


def _restore(data: dict[str, Any]) -> Store:
    store = Store(Organization(**data["organization"]))
    for key in data["keys"]:
        store.keys[key["key"]] = ApiKey(**{**key, "scopes": tuple(key["scopes"])})
    for ext in data["external_keys"]:
        store.external_keys[ext["id"]] = ExternalKey(**ext)
    store.user_profiles = set(data["user_profiles"])
    for user in data["users"]:
        store.add_user(User(**user))
    for group in data["groups"]:
        members = {uid: (seq, at) for uid, (seq, at) in group["members"].items()}
        store.add_group(RbacGroup(**{**group, "members": members}))
    for workspace in data["workspaces"]:
        store.add_workspace(Workspace(**workspace))
    for limit in data["limits"]:
        store.put_limit(SpendLimit(**limit))
    for request in data["requests"]:
        store.add_request(IncreaseRequest(**request))
    for user_id, period, amount in data["spend"]:
        store.spend[(user_id, period)] = amount
    store.add_usage(UsageEvent(**event) for event in data["usage"]["events"])
    store.prices = data["usage"]["prices"]
    store.usage_days = data["usage"]["days"]
    counters = data["counters"]
    store.next_seq = counters["next_seq"]
    store.palette_next = counters["palette_next"]
    store.runtime_ids = counters["runtime_ids"]
    store.mutations = 0
    return store


class LoadedState:
    """A state file's content as first read, checked: ``build()`` makes a fresh store
    from it (which is what ``/_emulator/reset`` goes back to).

    Construction parses and checks the text (:class:`StateError` when it is not a sound
    state) and keeps the store it built for the first ``build()``.
    """

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self._first: Store | None = self._load(check=True)

    def _load(self, check: bool) -> Store:
        try:
            data = wellformed.parse(self.text)
        except wellformed.NotWellFormed as e:
            raise StateError(f"{self.source}: {e}") from None
        if check:
            return restore(data, self.source)
        return _restore(data)

    def build(self, now: float | None = None) -> Store:
        """The stored organization (``now`` is unused: stored usage is already dated)."""
        first, self._first = self._first, None
        return first if first is not None else self._load(check=False)


# Lock files this process holds, by (device, inode): the descriptor and how many
# StateFile objects use it.  The lock goes when the last of them is closed or collected
# (and with the process, whatever happens to it).
_HELD: dict[tuple[int, int], list[int]] = {}


def _lock(path: Path) -> tuple[Path, tuple[int, int]]:
    """Take ``PATH.lock`` for this process (again, harmlessly, if it already holds it);
    :class:`StateError` naming the holder when another process has it."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise StateError(f"{lock_path}: cannot create the lock file: {e.strerror or e}") from None
    info = os.fstat(fd)
    identity = (info.st_dev, info.st_ino)
    held = _HELD.get(identity)
    if held is not None:
        os.close(fd)
        held[1] += 1
        return lock_path, identity
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(fd, 32).decode("ascii", "replace").strip()
        os.close(fd)
        by = f" (pid {holder})" if holder.isdigit() else ""
        raise StateError(
            f"{path}: in use by another emulator{by}; stop it or choose another --state file"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _HELD[identity] = [fd, 1]
    return lock_path, identity


def _unlock(identity: tuple[int, int]) -> None:
    held = _HELD.get(identity)
    if held is None:
        return
    held[1] -= 1
    if held[1] == 0:
        del _HELD[identity]
        os.close(held[0])  # closing the descriptor releases the lock


class StateFile:
    """The ``--state`` file: locked while this object lives (for the emulator command,
    the life of the process), read once at start, rewritten after every mutation.

    A symlink is followed once, here: the file it points to is read and replaced.
    """

    def __init__(self, path: str | Path) -> None:
        given = Path(path)
        try:
            self.path = given.resolve(strict=True) if given.is_symlink() else given
        except FileNotFoundError:
            self.path = given.resolve()  # a link to a file yet to be made: make it there
        except (OSError, RuntimeError) as e:  # RuntimeError: a loop, before Python 3.13
            raise StateError(f"{given}: cannot follow the symlink: {e}") from None
        self.lock_path, identity = _lock(self.path)
        self._release = weakref.finalize(self, _unlock, identity)
        self._snapshot = Snapshot()

    def close(self) -> None:
        """Release the lock (also done when the object is collected, or the process ends)."""
        self._release()

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> LoadedState:
        """The file's content, checked (:class:`StateError`, one line, when it is not a
        regular file of at most :data:`MAX_BYTES` holding a sound state)."""
        try:
            raw = read_bounded(self.path, MAX_BYTES)
            text = raw.decode("utf-8")
        except DocumentError as e:
            raise StateError(str(e)) from None
        except OSError as e:
            raise StateError(f"{self.path}: cannot read: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise StateError(f"{self.path}: not UTF-8 text") from None
        return LoadedState(text, str(self.path))

    def save(self, store: Store) -> None:
        """Write the whole state atomically: a temp file beside it, then ``os.replace``.

        No fsync: the file must never be half-written when the process dies, which the
        rename guarantees; surviving a power cut is not the emulator's job, and an fsync
        of a 20 MB state (50,000 members) would cost more than the write itself.
        """
        text = self._snapshot.text(store)
        folder = self.path.parent
        handle, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
