"""The seed's ``generate:`` section: large organizations from a few numbers (SPEC §8).

* ``users: N`` — members ``user00001@example.com`` … (``User 00001`` …), role ``user``;
  in Enterprise orgs seat tiers alternate ``enterprise_standard`` (odd numbers, so
  ``user00001``) and ``enterprise_premium`` (even numbers).
* ``user_overrides: K`` — a monthly ``user`` limit on generated members 1…K, with amount
  ``10000 + 100 × (i mod 50)`` where ``i`` is the member's 1-based number.
* ``workspaces: N`` — active workspaces ``ws-001`` …, unrestricted / global, no tags.
* ``usage_days`` — kept for the usage and cost reports.

The entries produced are ordinary seed entries, added after the seed's own.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.seed_build import Builder


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
