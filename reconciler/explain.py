"""``explain``: why does this member, workspace or address have the value it has?

For each address the subject covers: the desired value and its provenance (``file:line``,
explicit entry or rule), the live value, and what the plan would do.  For Enterprise
members, also the API's *effective* limit per period, the scope it comes from and the spend
so far; when the policy declares the member's own override and the API's effective cap
says otherwise, the disagreement is flagged.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from reconciler import addresses as addr
from reconciler.desired import INHERIT, Desired
from reconciler.live import ReadNeeds, Snapshot
from reconciler.money import format_minor
from reconciler.plan.model import Plan
from reconciler.plan.planner import live_limits
from reconciler.plan.render.values import ACTION_WORDS, show


def subject_kind(subject: str) -> str:
    if subject.startswith(("workspace:", "spend_limit:")):
        return "address"
    return "user" if "@" in subject else "workspace"


def explain_needs(needs: ReadNeeds, subject: str) -> ReadNeeds:
    """The policy's read needs, plus the explained member and their spend."""
    if subject_kind(subject) == "user":
        return dataclasses.replace(
            needs,
            emails=needs.emails | {subject.lower()},
            user_overrides=True,
            spend=True,
        )
    return needs


def explain(subject: str, desired: Desired, snapshot: Snapshot, plan: Plan) -> dict[str, Any]:
    """Why each managed value is what it is: policy source, live value, effective cap."""
    kind = subject_kind(subject)
    if kind == "address":
        addr.parse(subject)  # a malformed address is a usage error (ValueError)
    key = subject.lower() if kind == "user" else subject
    member = (snapshot.members or {}).get(key) if kind == "user" else None
    changes = {c.address: c for c in plan.changes}
    rows = live_limits(snapshot)
    currency = desired.currency or snapshot.currency

    addresses = _addresses(kind, key)
    entries = [
        _entry(a, desired, changes.get(a), _live(a, desired, rows, snapshot, member), currency)
        for a in addresses
    ]
    doc: dict[str, Any] = {
        "subject": subject,
        "kind": kind,
        "organization": {"id": snapshot.org_id, "name": snapshot.org_name, "kind": snapshot.kind},
        "currency": currency,
        "entries": entries,
    }
    if kind == "user":
        doc["member"] = {"id": member.id, "email": member.email} if member else None
        doc["effective"] = _effective(member.id if member else None, desired, snapshot, key)
    return doc


def _addresses(kind: str, key: str) -> list[str]:
    if kind == "address":
        return [key]
    if kind == "workspace":
        prefix = [addr.workspace(key)]
        return prefix + [addr.spend_limit("workspace", key, p) for p in addr.PERIODS]
    return [addr.spend_limit("user", key, p) for p in addr.PERIODS]


def _live(
    address: str,
    desired: Desired,
    rows: dict[tuple[str, str | None, str], Any],
    snapshot: Snapshot,
    member: Any,
) -> Any:
    parsed = addr.parse(address)
    if parsed.kind == "workspace":
        desired_ws = desired.workspaces.get(address)
        wid = desired_ws.live_id if desired_ws else None
        for ws in snapshot.workspaces or []:
            if (wid and ws.id == wid) or (not wid and ws.name == parsed.name and not ws.archived):
                return {
                    "id": ws.id,
                    "name": ws.name,
                    "data_residency": ws.data_residency,
                    "tags": ws.tags,
                    "archived": ws.archived,
                }
        return None
    target = _target(parsed, desired, snapshot, member)
    scope_type = {"group": "rbac_group"}.get(parsed.scope or "", parsed.scope or "")
    row = rows.get((scope_type, target, parsed.period or "monthly"))
    return {"id": row.id, "amount": row.amount} if row else None


def _target(parsed: addr.Address, desired: Desired, snapshot: Snapshot, member: Any) -> Any:
    if parsed.scope == "organization":
        return None
    if parsed.scope == "seat_tier":
        return parsed.name
    if parsed.scope == "user":
        found = (snapshot.members or {}).get(str(parsed.name))
        return found.id if found else (member.id if member else None)
    if parsed.scope == "group":
        return next((g.id for g in snapshot.groups or [] if g.name == parsed.name), None)
    desired_ws = desired.workspaces.get(addr.workspace(str(parsed.name)))
    if desired_ws and desired_ws.live_id:
        return desired_ws.live_id
    return next(
        (w.id for w in snapshot.workspaces or [] if w.name == parsed.name and not w.archived), None
    )


def _entry(
    address: str, desired: Desired, change: Any, live: Any, currency: str | None
) -> dict[str, Any]:
    wanted: dict[str, Any] | None = None
    if address in desired.limits:
        v = desired.limits[address].amount
        value = "inherit" if v.value is INHERIT else v.value
        wanted = {"amount": value, "source": str(v.source), "rule": v.source.rule}
    elif address in desired.workspaces:
        desired_ws = desired.workspaces[address]
        wanted = {
            "fields": {
                path: {"value": v.value, "source": str(v.source), "rule": v.source.rule}
                for path, v in sorted(desired_ws.fields.items())
            }
        }
        if desired_ws.archived is not None:
            wanted["archived"] = {"value": True, "source": str(desired_ws.archived.source)}
    return {
        "address": address,
        "desired": wanted,
        "live": live,
        "action": change.action.value if change else "unchanged",
        "reason": change.reason if change else None,
    }


def _effective(
    user_id: str | None, desired: Desired, snapshot: Snapshot, email: str
) -> list[dict[str, Any]]:
    if user_id is None or snapshot.effective is None:
        return []
    out: list[dict[str, Any]] = []
    for (uid, period), eff in sorted(snapshot.effective.items()):
        if uid != user_id:
            continue
        declared = desired.limits.get(addr.spend_limit("user", email, period))
        agrees: bool | None = None
        if declared is not None:
            want = declared.amount.value
            if want is INHERIT:
                agrees = eff.source_type != "user"
            else:
                agrees = eff.source_type == "user" and eff.amount == want
        out.append(
            {
                "period": period,
                "amount": eff.amount,
                "source": {"type": eff.source_type, "id": eff.source_id},
                "spend_limit_id": eff.spend_limit_id,
                "spend": eff.spend,
                "agrees_with_policy": agrees,
            }
        )
    return out


def render_text(doc: dict[str, Any]) -> str:
    """The text rendering."""
    cur = doc.get("currency")
    lines: list[str] = []
    member = doc.get("member")
    if doc["kind"] == "user":
        who = (
            f"{member['email']} ({member['id']})" if member else f"{doc['subject']} (not a member)"
        )
        lines.append(f"Member {who}")
    else:
        lines.append(doc["subject"])
    for e in doc["entries"]:
        if e["desired"] is None and e["live"] is None:
            continue
        lines.append(f"  {e['address']}")
        lines.extend(_desired_lines(e["desired"], cur))
        lines.append(f"    live:    {_live_text(e['live'], cur)}")
        plan = "no change" if e["action"] == "unchanged" else ACTION_WORDS[e["action"]]
        lines.append(f"    plan:    {plan}" + (f" ({e['reason']})" if e.get("reason") else ""))
    for eff in doc.get("effective", []):
        src = eff["source"]
        origin = (
            "its own user override"
            if src["type"] == "user"
            else f"{src['type']} {src['id'] or ''}".strip()
        )
        flag = ""
        if eff["agrees_with_policy"] is False:
            flag = "   !! disagrees with the policy"
        lines.append(
            f"  effective {eff['period']}: {format_minor(eff['amount'], cur)} from {origin}; "
            f"spent so far {format_minor(eff['spend'], cur)}{flag}"
        )
    if len(lines) == 1:
        lines.append("  nothing in the policy or the organization governs it")
    return "\n".join(lines) + "\n"


def _desired_lines(wanted: dict[str, Any] | None, cur: str | None) -> list[str]:
    if wanted is None:
        return ["    policy:  (not declared: left as it is)"]
    if "amount" in wanted:
        value = wanted["amount"]
        shown = "inherit (no row)" if value == "inherit" else format_minor(value, cur)
        return [f"    policy:  {shown}    # {wanted['source']}"]
    out = []
    for path, v in wanted["fields"].items():
        out.append(f"    policy:  {path} = {show(path, v['value'], cur)}    # {v['source']}")
    if "archived" in wanted:
        out.append(f"    policy:  archived    # {wanted['archived']['source']}")
    return out


def _live_text(live: Any, cur: str | None) -> str:
    if live is None:
        return "(absent)"
    if "amount" in live:
        return f"{format_minor(live['amount'], cur)} ({live['id']})"
    dr = live["data_residency"]
    return (
        f"{live['name']} ({live['id']}): allowed {dr.get('allowed_inference_geos')}, "
        f"default {dr.get('default_inference_geo')}, tags {live['tags']}"
        + (", archived" if live.get("archived") else "")
    )
