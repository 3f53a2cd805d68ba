"""The shared API options of the command line, and the package's public surface."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import reconciler.adminapi as adminapi
from reconciler.cli.options import (
    ApiOptions,
    api_options,
    configure_logging,
    open_client,
    use_color,
)
from reconciler.errors import ConfigError
from tests.support.cli import invoke


@click.command()
@click.argument("paths", nargs=-1)
@api_options
def probe(paths: tuple[str, ...], api: ApiOptions) -> None:
    click.echo(repr((paths, api)))


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    names = ("", "reconciler", "httpx", "httpcore")
    levels = {n: logging.getLogger(n).level for n in names}
    handlers = list(root.handlers)
    yield
    for h in root.handlers[:]:
        if h not in handlers:
            root.removeHandler(h)
    for n, level in levels.items():
        logging.getLogger(n).setLevel(level)


def test_options_are_collected_into_one_object() -> None:
    result = CliRunner().invoke(
        probe,
        ["policies", "--api-url", "http://127.0.0.1:9", "--admin-rpm", "50", "-vv", "--no-color"],
    )
    assert result.exit_code == 0, result.output
    assert "('policies',)" in result.output
    assert "api_url='http://127.0.0.1:9'" in result.output
    assert "admin_rpm=50.0" in result.output and "verbose=2" in result.output
    assert "no_color=True" in result.output and "spend_rpm=None" in result.output


def test_there_is_no_option_taking_the_key_itself() -> None:
    result = CliRunner().invoke(probe, ["--api-key", "sk-ant-admin01-xxxxxxxxxxxxxxxxxxxx"])
    assert result.exit_code != 0
    assert "No such option" in result.output


def test_rates_must_be_positive() -> None:
    result = CliRunner().invoke(probe, ["--spend-rpm", "0"])
    assert result.exit_code != 0


def test_open_client_builds_a_configured_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "key"
    key.write_text("sk-ant-api01-options-test-key-0123456789\n")
    monkeypatch.delenv("ANTHROPIC_ADMIN_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    api = ApiOptions(api_url="http://localhost:1", api_key_file=str(key), spend_rpm=30)
    with open_client(api, log_stream=io.StringIO()) as client:
        assert client.org_kind == "enterprise"
        assert client.pacer.limit("spend") == 30 and client.pacer.limit("admin") == 100
        assert "options-test-key" not in repr(client)


def test_open_client_refuses_remote_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", "sk-ant-api01-options-test-key-0123456789")
    with (
        pytest.raises(ConfigError, match="refusing plain http"),
        open_client(ApiOptions(api_url="http://example.com"), log_stream=io.StringIO()),
    ):
        pass


def test_verbosity_levels() -> None:
    configure_logging(0, stream=io.StringIO())
    assert logging.getLogger("reconciler").level == logging.WARNING
    configure_logging(1, stream=io.StringIO())
    assert logging.getLogger("reconciler").level == logging.INFO
    assert logging.getLogger("httpx").level == logging.WARNING
    configure_logging(2, stream=io.StringIO())
    assert logging.getLogger("httpx").level == logging.INFO
    configure_logging(0, debug=True, stream=io.StringIO())
    assert logging.getLogger("httpcore").level == logging.DEBUG
    ours = [h for h in logging.getLogger().handlers if h.get_name() == "claude-policy-stderr"]
    assert len(ours) == 1  # idempotent


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(ApiOptions(), Tty())
    assert not use_color(ApiOptions(), io.StringIO())
    assert not use_color(ApiOptions(no_color=True), Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(ApiOptions(), Tty())


def test_public_surface_is_checked() -> None:
    names = adminapi.__all__
    assert len(names) == len(set(names))
    missing = [name for name in names if not hasattr(adminapi, name)]
    assert missing == []
    namespace: dict[str, object] = {}
    exec("from reconciler.adminapi import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(names)
    # The client and the emulator stay independent.
    assert not any(
        m.startswith("reconciler.emulator") for m in _imported_modules("reconciler.adminapi")
    )


def _imported_modules(package: str) -> set[str]:
    import ast
    import importlib

    mod = importlib.import_module(package)
    root = Path(mod.__file__ or "").parent
    found: set[str] = set()
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(
    ("given", "share"),
    [("80%", 0.8), ("80", 0.8), (" 62.5 % ", 0.625), ("100%", 1.0), ("0.5%", 0.005), ("2", 0.02)],
)
def test_max_api_share_is_a_percentage(given: str, share: float) -> None:
    result = CliRunner().invoke(probe, ["--max-api-share", given])
    assert result.exit_code == 0, result.output
    assert f"max_api_share={share!r}" in result.output


def test_max_api_share_defaults_to_80_and_reads_the_environment() -> None:
    result = CliRunner().invoke(probe, [], env={"CLAUDE_POLICY_MAX_API_SHARE": None})
    assert "max_api_share=0.8" in result.output
    result = CliRunner().invoke(probe, [], env={"CLAUDE_POLICY_MAX_API_SHARE": "50%"})
    assert "max_api_share=0.5" in result.output
    result = CliRunner().invoke(
        probe, ["--max-api-share", "90"], env={"CLAUDE_POLICY_MAX_API_SHARE": "50%"}
    )
    assert "max_api_share=0.9" in result.output  # the option wins


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("0.8", "ambiguous: write the share as a percentage, e.g. 80% (or 80% if a fraction"),
        ("1", "ambiguous"),
        ("0", "give a percentage above 0 and at most 100"),
        ("0%", "above 0"),
        ("101", "at most 100"),
        ("-5%", "above 0"),
        ("lots", "give a percentage"),
        ("nan", "give a percentage"),
        ("80%%", "give a percentage"),
    ],
)
def test_a_bad_max_api_share_is_a_usage_error(given: str, says: str) -> None:
    """Through the real command group: one clear line, exit 64, before any request."""
    for args, env in (
        (["plan", "--max-api-share", given], {}),
        (["plan"], {"CLAUDE_POLICY_MAX_API_SHARE": given}),
    ):
        result = invoke(args, key="sk-ant-api01-options-test-key-0123456789", env=env)
        assert result.code == 64, result
        assert "--max-api-share" in result.err and says in result.err
        assert "Traceback" not in result.err


def test_open_client_passes_the_share_and_explicit_rates_as_caps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", "sk-ant-api01-options-test-key-0123456789")
    monkeypatch.delenv("CLAUDE_POLICY_ADMIN_RPM", raising=False)
    monkeypatch.setenv("CLAUDE_POLICY_SPEND_RPM", "45")
    api = ApiOptions(api_url="http://localhost:1", max_api_share=0.5)
    with open_client(api, log_stream=io.StringIO()) as client:
        assert client.pacer.share == 0.5
        assert client.pacer.limit("spend") == 45 and client.pacer.limit("admin") == 100
        # 45 from the environment is a hard cap; the unset admin rate is only the pace.
        assert client.pacer._buckets["spend"].cap == 45
        assert client.pacer._buckets["admin"].cap is None
