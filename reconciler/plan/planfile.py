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
from reconciler.plan.model import FORMAT_VERSION, checksum
from reconciler.plan.render.jsonout import iter_document


def write(doc: dict[str, Any], path: str | Path) -> None:
    """Write the plan file (:mod:`reconciler.outfile`: atomic for a regular file, so a
    crash never leaves half a plan), a line per change without a second copy in memory."""
    write_text(path, iter_document(doc))


def read(path: str | Path) -> dict[str, Any]:
    """Read and verify a plan file's format and checksum (not its expiry or org)."""
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


def check_expiry(doc: dict[str, Any], path: str | Path, now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    try:
        expires = datetime.strptime(doc["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=timezone.utc
        )
    except (KeyError, ValueError):
        raise PlanFileError(f"{path}: the plan has no valid expires_at") from None
    if now >= expires:
        raise PlanFileError(
            f"{path}: the plan expired at {doc['expires_at']}; make a new plan "
            "(plans expire so that stale reviews are never applied)"
        )


def check_organization(doc: dict[str, Any], org_id: str, path: str | Path) -> None:
    planned = doc.get("organization", {}).get("id")
    if planned != org_id:
        raise WrongOrganization(
            f"{path}: the plan was made for organization {planned}, but the API key belongs to "
            f"organization {org_id}; refusing to apply"
        )
