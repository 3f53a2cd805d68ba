"""What the live read must fetch, derived from the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.live import ReadNeeds
from reconciler.policy import needs

from .builders import CONSOLE_HEAD, ENTERPRISE_HEAD, load_text

CASES = [
    (
        "console: workspaces and limits",
        CONSOLE_HEAD + "workspaces: {w: {}}\n",
        ReadNeeds(kind="console", workspaces=True, limits=True),
    ),
    (
        "enterprise with only verify-only scopes reads no member",
        ENTERPRISE_HEAD + "spend_limits:\n  seat_tiers:\n    enterprise_standard: {monthly: 1}\n",
        ReadNeeds(kind="enterprise", limits=True),
    ),
    (
        "declared users only: look them up, their periods, their spend",
        ENTERPRISE_HEAD
        + "spend_limits:\n  users:\n    Ana@X.com: {monthly: 1}\n    bo@x.com: {daily: 2}\n",
        ReadNeeds(
            kind="enterprise",
            emails=frozenset({"ana@x.com", "bo@x.com"}),
            periods=frozenset({"daily", "monthly"}),
            user_overrides=True,
            spend=True,
        ),
    ),
    (
        "a user rule needs every member; a group rule that group's membership",
        ENTERPRISE_HEAD + "spend_limits:\n  groups:\n    platform: {monthly: 5}\n  user_rules:\n"
        "    - {match: {group: research}, weekly: 5}\n",
        ReadNeeds(
            kind="enterprise",
            all_members=True,
            periods=frozenset({"weekly"}),
            user_overrides=True,
            groups=True,
            group_members=frozenset({"research"}),
            spend=True,
        ),
    ),
    (
        "authoritative users need every member and their overrides",
        ENTERPRISE_HEAD + "management: {users: authoritative}\n",
        ReadNeeds(kind="enterprise", all_members=True, user_overrides=True),
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_needs(tmp_path: Path, name: str, text: str, expected: ReadNeeds) -> None:
    assert needs(load_text(tmp_path, text)) == expected
