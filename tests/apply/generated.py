"""A generated Enterprise organization and a one-rule policy that writes a cap for every
member: an apply of as many spend-limit writes as there are members, for the pacing and
signal tests.

Members are ``user00001@example.com`` … (the emulator's ``generate: {users: N}``); the
only configured row is the organization's monthly default, so the plan is N creates.
"""

from __future__ import annotations

from pathlib import Path

ORG_ID = "3c9e2b7a-6d1f-4e8a-b5c0-7a2d9e4f1b63"
KEY = "sk-ant-api01-generated-members-key"

SEED = f"""\
organization: {{id: {ORG_ID}, name: Initech, kind: enterprise, currency: USD}}
admin_keys:
  - key: {KEY}
    scopes: [read:spend_limits, write:spend_limits, read:members, read:rbac_groups]
spend_limits:
  - {{scope: {{type: organization}}, period: monthly, amount: "5000000"}}
generate: {{users: {{members}}}}
"""

POLICY = f"""\
version: 1
organization: {{id: {ORG_ID}, kind: enterprise, currency: USD}}
spend_limits:
  user_rules:
    - match: {{email: "*@example.com"}}
      monthly: 150
"""


def write_org(directory: Path, members: int) -> tuple[Path, Path]:
    """Write the seed and the policy under ``directory``; return (seed, policy dir)."""
    seed = directory / "generated-seed.yaml"
    seed.write_text(SEED.replace("{members}", str(members)))
    policy = directory / "generated-policy"
    policy.mkdir()
    (policy / "policy.yaml").write_text(POLICY)
    return seed, policy


def member(n: int) -> str:
    return f"user{n:05d}@example.com"
