"""Where the key, URL, org kind and rates come from — and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.adminapi import check_base_url, org_kind_for_key, resolve_config
from reconciler.errors import ConfigError

CONSOLE = "sk-ant-admin01-config-test-key-aaaaaaaa"
ENTERPRISE = "sk-ant-api01-config-test-key-bbbbbbbb"


def test_key_from_environment_and_kind_from_prefix() -> None:
    config = resolve_config(env={"ANTHROPIC_ADMIN_API_KEY": f"  {CONSOLE}\n"})
    assert config.key.reveal() == CONSOLE
    assert config.org_kind == "console"
    assert config.base_url == "https://api.anthropic.com"
    assert (config.admin_rpm, config.spend_rpm) == (100.0, 60.0)


def test_key_file_is_stripped_and_wins_over_environment(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(f"\n{ENTERPRISE}  \n")
    config = resolve_config(api_key_file=str(key_file), env={"ANTHROPIC_ADMIN_API_KEY": CONSOLE})
    assert config.key.reveal() == ENTERPRISE
    assert config.org_kind == "enterprise"


def test_missing_key_says_where_a_key_may_come_from() -> None:
    with pytest.raises(ConfigError, match=r"ANTHROPIC_ADMIN_API_KEY.*--api-key-file"):
        resolve_config(env={})


def test_empty_or_unreadable_key_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("  \n")
    with pytest.raises(ConfigError, match="is empty"):
        resolve_config(api_key_file=str(empty), env={})
    with pytest.raises(ConfigError, match="cannot read"):
        resolve_config(api_key_file=str(tmp_path / "missing"), env={})


def test_unknown_prefix_is_refused_without_echoing_the_key() -> None:
    secret = "sk-ant-oat01-this-is-not-an-admin-key-123456"
    with pytest.raises(ConfigError) as info:
        resolve_config(env={"ANTHROPIC_ADMIN_API_KEY": secret})
    assert secret not in str(info.value)
    assert "sk-ant-admin01-" in str(info.value)
    with pytest.raises(ConfigError) as info2:
        org_kind_for_key("totally-different-credential-value")
    assert "totally-different" not in str(info2.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8300",
        "http://127.9.8.7",
        "http://localhost:1234/",
        "http://[::1]:8080",
        "https://api.anthropic.com",
        "https://proxy.example.com/anthropic/",
    ],
)
def test_accepted_urls(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("http://api.anthropic.com", "refusing plain http"),
        ("http://10.0.0.1:8300", "refusing plain http"),
        ("http://128.0.0.1", "refusing plain http"),
        ("http://localhost.example.com", "refusing plain http"),
        ("ftp://127.0.0.1", "invalid API URL"),
        ("api.anthropic.com", "invalid API URL"),
        ("https://user:pw@api.anthropic.com", "carries credentials"),
        ("https://api.anthropic.com:notaport", "invalid API URL"),
    ],
)
def test_refused_urls(url: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        check_base_url(url)


def test_url_option_beats_environment() -> None:
    env = {"ANTHROPIC_ADMIN_API_KEY": CONSOLE, "ANTHROPIC_BASE_URL": "http://example.com"}
    config = resolve_config(api_url="http://127.0.0.1:9", env=env)
    assert config.base_url == "http://127.0.0.1:9"
    with pytest.raises(ConfigError, match="refusing plain http"):
        resolve_config(env=env)


def test_rates_from_options_then_environment() -> None:
    env = {
        "ANTHROPIC_ADMIN_API_KEY": CONSOLE,
        "CLAUDE_POLICY_ADMIN_RPM": "50",
        "CLAUDE_POLICY_SPEND_RPM": "30",
    }
    config = resolve_config(env=env)
    assert (config.admin_rpm, config.spend_rpm) == (50.0, 30.0)
    config = resolve_config(admin_rpm=1000, spend_rpm=600, env=env)
    assert (config.admin_rpm, config.spend_rpm) == (1000.0, 600.0)


@pytest.mark.parametrize("bad", ["fast", "0", "-5", "nan", "inf"])
def test_bad_rates_are_refused(bad: str) -> None:
    env = {"ANTHROPIC_ADMIN_API_KEY": CONSOLE, "CLAUDE_POLICY_SPEND_RPM": bad}
    with pytest.raises(ConfigError):
        resolve_config(env=env)
