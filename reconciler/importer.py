"""``import``: write the live organization as policy YAML, the way a person would write it.

Files (SPEC §4): ``organization.yaml`` (identity and ``management: additive``),
``spend_limits.yaml`` (organization, seat-tier and group defaults apart from per-user
overrides, which appear only where they exist) and, for Console orgs, ``workspaces.yaml``
(residency, tags and each workspace's monthly limit).  Verify-only scopes carry a comment
saying so, ``null`` amounts become ``unlimited``, and the usage-tier cap is a comment only.
No default or archived workspaces.

The output is made to round-trip: importing and then planning against the same
organization shows no changes.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import yaml

from reconciler.addresses import PERIODS
from reconciler.errors import ConfigError
from reconciler.live import ReadNeeds, Snapshot
from reconciler.money import format_minor, from_minor
from reconciler.outfile import make_directory, write_new

MODELINE = "# yaml-language-server: $schema=https://claude-policy.dev/schemas/policy.schema.json"
_PER = {"monthly": "month", "weekly": "week", "daily": "day"}
VERIFY_ONLY = (
    "verify-only: set in claude.ai; the Admin API cannot write it (plan shows drift as manual)"
)


def import_needs(kind: str) -> ReadNeeds:
    """Everything an import writes: all limits, every member's overrides, group names."""
    if kind == "console":
        return ReadNeeds(kind=kind, workspaces=True, limits=True)
    return ReadNeeds(kind=kind, limits=True, all_members=True, user_overrides=True, groups=True)


@dataclass
class ImportedFiles:
    files: dict[str, str]  # file name → YAML text, in writing order

    def single_document(self) -> str:
        """One YAML document (for stdout): the files' bodies, one after another."""
        parts = [MODELINE]
        for name, text in self.files.items():
            body = [line for line in text.splitlines() if line != MODELINE]
            parts.append(f"# --- {name}")
            parts.extend(body)
        return "\n".join(parts) + "\n"

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write every file into ``out_dir``; refuse (before writing anything) to overwrite."""
        root = Path(out_dir)
        targets = [root / name for name in self.files]
        existing = [str(p) for p in targets if os.path.lexists(p)]
        if existing:
            raise ConfigError(f"refusing to overwrite existing file(s): {', '.join(existing)}")
        make_directory(root)
        for path, text in zip(targets, self.files.values(), strict=True):
            write_new(path, text)
        return targets


def render_import(snapshot: Snapshot, now: datetime | None = None) -> ImportedFiles:
    """The live organization as policy files, the way a person would write them."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    header = [
        MODELINE,
        f"# Imported from {snapshot.org_name!r} ({snapshot.kind}) on {stamp}"
        " by claude-policy import.",
    ]
    files = {"organization.yaml": _organization(snapshot, header)}
    files["spend_limits.yaml"] = _spend_limits(snapshot, header)
    if snapshot.kind == "console":
        files["workspaces.yaml"] = _workspaces(snapshot, header)
    return ImportedFiles(files)


# --------------------------------------------------------------------------- files


def _organization(snap: Snapshot, header: list[str]) -> str:
    lines = [*header, "version: 1", "organization:", f"  id: {snap.org_id}"]
    lines.append(f"  kind: {snap.kind}")
    if snap.currency:
        lines.append(f"  currency: {snap.currency}")
    lines += ["", "management:"]
    if snap.kind == "enterprise":
        lines.append("  users: additive          # undeclared user overrides are left alone")
    else:
        lines.append("  workspaces: additive     # undeclared workspaces are left alone")
        lines.append("  workspace_tags: additive # undeclared tag keys are left alone")
    return "\n".join(lines) + "\n"


def _spend_limits(snap: Snapshot, header: list[str]) -> str:
    cur = snap.currency
    rows = [r for r in snap.limits if r.period in PERIODS]
    by_scope: dict[tuple[str, str | None], dict[str, str | None]] = defaultdict(dict)
    for row in rows:
        by_scope[(row.scope_type, row.scope_id)][row.period] = row.amount

    lines = [*header, "spend_limits:"]
    org = by_scope.get(("organization", None))
    if org:
        note = f"  # {VERIFY_ONLY}" if snap.kind == "enterprise" else ""
        lines.append(f"  organization: {_periods(org, cur)}{note}")
    tier = next((r for r in snap.limits if r.scope_type == "usage_tier"), None)
    if tier is not None:
        lines.append(
            f"  # usage-tier cap (set by Anthropic, read-only): {format_minor(tier.amount, cur)}"
            f" per {_PER[tier.period]}"
        )

    if snap.kind == "enterprise":
        lines += _enterprise_sections(snap, by_scope)
    return "\n".join(lines) + "\n"


def _enterprise_sections(
    snap: Snapshot, by_scope: dict[tuple[str, str | None], dict[str, str | None]]
) -> list[str]:
    """Seat tiers and groups (verify-only) and member overrides."""
    cur = snap.currency
    lines = _section(
        "seat_tiers",
        {sid: p for (t, sid), p in by_scope.items() if t == "seat_tier" and sid},
        cur,
        VERIFY_ONLY,
    )
    names = _group_names(snap)
    groups: dict[str, dict[str, str | None]] = {}
    skipped: list[str] = []
    for (t, gid), periods in by_scope.items():
        if t != "rbac_group" or gid is None:
            continue
        name = names.get(gid)
        if name is None:
            skipped.append(gid)
        else:
            groups[name] = periods
    lines += _section("groups", groups, cur, VERIFY_ONLY)
    lines += [f"  # group {g}: its name is not unique or unknown; not imported" for g in skipped]
    return lines + _section("users", _user_overrides(snap), cur, None)


def _workspaces(snap: Snapshot, header: list[str]) -> str:
    cur = snap.currency
    limits = {
        r.scope_id: r for r in snap.limits if r.scope_type == "workspace" and r.period == "monthly"
    }
    active = [w for w in snap.workspaces or [] if not w.archived and not w.is_default]
    counts: dict[str, int] = defaultdict(int)
    for w in active:
        counts[w.name] += 1
    lines = [*header, "workspaces:"]
    if not active:
        lines[-1] = "workspaces: {}"
    for ws in sorted(active, key=lambda w: w.name):
        if counts[ws.name] > 1:
            lines.append(f"  # {ws.name} ({ws.id}): several active workspaces share this name")
            continue
        dr = ws.data_residency
        allowed = dr.get("allowed_inference_geos", "unrestricted")
        lines.append(f"  {_scalar(ws.name)}:")
        lines.append("    data_residency:")
        lines.append(f"      workspace_geo: {_scalar(dr.get('workspace_geo', 'us'))}")
        allowed_text = (
            _scalar(allowed)
            if isinstance(allowed, str)
            else "[" + ", ".join(_scalar(g) for g in sorted(allowed)) + "]"
        )
        lines.append(f"      allowed_inference_geos: {allowed_text}")
        lines.append(f"      default_inference_geo: {_scalar(dr.get('default_inference_geo'))}")
        if ws.tags:
            tags = ", ".join(f"{_scalar(k)}: {json.dumps(v)}" for k, v in sorted(ws.tags.items()))
            lines.append(f"    tags: {{{tags}}}")
        row = limits.get(ws.id)
        if row is not None and row.amount is not None:
            lines.append(f"    spend_limits: {{monthly: {_amount(row.amount, cur)}}}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- helpers


def _user_overrides(snap: Snapshot) -> dict[str, dict[str, str | None]]:
    by_id = snap.member_by_id()
    out: dict[str, dict[str, str | None]] = {}
    for row in snap.limits:
        if row.scope_type != "user" or row.scope_id not in by_id or row.period not in PERIODS:
            continue
        out.setdefault(by_id[row.scope_id].email.lower(), {})[row.period] = row.amount
    return out


def _group_names(snap: Snapshot) -> dict[str, str]:
    """Group id → name, for names that identify exactly one group."""
    counts: dict[str, int] = defaultdict(int)
    for g in snap.groups or []:
        counts[g.name] += 1
    return {g.id: g.name for g in snap.groups or [] if counts[g.name] == 1}


def _section(
    name: str, entries: dict[str, dict[str, str | None]], cur: str | None, note: str | None
) -> list[str]:
    if not entries:
        return []
    head = f"  {name}:" + (f"  # {note}" if note else "")
    return [head] + [f"    {_scalar(k)}: {_periods(v, cur)}" for k, v in sorted(entries.items())]


def _periods(periods: dict[str, str | None], cur: str | None) -> str:
    order = [p for p in ("monthly", "weekly", "daily") if p in periods]
    return "{" + ", ".join(f"{p}: {_amount(periods[p], cur)}" for p in order) + "}"


def _amount(minor: str | None, currency: str | None) -> str:
    if minor is None:
        return "unlimited"
    if not currency:
        raise ConfigError("cannot import amounts: the organization's currency is unknown")
    value: Decimal = from_minor(minor, currency)
    if value == value.to_integral_value():
        return str(int(value))  # 500, not 500.00: as a person writes it
    return format(value, "f")


def _scalar(value: object) -> str:
    """A YAML scalar that reads back as the same string."""
    text = str(value)
    dumped = yaml.safe_dump(text, default_flow_style=True, width=10_000).strip()
    return dumped.removesuffix("\n...").removesuffix("...").strip()
