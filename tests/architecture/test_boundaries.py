"""The layers' boundaries, checked by reading every module's imports (an AST scan, so an
import inside a function counts too, and nothing is executed).

* The emulator and the client side never import each other: a shared misunderstanding of
  the API would otherwise pass every test (the ``emulator`` command is the one place that
  wires the emulator in, and it is CLI).
* ``adminapi/`` is a pure HTTP client: besides itself it knows only the errors and the
  version, never the live model, the policy or the plan.
* Only ``cli/`` imports click: the core never prints and never parses a command line.

Each rule is also run against a module written to break it, so the scan itself is tested.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"
ROOT = "reconciler"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, module: str) -> Iterator[str]:
    """Every module an import statement in ``source`` names (relative ones resolved)."""
    package = module.rsplit(".", 1)[0] if "." in module else module
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def inside(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@dataclass(frozen=True)
class Rule:
    name: str
    applies: tuple[str, ...]  # modules the rule constrains (prefixes)
    exempt: tuple[str, ...]  # modules it does not constrain
    forbidden: tuple[str, ...]  # what they must not import (prefixes)
    allowed: tuple[str, ...] = ()  # exceptions to ``forbidden``

    def broken_by(self, module: str, names: list[str]) -> list[str]:
        if not any(inside(module, p) for p in self.applies):
            return []
        if any(inside(module, p) for p in self.exempt):
            return []
        return sorted(
            {
                n
                for n in names
                if n != ROOT  # `from reconciler import __version__` names the root too
                and any(inside(n, f) for f in self.forbidden)
                and not any(inside(n, a) for a in self.allowed)
            }
        )


RULES = [
    Rule(
        "the emulator imports nothing of the client side",
        applies=("reconciler.emulator",),
        exempt=(),
        forbidden=("reconciler",),
        allowed=("reconciler.emulator",),
    ),
    Rule(
        "the client side never imports the emulator",
        applies=("reconciler",),
        exempt=("reconciler.emulator", "reconciler.cli.emulator"),
        forbidden=("reconciler.emulator",),
    ),
    Rule(
        "adminapi is a pure client",
        applies=("reconciler.adminapi",),
        exempt=(),
        forbidden=("reconciler",),
        allowed=(
            "reconciler.adminapi",
            "reconciler.errors",
            "reconciler.readfile",
            "reconciler.ratebudget",
            "reconciler.__version__",
        ),
    ),
    Rule(
        "only cli/ imports click",
        applies=("reconciler",),
        exempt=("reconciler.cli",),
        forbidden=("click",),
    ),
]


@functools.cache
def scan() -> dict[str, list[str]]:
    return {
        module_name(path): list(imports(path.read_text(encoding="utf-8"), module_name(path)))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_the_package_keeps_its_boundaries(rule: Rule) -> None:
    broken = {m: bad for m, names in scan().items() if (bad := rule.broken_by(m, names))}
    assert broken == {}


def test_the_scan_finds_every_module() -> None:
    found = scan()
    assert {"reconciler.emulator.app", "reconciler.adminapi.client", "reconciler.cli.app"} <= set(
        found
    )
    assert "click" in found["reconciler.cli.app"]


BREAKS = {
    "the emulator imports nothing of the client side": (
        "reconciler.emulator.routes.users",
        "from reconciler.adminapi.models import User\n",
    ),
    "the client side never imports the emulator": (
        "reconciler.plan.planner",
        "def f():\n    from ..emulator import store\n",
    ),
    "adminapi is a pure client": (
        "reconciler.adminapi.client",
        "from reconciler.live import Snapshot\n",
    ),
    "only cli/ imports click": ("reconciler.workflow", "import click\n"),
}


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_each_rule_catches_a_module_that_breaks_it(rule: Rule) -> None:
    module, source = BREAKS[rule.name]
    assert rule.broken_by(module, list(imports(source, module)))
