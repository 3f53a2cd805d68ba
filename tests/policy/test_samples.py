"""Every shipped policy — policies/ and the example sets — validates clean, and resolves
against the organization it was written for."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.policy import check, load, resolve
from tests.support.cli import invoke as run_cli

from .builders import console_snapshot, enterprise_snapshot

REPO = Path(__file__).resolve().parents[2]
MODELINE = "# yaml-language-server: $schema="


def policy_files() -> list[Path]:
    """Every policy file shipped: all of policies/, and example files carrying the modeline
    (examples/ also holds emulator seeds, which are not policies)."""
    found = sorted(REPO.glob("policies/**/*.y*ml"))
    for path in sorted(REPO.glob("examples/**/*.y*ml")):
        if path.read_text(encoding="utf-8").startswith(MODELINE):
            found.append(path)
    return found


def policy_roots() -> list[Path]:
    """The directories that each hold one organization's policy."""
    roots = {REPO / "policies"}
    for path in policy_files():
        if "examples" in path.parts:
            text = path.read_text(encoding="utf-8")
            if "\norganization:" in text or text.startswith("organization:"):
                roots.add(path.parent)
    return sorted(roots)


def test_the_shipped_policy_sets() -> None:
    names = {str(p.relative_to(REPO)) for p in policy_roots()}
    assert {
        "policies",
        "examples/console-regulated",
        "examples/enterprise",
        "examples/multi-org/acme-health",
        "examples/multi-org/globex",
    } <= names
    for root in policy_roots():
        if root.parent.name == "examples" or root.name == "policies":
            assert (root / "README.md").exists() or root.name == "policies", root
    assert (REPO / "examples/multi-org/README.md").exists()


@pytest.mark.parametrize("path", policy_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_policy_file_belongs_to_a_root_and_names_the_schema(path: Path) -> None:
    assert any(root in path.parents for root in policy_roots()), path
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(MODELINE) and first.endswith("schemas/policy.schema.json")
    schema = (path.parent / first[len(MODELINE) :]).resolve()
    assert schema == (REPO / "reconciler/schemas/policy.schema.json").resolve()


@pytest.mark.parametrize("root", policy_roots(), ids=lambda p: str(p.relative_to(REPO)))
def test_validates_clean(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = check([root.relative_to(REPO)])
    assert [p.render() for p in result.errors + result.warnings] == []
    cli = run_cli(["validate", str(root.relative_to(REPO))])
    assert cli.code == 0, cli
    assert cli.out.startswith("Policy valid: ")


@pytest.mark.parametrize("root", policy_roots(), ids=lambda p: str(p.relative_to(REPO)))
def test_resolves_against_its_seed(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    policy = load([root.relative_to(REPO)])
    snapshot = console_snapshot() if policy.kind == "console" else enterprise_snapshot()
    desired = resolve(policy, snapshot)
    assert desired.org.id == snapshot.org_id
    assert desired.warnings == []
    assert desired.limits or desired.workspaces


def test_demo_policy_makes_the_promised_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """policies/ is what `make demo` plans against examples/seeds/console.yaml."""
    monkeypatch.chdir(REPO)
    desired = resolve(load(["policies"]), console_snapshot())
    claims = desired.workspaces["workspace:claims-processing"].fields
    assert claims["data_residency.allowed_inference_geos"].value == ["us"]
    assert claims["data_residency.allowed_inference_geos"].source.rule == "workspace_rules[0]"
    fraud = desired.workspaces["workspace:fraud-detection"]
    assert fraud.live_id is None
    assert fraud.fields["data_residency.default_inference_geo"].value == "us"
    amounts = {a: lim.amount.value for a, lim in desired.limits.items()}
    assert amounts["spend_limit:organization:monthly"] == "5000000"  # kept
    assert amounts["spend_limit:workspace:claims-processing:monthly"] == "300000"  # raised
    assert amounts["spend_limit:workspace:fraud-detection:monthly"] == "150000"  # new
    assert desired.workspaces["workspace:marketing-copy"].fields["tags.cost-center"].value == "4420"
    assert not any(w.archived for w in desired.workspaces.values())
