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


# --------------------------------------------------------------------------- hostile input

HIDDEN = "Hx9TopSecretPart"


@pytest.mark.parametrize(
    "url",
    [
        f"http://x:{HIDDEN}@127.0.0.1:P",  # a bad port must not get the URL quoted first
        f"http://x:{HIDDEN}@127.0.0.1:8300",
        f"https://{HIDDEN}@api.anthropic.com",
        f"https://user:{HIDDEN}@[::1]:8300/v1",
        f"x:{HIDDEN}@127.0.0.1",
        f"http://a@b:{HIDDEN}@127.0.0.1",
        f"  https://user:{HIDDEN}@api.anthropic.com  ",
        f"https://user:{HIDDEN}@api.anthropic.com\\@evil.example.com",
    ],
)
def test_credentials_in_the_url_are_refused_unquoted(url: str) -> None:
    with pytest.raises(ConfigError, match="carries credentials") as info:
        check_base_url(url)
    assert HIDDEN not in str(info.value)


def test_an_at_sign_in_the_path_is_not_a_credential() -> None:
    assert check_base_url("https://proxy.example.com/team@x") == "https://proxy.example.com/team@x"


def test_a_key_in_the_query_is_redacted_when_the_url_is_quoted() -> None:
    with pytest.raises(ConfigError, match="query or fragment") as info:
        check_base_url(f"https://api.anthropic.com/?key=sk-ant-admin01-{HIDDEN}")
    assert HIDDEN not in str(info.value)


@pytest.mark.parametrize(
    ("tail", "what"),
    [
        ("\u00e9", "a non-ASCII character"),
        ("\u200b", "a non-ASCII character"),
        ("\u2028x", "a space or line break"),
        ("\x00", "a NUL character"),
        ("\x1b[0m", "a control character"),
        ("\x7f", "a control character"),
        ("\x85x", "a space or line break"),
        ("\x9bx", "a control character"),
        (" x", "a space or line break"),
        ("\nx", "a space or line break"),
    ],
)
def test_keys_that_cannot_be_sent_are_refused(tail: str, what: str, tmp_path: Path) -> None:
    key = f"sk-ant-admin01-{HIDDEN}{tail}"
    with pytest.raises(ConfigError, match=f"ANTHROPIC_ADMIN_API_KEY contains {what}") as info:
        resolve_config(env={"ANTHROPIC_ADMIN_API_KEY": key})
    assert HIDDEN not in str(info.value)
    (tmp_path / "key").write_text(key + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"contains {what}") as info:
        resolve_config(api_key_file=str(tmp_path / "key"), env={})
    assert HIDDEN not in str(info.value)


def test_a_key_file_is_read_with_a_bound(tmp_path: Path) -> None:
    big = tmp_path / "key"
    big.write_text(CONSOLE + "\n" + "#" * 5000)
    with pytest.raises(ConfigError, match="too large to hold a key"):
        resolve_config(api_key_file=str(big), env={})
    with pytest.raises(ConfigError, match=r"too large to hold a key \(more than 4,096 bytes"):
        resolve_config(api_key_file="/dev/zero", env={})


def test_a_key_file_that_is_not_text(tmp_path: Path) -> None:
    (tmp_path / "key").write_bytes(CONSOLE.encode() + b"\xff\xfe")
    with pytest.raises(ConfigError, match="is not UTF-8 text") as info:
        resolve_config(api_key_file=str(tmp_path / "key"), env={})
    assert "config-test-key" not in str(info.value)
