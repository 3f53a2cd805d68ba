"""The seed's ``generate:`` section: large organizations from a few numbers (SPEC §8).

* ``users: N`` — members ``user00001@example.com`` … (``User 00001`` …), role ``user``;
  in Enterprise orgs seat tiers alternate ``enterprise_standard`` (odd numbers, so
  ``user00001``) and ``enterprise_premium`` (even numbers).
* ``user_overrides: K`` — a monthly ``user`` limit on generated members 1…K, with amount
  ``10000 + 100 × (i mod 50)`` where ``i`` is the member's 1-based number.
* ``workspaces: N`` — active workspaces ``ws-001`` …, unrestricted / global, no tags.
* ``usage_days: D`` — usage rows for every active workspace, the default one included
  (number ``w``: 0 for the default workspace, then 1, 2, … in creation order), on each
  of the ``D`` days before today (``date: -d`` for ``d`` = 1 … D, at 12:00 UTC), standard
  tier, across two models and both geos:

  - ``claude-sonnet-4-6`` (geo-capable), ``global``: input ``100000 × (1 + (w + d) mod 5)``,
    output input ÷ 5, cache reads input ÷ 2;
  - ``claude-sonnet-4-6``, ``us``: input ``50000 × (1 + (w + d) mod 3)``, output input ÷ 5;
  - ``claude-haiku-4-5`` (older, ``not_available``): input ``200000 × (1 + (w + d) mod 4)``,
    output input ÷ 4.

The entries produced are ordinary seed entries, added after the seed's own.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.seed_build import Builder
from reconciler.emulator.store import Store

GEO_MODEL = "claude-sonnet-4-6"
OLDER_MODEL = "claude-haiku-4-5"


def _count(data: dict[str, Any], name: str) -> int:
    value: int = data.get("generate", {}).get(name, 0)
    return value


def email(number: int) -> str:
    return f"user{number:05d}@example.com"


def users(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    entries = []
    for number in range(1, _count(data, "users") + 1):
        entry = {"email": email(number), "name": f"User {number:05d}", "role": "user"}
        if kind == "enterprise":
            entry["seat_tier"] = "enterprise_standard" if number % 2 else "enterprise_premium"
        entries.append(entry)
    return entries


def overrides(builder: Builder, data: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = _count(data, "user_overrides")
    if wanted > _count(data, "users"):
        raise builder.error(
            ["generate", "user_overrides"], "cannot be more than the generated users"
        )
    return [
        {
            "scope": {"type": "user", "email": email(number)},
            "period": "monthly",
            "amount": str(10000 + 100 * (number % 50)),
        }
        for number in range(1, wanted + 1)
    ]


def workspaces(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": f"ws-{number:03d}",
            "data_residency": {
                "allowed_inference_geos": "unrestricted",
                "default_inference_geo": "global",
            },
        }
        for number in range(1, _count(data, "workspaces") + 1)
    ]


def usage(store: Store, days: int) -> list[dict[str, Any]]:
    """Usage rows for ``generate: usage_days`` (see the module docstring)."""
    active = sorted(
        (w for w in store.workspaces.values() if w.archived_at is None),
        key=lambda w: (not w.is_default, w.seq),
    )
    rows: list[dict[str, Any]] = []
    for number, workspace in enumerate(active):
        for day in range(1, days + 1):
            where = {"date": -day, "workspace_id": workspace.id}
            global_input = 100_000 * (1 + (number + day) % 5)
            us_input = 50_000 * (1 + (number + day) % 3)
            older_input = 200_000 * (1 + (number + day) % 4)
            rows += [
                {
                    **where,
                    "model": GEO_MODEL,
                    "inference_geo": "global",
                    "input_tokens": global_input,
                    "output_tokens": global_input // 5,
                    "cache_read_input_tokens": global_input // 2,
                },
                {
                    **where,
                    "model": GEO_MODEL,
                    "inference_geo": "us",
                    "input_tokens": us_input,
                    "output_tokens": us_input // 5,
                },
                {
                    **where,
                    "model": OLDER_MODEL,
                    "inference_geo": "not_available",
                    "input_tokens": older_input,
                    "output_tokens": older_input // 4,
                },
            ]
    return rows
