"""The closing report of an apply: what was applied, what failed and why, what was skipped.

JSON form (SPEC §6)::

    {"applied": [addr…],
     "failed": [{"address", "status", "error_type", "message", "request_id"}],
     "skipped": [addr…],
     "not_attempted": [addr… (manual)]}

Its renderings (text for the terminal, JSON for ``--report``) are in :mod:`.render`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from reconciler.errors import RequestError


@dataclass
class Failure:
    address: str
    status: int
    error_type: str
    message: str
    request_id: str | None

    @classmethod
    def from_error(cls, address: str, error: RequestError) -> Failure:
        """``status`` is the HTTP status of the last answer (0 in the report: no answer at
        all); an unknown outcome keeps the status and request id of the answer that left it
        in doubt.  ``message`` is the API's own (status, type and request id have their
        fields)."""
        status = error.last_status or 0
        return cls(address, status, error.error_type, error.message, error.request_id)

    @classmethod
    def interrupted(cls, address: str) -> Failure:
        """The change in flight when apply was stopped at once: it may or may not be done."""
        return cls(
            address,
            0,
            "interrupted",
            "stopped at once while this change was in flight; it may or may not have been "
            "applied (the next plan re-reads it)",
            None,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ApplyReport:
    applied: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_attempted: list[str] = field(default_factory=list)
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "applied": list(self.applied),
            "failed": [f.to_json() for f in self.failed],
            "skipped": list(self.skipped),
            "not_attempted": list(self.not_attempted),
        }
