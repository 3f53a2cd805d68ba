"""The one check that the API key belongs to the organization a policy describes.

It runs in the snapshot reader, right after ``GET /me`` (the kind even before, when the
key's prefix tells it), so nothing of another organization is ever read.  When the
caller says where the policy declares ``organization.id`` and ``kind``, the refusal is
located there (``FILE:LINE:COLUMN``) like any other policy problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.errors import Problem, WrongOrganization

__all__ = ["Expected", "Where", "check_id", "check_kind"]

Where = tuple[str, int, int]  # (file, line, column) of a declaration
_ARTICLE = {"enterprise": "an"}


@dataclass(frozen=True)
class Expected:
    """What the policy declares about its organization (``None``: not declared)."""

    org_id: str | None = None
    kind: str | None = None
    id_at: Where | None = None
    kind_at: Where | None = None


def check_kind(expected: Expected, kind: str) -> None:
    """Refuse a key of another kind of organization than the policy describes."""
    if expected.kind is None or expected.kind == kind:
        return
    raise WrongOrganization(
        _message(
            expected.kind_at,
            f"this policy describes {_a(expected.kind)} {expected.kind} organization but the "
            f"API key belongs to {_a(kind)} {kind} organization; refusing to read or change it",
            "organization.kind",
            f"use an admin key of the {expected.kind} organization, or write kind: {kind}",
        )
    )


def check_id(expected: Expected, org_id: str, org_name: str | None) -> None:
    """Refuse a key of another organization than the policy's ``organization.id``."""
    if expected.org_id is None or expected.org_id.lower() == org_id.lower():
        return
    named = f" ({org_name})" if org_name else ""
    raise WrongOrganization(
        _message(
            expected.id_at,
            f"this policy is for organization `{expected.org_id}`, but the API key belongs "
            f"to organization `{org_id}`{named}; refusing to read or change another organization",
            "organization.id",
            "use that organization's admin key, or correct organization.id",
        )
    )


def _a(kind: str) -> str:
    return _ARTICLE.get(kind, "a")


def _message(at: Where | None, text: str, path: str, hint: str) -> str:
    if at is None:
        return text
    return Problem(at[0], at[1], at[2], text, path, hint).render()
