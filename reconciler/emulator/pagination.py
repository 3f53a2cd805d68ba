"""The API's two pagination styles (admin-api.md §5, decisions 13–16).

*ID cursor* (workspaces, users): ``limit``, ``after_id`` / ``before_id``; the page says
``has_more`` for the requested direction and its ``first_id`` / ``last_id``.

*Opaque cursor* (spend limits, effective report, increase requests, RBAC groups and
members): ``limit`` and ``page``; the page says ``next_page``.  A cursor remembers the sort
key of the last item it returned — so rows added or removed between pages never shift
the next page — and a digest of every query parameter except ``limit`` and ``page``, so
a client that changes a filter mid-way is told so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from reconciler.emulator.errors import invalid

T = TypeVar("T")

CURSOR_MISMATCH = "cursor does not match current query parameters"


def page_by_id(
    items: Sequence[T],
    positions: Mapping[str, int],
    limit: int,
    after_id: str | None,
    before_id: str | None,
) -> tuple[Sequence[T], bool]:
    """One ID-cursor page of ``items`` (already filtered, in list order) and ``has_more``.

    ``positions`` maps each item's id to its index in ``items``; an id that is not in
    the list is a 400 (decision 15).
    """
    if after_id is not None and before_id is not None:
        raise invalid("Only one of after_id and before_id may be given.")
    if after_id is not None:
        start = _position(positions, after_id, "after_id") + 1
        return items[start : start + limit], start + limit < len(items)
    if before_id is not None:
        end = _position(positions, before_id, "before_id")
        return items[max(0, end - limit) : end], end - limit > 0
    return items[:limit], len(items) > limit


def _position(positions: Mapping[str, int], wanted: str, name: str) -> int:
    index = positions.get(wanted)
    if index is None:
        raise invalid(f"{name}: {wanted!r} is not an item of this list.")
    return index


def id_page_body(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {
        "data": data,
        "has_more": has_more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }


def query_digest(params: Sequence[tuple[str, str]]) -> str:
    """Digest of every query parameter except ``limit`` and ``page`` (decision 16)."""
    kept = sorted((k, v) for k, v in params if k not in ("limit", "page"))
    return hashlib.sha256(json.dumps(kept).encode("utf-8")).hexdigest()[:16]


def encode_cursor(sort_key: Any, digest: str) -> str:
    raw = json.dumps([sort_key, digest], separators=(",", ":")).encode("utf-8")
    return "page_" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(token: str, digest: str) -> Any:
    """The sort key a cursor resumes after; 400 if it is not ours or the query moved."""
    try:
        if not token.startswith("page_"):
            raise ValueError(token)
        body = token[5:]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        sort_key, cursor_digest = json.loads(raw)
        sort_key = _as_key(sort_key)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid("page: not a cursor this API returned.") from None
    if cursor_digest != digest:
        raise invalid(CURSOR_MISMATCH)
    return sort_key


def _as_key(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, list) and all(
        isinstance(v, (int, str)) and not isinstance(v, bool) for v in value
    ):
        return tuple(value)
    raise ValueError(value)


def start_after(keys: Sequence[Any], sort_key: Any) -> int:
    """Index of the first item whose key sorts after ``sort_key``."""
    try:
        return bisect_right(keys, sort_key)
    except TypeError:
        raise invalid("page: not a cursor this API returned.") from None


def page_by_key(
    items: Sequence[T], keys: Sequence[Any], limit: int, after: Any | None
) -> tuple[Sequence[T], Any | None]:
    """One opaque-cursor page and the key to resume after (``None`` on the last page)."""
    start = 0 if after is None else start_after(keys, after)
    end = start + limit
    page = items[start:end]
    return page, (keys[end - 1] if end < len(items) and page else None)


def next_page(sort_key: Any | None, digest: str) -> str | None:
    return None if sort_key is None else encode_cursor(sort_key, digest)
