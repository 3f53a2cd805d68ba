"""Convergence (SPEC §9): for generated (seed, policy) pairs, apply then plan finds nothing.

Each example runs end to end against its own emulator process (small seeds start in
well under a second): see :mod:`tests.convergence.runner` for every check made — plan
determinism, one write per change, nothing touched that the policy does not select,
``plan --detailed-exitcode`` exiting 0 after the apply.

``make test`` runs a fixed set of examples (derandomized, no shrinking: about 25 in all,
so the suite stays quick and repeatable).  The heavy run is marked ``bench`` and draws
fresh examples, ``CONVERGENCE_EXAMPLES`` in all (default 300), shrinking failures:

    CONVERGENCE_EXAMPLES=300 .venv/bin/python -m pytest -m bench -s tests/convergence
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings

from tests.convergence.cases import Case, console_cases, enterprise_cases
from tests.convergence.runner import check_case

QUICK_CONSOLE = 13
QUICK_ENTERPRISE = 12
HEAVY = int(os.environ.get("CONVERGENCE_EXAMPLES", "300"))

QUICK = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=(HealthCheck.too_slow,),
)
THOROUGH = settings(
    deadline=None,
    database=None,
    max_examples=max(1, HEAVY // 2),
    suppress_health_check=(HealthCheck.too_slow,),
)


def run(case: Case) -> None:
    with tempfile.TemporaryDirectory(prefix="convergence-") as tmp:
        doc = check_case(case, Path(tmp))
    # What the examples exercised (pytest --hypothesis-show-statistics).
    summary = doc["summary"]
    applied = sum(summary[a] for a in ("create", "update", "delete", "archive"))
    event("changes applied: " + ("0" if not applied else "1-4" if applied < 5 else "5+"))
    for action in ("create", "update", "delete", "archive", "manual"):
        if summary[action]:
            event(f"plan has a {action}")


@settings(QUICK, max_examples=QUICK_CONSOLE)
@given(console_cases())
def test_console_converges(case: Case) -> None:
    run(case)


@settings(QUICK, max_examples=QUICK_ENTERPRISE)
@given(enterprise_cases())
def test_enterprise_converges(case: Case) -> None:
    run(case)


@pytest.mark.bench
@pytest.mark.timeout(7200)
@settings(THOROUGH)
@given(console_cases())
def test_console_converges_many(case: Case) -> None:
    run(case)


@pytest.mark.bench
@pytest.mark.timeout(7200)
@settings(THOROUGH)
@given(enterprise_cases())
def test_enterprise_converges_many(case: Case) -> None:
    run(case)
