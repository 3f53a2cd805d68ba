"""Time buckets of the usage and cost reports (usage-cost-api.md §2–4, decisions 2–4).

* ``starting_at`` (required) and ``ending_at`` are RFC 3339 date-times with any offset;
  the emulator works in UTC.  A ``+`` offset that arrived as a space (an unencoded ``+``
  in a query string) is read as ``+``.
* ``starting_at`` is floored to the bucket width (``1d``, ``1h``, ``1m``, UTC); a bucket
  is returned when its start is before ``ending_at`` (default: now).  Buckets are whole:
  ``[start, start + width)``, the last one included even when ``ending_at`` falls inside it.
* ``ending_at`` ≤ ``starting_at`` → 400; so is a ``limit`` outside the width's range (no
  clamping).
* A page holds at most ``limit`` buckets, oldest first; ``next_page`` is ``page_`` +
  base64 of the next bucket's start (``2025-05-14T00:00:00Z``).  A cursor that does not
  decode, is not on the bucket grid or lies outside the window → 400.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from reconciler.emulator.errors import invalid
from reconciler.emulator.inputs import Query

WIDTHS = {"1d": 86_400, "1h": 3_600, "1m": 60}
# (default, maximum) buckets per page, per width.
LIMITS = {"1d": (7, 31), "1h": (24, 168), "1m": (60, 1440)}
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+\- ]\d{2}:\d{2})"
)


def parse_time(text: str, name: str) -> int:
    """Unix seconds (UTC, fractions dropped) of an RFC 3339 date-time; 400 otherwise."""
    hit = _RFC3339.fullmatch(text.strip())
    if hit is None:
        raise invalid(f"{name}: {text!r} is not an RFC 3339 date-time (e.g. 2026-11-01T00:00:00Z).")
    year, month, day, hour, minute, second = (int(hit.group(i)) for i in range(1, 7))
    zone = hit.group(8)
    offset = timedelta(0)
    if zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:
        raise invalid(f"{name}: {text!r} is not a valid date-time.") from None
    return int(moment.timestamp())


def show_time(epoch: int) -> str:
    """``2026-11-01T00:00:00Z``: how bucket bounds and cursors show a moment."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Window:
    """The buckets a report request covers: ``first`` (floored start) up to ``end``."""

    width: int
    first: int
    end: int  # ending_at, Unix seconds: buckets start before it

    def starts(self, cursor: int | None, limit: int) -> tuple[list[int], int | None]:
        """The bucket starts of one page and the next page's start (None at the end)."""
        start = self.first if cursor is None else cursor
        starts: list[int] = []
        while start < self.end and len(starts) < limit:
            starts.append(start)
            start += self.width
        return starts, (start if start < self.end else None)

    def cursor(self, page: str | None) -> int | None:
        """The bucket start a ``page`` token resumes at; 400 when it is not one of ours."""
        if page is None:
            return None
        try:
            if not page.startswith("page_"):
                raise ValueError(page)
            # An unencoded "+" in a query string arrives as a space.
            body = page[5:].replace(" ", "+")
            text = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
            start = parse_time(text.decode("ascii"), "page")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid("page: not a cursor this API returned.") from None
        if (start - self.first) % self.width or not self.first <= start < self.end:
            raise invalid("page: the cursor does not belong to this report's time range.")
        return start


def next_page(start: int | None) -> str | None:
    if start is None:
        return None
    return "page_" + base64.b64encode(show_time(start).encode("ascii")).decode("ascii")


def bucket_width(query: Query, allowed: tuple[str, ...]) -> str:
    raw = query.one("bucket_width")
    width = "1d" if raw is None else raw
    if width not in allowed:
        raise invalid(f"bucket_width: must be one of {', '.join(allowed)}, got {raw!r}.")
    return width


def limit(query: Query, width: str, limits: tuple[int, int] | None = None) -> int:
    """Buckets per page: the width's default, or a value within its range (else 400)."""
    default, most = limits or LIMITS[width]
    raw = query.one("limit")
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,7}", raw) or not 1 <= int(raw) <= most:
        raise invalid(
            f"limit: must be an integer from 1 to {most} for bucket_width {width}, got {raw!r}."
        )
    return int(raw)


def window(query: Query, width: str, now: int) -> Window:
    """The request's window: ``starting_at`` floored to ``width``, ``ending_at`` or now."""
    raw_start = query.one("starting_at")
    if raw_start is None:
        raise invalid("starting_at: Field required.")
    start = parse_time(raw_start, "starting_at")
    raw_end = query.one("ending_at")
    end = now if raw_end is None else parse_time(raw_end, "ending_at")
    if end <= start:
        if raw_end is None:
            raise invalid("starting_at: must be in the past when ending_at is omitted.")
        raise invalid("ending_at: must be after starting_at.")
    seconds = WIDTHS[width]
    return Window(seconds, start - start % seconds, end)
