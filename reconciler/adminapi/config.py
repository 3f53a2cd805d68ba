"""Where the client's settings come from: key, base URL, organization kind, rates.

Contract:

* The key comes only from ``ANTHROPIC_ADMIN_API_KEY`` or from the file named by
  ``--api-key-file`` (its content stripped; the file wins when both are given) — never
  from a command-line value, which would land in shell history and process listings.
  The file may be a pipe; at most :data:`MAX_KEY_FILE_BYTES` are read from it, and a pipe
  has :data:`KEY_FILE_WAIT` seconds to deliver them.  A key
  that is not printable ASCII without spaces is refused before any request (no retry
  can fix it).
  It is wrapped in :class:`~reconciler.adminapi.redact.Secret` before anything else
  happens to it, and no error message ever quotes it.
* The base URL comes from ``--api-url``, else ``ANTHROPIC_BASE_URL``, else
  ``https://api.anthropic.com``.  Plain ``http://`` is refused unless the host is a
  loopback address (127.0.0.0/8, ``::1``, ``localhost``): the key travels in a header.
  A URL with credentials in it is refused without being quoted.
* The organization kind follows the key prefix (admin-api §2): ``sk-ant-admin01-`` →
  ``console``, ``sk-ant-api01-`` → ``enterprise``.
* Rates (requests per minute) come from ``--admin-rpm`` / ``--spend-rpm``, else
  ``CLAUDE_POLICY_ADMIN_RPM`` / ``CLAUDE_POLICY_SPEND_RPM``, else 100 and 60 (admin-api
  §4).  They are the pace where the server sends no rate-limit headers; given
  explicitly (option or env) they are also hard caps on our own requests
  (``admin_cap`` / ``spend_cap``, see :mod:`.pacing`).
* ``max_api_share``: the share of each bucket the client may use (``--max-api-share``,
  parsed by the CLI; default 0.8).

Every problem is a :class:`~reconciler.errors.ConfigError`.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from reconciler.adminapi.redact import Secret, redact, register_secret
from reconciler.errors import ConfigError
from reconciler.ratebudget import DEFAULT_SHARE
from reconciler.readfile import UnreadableFile, read_bounded

__all__ = [
    "DEFAULT_ADMIN_RPM",
    "DEFAULT_BASE_URL",
    "DEFAULT_SPEND_RPM",
    "KEY_ENV",
    "ClientConfig",
    "check_base_url",
    "org_kind_for_key",
    "resolve_config",
]

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_ADMIN_RPM = 100.0
DEFAULT_SPEND_RPM = 60.0
KEY_ENV = "ANTHROPIC_ADMIN_API_KEY"
BASE_URL_ENV = "ANTHROPIC_BASE_URL"
ADMIN_RPM_ENV = "CLAUDE_POLICY_ADMIN_RPM"
SPEND_RPM_ENV = "CLAUDE_POLICY_SPEND_RPM"
# A key is about 110 bytes; anything past a few KiB is not a key file (``/dev/zero`` …).
MAX_KEY_FILE_BYTES = 4096
# Seconds a named pipe given as the key file has to deliver the key (a password manager
# writing it); nothing written by then is an error, not a wait without end.
KEY_FILE_WAIT = 10.0

# Key prefix → organization kind (admin-api §2).
KEY_PREFIXES: Mapping[str, str] = {
    "sk-ant-admin01-": "console",
    "sk-ant-api01-": "enterprise",
}


@dataclass(frozen=True)
class ClientConfig:
    """Everything needed to build an :class:`~reconciler.adminapi.client.AdminClient`."""

    key: Secret
    base_url: str
    org_kind: str  # "console" | "enterprise"
    admin_rpm: float = DEFAULT_ADMIN_RPM
    spend_rpm: float = DEFAULT_SPEND_RPM
    max_api_share: float = DEFAULT_SHARE
    admin_cap: float | None = None  # given explicitly: a hard cap on our own requests
    spend_cap: float | None = None


def org_kind_for_key(key: str) -> str:
    """``console`` or ``enterprise`` from the key prefix; ConfigError otherwise.

    The message names the expected prefixes and never the key itself.
    """
    for prefix, kind in KEY_PREFIXES.items():
        if key.startswith(prefix):
            return kind
    expected = " or ".join(f"{p}…" for p in KEY_PREFIXES)
    raise ConfigError(
        f"the API key is not an Admin API key (expected a key starting with {expected}); "
        f"check {KEY_ENV} or the file given to --api-key-file"
    )


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def check_base_url(url: str) -> str:
    """Validate a base URL and return it without a trailing slash.

    Accepts ``https://`` anywhere and ``http://`` only to a loopback host.  A URL that
    carries credentials (``https://user:secret@host``) is refused without being quoted:
    what stands before the ``@`` may well be a key.  Other refusals quote the URL with any
    key in it redacted.
    """
    url = url.strip()
    if "@" in _authority(url):
        raise ConfigError(
            "the API URL carries credentials (USER:PASSWORD@ before the host); they are not "
            f"accepted, and not shown here: give the key in {KEY_ENV} or with --api-key-file, "
            "and the URL as https://HOST[:PORT]"
        )
    shown = redact(repr(url))
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError as e:
        raise ConfigError(f"invalid API URL {shown}: {redact(str(e))}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"invalid API URL {shown}: expected https://HOST[:PORT]")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"invalid API URL {shown}: no credentials, query or fragment allowed")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigError(
            f"refusing plain http:// to {redact(host)}: the API key would travel unencrypted; "
            "use https:// (http:// is allowed only to a loopback address)"
        )
    return url.rstrip("/")


def _authority(url: str) -> str:
    """The part of ``url`` where a host and credentials go, read leniently: after ``//``
    (or from the start), up to the first ``/``, ``\\``, ``?`` or ``#``."""
    rest = url.split("//", 1)[1] if "//" in url else url
    return re.split(r"[/\\?#]", rest, maxsplit=1)[0]


def _read_key_file(path: str) -> str:
    """The key in ``path``: at most :data:`MAX_KEY_FILE_BYTES` are read, from a regular
    file, a pipe (``--api-key-file <(pass show …)``) or a device, never waiting forever."""
    try:
        data = read_bounded(path, MAX_KEY_FILE_BYTES, pipes=True, devices=True, wait=KEY_FILE_WAIT)
    except UnreadableFile as e:
        if e.size is not None:
            raise ConfigError(
                f"the API key file {path} is too large to hold a key (more than "
                f"{MAX_KEY_FILE_BYTES:,} bytes; a key is about 110)"
            ) from None
        raise ConfigError(f"cannot read the API key file {path}: {e.reason}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            f"the API key file {path} is not UTF-8 text: a key is printable ASCII"
        ) from None
    key = text.strip()
    register_secret(key)
    if not key:
        raise ConfigError(f"the API key file {path} is empty")
    return key


def check_key_text(key: str, source: str) -> None:
    """Refuse a key that could not be sent in an HTTP header: keys are printable ASCII
    without spaces.  The message names what is wrong, never the key nor where in it."""
    bad = next((c for c in key if not "!" <= c <= "~"), None)
    if bad is None:
        return
    if bad == "\0":
        what = "a NUL character"
    elif bad.isspace():
        what = "a space or line break"
    elif ord(bad) < 0x80 or unicodedata.category(bad) == "Cc":
        what = "a control character"
    else:
        what = "a non-ASCII character"
    raise ConfigError(
        f"the API key from {source} contains {what}; an Admin API key is printable ASCII "
        "without spaces: copy it again"
    )


def _rate(value: float | None, env_name: str, env: Mapping[str, str]) -> float | None:
    """The rate given by option or env (None: neither)."""
    source = "option"
    if value is None:
        raw = env.get(env_name)
        if raw is None or not raw.strip():
            return None
        source = env_name
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{env_name} must be a number of requests per minute") from None
    if not 0 < value < math.inf:  # also refuses NaN
        raise ConfigError(f"requests per minute must be a positive number (from {source})")
    return float(value)


def resolve_config(
    *,
    api_url: str | None = None,
    api_key_file: str | None = None,
    admin_rpm: float | None = None,
    spend_rpm: float | None = None,
    max_api_share: float = DEFAULT_SHARE,
    env: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Resolve the settings from options (``None`` = not given) and the environment."""
    env = os.environ if env is None else env
    if api_key_file:
        key = _read_key_file(api_key_file)
        check_key_text(key, f"the file {api_key_file}")
    else:
        key = (env.get(KEY_ENV) or "").strip()
        register_secret(key)
        if not key:
            raise ConfigError(
                f"no Admin API key: set {KEY_ENV} or pass --api-key-file FILE "
                "(a key is never accepted as a command-line value)"
            )
        check_key_text(key, KEY_ENV)
    secret = Secret(key)
    kind = org_kind_for_key(key)
    base_url = check_base_url(api_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
    admin_cap = _rate(admin_rpm, ADMIN_RPM_ENV, env)
    spend_cap = _rate(spend_rpm, SPEND_RPM_ENV, env)
    return ClientConfig(
        key=secret,
        base_url=base_url,
        org_kind=kind,
        admin_rpm=DEFAULT_ADMIN_RPM if admin_cap is None else admin_cap,
        spend_rpm=DEFAULT_SPEND_RPM if spend_cap is None else spend_cap,
        max_api_share=max_api_share,
        admin_cap=admin_cap,
        spend_cap=spend_cap,
    )
