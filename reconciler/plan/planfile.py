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
from reconciler.readfile import UnreadableFile, read_bounded


def write(plan: Plan | dict[str, Any], path: str | Path) -> None:
    """Write the plan file (:mod:`reconciler.outfile`: atomic for a regular file, so a
    crash never leaves half a plan), a line per change without a second copy in memory."""
    doc = plan if isinstance(plan, dict) else plan.to_document()
    write_text(path, iter_document(doc))


# 256 MiB.  A plan file holds about 660 bytes per change: a 50,000-member organization
# with an override each is ~33 MB, and this bound leaves room for ~400,000 changes (every
# member's three periods in an organization of 130,000).  Parsing takes about ten times the
# file's size in memory, so a larger file is refused rather than read.
MAX_PLAN_BYTES = 256 * 1024 * 1024


def read(path: str | Path) -> Plan:
    """Read a plan file: its format and checksum checked (not its expiry or organization),
    then the typed :class:`Plan`."""
    return Plan.from_document(read_document(path))


def read_document(path: str | Path) -> dict[str, Any]:
    """Read and verify a plan file's format and checksum; the raw document.

    At most :data:`MAX_PLAN_BYTES` are read; a pipe (``show <(…)``) is read too, and is
    never waited on forever (:func:`reconciler.readfile.read_bounded`); a device is not a
    plan file."""
    try:
        data = read_bounded(path, MAX_PLAN_BYTES, pipes=True)
    except UnreadableFile as e:
        if e.size is not None:
            raise PlanFileError(f"{path}: not a plan file: {e.reason}") from None
        raise PlanFileError(f"{path}: cannot read the plan file: {e.reason}") from None
    if not data.strip():
        raise PlanFileError(f"{path}: not a plan file: it is empty")
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanFileError(f"{path}: not a plan file (not UTF-8 text)") from None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as e:
        raise PlanFileError(f"{path}:{e.lineno}:{e.colno}: not a plan file: {e.msg}") from None
    except ValueError:  # an integer too long for Python to read (sys.int_info)
        raise PlanFileError(f"{path}: not a plan file: a number is too long to read") from None
    except RecursionError:
        raise PlanFileError(f"{path}: not a plan file: nested too deeply") from None
    if not isinstance(doc, dict) or "format_version" not in doc:
        raise PlanFileError(f"{path}: not a claude-policy plan file")
    version = doc["format_version"]
    if not isinstance(version, str):
        raise PlanFileError(
            f"{path}: format_version is {_json_kind(version)} where text belongs: "
            f'plan files say "format_version": "{FORMAT_VERSION}"'
        )
    if version != FORMAT_VERSION:
        raise PlanFileError(
            f'{path}: plan format "{_short(version)}" is not supported '
            f'(this version reads format "{FORMAT_VERSION}")'
        )
    try:
        expected = checksum(doc)
    except (RecursionError, ValueError):  # nested too deeply to serialise, NaN …
        raise PlanFileError(f"{path}: not a plan file: its content cannot be checksummed") from None
    if doc.get("checksum") != expected:
        raise PlanFileError(
            f"{path}: checksum mismatch: the plan file was modified after it was written; "
            "make a new plan"
        )
    return doc


def _json_kind(value: Any) -> str:
    """How a JSON value reads in a message: ``a number (1)``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"true/false ({json.dumps(value)})"
    if isinstance(value, (int, float)):
        return f"a number ({_short(json.dumps(value))})"
    return "a list" if isinstance(value, list) else "an object"


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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
