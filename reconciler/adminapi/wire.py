"""The Admin API's wire conventions: query strings, JSON bodies, the error envelope.

* Arrays go in the query with literal brackets, repeated (``user_ids[]=a&user_ids[]=b``),
  booleans as ``true``/``false``, omitted (``None``) parameters are left out (admin-api §1.1).
* A success is any 2xx whose body is a JSON object; anything else is a
  :class:`~reconciler.errors.TransportError` (the server answered, but not usably).
* An error status becomes one :class:`~reconciler.errors.ApiError` carrying status,
  ``error.type``, message, request id (body ``request_id``, else the ``request-id``
  header) and ``details.error_code``; a non-JSON error body (a proxy's HTML page) still
  yields an ApiError with the status, so retry decisions work the same.
Every message built from a server's words goes through :func:`redact`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from reconciler.adminapi.redact import redact
from reconciler.errors import ApiError, TransportError

__all__ = ["QueryValue", "api_error", "encode_query", "json_object"]

QueryValue = str | int | bool | Sequence[str] | None

# error.type the API uses for each status (admin-api §3), for bodies that do not say.
_TYPE_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_MAX_TEXT = 300  # how much of an unexpected body an error message may quote


def _scalar(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_query(params: Mapping[str, QueryValue] | Iterable[tuple[str, QueryValue]]) -> str:
    """Encode query parameters; a sequence value becomes repeated ``key[]=`` pairs.

    Keys are written as given, plus ``[]`` for arrays (brackets left literal); values are
    percent-encoded.  ``None`` values are dropped.
    """
    items = params.items() if isinstance(params, Mapping) else params
    parts: list[str] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, (str, int, bool)):
            parts.append(f"{key}={quote(_scalar(value), safe='')}")
        else:
            name = key if key.endswith("[]") else key + "[]"
            parts.extend(f"{name}={quote(str(v), safe='')}" for v in value)
    return "&".join(parts)


def json_object(response: httpx.Response, *, method: str, path: str) -> dict[str, Any]:
    """The JSON object a successful response carries, or TransportError."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise TransportError(
            f"malformed response (HTTP {response.status_code}): the body is not JSON",
            method=method,
            path=path,
        ) from None
    if not isinstance(data, dict):
        raise TransportError(
            f"malformed response (HTTP {response.status_code}): expected a JSON object, "
            f"got {type(data).__name__}",
            method=method,
            path=path,
        )
    return data


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def api_error(response: httpx.Response, *, method: str, path: str) -> ApiError:
    """Build the ApiError for an error response (never raises)."""
    status = response.status_code
    header_id = response.headers.get("request-id")
    try:
        body = json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(body, dict) and isinstance(error, dict):
        details = error.get("details")
        details = details if isinstance(details, dict) else {}
        message = _text(error.get("message")) or response.reason_phrase or "error"
        return ApiError(
            status=status,
            error_type=_text(error.get("type")) or _TYPE_BY_STATUS.get(status, "api_error"),
            message=redact(message),
            request_id=_text(body.get("request_id")) or header_id,
            error_code=_text(details.get("error_code")),
            method=method,
            path=path,
            details={k: v for k, v in details.items() if k != "error_code"},
        )
    text = response.text.strip() if response.content else ""
    snippet = " ".join(text.split())[:_MAX_TEXT]
    message = response.reason_phrase or "error"
    if snippet:
        message += f" (unexpected body: {snippet})"
    return ApiError(
        status=status,
        error_type=_TYPE_BY_STATUS.get(status, "api_error"),
        message=redact(message),
        request_id=header_id,
        method=method,
        path=path,
    )
