"""The audit as data: one versioned document feeds the JSON, text and Markdown outputs.

Document (``format_version`` ``"1"``)::

    tool, checked_at, organization {id, name, kind}, policy_digest,
    window {days, starting_at, ending_at}         whole UTC days, end exclusive
    currency "USD"                                 the cost report's currency
    compliant                                      false when any violation was found
    summary {held, violations, violation_rows, global_tokens, global_cost_cents,
             unpinnable, config_drift}
    workspaces[]   every held workspace: address, name, workspace_id, source, status
                   (violation | warning | compliant | not_created), live_residency,
                   tokens {us, global, not_available}, global_cost_cents
    violations[]   per workspace: address, workspace_id, source, tokens, cost_cents,
                   usage[] {date, model, service_tiers, tokens{…}, cost_cents}
    unpinnable[]   per workspace and model: address, workspace_id, model, tokens, cost_cents,
                   days, first_date, last_date
    config_drift[] per field: address, workspace_id, field, live, wanted
    warnings[], notes[]

Cents are decimal strings (exact); tokens are integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from reconciler import __version__
from reconciler.audit.findings import Findings, usage_json
from reconciler.audit.held import HeldWorkspace
from reconciler.usage import UsageWindow, plain

__all__ = ["FORMAT_VERSION", "AuditReport"]

FORMAT_VERSION = "1"
CURRENCY = "USD"


def _sum(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


@dataclass
class AuditReport:
    organization: dict[str, Any]
    policy_digest: str
    window: UsageWindow
    held: list[HeldWorkspace]
    findings: Findings
    checked_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def violated(self) -> bool:
        return bool(self.findings.violations)

    def _status(self, ws: HeldWorkspace) -> str:
        if ws.workspace_id is None:
            return "not_created"
        if self.findings.global_usage(ws.workspace_id):
            return "violation"
        if self.findings.unpinnable_usage(ws.workspace_id):
            return "warning"
        return "compliant"

    def _workspace(self, ws: HeldWorkspace) -> dict[str, Any]:
        wid = ws.workspace_id
        lines = self.findings.global_usage(wid) if wid else []
        unpinned = self.findings.unpinnable_usage(wid) if wid else []
        return {
            "address": ws.address,
            "name": ws.name,
            "workspace_id": wid,
            "source": ws.source,
            "status": self._status(ws),
            "live_residency": ws.live_residency,
            "tokens": {
                "us": self.findings.us_tokens.get(wid, 0) if wid else 0,
                "global": sum(line.tokens.total for line in lines),
                "not_available": sum(u.tokens.total for u in unpinned),
            },
            "global_cost_cents": plain(_sum([line.cost_cents for line in lines])),
        }

    def _violations(self) -> list[dict[str, Any]]:
        out = []
        for ws in self.held:
            lines = self.findings.global_usage(ws.workspace_id) if ws.workspace_id else []
            if not lines:
                continue
            out.append(
                {
                    "address": ws.address,
                    "workspace_id": ws.workspace_id,
                    "source": ws.source,
                    "tokens": sum(line.tokens.total for line in lines),
                    "cost_cents": plain(_sum([line.cost_cents for line in lines])),
                    "usage": [usage_json(line) for line in lines],
                }
            )
        return out

    def _unpinnable(self) -> list[dict[str, Any]]:
        out = []
        for ws in self.held:
            for u in self.findings.unpinnable_usage(ws.workspace_id) if ws.workspace_id else []:
                days = sorted(u.days)
                out.append(
                    {
                        "address": ws.address,
                        "workspace_id": ws.workspace_id,
                        "model": u.model,
                        "tokens": u.tokens.total,
                        "cost_cents": plain(u.cost_cents),
                        "days": len(days),
                        "first_date": days[0] if days else None,
                        "last_date": days[-1] if days else None,
                    }
                )
        return out

    def _drift(self) -> list[dict[str, Any]]:
        return [
            {"address": ws.address, "workspace_id": ws.workspace_id, **entry}
            for ws in self.held
            for entry in ws.drift
        ]

    def _unknown_geo_warnings(self) -> list[str]:
        names = {ws.workspace_id: ws.address for ws in self.held if ws.workspace_id}
        return [
            f"{names.get(wid, wid)}: {tokens.total:,} tokens ran with inference_geo {geo!r}, "
            "a value this version does not know; check where that is"
            for (wid, geo), tokens in sorted(self.findings.unknown_geos.items())
        ]

    def _unpriced_notes(self) -> list[str]:
        tiers = sorted(
            {t for line in self.findings.violations.values() for t in line.unpriced_tiers}
        )
        if not tiers:
            return []
        return [
            f"global usage on {', '.join(tiers)} has no cost in the cost report: its tokens "
            "are counted, its cost is not (each us token there burns 1.1 committed tokens)"
        ]

    def to_document(self) -> dict[str, Any]:
        """The versioned JSON document."""
        violations = self._violations()
        unpinnable = self._unpinnable()
        drift = self._drift()
        return {
            "format_version": FORMAT_VERSION,
            "tool": {"name": "claude-policy", "version": __version__},
            "checked_at": self.checked_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "organization": self.organization,
            "policy_digest": self.policy_digest,
            "window": self.window.to_json(),
            "currency": CURRENCY,
            "compliant": not violations,
            "summary": {
                "held": len(self.held),
                "violations": len(violations),
                "violation_rows": sum(len(v["usage"]) for v in violations),
                "global_tokens": sum(v["tokens"] for v in violations),
                "global_cost_cents": plain(_sum([Decimal(v["cost_cents"]) for v in violations])),
                "unpinnable": len(unpinnable),
                "config_drift": len(drift),
            },
            "workspaces": [self._workspace(ws) for ws in self.held],
            "violations": violations,
            "unpinnable": unpinnable,
            "config_drift": drift,
            "warnings": [*self.warnings, *self._unknown_geo_warnings()],
            "notes": [*self.notes, *self._unpriced_notes()],
        }
