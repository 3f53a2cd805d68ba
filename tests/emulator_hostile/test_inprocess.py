"""The whole hostile corpus against the emulator in process (Starlette's TestClient).

One emulator per organization for the module; after a request that changed the
organization, it is reset to the seed, so every case starts from the same state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from reconciler.emulator import EmulatorApp, FakeClock, Options
from reconciler.emulator.state import dumps
from reconciler.emulator.statecheck import problem
from tests.emulator_hostile.corpus import Case, all_cases
from tests.emulator_hostile.harness import judge, placeholders, request_parts, seed

CASES = all_cases()


class Org:
    """An in-process emulator of one organization, and the values of its placeholders."""

    def __init__(self, kind: str) -> None:
        options = Options(control=True, rate_scale=1_000_000)
        self.app = EmulatorApp(seed(kind), options, clock=FakeClock())
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.values = placeholders(self.app.runtime.store)
        self.pristine = self.dump()
        assert problem(json.loads(self.pristine)) is None

    def dump(self) -> str:
        return dumps(self.app.runtime.store)


@pytest.fixture(scope="module")
def orgs() -> Iterator[dict[str, Org]]:
    made = {kind: Org(kind) for kind in ("console", "enterprise")}
    for org in made.values():
        org.client.__enter__()  # one event loop for all its requests
    yield made
    for org in made.values():
        org.client.__exit__(None, None, None)


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    kinds = {case.kind for case in CASES}
    assert len(CASES) > 2000
    assert kinds == {
        "valid",
        "type",
        "surrogate",
        "control",
        "huge-string",
        "huge-number",
        "non-finite",
        "nesting",
        "bad-json",
        "content-type",
        "query",
        "path",
        "method",
        "header",
        "wrong-org",
    }


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_request(orgs: dict[str, Org], case: Case) -> None:
    org = orgs[case.org]
    before = org.dump()
    assert before == org.pristine
    response = org.client.request(**request_parts(case, org.values))
    problems = judge(case, response.status_code, response.headers, response.content)
    after = org.dump()
    if after != before:
        if response.status_code != 200:
            problems.append("a refused request changed the organization")
        unreadable = problem(json.loads(after))
        if unreadable is not None:
            problems.append(f"the organization would not load from a state file: {unreadable}")
        org.app.runtime.reset()
    assert not problems, problems
