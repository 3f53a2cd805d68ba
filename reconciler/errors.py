"""The one exception tree of claude-policy, and the exit codes it maps to.

    ReconcilerError            exit 1 unless stated
    ├── UsageError             exit 64: the command line itself is wrong
    ├── PolicyError            located problems in policy files (a list of Problem)
    ├── ConfigError            missing key, refused URL, unreadable file …
    ├── ApiError               the Admin API refused: status, type, message, request id
    │   └── TransportError     no answer at all (connection refused, timeout, malformed response)
    │       └── UnknownOutcome a non-idempotent write may or may not have happened: re-read first
    ├── PlanFileError          a saved plan that cannot be applied (checksum, expiry, other org …)
    └── Interrupted            exit 130: Ctrl-C / SIGTERM

Messages never contain a credential: the client redacts before raising.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130


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
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        if self.path:
            text += f" (path: {self.path})"
        if self.hint:
            text += f" hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, Any]:
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


@dataclass
class ApiError(ReconcilerError):
    """The Admin API refused a request."""

    status: int
    error_type: str
    message: str
    request_id: str | None = None
    error_code: str | None = None
    method: str = ""
    path: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method else ""
        rid = f" (request-id {self.request_id})" if self.request_id else ""
        code = f", {self.error_code}" if self.error_code else ""
        return f"{where}{self.status} {self.error_type}{code}: {self.message}{rid}"

    def __hash__(self) -> int:
        return id(self)


class TransportError(ApiError):
    """No usable answer: connection failure, timeout, or a malformed response."""

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        super().__init__(
            status=0, error_type="transport_error", message=message, method=method, path=path
        )

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method else ""
        return f"{where}{self.message}"


class UnknownOutcome(TransportError):
    """A non-idempotent write (a workspace create) may or may not have taken effect.

    Raised instead of retrying when the request was sent but no definite answer came back
    (timeout, dropped connection, 5xx, unreadable success body).  The caller must re-read
    (e.g. list workspaces and look for the name) before trying the write again.
    ``last_status`` and ``request_id`` are those of the last answer, when there was one.
    """

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
        self.error_type = "unknown_outcome"
        self.last_status = last_status
        self.request_id = request_id  # of the answer that left the outcome in doubt


class PlanFileError(ReconcilerError):
    """A saved plan that must not be applied (tampered, expired, other org, stale)."""


class OutputError(ReconcilerError):
    """An output file that cannot be written (missing directory, a directory, no room)."""


class Interrupted(ReconcilerError):
    exit_code = EXIT_INTERRUPTED
