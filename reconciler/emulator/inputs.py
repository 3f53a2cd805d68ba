"""Reading a request's query and JSON body the way the API does (decisions 5, 13, 14).

Every problem is a 400 ``invalid_request_error`` naming the parameter or field.
Unknown query parameters are ignored; unknown body fields are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from reconciler.emulator.errors import invalid

MAX_LIMIT = 1000
AMOUNT_RE = re.compile(r"^(0|[1-9][0-9]{0,14})$")


class Query:
    """A request's query string: repeated keys kept, arrays named with brackets."""

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self.items = list(items)

    def one(self, name: str) -> str | None:
        for key, value in self.items:
            if key == name:
                return value
        return None

    def limit(self, default: int = 20) -> int:
        raw = self.one("limit")
        if raw is None:
            return default
        if not re.fullmatch(r"[0-9]{1,7}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
            raise invalid(f"limit: must be an integer from 1 to {MAX_LIMIT}, got {raw!r}.")
        return int(raw)

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self.one(name)
        if raw is None:
            return default
        if raw not in ("true", "false"):
            raise invalid(f"{name}: must be true or false, got {raw!r}.")
        return raw == "true"

    def array(
        self,
        name: str,
        cap: int,
        allowed: Iterable[str] | None = None,
        distinct: bool = False,
    ) -> list[str]:
        """Values of ``name[]`` (at most ``cap``; each in ``allowed`` when given)."""
        values = [v for k, v in self.items if k == name + "[]"]
        if len(values) > cap:
            raise invalid(f"{name}[]: at most {cap} values, got {len(values)}.")
        if allowed is not None:
            permitted = tuple(allowed)
            for value in values:
                if value not in permitted:
                    raise invalid(f"{name}[]: {value!r} is not one of {', '.join(permitted)}.")
        if distinct and len(set(values)) != len(values):
            raise invalid(f"{name}[]: values must be distinct.")
        return values


def check_fields(body: dict[str, Any], allowed: Iterable[str], where: str = "") -> None:
    """400 for any key of ``body`` not in ``allowed``."""
    known = set(allowed)
    for key in body:
        if key not in known:
            raise invalid(f"{where}{key}: Extra inputs are not permitted.")


def require(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise invalid(f"{name}: Field required.")
    return body[name]


def string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise invalid(f"{name}: must be a string.")
    return value


def optional_string(value: Any, name: str) -> str | None:
    return None if value is None else string(value, name)


def boolean(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(f"{name}: must be a boolean.")
    return value


def obj(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(f"{name}: must be an object.")
    return value


def amount(value: Any, name: str = "amount", nullable: bool = True) -> str | None:
    """A minor-unit amount: a JSON string matching ``^(0|[1-9][0-9]{0,14})$`` (rule 31)."""
    if value is None:
        if nullable:
            return None
        raise invalid(f"{name}: must not be null here.")
    if not isinstance(value, str) or not AMOUNT_RE.fullmatch(value):
        raise invalid(
            f"{name}: must be a non-negative integer string in minor units with at most "
            f'15 digits and no leading zeros (e.g. "50000"), got {value!r}.'
        )
    return value


def period(value: Any, allowed: Sequence[str], name: str = "period") -> str:
    if value not in allowed:
        raise invalid(f"{name}: must be one of {', '.join(allowed)}, got {value!r}.")
    return str(value)
