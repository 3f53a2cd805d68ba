"""Refusals made before any write (SPEC §5, §6).  Each raises :class:`PlanFileError` with
a message that says what is wrong and what to do; none of them touches the API.  The
safety rail is the plan's own (:meth:`~reconciler.plan.model.Plan.raise_if_unsafe`)."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.apply.verify import Stale
from reconciler.errors import PlanFileError
from reconciler.plan.model import Action, Plan


def refuse_blocked(plan: Plan) -> None:
    """Refuse a plan with any blocked change: it cannot be applied as reviewed."""
    blocked = plan.blocked()
    if blocked:
        lines = "\n".join(f"  x {c.address}: {c.reason or 'blocked'}" for c in blocked)
        raise PlanFileError(
            f"the plan has {len(blocked)} blocked change(s); nothing was written:\n{lines}\n"
            "Fix the policy (or exclude these addresses with --exclude) and plan again."
        )


def refuse_archives(plan: Plan, *, allow_archive: bool) -> None:
    """Refuse archives (irreversible) unless ``--allow-archive``."""
    archives = [c.address for c in plan.changes if c.action is Action.ARCHIVE]
    if archives and not allow_archive:
        raise PlanFileError(
            f"the plan archives {len(archives)} workspace(s) ({', '.join(archives)}); archiving "
            "is irreversible and deactivates their API keys. Re-run with --allow-archive."
        )


def refuse_moved(stale: Sequence[Stale]) -> None:
    """Refuse when objects changed since the plan, saying for each what changed: (field,
    value at plan time, value now), values already as a person reads them."""
    if not stale:
        return
    lines: list[str] = []
    for item in stale:
        note = " (now as this plan sets it)" if item.as_planned else ""
        lines.append(f"  {item.address}:{note}")
        for path, then, now in item.differences:
            lines.append(f"      {path}: {then} at plan time, {now} now")
    if all(item.as_planned for item in stale):
        advice = (
            "They all hold what this plan sets already: was it applied before? "
            "Plan again to see what is left."
        )
    else:
        advice = "Make a new plan and review it."
    raise PlanFileError(
        f"{len(stale)} object(s) changed since the plan was made; nothing was written:\n"
        + "\n".join(lines)
        + "\n"
        + advice
    )
