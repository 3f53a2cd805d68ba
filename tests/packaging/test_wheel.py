"""The package as users get it: ``python -m build`` → sdist and wheel → a clean venv.

The wheel is built from the sdist (as ``python -m build`` does), from a copy of the
checkout's files, and installed into a new venv outside the checkout; its dependencies
come from the wheelhouse ``make test`` fetched from the package index beforehand
(``.venv/wheelhouse``, at the locked versions), so this test needs no network.  Then the
installed console script, run from a directory that is not the checkout, must: print its
version, print the schema, validate a policy, serve a bundled example seed by name, and
plan against it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler import __version__
from tests.support.emulator import running_emulator
from tests.support.orgs import CONSOLE_KEY

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
POLICY = """\
version: 1
organization: {id: 8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37, kind: console, currency: USD}
spend_limits:
  organization: {monthly: 40000}
workspace_rules:
  - match: {tags: {regulated: "true"}}
    data_residency: {allowed_inference_geos: [us], default_inference_geo: us}
"""

pytestmark = pytest.mark.skipif(
    not (WHEELHOUSE / ".complete").exists(),
    reason=f"no wheelhouse at {WHEELHOUSE}: `make test` fetches it (the test itself is offline)",
)


def _checked(args: list[str]) -> None:
    """Run a set-up step; its output is the failure message when it fails."""
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{output}"


def _sources(dest: Path) -> Path:
    """The checkout's files (tracked and new, not ignored) copied to ``dest``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source, target = ROOT / name, dest / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, not yet committed
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(sdist, wheel) made by ``python -m build`` from a copy of the checkout."""
    tmp = tmp_path_factory.mktemp("build")
    src = _sources(tmp / "src")
    dist = tmp / "dist"
    _checked([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(src)])
    (sdist,) = dist.glob("claude_policy-*.tar.gz")
    (wheel,) = dist.glob("claude_policy-*.whl")
    yield sdist, wheel


@pytest.fixture(scope="module")
def installed(
    built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str]]:
    """A clean venv with the wheel installed: (bin directory, environment for its commands)."""
    home = tmp_path_factory.mktemp("user")
    env_dir = home / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / "bin"
    _checked(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-index",
            "--find-links",
            str(WHEELHOUSE),
            str(built[1]),
        ]
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "CLAUDE_POLICY_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}/usr/bin:/bin"
    return bin_dir, env


def _run(
    installed: tuple[Path, dict[str, str]], cwd: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    bin_dir, base = installed
    return subprocess.run(
        [str(bin_dir / "claude-policy"), *args],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_build_makes_an_sdist_and_a_wheel_holding_what_users_need(
    built: tuple[Path, Path],
) -> None:
    sdist, wheel = built
    assert sdist.name == f"claude_policy-{__version__}.tar.gz"
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "reconciler/schemas/policy.schema.json",
        "reconciler/schemas/plan.schema.json",
        "reconciler/schemas/seed.schema.json",
        "reconciler/seeds/console.yaml",
        "reconciler/seeds/enterprise.yaml",
        "reconciler/py.typed",
    ):
        assert needed in names, f"{needed} is missing from {wheel.name}"
    assert not [n for n in names if n.startswith("tests/")], "tests shipped in the wheel"


def test_the_installed_wheel_works_outside_the_checkout(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = installed
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import reconciler; print(reconciler.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(bin_dir.parent) in where and str(ROOT) not in where

    version = _run(installed, tmp_path, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip().endswith(__version__)

    schema = _run(installed, tmp_path, "schema")
    assert schema.returncode == 0, schema.stderr
    assert '"$schema"' in schema.stdout and "spend_limits" in schema.stdout

    policy = tmp_path / "policies"
    policy.mkdir()
    (policy / "org.yaml").write_text(POLICY)
    valid = _run(installed, tmp_path, "validate", "policies")
    assert valid.returncode == 0, valid.stdout + valid.stderr

    with running_emulator("console", command=[str(bin_dir / "claude-policy")], env=env) as emulator:
        plan = _run(
            installed,
            tmp_path,
            "plan",
            "policies",
            "--detailed-exitcode",
            ANTHROPIC_BASE_URL=emulator.url,
            ANTHROPIC_ADMIN_API_KEY=CONSOLE_KEY,
        )
        assert plan.returncode == 2, plan.stdout + plan.stderr
        assert "spend_limit:organization:monthly" in plan.stdout
        assert emulator.stats()["requests_total"] > 0
    assert "Traceback" not in plan.stderr
