"""Scale: loading and resolving a 50,000-member organization stays well under 2 s of CPU.

Marked ``bench`` (skipped by ``make test``); run with
``.venv/bin/python -m pytest -m bench -s tests/policy/test_scale.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reconciler.live import LiveMember, Snapshot
from reconciler.policy import load, resolve

from .builders import ENTERPRISE_ORG

MEMBERS = 50_000


def write_policy(root: Path) -> Path:
    policies = root / "policies"
    policies.mkdir()
    (policies / "org.yaml").write_text(
        f"organization: {{id: {ENTERPRISE_ORG}, kind: enterprise, currency: USD}}\n"
        "spend_limits:\n"
        "  user_rules:\n"
        "    - match: {email: '*@contractors.example.com'}\n"
        "      monthly: 100\n"
        "    - match: {email: 'user0*@example.com'}\n"
        "      daily: 20\n"
    )
    lines = ["spend_limits:\n  users:\n"]
    lines += [
        f"    user{i:05d}@example.com: {{monthly: {100 + i % 50}.50}}\n" for i in range(MEMBERS)
    ]
    (policies / "users.yaml").write_text("".join(lines))
    return policies


def snapshot() -> Snapshot:
    members = {
        f"user{i:05d}@example.com": LiveMember(f"user_{i:05d}", f"user{i:05d}@example.com")
        for i in range(MEMBERS)
    }
    return Snapshot(ENTERPRISE_ORG, "Globex", "enterprise", "USD", members=members)


@pytest.mark.bench
def test_load_and_resolve_50k(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    policies = write_policy(tmp_path)
    snap = snapshot()
    start = time.process_time()
    policy = load([policies.relative_to(tmp_path)])
    loaded = time.process_time()
    desired = resolve(policy, snap)
    done = time.process_time()
    print(
        f"\n50,000 members, 50,000 declared users, 2 rules: load {loaded - start:.2f} s, "
        f"resolve {done - loaded:.2f} s, total {done - start:.2f} s CPU"
    )
    assert len(desired.limits) == MEMBERS + 10_000
    assert done - start < 2.0
