"""The API's error envelope, and the exception the emulator raises to produce it.

Body of every error response::

    {"type": "error",
     "error": {"type": "<error type>", "message": "<text>", "details": {"error_code": …}},
     "request_id": "req_…"}

``details`` appears only when there is a machine code.  Messages are the emulator's
wording, not a contract; clients branch on status, ``error.type`` and
``details.error_code``.
"""

from __future__ import annotations

from typing import Any

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


class ApiError(Exception):
    """An error response: status, message and optional ``details``.

    ``headers`` are added to the response (``retry-after`` on a 429).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers or {}

    @property
    def error_type(self) -> str:
        return ERROR_TYPES[self.status]

    def body(self, request_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"type": "error", "error": error, "request_id": request_id}


def invalid(message: str, error_code: str | None = None, **details: Any) -> ApiError:
    """400 ``invalid_request_error``, with ``details.error_code`` when given."""
    if error_code is None:
        return ApiError(400, message)
    return ApiError(400, message, details={"error_code": error_code, **details})


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def org_type_not_supported(kind: str) -> ApiError:
    label = "Claude Console" if kind == "console" else "Claude Enterprise"
    return invalid(
        f"This endpoint is not available to {label} organizations.",
        "organization_type_not_supported",
    )
