"""Fixtures: one emulator process per organization kind for the whole session.

Each test gets its organization reset to the seed (``POST /_emulator/reset``: state, stats
and rate windows), a fresh recorder, and SDK clients that are closed afterwards; when the
test ends every response it provoked is checked against the SDK's models.  The processes
run with ``--rate-scale 100`` so the suite never meets the real per-minute budgets, except
in ``test_rate_limits``, which starts its own emulator with a tiny scale.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conformance.harness import Org, org_session
from tests.support.emulator import Emulator, running_emulator

SEEDS = Path(__file__).parent / "seeds"
CONSOLE_SEED = SEEDS / "console.yaml"
ENTERPRISE_SEED = SEEDS / "enterprise.yaml"

CONSOLE_ORG_ID = "0f2a6c1e-5b7d-4c3e-9a10-2b4d6f8a0c11"
CONSOLE_KEY = "sk-ant-admin01-conformance-console-key"
CONSOLE_REVOKED_KEY = "sk-ant-admin01-conformance-revoked-key"

ENTERPRISE_ORG_ID = "7d3c9b2a-1e4f-4a6b-8c5d-0e9f1a2b3c4d"
ENTERPRISE_KEY = "sk-ant-api01-conformance-enterprise-key"
MEMBERS_ONLY_KEY = "sk-ant-api01-conformance-members-only-key"
WRITES_ONLY_KEY = "sk-ant-api01-conformance-writes-only-key"
MEMBERS_WRITER_KEY = "sk-ant-api01-conformance-members-writer-key"
ENTERPRISE_REVOKED_KEY = "sk-ant-api01-conformance-revoked-key"

FAST = ("--rate-scale", "100")


@pytest.fixture(scope="session")
def console_server() -> Iterator[Emulator]:
    with running_emulator(CONSOLE_SEED, *FAST) as server:
        yield server


@pytest.fixture(scope="session")
def enterprise_server() -> Iterator[Emulator]:
    with running_emulator(ENTERPRISE_SEED, *FAST) as server:
        yield server


@pytest.fixture
def console(console_server: Emulator) -> Iterator[Org]:
    yield from org_session(Org(console_server, "console", CONSOLE_ORG_ID, CONSOLE_KEY))


@pytest.fixture
def enterprise(enterprise_server: Emulator) -> Iterator[Org]:
    yield from org_session(Org(enterprise_server, "enterprise", ENTERPRISE_ORG_ID, ENTERPRISE_KEY))


@pytest.fixture(params=["console", "enterprise"])
def org(request: pytest.FixtureRequest) -> Org:
    """Each organization kind in turn, for endpoints both kinds may call."""
    fixture: Org = request.getfixturevalue(request.param)
    return fixture
