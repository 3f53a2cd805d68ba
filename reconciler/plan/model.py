"""The plan as data: ordered changes, each with one action per address.

A :class:`Plan` serialises to one versioned JSON document (``to_document``); the plan
file, its checksum, the JSON output and the text and Markdown renderings all come from
that document, so they can never disagree.

Meaning of ``before`` / ``after`` per action (the API's representation, managed fields only):

    create   before None            after: the object as it will exist
    update   before: live           after: live with the desired fields applied
    delete   before: live           after None (the scope inherits again)
    archive  before: live           after: live plus ``archived: true``
    manual   before: live or None   after: what the policy wants (a person must set it)
    blocked  before: live or None   after: what the policy wants (cannot be done)
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any

from reconciler.gcpause import paused
from reconciler.jsonenc import encoder

FORMAT_VERSION = "1"


class Action(str, enum.Enum):
    """What apply does at an address.  Values are what the JSON carries."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ARCHIVE = "archive"
    MANUAL = "manual"
    BLOCKED = "blocked"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def severity(self) -> int:
        """Higher wins when several actions apply to one address."""
        return _SEVERITY[self]

    @property
    def applicable(self) -> bool:
        """Does apply write anything for it (and does it count for --detailed-exitcode)?"""
        return self in (Action.CREATE, Action.UPDATE, Action.DELETE, Action.ARCHIVE)


_SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE: "-",
    Action.ARCHIVE: "!",
    Action.MANUAL: "?",
    Action.BLOCKED: "x",
}
_SEVERITY = {
    Action.CREATE: 1,
    Action.UPDATE: 1,
    Action.DELETE: 1,
    Action.ARCHIVE: 2,
    Action.MANUAL: 3,
    Action.BLOCKED: 4,
}
SUMMARY_KEYS = ("create", "update", "delete", "archive", "manual", "blocked", "unchanged")


@dataclass(slots=True)
class FieldChange:
    path: str
    before: Any
    after: Any
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "source": self.source,
        }


@dataclass(slots=True)
class Change:
    address: str
    action: Action
    resource_type: str  # "workspace" | "spend_limit"
    id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fields: list[FieldChange] = field(default_factory=list)
    live_fingerprint: str | None = None
    reason: str | None = None
    depends_on: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "action": self.action.value,
            "resource_type": self.resource_type,
            "id": self.id,
            "before": self.before,
            "after": self.after,
            "fields": [f.to_json() for f in self.fields],
            "live_fingerprint": self.live_fingerprint,
            "reason": self.reason,
            "depends_on": list(self.depends_on),
        }


@dataclass
class Plan:
    tool_version: str
    created_at: str
    expires_at: str
    organization: dict[str, Any]
    policy_digest: str
    targets: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unmanaged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    estimate: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)  # e.g. money, residency cost

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(SUMMARY_KEYS, 0)
        for c in self.changes:
            counts[c.action.value] += 1
        counts["unchanged"] = self.unchanged
        return counts

    def to_document(self) -> dict[str, Any]:
        """The versioned JSON document, checksum included."""
        with paused():  # a dict per change and field, no cycles (see reconciler.gcpause)
            return self._document()

    def _document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "tool": {"name": "claude-policy", "version": self.tool_version},
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "organization": self.organization,
            "policy_digest": self.policy_digest,
            "targets": list(self.targets),
            "excludes": list(self.excludes),
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes],
            "unmanaged": list(self.unmanaged),
            "warnings": list(self.warnings),
            "estimate": self.estimate,
        }
        doc.update(self.extras)
        doc["checksum"] = checksum(doc)
        return doc


# One encoder for every canonical dump: the planner fingerprints every changed object
# (50,000 of them at scale) and the checksum encodes every change (reconciler.jsonenc).
_CANONICAL = encoder(sort_keys=True, separators=(",", ":"))


def canonical(doc: dict[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8."""
    return _CANONICAL(doc).encode()


def checksum(doc: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of the document without its ``checksum`` key.

    Hashed piece by piece — each top-level value, and each item of a top-level list —
    which gives the very bytes of ``canonical(body)`` (sorted keys, no whitespace) without
    ever holding them: for a 50,000-change plan that string and its UTF-8 copy were 66 MB
    at the plan's peak."""
    digest = hashlib.sha256()
    update = digest.update
    encode = _CANONICAL
    update(b"{")
    for number, key in enumerate(sorted(k for k in doc if k != "checksum")):
        value = doc[key]
        update(b"," if number else b"")
        update(encode(key).encode() + b":")
        if type(value) is list:
            update(b"[")
            for index, item in enumerate(value):
                update((b"," if index else b"") + encode(item).encode())
            update(b"]")
        else:
            update(encode(value).encode())
    update(b"}")
    return digest.hexdigest()


def fingerprint(obj: dict[str, Any] | None) -> str:
    """Fingerprint of a live object's managed representation (``None``: it does not exist)."""
    return "sha256:" + hashlib.sha256(canonical({"v": obj})).hexdigest()[:32]


def is_applicable(doc: dict[str, Any]) -> bool:
    return any(Action(c["action"]).applicable for c in doc["changes"])
