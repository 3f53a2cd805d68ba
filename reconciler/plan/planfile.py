"""Saved plans: the JSON plan document on disk, checked before it is trusted.

A plan file carries per-object live fingerprints, the policy digest, the organization it
was made for, an expiry and a checksum over everything else.  It never holds a credential
(the document is built from plan data only; nothing from the client's configuration).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reconciler.errors import PlanFileError, WrongOrganization
from reconciler.outfile import write_text
from reconciler.plan.model import FORMAT_VERSION, Plan, checksum
from reconciler.plan.render.jsonout import iter_document


def write(plan: Plan | dict[str, Any], path: str | Path) -> None:
    """Write the plan file (:mod:`reconciler.outfile`: atomic for a regular file, so a
    crash never leaves half a plan), a line per change without a second copy in memory."""
    doc = plan if isinstance(plan, dict) else plan.to_document()
    write_text(path, iter_document(doc))


def read(path: str | Path) -> Plan:
    """Read a plan file: its format and checksum checked (not its expiry or organization),
    then the typed :class:`Plan`."""
    return Plan.from_document(read_document(path))


def read_document(path: str | Path) -> dict[str, Any]:
    """Read and verify a plan file's format and checksum; the raw document."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise PlanFileError(f"{path}: cannot read the plan file: {e.strerror}") from None
    except UnicodeDecodeError:
        raise PlanFileError(f"{path}: not a plan file (not UTF-8 text)") from None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as e:
        raise PlanFileError(f"{path}:{e.lineno}:{e.colno}: not a plan file: {e.msg}") from None
    if not isinstance(doc, dict) or "format_version" not in doc:
        raise PlanFileError(f"{path}: not a claude-policy plan file")
    if doc["format_version"] != FORMAT_VERSION:
        raise PlanFileError(
            f"{path}: plan format {doc['format_version']!r} is not supported "
            f"(this version reads {FORMAT_VERSION!r})"
        )
    if doc.get("checksum") != checksum(doc):
        raise PlanFileError(
            f"{path}: checksum mismatch: the plan file was modified after it was written; "
            "make a new plan"
        )
    return doc


def check_expiry(plan: Plan, path: str | Path, now: datetime | None = None) -> None:
    """Refuse a plan past its ``expires_at``."""
    now = now or datetime.now(timezone.utc)
    try:
        expires = datetime.strptime(plan.expires_at, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=timezone.utc
        )
    except (TypeError, ValueError):
        raise PlanFileError(f"{path}: the plan has no valid expires_at") from None
    if now >= expires:
        raise PlanFileError(
            f"{path}: the plan expired at {plan.expires_at}; make a new plan "
            "(plans expire so that stale reviews are never applied)"
        )


def check_organization(plan: Plan, org_id: str, path: str | Path) -> None:
    """Refuse a plan made for another organization than the key's."""
    planned = plan.organization.id
    if planned != org_id:
        raise WrongOrganization(
            f"{path}: the plan was made for organization {planned}, but the API key belongs to "
            f"organization {org_id}; refusing to apply"
        )
