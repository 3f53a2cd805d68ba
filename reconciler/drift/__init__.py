"""Drift: a plan that is never applied, read as "how has the organization moved?" (SPEC §7).

Every difference between policy and organization is drift, grouped as

* **fixable** — apply would fix it (create, update, delete, archive);
* **manual** — a verify-only setting differs (e.g. an Enterprise seat-tier limit);
* **blocked** — it can be fixed neither by apply nor in a settings page as declared.

Acknowledged drift (``--ack FILE``) is listed but not counted; expired acknowledgements
are reported and their drift counts again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from reconciler import __version__
from reconciler.acks import Ack
from reconciler.plan.model import Action, Change, Plan

__all__ = ["GROUPS", "Acknowledged", "DriftReport", "detect"]

GROUPS = {
    Action.CREATE: "fixable",
    Action.UPDATE: "fixable",
    Action.DELETE: "fixable",
    Action.ARCHIVE: "fixable",
    Action.MANUAL: "manual",
    Action.BLOCKED: "blocked",
}
GROUP_NAMES = ("fixable", "manual", "blocked")


@dataclass(frozen=True)
class Acknowledged:
    """A difference an acknowledgement silences (listed, not counted)."""

    change: Change
    ack: Ack

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "address": self.change.address,
            "action": self.change.action.value,
            "reason": self.ack.reason,
            "expires": self.ack.expires.isoformat(),
        }


@dataclass
class DriftReport:
    plan: Plan
    checked_at: str
    groups: dict[str, list[Change]] = field(default_factory=dict)
    acknowledged: list[Acknowledged] = field(default_factory=list)
    expired: list[Ack] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return any(self.groups.values())

    def group(self, name: str) -> list[Change]:
        return self.groups.get(name, [])

    def summary(self) -> dict[str, int]:
        counts = {g: len(self.group(g)) for g in GROUP_NAMES}
        counts["acknowledged"] = len(self.acknowledged)
        counts["expired_acknowledgements"] = len(self.expired)
        return counts

    def warnings(self) -> list[str]:
        """The plan's warnings, then one per expired acknowledgement."""
        return list(self.plan.warnings) + [
            f"{a.mark.file}:{a.mark.line}: acknowledgement of {a.address!r} expired on "
            f"{a.expires.isoformat()}: its drift counts again"
            for a in self.expired
        ]

    def to_document(self) -> dict[str, Any]:
        """The versioned JSON drift document (``drift --format json``)."""
        return {
            "format_version": "1",
            "tool": {"name": "claude-policy", "version": __version__},
            "checked_at": self.checked_at,
            "organization": self.plan.organization.to_json(),
            "policy_digest": self.plan.policy_digest,
            "in_sync": not self.drifted,
            "summary": self.summary(),
            **{g: [c.to_json() for c in self.group(g)] for g in GROUP_NAMES},
            "acknowledged": [a.to_json() for a in self.acknowledged],
            "expired_acknowledgements": [a.to_json() for a in self.expired],
            "unmanaged": list(self.plan.unmanaged),
            "warnings": self.warnings(),
        }


def detect(plan: Plan, acks: list[Ack], now: datetime | None = None) -> DriftReport:
    """Classify a plan's changes as drift, honouring acknowledgements."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    live_acks = [a for a in acks if not a.expired(now)]
    report = DriftReport(
        plan=plan,
        checked_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        groups={g: [] for g in GROUP_NAMES},
        expired=[a for a in acks if a.expired(now)],
    )
    for change in plan.changes:
        ack = next((a for a in live_acks if a.matches(change.address)), None)
        if ack is not None:
            report.acknowledged.append(Acknowledged(change, ack))
        else:
            report.groups[GROUPS[change.action]].append(change)
    return report
