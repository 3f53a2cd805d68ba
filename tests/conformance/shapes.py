"""Strict checks of raw response bodies against the official SDK's own pydantic models.

The SDK parses responses leniently (``construct``) unless told otherwise, so a body it
accepts can still be wrong.  Here every body goes through ``Model.model_validate`` (lax
pydantic validation, as the SDK's ``_strict_response_validation`` does) *and*
``model_validate_json(..., strict=True)``, and then through an exactness check: every field
the model declares must be present (the API always sends every field, nulls included), no
field the model does not declare may appear, timestamps are RFC 3339 UTC with microseconds
and ``Z``, and ids carry their documented prefix followed by 24 base62 characters
(admin-api.md §1.3, §14.10).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

import pydantic
from anthropic.types.shared.error_response import ErrorResponse

M = TypeVar("M", bound=pydantic.BaseModel)

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
REQUEST_ID = re.compile(r"^req_[0-9A-Za-z]{24}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def tagged(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}[0-9A-Za-z]{{24}}$")


# The ``id`` of each top-level object, by the ``type`` it declares.
ID_BY_TYPE: dict[str, re.Pattern[str]] = {
    "organization": UUID,
    "user": tagged("user_"),
    "user_deleted": tagged("user_"),
    "workspace": tagged("wrkspc_"),
    "rbac_group": tagged("rbac_group_"),
    "spend_limit": tagged("spl_"),
    "spend_limit_deleted": tagged("spl_"),
    "spend_limit_increase_request": tagged("slir_"),
}
# Fields that name another object, wherever they appear.
ID_FIELDS: dict[str, re.Pattern[str]] = {
    "user_id": tagged("user_"),
    "workspace_id": tagged("wrkspc_"),
    "rbac_group_id": tagged("rbac_group_"),
    "spend_limit_id": tagged("spl_"),
    "scoped_api_key_id": tagged("apikey_"),
    "compartment_id": UUID,  # "UUID-like" (admin-api.md §7.1)
}

# admin-api.md §3: the error type that goes with each status.
ERROR_TYPE_BY_STATUS = {
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
# The error types the SDK's ``ErrorObject`` union knows (others are checked by hand).
SDK_ERROR_TYPES = {
    "invalid_request_error",
    "authentication_error",
    "billing_error",
    "permission_error",
    "not_found_error",
    "rate_limit_error",
    "timeout_error",
    "api_error",
    "overloaded_error",
}


class ShapeError(AssertionError):
    """A response body that the SDK's model does not describe exactly."""


def validate(model: type[M], raw: object, *, where: str = "") -> M:
    """``raw`` validated by ``model`` in both pydantic modes, then checked for exactness."""
    label = where or model.__name__
    try:
        obj = model.model_validate(raw)
        model.model_validate_json(json.dumps(raw), strict=True)
    except pydantic.ValidationError as exc:
        raise ShapeError(f"{label}: {model.__name__} rejects {json.dumps(raw)}:\n{exc}") from exc
    problems = list(_exactness(obj, raw, label))
    if problems:
        raise ShapeError(f"{label}: {json.dumps(raw)}\n  " + "\n  ".join(problems))
    return obj


def _exactness(value: object, raw: object, path: str) -> Iterator[str]:
    if isinstance(value, pydantic.BaseModel):
        if not isinstance(raw, dict):
            yield f"{path}: expected an object, got {raw!r}"
            return
        fields = type(value).model_fields
        declared = {info.alias or name: name for name, info in fields.items()}
        for key, name in declared.items():
            if key not in raw:
                yield f"{path}.{key}: missing (the API always sends every field)"
                continue
            yield from _exactness(getattr(value, name), raw[key], f"{path}.{key}")
            yield from _id_format(key, raw[key], raw, f"{path}.{key}")
        for key in sorted(set(raw) - set(declared)):
            yield f"{path}.{key}: not a field of {type(value).__name__}"
    elif isinstance(value, datetime):
        if not (isinstance(raw, str) and TIMESTAMP.match(raw)):
            yield f"{path}: {raw!r} is not RFC 3339 UTC with microseconds and 'Z'"
    elif isinstance(value, list) and isinstance(raw, list):
        for index, (item, raw_item) in enumerate(zip(value, raw, strict=True)):
            yield from _exactness(item, raw_item, f"{path}[{index}]")
    elif isinstance(value, dict) and isinstance(raw, dict):
        for key, raw_item in raw.items():
            yield from _exactness(value.get(key), raw_item, f"{path}.{key}")


def _id_format(key: str, raw: object, parent: Mapping[str, Any], path: str) -> Iterator[str]:
    if not isinstance(raw, str):
        return
    pattern = ID_BY_TYPE.get(str(parent.get("type"))) if key == "id" else ID_FIELDS.get(key)
    if pattern is not None and not pattern.match(raw):
        yield f"{path}: {raw!r} does not match {pattern.pattern}"


def as_dict(raw: object) -> dict[str, Any]:
    """A JSON object, as a dict (raises on anything else)."""
    if not isinstance(raw, dict):
        raise ShapeError(f"expected a JSON object, got {raw!r}")
    return raw


def id_page(model: type[M], raw: object, *, where: str = "") -> tuple[list[M], dict[str, Any]]:
    """An ID-cursor page (admin-api.md §5.1): envelope exact, every item validated."""
    label = where or f"page of {model.__name__}"
    body = _envelope(raw, {"data", "has_more", "first_id", "last_id"}, label)
    data = body["data"]
    if not isinstance(body["has_more"], bool):
        raise ShapeError(f"{label}: has_more is {body['has_more']!r}, not a boolean")
    first = data[0]["id"] if data else None
    last = data[-1]["id"] if data else None
    if (body["first_id"], body["last_id"]) != (first, last):
        raise ShapeError(
            f"{label}: first_id/last_id {body['first_id']!r}/{body['last_id']!r} "
            f"do not name the first/last items {first!r}/{last!r}"
        )
    items = [validate(model, item, where=f"{label}.data[{i}]") for i, item in enumerate(data)]
    return items, body


def cursor_page(model: type[M], raw: object, *, where: str = "") -> tuple[list[M], dict[str, Any]]:
    """An opaque-cursor page (admin-api.md §5.2, §14.16): ``next_page`` null at the end and
    never non-null beside an empty ``data``."""
    label = where or f"page of {model.__name__}"
    body = _envelope(raw, {"data", "next_page"}, label)
    token = body["next_page"]
    if token is not None and not (isinstance(token, str) and token):
        raise ShapeError(f"{label}: next_page is {token!r}")
    if token is not None and not body["data"]:
        raise ShapeError(f"{label}: next_page {token!r} beside an empty page")
    items = [
        validate(model, item, where=f"{label}.data[{i}]") for i, item in enumerate(body["data"])
    ]
    return items, body


def _envelope(raw: object, keys: set[str], label: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) != keys:
        got = sorted(raw) if isinstance(raw, dict) else raw
        raise ShapeError(f"{label}: page keys {got!r}, expected {sorted(keys)!r}")
    if not isinstance(raw["data"], list):
        raise ShapeError(f"{label}: data is not a list")
    return raw


def error_body(status: int, headers: Mapping[str, str], raw: object) -> dict[str, Any]:
    """The error envelope (admin-api.md §3) and its ``request-id`` header agreement."""
    label = f"{status} error body"
    if not isinstance(raw, dict) or set(raw) != {"type", "error", "request_id"}:
        raise ShapeError(f"{label}: {raw!r} is not {{type, error, request_id}}")
    error = raw["error"]
    if raw["type"] != "error" or not isinstance(error, dict):
        raise ShapeError(f"{label}: {raw!r}")
    if not set(error) <= {"type", "message", "details"} or not isinstance(
        error.get("message"), str
    ):
        raise ShapeError(f"{label}: error object {error!r}")
    expected_type = ERROR_TYPE_BY_STATUS.get(status)
    if error.get("type") != expected_type:
        raise ShapeError(f"{label}: error.type {error.get('type')!r}, expected {expected_type!r}")
    if "details" in error:
        details = error["details"]
        if not (isinstance(details, dict) and isinstance(details.get("error_code"), str)):
            raise ShapeError(f"{label}: details {details!r} carries no string error_code")
    if error["type"] in SDK_ERROR_TYPES:
        try:
            ErrorResponse.model_validate(raw)
            ErrorResponse.model_validate_json(json.dumps(raw), strict=True)
        except pydantic.ValidationError as exc:
            raise ShapeError(f"{label}: ErrorResponse rejects {raw!r}:\n{exc}") from exc
    request_id = raw["request_id"]
    if not (isinstance(request_id, str) and REQUEST_ID.match(request_id)):
        raise ShapeError(f"{label}: request_id {request_id!r}")
    if headers.get("request-id") != request_id:
        raise ShapeError(
            f"{label}: request-id header {headers.get('request-id')!r} != body {request_id!r}"
        )
    return raw
