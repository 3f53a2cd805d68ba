"""The obvious alternative to claude-policy: a plain script over the official SDK.

    ANTHROPIC_ADMIN_API_KEY=… python benchmarks/sdk_script.py BASE_URL DESIRED.json

``DESIRED.json`` maps member emails to monthly caps in cents (``{"a@x.com": "20000"}``).
Written the way a competent engineer would, without claude-policy:

* ``anthropic.Anthropic(base_url=…, api_key=…)`` with the SDK's defaults — two retries
  (three attempts) on 408/409/429/5xx and connection errors, honouring ``retry-after``;
  no pacing of its own (the SDK has none);
* reads with the auto-paginating listings at the largest page, ``limit=1000``: every
  member (``organization.users.list``) and every configured ``user`` row
  (``beta.organization.spend_limits.list(scope_type=["user"])``) — two requests for an
  organization of up to 1000 members and 1000 overrides;
* diffs before writing: one ``beta.organization.spend_limits.set`` per member whose
  monthly row is missing or differs, nothing for the rest; unknown emails are reported;
* a failed write (after the SDK's retries) is counted and the script carries on.

It prints one JSON object on stdout: ``requests`` and ``status_429`` (every HTTP response
it received, retries included, seen by an httpx response hook), ``writes``, ``failures``,
``unknown``, ``seconds``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import anthropic
import httpx


def main() -> None:
    base_url, desired_path = sys.argv[1], Path(sys.argv[2])
    desired: dict[str, str] = json.loads(desired_path.read_text("utf-8"))
    statuses: Counter[int] = Counter()

    def seen(response: httpx.Response) -> None:
        statuses[response.status_code] += 1

    began = time.perf_counter()
    client = anthropic.Anthropic(
        api_key=os.environ["ANTHROPIC_ADMIN_API_KEY"],
        base_url=base_url,
        http_client=anthropic.DefaultHttpxClient(event_hooks={"response": [seen]}, trust_env=False),
    )
    members = {u.email.lower(): u.id for u in client.organization.users.list(limit=1000)}
    current: dict[str, str | None] = {}
    for row in client.beta.organization.spend_limits.list(limit=1000, scope_type=["user"]):
        user_id = getattr(row.scope, "user_id", None)
        if user_id and row.period == "monthly":
            current[user_id] = row.amount

    writes = failures = 0
    unknown = []
    for email, amount in sorted(desired.items()):
        user_id = members.get(email.lower())
        if user_id is None:
            unknown.append(email)
            continue
        if user_id in current and current[user_id] == amount:
            continue
        writes += 1
        try:
            client.beta.organization.spend_limits.set(
                amount=amount, scope={"type": "user", "user_id": user_id}, period="monthly"
            )
        except anthropic.APIError as error:
            failures += 1
            print(f"{email}: {type(error).__name__}: {error}", file=sys.stderr)
    result = {
        "requests": sum(statuses.values()),
        "status_429": statuses.get(429, 0),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "writes": writes,
        "failures": failures,
        "unknown": unknown,
        "seconds": time.perf_counter() - began,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
