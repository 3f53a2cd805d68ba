"""Keeping the Admin API key out of every output.

Contract: once a key is wrapped in :class:`Secret` (the config does so the moment it reads
one), that key is replaced by ``[REDACTED]`` in

* ``repr()`` / ``str()`` of the :class:`Secret` itself;
* every log record that passes a :class:`RedactingFilter` (message, arguments, exception
  text and stack info), installed by :func:`install_log_redaction` on the ``httpx`` and
  ``httpcore`` loggers (whose DEBUG records show headers), on ``reconciler``'s, and on any
  handler it is given;
* every message the client builds from a server answer (:func:`redact`).

Registration is process-wide on purpose: a key read once must never be printed anywhere in
the process, whichever object happens to format it.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterable

__all__ = [
    "REDACTED",
    "RedactingFilter",
    "Secret",
    "install_log_redaction",
    "redact",
    "register_secret",
]

REDACTED = "[REDACTED]"

# Anything shaped like an Anthropic key, registered or not (a key pasted into a policy
# comment, a key echoed back by a proxy).  Long enough not to hit the prefixes that our
# own messages quote ("sk-ant-admin01-…").
_KEY_PATTERN = re.compile(r"sk-ant-[A-Za-z0-9_\-]{16,}")

# Secrets shorter than this are not registered: replacing a 3-letter string everywhere
# would mangle output and protect nothing.
_MIN_SECRET_LEN = 8

_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()

# Loggers whose records may carry request or response headers.  Filters on a logger only
# see records created on that very logger, so httpcore's children are listed one by one.
_LOGGERS = (
    "reconciler",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "hpack",
    "h11",
)


def register_secret(value: str) -> None:
    """Redact ``value`` everywhere from now on (no-op for very short strings)."""
    global _secrets
    if len(value) < _MIN_SECRET_LEN:
        return
    with _lock:
        _secrets = _secrets | {value}


def redact(text: str) -> str:
    """``text`` with every registered secret and every key-shaped token replaced."""
    for secret in _secrets:  # a frozenset swapped atomically: safe to iterate unlocked
        if secret in text:
            text = text.replace(secret, REDACTED)
    if "sk-ant-" in text:
        text = _KEY_PATTERN.sub(REDACTED, text)
    return text


class Secret:
    """A credential whose ``repr`` and ``str`` never show it.

    ``reveal()`` is the only way to get the value back (used when building the request
    header).  Creating a ``Secret`` registers the value for process-wide redaction.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED})"

    def __str__(self) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the key in clear to wherever the pickle goes.
        raise TypeError("a Secret cannot be pickled")


class RedactingFilter(logging.Filter):
    """Rewrite a record so that no registered secret survives formatting.

    The message is rendered once (``msg % args``) and replaced by its redacted text; an
    exception's traceback and any stack info are pre-rendered and redacted too, so a
    handler's formatter only ever sees clean text.  Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the key from a log record's message and arguments."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            if not record.exc_text:
                record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction(handlers: Iterable[logging.Handler] = ()) -> RedactingFilter:
    """Install the (single, shared) redacting filter; idempotent.

    It goes on the loggers that may see headers and on each handler given (a handler
    filter also catches records propagated from loggers not listed here).
    """
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    return _FILTER
