"""Refusals made before any write (SPEC §5, §6).  Each raises :class:`PlanFileError` with
a message that says what is wrong and what to do; none of them touches the API."""

from __future__ import annotations

from typing import Any

from reconciler.errors import PlanFileError
from reconciler.plan.model import Action


def refuse_blocked(doc: dict[str, Any]) -> None:
    blocked = [c for c in doc["changes"] if c["action"] == Action.BLOCKED.value]
    if blocked:
        lines = "\n".join(f"  x {c['address']}: {c.get('reason') or 'blocked'}" for c in blocked)
        raise PlanFileError(
            f"the plan has {len(blocked)} blocked change(s); nothing was written:\n{lines}\n"
            "Fix the policy (or exclude these addresses with --exclude) and plan again."
        )


def refuse_unsafe(doc: dict[str, Any], *, force: bool) -> None:
    safety = doc.get("safety") or {}
    if safety.get("exceeded") and not force:
        raise PlanFileError(
            f"the plan changes {safety['changing']} of {safety['existing']} existing objects "
            f"({safety['percent']}%), more than safety.max_change_percent "
            f"({safety['max_change_percent']}%); nothing was written. "
            "Review the plan and re-run with --force if it is intended."
        )


def refuse_archives(doc: dict[str, Any], *, allow_archive: bool) -> None:
    archives = [c["address"] for c in doc["changes"] if c["action"] == Action.ARCHIVE.value]
    if archives and not allow_archive:
        raise PlanFileError(
            f"the plan archives {len(archives)} workspace(s) ({', '.join(archives)}); archiving "
            "is irreversible and deactivates their API keys. Re-run with --allow-archive."
        )


def refuse_moved(moved: list[tuple[str, list[tuple[str, str, str]]]]) -> None:
    """``moved``: (address, [(field, value at plan time, value now)]) for every object that
    changed since the plan, values already as a person reads them (see ``verify``)."""
    if not moved:
        return
    lines: list[str] = []
    for address, fields in moved:
        lines.append(f"  {address}:")
        for path, then, now in fields:
            lines.append(f"      {path}: {then} at plan time, {now} now")
    raise PlanFileError(
        f"{len(moved)} object(s) changed since the plan was made; nothing was written:\n"
        + "\n".join(lines)
        + "\nMake a new plan and review it."
    )
