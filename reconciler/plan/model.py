"""The plan as data: ordered changes, each with one action per address.

A :class:`Plan` serialises to one versioned JSON document (``to_document``) — the plan
file, its checksum and the JSON output — and a saved plan is read back into the same
typed :class:`Plan` (``from_document``, after the plan file's format and checksum checks)
before apply, drift or the CLI touch it: nothing downstream indexes the JSON by hand.

Meaning of ``before`` / ``after`` per action (the API's representation, managed fields only):

    create   before None            after: the object as it will exist
    update   before: live           after: live with the desired fields applied
    delete   before: live           after None (the scope inherits again)
    archive  before: live           after: live plus ``archived: true``
    manual   before: live or None   after: what the policy wants (a person must set it)
    blocked  before: live or None   after: what the policy wants (cannot be done)

``manual`` and ``blocked`` stay actions rather than a separate status: SPEC §5 makes them
actions in the JSON (``action``, the summary counts, the renderings' symbols), and every
difference between policy and organization is then one :class:`Change` with one action.
What apply writes is decided in one place, :attr:`Action.applicable`, and read through
:meth:`Plan.applicable`, :meth:`Plan.manual` and :meth:`Plan.blocked`.

The safety rail lives here too (:meth:`Plan.raise_if_unsafe`), as octoDNS keeps it on its
plan: the planner records the figures, apply enforces them.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import PlanFileError
from reconciler.gcpause import paused
from reconciler.jsonenc import encoder
from reconciler.plan import sentences
from reconciler.plan.facts import Estimate, MoneyFacts, Organization, ResidencyEstimate, Safety

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
    def applicable(self) -> bool:
        """Does apply write anything for it (and does it count for --detailed-exitcode)?
        ``manual`` and ``blocked`` are differences apply never writes."""
        return self in (Action.CREATE, Action.UPDATE, Action.DELETE, Action.ARCHIVE)


_SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE: "-",
    Action.ARCHIVE: "!",
    Action.MANUAL: "?",
    Action.BLOCKED: "x",
}
SUMMARY_KEYS = ("create", "update", "delete", "archive", "manual", "blocked", "unchanged")


@dataclass(slots=True)
class FieldChange:
    path: str
    before: Any
    after: Any
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FieldChange:
        return cls(data["path"], data["before"], data["after"], data.get("source"))


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
        """The JSON form."""
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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """Read back what :meth:`to_json` wrote."""
        return cls(
            address=data["address"],
            action=Action(data["action"]),
            resource_type=data["resource_type"],
            id=data.get("id"),
            before=data.get("before"),
            after=data.get("after"),
            fields=[FieldChange.from_json(f) for f in data.get("fields") or []],
            live_fingerprint=data.get("live_fingerprint"),
            reason=data.get("reason"),
            depends_on=list(data.get("depends_on") or []),
        )

    @property
    def scope(self) -> dict[str, Any]:
        """A spend limit's API scope object (``{}`` for a workspace)."""
        side = self.before or self.after or {}
        scope: dict[str, Any] = side.get("scope") or {}
        return scope

    @property
    def scope_type(self) -> str | None:
        """A spend limit's scope type (``None`` for a workspace)."""
        return self.scope.get("type") if self.resource_type == "spend_limit" else None


@dataclass
class Plan:
    tool_version: str
    created_at: str
    expires_at: str
    organization: Organization
    policy_digest: str
    targets: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unmanaged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    estimate: Estimate = field(default_factory=Estimate)
    safety: Safety | None = None
    money: MoneyFacts | None = None  # Enterprise, when the effective report was read
    residency_cost: ResidencyEstimate | None = None  # Console, when a workspace moves to us

    # ----------------------------------------------------------------- reading the plan

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(SUMMARY_KEYS, 0)
        for c in self.changes:
            counts[c.action.value] += 1
        counts["unchanged"] = self.unchanged
        return counts

    def applicable(self) -> list[Change]:
        """The changes apply writes, in order."""
        return [c for c in self.changes if c.action.applicable]

    def manual(self) -> list[Change]:
        """Differences a person must fix in a settings page (never attempted by apply)."""
        return [c for c in self.changes if c.action is Action.MANUAL]

    def blocked(self) -> list[Change]:
        """Differences that cannot be made as declared (apply refuses the whole plan)."""
        return [c for c in self.changes if c.action is Action.BLOCKED]

    @property
    def has_applicable(self) -> bool:
        return any(c.action.applicable for c in self.changes)

    @property
    def currency(self) -> str | None:
        return self.organization.currency

    def notes(self) -> list[str]:
        """Plan-level sentences the renderings print (monthly headroom, residency cost)."""
        lines: list[str] = []
        if self.money is not None:
            line = sentences.headroom(self.money, self.currency)
            lines += [line] if line else []
        if self.residency_cost is not None:
            lines.append(sentences.residency(self.residency_cost))
        return lines

    # ----------------------------------------------------------------- the safety rail

    def raise_if_unsafe(self, *, force: bool = False) -> None:
        """Refuse (:class:`PlanFileError`) a plan that changes more existing objects than
        ``safety.max_change_percent`` allows, unless ``force``."""
        s = self.safety
        if s is None or not s.exceeded or force:
            return
        raise PlanFileError(
            f"the plan changes {s.changing} of {s.existing} existing objects "
            f"({s.percent}%), more than safety.max_change_percent "
            f"({s.max_change_percent}%); nothing was written. "
            "Review the plan and re-run with --force if it is intended."
        )

    # ----------------------------------------------------------------- the document

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
            "organization": self.organization.to_json(),
            "policy_digest": self.policy_digest,
            "targets": list(self.targets),
            "excludes": list(self.excludes),
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes],
            "unmanaged": list(self.unmanaged),
            "warnings": list(self.warnings),
            "estimate": self.estimate.to_json(),
        }
        if self.safety is not None:
            doc["safety"] = self.safety.to_json()
        if self.money is not None:
            doc["money"] = self.money.to_json()
        if self.residency_cost is not None:
            doc["residency_cost"] = self.residency_cost.to_json()
        notes = self.notes()
        if notes:
            doc["notes"] = notes  # for readers of the JSON; never read back
        doc["checksum"] = checksum(doc)
        return doc

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Plan:
        """The typed plan of a document whose format and checksum were checked
        (:func:`reconciler.plan.planfile.read`); ``to_document`` gives it back unchanged."""
        with paused():
            try:
                return cls._from(doc)
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise PlanFileError(f"not a well-formed plan document ({e!r})") from None

    @classmethod
    def _from(cls, doc: dict[str, Any]) -> Plan:
        def typed(key: str, parse: Any) -> Any:
            return parse(doc[key]) if doc.get(key) is not None else None

        return cls(
            tool_version=doc["tool"]["version"],
            created_at=doc["created_at"],
            expires_at=doc["expires_at"],
            organization=Organization.from_json(doc["organization"]),
            policy_digest=doc["policy_digest"],
            targets=list(doc.get("targets") or []),
            excludes=list(doc.get("excludes") or []),
            changes=[Change.from_json(c) for c in doc["changes"]],
            unchanged=int(doc["summary"]["unchanged"]),
            unmanaged=list(doc.get("unmanaged") or []),
            warnings=list(doc.get("warnings") or []),
            estimate=Estimate.from_json(doc.get("estimate") or {}),
            safety=typed("safety", Safety.from_json),
            money=typed("money", MoneyFacts.from_json),
            residency_cost=typed("residency_cost", ResidencyEstimate.from_json),
        )


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
