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

GROUPS = {
    "create": "fixable",
    "update": "fixable",
    "delete": "fixable",
    "archive": "fixable",
    "manual": "manual",
    "blocked": "blocked",
}


@dataclass
class DriftReport:
    plan: dict[str, Any]
    checked_at: str
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    acknowledged: list[dict[str, Any]] = field(default_factory=list)
    expired: list[Ack] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return any(self.groups.values())

    def summary(self) -> dict[str, int]:
        counts = {g: len(self.groups.get(g, [])) for g in ("fixable", "manual", "blocked")}
        counts["acknowledged"] = len(self.acknowledged)
        counts["expired_acknowledgements"] = len(self.expired)
        return counts

    def to_document(self) -> dict[str, Any]:
        warnings = list(self.plan.get("warnings") or [])
        warnings += [
            f"{a.mark.file}:{a.mark.line}: acknowledgement of {a.address!r} expired on "
            f"{a.expires.isoformat()}: its drift counts again"
            for a in self.expired
        ]
        return {
            "format_version": "1",
            "tool": {"name": "claude-policy", "version": __version__},
            "checked_at": self.checked_at,
            "organization": self.plan["organization"],
            "policy_digest": self.plan["policy_digest"],
            "in_sync": not self.drifted,
            "summary": self.summary(),
            "fixable": self.groups.get("fixable", []),
            "manual": self.groups.get("manual", []),
            "blocked": self.groups.get("blocked", []),
            "acknowledged": self.acknowledged,
            "expired_acknowledgements": [a.to_json() for a in self.expired],
            "unmanaged": self.plan.get("unmanaged", []),
            "warnings": warnings,
        }


def detect(plan_doc: dict[str, Any], acks: list[Ack], now: datetime | None = None) -> DriftReport:
    """Classify a plan document's changes as drift, honouring acknowledgements."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    live_acks = [a for a in acks if not a.expired(now)]
    report = DriftReport(
        plan=plan_doc,
        checked_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        groups={"fixable": [], "manual": [], "blocked": []},
        expired=[a for a in acks if a.expired(now)],
    )
    for change in plan_doc["changes"]:
        ack = next((a for a in live_acks if a.matches(change["address"])), None)
        if ack is not None:
            report.acknowledged.append(
                {
                    "address": change["address"],
                    "action": change["action"],
                    "reason": ack.reason,
                    "expires": ack.expires.isoformat(),
                }
            )
            continue
        report.groups[GROUPS[change["action"]]].append(change)
    return report
