"""Proactive pacing: spend the organization's free budget, leave a reserve for others.

The Admin API limits each organization to ``L`` requests a minute per bucket: *admin*
(100, every request) and *spend* (60, the spend-limit and increase-request endpoints,
which count in **both**; admin-api §4).  Every response says, for the tightest bucket it
counted against, ``anthropic-ratelimit-requests-limit`` (``L``), ``-remaining`` (what is
still free, everyone's use counted) and ``-reset`` (when the limiter frees a request).

The rule, per bucket, with ``P`` the share we may use (``--max-api-share``, default 80 %)::

    reserve = ⌈(1 − P) × L⌉                 (at most L − 1: one request is always ours)
    free    = R − (ours sent since the answer that said R)
              + (after -reset: 1, then L per minute — the limiter's average pace)
    a request may go when   free − 1 ≥ reserve

So a fresh minute's ``L − reserve`` (48 of the spend bucket's 60) goes at once, and
afterwards we take each request the limiter frees as long as ``reserve`` stay free for
other clients — whatever they do, because ``R`` counts their use too.  No model of the
server's limiter is assumed beyond what the headers say: a sliding window frees a
request at ``-reset``, a token bucket at ``-reset`` and every ``60/L`` s after; if more
frees, the next answer says so.  Alone we never provoke a 429: we stop with ``reserve``
free and then count only on the one request ``-reset`` promises (the reserve also absorbs
reordering between concurrent requests).  When another client drains the bucket below
the reserve, we wait until the limiter should have freed enough at its average pace,
then send one request and read the answer — at most that one request lands in the
reserve before we know.

Headers describe the tightest bucket a request counted against: an admin request's, the
admin bucket; a spend request's, the bucket whose limit they name (both, while no admin
request has told the admin bucket apart: it has at least as much free).

**No headers** (none yet for a bucket): we assume the configured rate ``N``
(``--admin-rpm`` / ``--spend-rpm``, else 100 and 60) is the limit and that our own
requests of the last 61 s are all that is used — ``free = N − ours`` with the same
reserve, so at most ``⌊P × N⌋`` of ours in any 61 s (60 s windows plus one second for
the time between our release and the server's count).

**Hard caps**: an ``--admin-rpm`` / ``--spend-rpm`` given explicitly (option or env) also
caps our own requests at ``N`` a minute whatever the headers say, counted the way the
API's limiter counts its own "requests a minute" (and the emulator's does): a fresh
minute's ``N`` may go at once, then ``N`` a minute as it refills (a token bucket of ``N``).
Counted as a sliding 60 s window instead, a cap equal to the limit would forbid the
refill the limiter itself allows, and no apply could come near the floor
``(writes − B) ÷ rate`` of SPEC §9.

A 429's ``retry-after`` holds every bucket (:meth:`Pacer.hold`).

Time comes from the injected monotonic ``clock`` (and ``wall`` for the RFC 3339 reset
header); waiting happens outside the lock with the injected ``sleep`` and the decision
is re-taken after it, so tests drive everything with a fake clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from reconciler.ratebudget import DEFAULT_SHARE, apply_seconds, reserve_for

__all__ = [
    "ADMIN",
    "DEFAULT_SHARE",
    "SPEND",
    "WINDOW_SECONDS",
    "Pacer",
    "Ticket",
    "apply_seconds",
    "parse_rfc3339",
    "reserve_for",
]

ADMIN = "admin"
SPEND = "spend"

WINDOW_SECONDS = 60.0
# Slack between "released by us" and "counted by the server" for windows we count
# ourselves (scheduling, connection set-up, latency jitter).
SLACK_SECONDS = 1.0
OWN_WINDOW = WINDOW_SECONDS + SLACK_SECONDS
# Sent this long after the server's reset moment: rounding of the header's microseconds.
RESET_MARGIN = 0.002
# Never hold longer than this on a server's say-so (a wrong clock or header must not
# freeze a run); any limiter frees a request within a minute.
MAX_HOLD_SECONDS = 61.0

LIMIT_HEADER = "anthropic-ratelimit-requests-limit"
REMAINING_HEADER = "anthropic-ratelimit-requests-remaining"
RESET_HEADER = "anthropic-ratelimit-requests-reset"


def parse_rfc3339(value: str) -> float | None:
    """Seconds since the epoch for an RFC 3339 timestamp, or None if unreadable.

    Python 3.10's ``fromisoformat`` takes neither ``Z`` nor more than six fractional
    digits, so both are normalised first.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + (rest[:digits] + "000000")[:6] + rest[digits:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


@dataclass(frozen=True)
class Ticket:
    """One released request: its group, its sequence number in each bucket it counts
    in, and the seconds it waited.  Hand it back to :meth:`Pacer.observe`."""

    group: str
    seqs: tuple[tuple[str, int], ...]
    waited: float = 0.0


@dataclass
class _Bucket:
    rate: float  # configured requests/minute: the assumed limit without headers
    cap: float | None  # explicit hard cap on our own requests a minute (a token bucket)
    limit: float | None = None  # the server's, from the last answer
    remaining: int = 0
    seen: int = 0  # sequence number of the request that answer was for; 0: none
    reset: float | None = None  # monotonic moment the server frees a request
    observed_at: float = -math.inf
    sent: int = 0  # sequence number of our latest release
    # Released, no answer yet (seq → release time).  Forgotten after OWN_WINDOW, so a
    # request whose answer never reached observe() cannot hold budget for ever.
    inflight: dict[int, float] = field(default_factory=dict)
    recent: deque[float] = field(default_factory=deque)  # our releases, last OWN_WINDOW
    cap_tokens: float | None = None  # the cap's bucket: requests it allows now
    cap_at: float = 0.0  # when cap_tokens was last brought up to date

    def _cap_tokens(self, now: float) -> float:
        """The cap's bucket refilled to ``now`` (full at the first request)."""
        assert self.cap is not None
        if self.cap_tokens is None:
            self.cap_tokens, self.cap_at = self.cap, now
        refill = (now - self.cap_at) * self.cap / WINDOW_SECONDS
        self.cap_tokens = min(self.cap, self.cap_tokens + max(refill, 0.0))
        self.cap_at = max(self.cap_at, now)
        return self.cap_tokens

    def _cap_ready(self, now: float) -> float:
        """Earliest moment the cap's bucket holds a whole request."""
        tokens = self._cap_tokens(now)
        return now if tokens >= 1.0 else now + (1.0 - tokens) * WINDOW_SECONDS / self.cap_rate

    @property
    def cap_rate(self) -> float:
        return self.cap if self.cap is not None else math.inf

    def _window(self) -> float:
        # Below one request a minute the window stretches so that one request fits.
        return OWN_WINDOW * max(1.0, 1.0 / self.rate)

    def _prune(self, now: float) -> None:
        horizon = now - self._window()
        while self.recent and self.recent[0] <= horizon:
            self.recent.popleft()
        for seq in [s for s, at in self.inflight.items() if at <= horizon]:
            del self.inflight[seq]

    def _own_slot(self, now: float, allowed: int) -> float:
        """Earliest moment fewer than ``allowed`` of our releases are in our window
        (``recent`` holds exactly those, oldest first, once pruned)."""
        if len(self.recent) < allowed:
            return now
        return self.recent[-allowed] + self._window()

    def current_limit(self) -> float:
        return self.rate if self.limit is None else self.limit

    def earliest(self, now: float, share: float) -> float:
        """The earliest moment a request of this bucket may be released."""
        self._prune(now)
        moment = now
        if self.cap is not None:
            moment = max(moment, self._cap_ready(now))
        if self.limit is None:
            # No answer has described this bucket: the configured rate is the limit,
            # and our own requests are all we can count.
            assumed = max(math.floor(self.rate), 1)
            usable = assumed - reserve_for(assumed, share)
            return max(moment, self._own_slot(now, usable))
        limit = self.limit
        reserve = reserve_for(limit, share)
        unseen = (self.sent - self.seen) + sum(1 for s in self.inflight if s < self.seen)
        need = reserve + 1 - (min(self.remaining, math.floor(limit)) - unseen)
        if need <= 0:
            return moment
        step = WINDOW_SECONDS / max(limit, 1.0)
        if self.reset is not None:
            ready = self.reset + RESET_MARGIN + (need - 1) * step
        else:
            ready = self.observed_at + need * step
        return max(moment, min(ready, self.observed_at + MAX_HOLD_SECONDS))

    def usable_now(self, now: float, share: float) -> int:
        """Requests this bucket would release at once now (before any answer to them)."""
        self._prune(now)
        if self.limit is None:
            assumed = max(math.floor(self.rate), 1)
            usable = assumed - reserve_for(assumed, share) - len(self.recent)
        else:
            unseen = (self.sent - self.seen) + sum(1 for s in self.inflight if s < self.seen)
            freed = 0
            if self.reset is not None and now >= self.reset:
                freed = 1 + math.floor((now - self.reset) * self.limit / WINDOW_SECONDS)
            free = min(self.remaining + freed, math.floor(self.limit)) - unseen
            usable = free - reserve_for(self.limit, share)
        if self.cap is not None:
            usable = min(usable, math.floor(self._cap_tokens(now)))
        return max(usable, 0)

    def take(self, now: float) -> int:
        if self.cap is not None:
            self._cap_tokens(now)
            self.cap_tokens = (self.cap_tokens or 0.0) - 1.0
        self.sent += 1
        self.inflight[self.sent] = now
        self.recent.append(now)
        return self.sent


class Pacer:
    """The ``admin`` and ``spend`` buckets of one organization (thread-safe).

    ``acquire(group)`` blocks until a request of that group may go and returns its
    :class:`Ticket`; ``observe(ticket, headers)`` reads the answer's rate-limit headers
    (call it for every released request, with ``{}`` when no answer came).
    """

    def __init__(
        self,
        admin_rpm: float = 100.0,
        spend_rpm: float = 60.0,
        *,
        share: float = DEFAULT_SHARE,
        admin_cap: float | None = None,
        spend_cap: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if not (admin_rpm > 0 and spend_rpm > 0):
            raise ValueError("rates must be positive")
        if not 0 < share <= 1:
            raise ValueError("the share must be above 0 and at most 1")
        for cap in (admin_cap, spend_cap):
            if cap is not None and not cap > 0:
                raise ValueError("caps must be positive")
        self.share = share
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._lock = threading.Lock()
        self._buckets = {
            ADMIN: _Bucket(admin_rpm, admin_cap),
            SPEND: _Bucket(spend_rpm, spend_cap),
        }
        self._not_before = -math.inf  # a 429's retry-after, for every bucket

    def limit(self, group: str) -> float:
        """Requests a minute of a bucket: the server's limit once an answer said it,
        else the configured rate."""
        with self._lock:
            return self._buckets[group].current_limit()

    def _names(self, group: str) -> tuple[str, ...]:
        if group == SPEND:
            return (SPEND, ADMIN)
        if group == ADMIN:
            return (ADMIN,)
        raise ValueError(f"unknown rate-limit group {group!r}")

    def acquire(self, group: str) -> Ticket:
        names = self._names(group)
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                ready = max(
                    self._not_before,
                    *(self._buckets[n].earliest(now, self.share) for n in names),
                )
                if ready <= now:
                    seqs = tuple((n, self._buckets[n].take(now)) for n in names)
                    return Ticket(group, seqs, waited)
            self._sleep(ready - now)
            waited += ready - now

    def observe(self, ticket: Ticket, headers: Mapping[str, str]) -> None:
        """Read the rate-limit headers of the answer to ``ticket`` (none is fine).

        They describe the tightest bucket the request counted against: for an admin
        request the admin bucket; for a spend request whichever bucket has the limit
        they name (both when the two limits are equal).
        """
        limit = _int_header(headers, LIMIT_HEADER)
        remaining = _int_header(headers, REMAINING_HEADER)
        reset_raw = headers.get(RESET_HEADER)
        with self._lock:
            now = self._clock()
            for name, seq in ticket.seqs:
                self._buckets[name].inflight.pop(seq, None)
            if remaining is None or limit is None or limit < 1:
                return
            reset = None
            if reset_raw:
                moment = parse_rfc3339(reset_raw)
                if moment is not None:
                    reset = now + min(max(moment - self._wall(), 0.0), MAX_HOLD_SECONDS)
            for name in self._described(ticket.group, limit):
                bucket = self._buckets[name]
                seq = dict(ticket.seqs)[name]
                if seq <= bucket.seen:
                    continue  # an older answer than the one we know
                bucket.limit = float(limit)
                bucket.remaining = remaining
                bucket.seen = seq
                bucket.reset = reset
                bucket.observed_at = now

    def _described(self, group: str, limit: int) -> tuple[str, ...]:
        if group == ADMIN:
            return (ADMIN,)
        admin, spend = self._buckets[ADMIN].limit, self._buckets[SPEND].limit
        if admin is None or admin == spend == limit:
            # Nothing yet about the admin bucket (or no telling the two apart): it has
            # at least as much free as the tightest one, so this answer bounds it too.
            return (SPEND, ADMIN)
        if admin == limit:
            return (ADMIN,)
        return (SPEND,)

    def seconds_for(self, requests: Mapping[str, int]) -> float:
        """How long the pacing needs to release ``requests`` more (per bucket name; spend
        requests counted in both): what each bucket has free now goes at once, the rest
        at its limit a minute.  For estimates and progress lines."""
        with self._lock:
            now = self._clock()
            seconds = 0.0
            for name, count in requests.items():
                bucket = self._buckets[name]
                limit = max(bucket.current_limit(), 1.0)
                usable = bucket.usable_now(now, self.share)
                seconds = max(seconds, max(count - usable, 0) * WINDOW_SECONDS / limit)
            return seconds

    def hold(self, seconds: float) -> None:
        """Let no request of any group go for ``seconds`` (a 429's ``retry-after``)."""
        seconds = min(max(seconds, 0.0), MAX_HOLD_SECONDS)
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)
