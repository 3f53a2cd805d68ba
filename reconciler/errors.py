"""The one exception tree of claude-policy, and the exit codes it maps to.

    ReconcilerError            exit 1 unless stated
    ├── UsageError             exit 64: the command line itself is wrong
    ├── PolicyError            located problems in policy files (a list of Problem)
    ├── ConfigError            missing key, refused URL, unreadable file …
    ├── RequestError           a request to the Admin API did not succeed: method, path
    │   ├── ApiError           the API answered with an error: status, type, message, request id
    │   ├── TransportError     no usable answer (connection refused, timeout, malformed body)
    │   └── UnknownOutcome     a non-idempotent write may or may not have happened: re-read first
    ├── WrongOrganization      the key belongs to another organization (or kind) than the
    │                          policy or the saved plan: nothing of it is read or written
    ├── PlanFileError          a saved plan that cannot be applied (checksum, expiry, stale …)
    └── OutputError            an output file that cannot be written

The three request errors are siblings, so ``except ApiError`` means "the API said no" and
never catches a missing answer.  Ctrl-C is Python's ``KeyboardInterrupt`` (exit 130 at the
command line's boundary).  Messages never contain a credential: the client redacts before
raising.  Text a user or a server wrote is echoed through :func:`escape`, so that it can
neither break a message onto several lines nor reorder or hide what the terminal shows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

# Categories that change how text displays without showing themselves: controls (Cc: ANSI
# escapes, newlines), format characters (Cf: bidirectional overrides and isolates, zero-width
# spaces and joiners, the BOM, invisible tag characters), line and paragraph separators, and
# lone surrogates (which cannot even be written to a UTF-8 stream).
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130


def escape(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` safe to echo in a one-line message: every control, bidirectional or
    invisible formatting character (U+202E, U+200B, ESC …) is written as its Python escape
    (``\\u202e``, ``\\x1b``, ``\\n``); everything else is kept as is.

    With ``keep_newlines``, ``\\n`` stays a line break (a message of several lines, each
    escaped).  Cheap when there is nothing to escape."""
    if text.isprintable():
        return text
    if keep_newlines:
        return "\n".join(escape(line) for line in text.split("\n"))
    return "".join(_escape_char(c) if not c.isprintable() else c for c in text)


def _escape_char(char: str) -> str:
    if unicodedata.category(char) not in _HIDDEN:
        return char  # a space other than " " (no-break, ideographic) or an unassigned code
    return repr(char)[1:-1]


class ReconcilerError(Exception):
    """Root of every error the tool reports to a user (never with a traceback)."""

    exit_code: int = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(ReconcilerError):
    exit_code = EXIT_USAGE


class ConfigError(ReconcilerError):
    """Bad environment or options: no key, plain http to a remote host, unreadable file."""


@dataclass(frozen=True)
class Problem:
    """One located problem in a policy (or seed, or acknowledgement) file.

    ``line`` and ``column`` are 1-based; ``file`` is as the user should see it
    (relative to the current directory where possible).
    """

    file: str
    line: int
    column: int
    message: str
    path: str = ""
    hint: str | None = None
    severity: str = "error"  # "error" | "warning"

    def render(self) -> str:
        """``FILE:LINE:COLUMN: message (path: …) hint: …``, escaped (:func:`escape`)."""
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        if self.path:
            text += f" (path: {self.path})"
        if self.hint:
            text += f" hint: {self.hint}"
        return escape(text)

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


class PolicyError(ReconcilerError):
    """Every problem found in the policy, reported together."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(
            "\n".join(p.render() for p in self.problems) + f"\n{len(self.problems)} {noun} found."
        )


class RequestError(ReconcilerError):
    """A request to the Admin API that did not succeed.

    ``error_type`` names the kind of failure for reports; ``last_status`` and
    ``request_id`` are those of the last answer, when there was one."""

    error_type: str = "request_error"
    last_status: int | None = None
    request_id: str | None = None

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method else ""
        return f"{where}{self.message}"

    def __hash__(self) -> int:
        return id(self)


class ApiError(RequestError):
    """The Admin API answered with an error: its status, type, message and request id
    (``error_code`` and ``details`` when the envelope has them)."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        request_id: str | None = None,
        error_code: str | None = None,
        method: str = "",
        path: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status = status
        self.last_status = status
        self.error_type = error_type
        self.request_id = request_id
        self.error_code = error_code
        self.details = details or {}

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method else ""
        rid = f" (request-id {self.request_id})" if self.request_id else ""
        code = f", {self.error_code}" if self.error_code else ""
        return f"{where}{self.status} {self.error_type}{code}: {self.message}{rid}"


class TransportError(RequestError):
    """No usable answer: connection failure, timeout, or a malformed response."""

    error_type = "transport_error"


class UnknownOutcome(RequestError):
    """A non-idempotent write (a workspace create) may or may not have taken effect.

    Raised instead of retrying when the request was sent but no definite answer came back
    (timeout, dropped connection, 5xx, unreadable success body).  The caller must re-read
    (e.g. list workspaces and look for the name) before trying the write again.
    ``last_status`` and ``request_id`` are those of the last answer, when there was one.
    """

    error_type = "unknown_outcome"

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        last_status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.last_status = last_status
        self.request_id = request_id  # of the answer that left the outcome in doubt


class WrongOrganization(ReconcilerError):
    """The API key belongs to another organization, or another kind of organization, than
    the policy (located at its ``organization`` entry) or the saved plan was made for."""


class PlanFileError(ReconcilerError):
    """A saved plan that must not be applied (tampered, expired, other org, stale)."""


class OutputError(ReconcilerError):
    """An output file that cannot be written (missing directory, a directory, no room)."""
