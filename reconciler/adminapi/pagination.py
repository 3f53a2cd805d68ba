"""Following both of the Admin API's pagination styles, defensively.

* **ID cursor** (workspaces, users; admin-api §5.1): ``limit`` + ``after_id``; the answer
  has ``data``, ``has_more`` and ``last_id``.  Continue with ``after_id=<last_id>`` while
  ``has_more``.
* **Opaque cursor** (spend limits, effective report, RBAC groups and members; §5.2):
  ``page=<next_page>`` verbatim, every other original query parameter repeated unchanged
  (the cursor is bound to them); stop when ``next_page`` is null.

Both are generators yielding one :class:`Page` at a time, so a caller streams 50,000
members without holding them twice.  A server that misbehaves never makes us loop:
a cursor seen before, a page seen before under a new cursor (same length, same first
and last item: items never repeat in a listing), ``has_more: true`` without a
``last_id`` or with an empty page, an opaque cursor on too many empty pages in a row, or
more pages than the caller says are possible, each raise
:class:`~reconciler.errors.TransportError` naming the listing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from reconciler.adminapi.wire import QueryValue
from reconciler.errors import TransportError

__all__ = ["DEFAULT_MAX_PAGES", "Fetch", "Page", "id_cursor_pages", "opaque_cursor_pages"]

Query = list[tuple[str, QueryValue]]
Fetch = Callable[[Query], dict[str, Any]]

# 100 million items at 1000 a page: far beyond any organization, finite all the same.
DEFAULT_MAX_PAGES = 100_000
# Following a non-null cursor after an empty page is what the SDK does; a few in a row
# are tolerated, a run of them is a server stuck on a cursor that changes but goes nowhere.
MAX_EMPTY_PAGES = 5


class Page(NamedTuple):
    """One page: its raw items, and whether the listing continues after it."""

    items: list[Any]
    more: bool


def _data(body: dict[str, Any], what: str) -> list[Any]:
    data = body.get("data")
    if not isinstance(data, list):
        raise TransportError(f"malformed page of {what}: no 'data' list")
    return data


class _Progress:
    """What keeps a listing honest: a cursor is never served twice, and neither is a page.

    A page's signature is its length and its first and last item; a listing never shows
    an item twice, so a signature seen again means the server is serving the same page
    under a new cursor.  Either way the listing would never end: stop with an error."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.cursors: set[str] = set()
        self.pages: set[tuple[int, str, str]] = set()

    def advance(self, cursor: str, data: list[Any]) -> str:
        """The next cursor, refusing a page or cursor seen before (a server looping)."""
        if cursor in self.cursors:
            raise TransportError(
                f"listing {self.what}: the cursor came back twice; stopping (the server "
                "would make us loop forever)"
            )
        if data:
            sign = (len(data), _canonical(data[0]), _canonical(data[-1]))
            if sign in self.pages:
                raise TransportError(
                    f"listing {self.what}: the server sent the same page again under a new "
                    "cursor; stopping (the listing would never end)"
                )
            self.pages.add(sign)
        self.cursors.add(cursor)
        return cursor


def _canonical(item: Any) -> str:
    try:
        return json.dumps(item, sort_keys=True, default=repr)
    except (TypeError, ValueError):  # pragma: no cover - parsed JSON always dumps
        return repr(item)


def _too_many(what: str, max_pages: int) -> TransportError:
    return TransportError(
        f"listing {what} did not end after {max_pages} pages; the server's cursor is not "
        "advancing, stopping"
    )


def id_cursor_pages(
    fetch: Fetch,
    params: Sequence[tuple[str, QueryValue]],
    *,
    what: str,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[Page]:
    """Yield each page of an ID-cursor listing."""
    progress = _Progress(what)
    after: str | None = None
    for number in itertools.count(1):
        if number > max_pages:
            raise _too_many(what, max_pages)
        query: Query = list(params)
        if after is not None:
            query.append(("after_id", after))
        body = fetch(query)
        data = _data(body, what)
        has_more = body.get("has_more")
        if not isinstance(has_more, bool):
            raise TransportError(f"malformed page of {what}: no boolean 'has_more'")
        yield Page(data, has_more)
        if not has_more:
            return
        last = body.get("last_id")
        if not data or not isinstance(last, str) or not last:
            raise TransportError(
                f"malformed page of {what}: has_more is true but the page "
                + ("is empty" if not data else "has no last_id")
                + "; stopping rather than guessing where the list continues"
            )
        after = progress.advance(last, data)
    raise AssertionError("unreachable")  # pragma: no cover


def opaque_cursor_pages(
    fetch: Fetch,
    params: Sequence[tuple[str, QueryValue]],
    *,
    what: str,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[Page]:
    """Yield each page of an opaque-cursor listing."""
    progress = _Progress(what)
    page: str | None = None
    empty_run = 0
    for number in itertools.count(1):
        if number > max_pages:
            raise _too_many(what, max_pages)
        query: Query = list(params)
        if page is not None:
            query.append(("page", page))
        body = fetch(query)
        data = _data(body, what)
        cursor = body.get("next_page")
        yield Page(data, cursor is not None)
        if cursor is None:
            return
        if not isinstance(cursor, str) or not cursor:
            raise TransportError(f"malformed page of {what}: 'next_page' is not a string")
        empty_run = 0 if data else empty_run + 1
        if empty_run >= MAX_EMPTY_PAGES:
            raise TransportError(
                f"listing {what}: {empty_run} empty pages in a row with a next_page; stopping"
            )
        page = progress.advance(cursor, data)
    raise AssertionError("unreachable")  # pragma: no cover
