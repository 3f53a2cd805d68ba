"""Drift acknowledgements (``drift --ack FILE``, SPEC §7).

```yaml
acknowledgements:
  - address: "spend_limit:seat_tier:*"     # fnmatch glob over addresses
    reason: "tier caps move to claude.ai next quarter"
    expires: 2027-01-31                    # valid through the end of that UTC day
```
Every problem in the file is reported at once, located, as for policies.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from reconciler.errors import PolicyError, Problem
from reconciler.policy.files import display_path
from reconciler.policy.located import Mapping, Mark, Node, Scalar, Sequence
from reconciler.policy.yamlparse import parse
from reconciler.readfile import UnreadableFile, read_bounded

MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class Ack:
    address: str  # glob
    reason: str
    expires: date
    mark: Mark

    def expired(self, now: datetime) -> bool:
        end = datetime(self.expires.year, self.expires.month, self.expires.day, tzinfo=timezone.utc)
        return now >= end + timedelta(days=1)

    def matches(self, address: str) -> bool:
        return fnmatch.fnmatchcase(address, self.address)

    def to_json(self) -> dict[str, str]:
        """The JSON form."""
        return {
            "address": self.address,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "declared_at": f"{self.mark.file}:{self.mark.line}",
        }


def load_acks(path: str | Path) -> list[Ack]:
    """Read an acknowledgements file; every problem in it is reported at once, located."""
    name = display_path(path)
    try:
        data = read_bounded(path, MAX_BYTES)
    except UnreadableFile as e:
        reason = "file too large (over 1 MiB)" if e.size is not None else f"cannot read: {e.reason}"
        raise PolicyError([Problem(name, 1, 1, reason)]) from None
    parsed = parse(data, name)
    problems = list(parsed.problems)
    acks: list[Ack] = []
    root = parsed.root
    if not problems:
        items = _items(root, name, problems)
        for index, node in enumerate(items):
            ack = _ack(node, f"acknowledgements[{index}]", problems)
            if ack is not None:
                acks.append(ack)
    if problems:
        raise PolicyError(problems)
    return acks


def _items(root: Node | None, name: str, problems: list[Problem]) -> list[Node]:
    if root is None:
        return []
    if not isinstance(root, Mapping):
        problems.append(_at(root.mark, "expected a mapping with `acknowledgements:`", ""))
        return []
    for key, knode, _ in root.items():
        if key != "acknowledgements":
            problems.append(
                _at(knode.mark, f"unknown key `{key}`", key, "expected `acknowledgements`")
            )
    seq = root.get("acknowledgements")
    if seq is None:
        return []
    if not isinstance(seq, Sequence):
        problems.append(_at(seq.mark, "`acknowledgements` must be a list", "acknowledgements"))
        return []
    return seq.items


def _ack(node: Node, path: str, problems: list[Problem]) -> Ack | None:
    if not isinstance(node, Mapping):
        problems.append(_at(node.mark, "an acknowledgement must be a mapping", path))
        return None
    found = len(problems)
    for key, knode, _ in node.items():
        if key not in ("address", "reason", "expires"):
            problems.append(
                _at(
                    knode.mark,
                    f"unknown key `{key}`",
                    f"{path}.{key}",
                    "expected address, reason, expires",
                )
            )
    address = _text(node, "address", path, problems)
    reason = _text(node, "reason", path, problems)
    expires_node = node.get("expires")
    expires: date | None = None
    if expires_node is None:
        problems.append(_at(node.mark, "missing `expires` (a date: YYYY-MM-DD)", f"{path}.expires"))
    elif isinstance(expires_node, Scalar) and isinstance(expires_node.value, date):
        expires = expires_node.value
    else:
        problems.append(
            _at(expires_node.mark, "`expires` must be a date (YYYY-MM-DD)", f"{path}.expires")
        )
    if len(problems) > found or address is None or reason is None or expires is None:
        return None
    return Ack(address, reason, expires, node.mark)


def _text(node: Mapping, key: str, path: str, problems: list[Problem]) -> str | None:
    value = node.get(key)
    if value is None:
        problems.append(_at(node.mark, f"missing `{key}`", f"{path}.{key}"))
        return None
    if not isinstance(value, Scalar) or not isinstance(value.value, str) or not value.value.strip():
        problems.append(_at(value.mark, f"`{key}` must be non-empty text", f"{path}.{key}"))
        return None
    return value.value


def _at(mark: Mark, message: str, path: str, hint: str | None = None) -> Problem:
    return Problem(mark.file, mark.line, mark.column, message, path, hint)
