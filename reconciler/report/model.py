"""The report as data: what was read → :func:`build_report` → :class:`Report` → one
versioned document that every rendering (text, JSON, Markdown, CSV, HTML) is made from.

Document (``format_version`` ``"1"``, schema ``reconciler/schemas/report.schema.json``)::

    format_version, tool {name, version}, generated_at, organization {id, name, kind},
    policy_digest, currency, requests          the requests the reads cost
    console     Console figures (reconciler.report.console), or null
    enterprise  Enterprise figures (reconciler.report.enterprise), or null
    warnings[], notes[]

Console money is in decimal **cents** strings (``cost_cents``: the cost report's unit);
Enterprise money in the API's **minor units** of ``currency`` (``cap``, ``spent``…).
Both are exact; renderings round for display only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from reconciler import __version__
from reconciler.adminapi.reports import Bucket, CostResult, UsageResult
from reconciler.audit.held import HeldWorkspace
from reconciler.live import Effective, LiveMember, LiveWorkspace
from reconciler.report.console import ConsoleFigures, build_console
from reconciler.report.enterprise import EnterpriseFigures, build_enterprise
from reconciler.report.window import ReportWindow

__all__ = ["FORMAT_VERSION", "ConsoleReads", "EnterpriseReads", "Report", "build_report"]

FORMAT_VERSION = "1"
CONSOLE_CURRENCY = "USD"  # the cost report's currency (usage-cost-api §3)


@dataclass(frozen=True)
class ConsoleReads:
    """What a Console report reads: the workspaces (with the ones the policy holds to
    US-only inference) and one usage and one cost query over the window."""

    window: ReportWindow
    workspaces: Sequence[LiveWorkspace]
    held: Sequence[HeldWorkspace]
    usage: Sequence[Bucket[UsageResult]]
    cost: Sequence[Bucket[CostResult]]


@dataclass(frozen=True)
class EnterpriseReads:
    """What an Enterprise report reads: every member's effective row per period (one
    pass over the effective report) and the names of the groups caps come from."""

    currency: str | None
    members: Mapping[str, LiveMember]
    members_complete: bool
    effective: Mapping[tuple[str, str], Effective]
    group_names: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Report:
    organization: dict[str, Any]
    policy_digest: str
    generated_at: datetime
    console: ConsoleFigures | None = None
    enterprise: EnterpriseFigures | None = None
    requests: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def currency(self) -> str:
        if self.enterprise is not None:
            return self.enterprise.currency
        return CONSOLE_CURRENCY

    def to_document(self) -> dict[str, Any]:
        """The versioned document of the module docstring, which every rendering reads."""
        console = self.console.to_json() if self.console is not None else None
        return {
            "format_version": FORMAT_VERSION,
            "tool": {"name": "claude-policy", "version": __version__},
            "generated_at": self.generated_at.astimezone(timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
            "organization": self.organization,
            "policy_digest": self.policy_digest,
            "currency": self.currency,
            "requests": self.requests,
            "console": console,
            "enterprise": self.enterprise.to_json() if self.enterprise is not None else None,
            "warnings": [*self.warnings, *self._console_warnings()],
            "notes": [*self.notes, *self._console_notes()],
        }

    def _console_warnings(self) -> list[str]:
        if self.console is None:
            return []
        return [
            f"usage ran with inference_geo {geo!r}, a value this version does not know: it is "
            "reported as it is, and never counted as global or us"
            for geo in sorted(self.console.unknown_geos)
        ]

    def _console_notes(self) -> list[str]:
        if self.console is None or not self.console.unpriced_tokens:
            return []
        tiers = ", ".join(
            f"{tier} ({tokens:,} tokens)"
            for tier, tokens in sorted(self.console.unpriced_tokens.items())
        )
        return [
            f"usage on {tiers} has no cost in the cost report: its tokens are counted, "
            "its cost is not"
        ]


def build_report(
    *,
    organization: Mapping[str, Any],
    policy_digest: str,
    now: datetime,
    console: ConsoleReads | None = None,
    enterprise: EnterpriseReads | None = None,
    requests: int = 0,
    warnings: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Report:
    """The typed report from what was read (exactly one of ``console``/``enterprise``).
    Pure: the same reads and ``now`` always give the same report."""
    if (console is None) == (enterprise is None):
        raise ValueError("a report is either a Console or an Enterprise report")
    report = Report(
        organization=dict(organization),
        policy_digest=policy_digest,
        generated_at=now,
        requests=requests,
        warnings=list(warnings),
        notes=list(notes),
    )
    if console is not None:
        report.console = build_console(
            console.window, console.workspaces, console.held, console.usage, console.cost
        )
    if enterprise is not None:
        report.enterprise = build_enterprise(
            now,
            enterprise.currency or "USD",
            enterprise.members,
            enterprise.members_complete,
            enterprise.effective,
            enterprise.group_names,
        )
    return report
