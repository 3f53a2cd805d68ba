"""A small Console org with hand-countable usage, for the usage and cost report tests.

The fake clock stands at 2026-10-28T00:00:00Z (``FakeClock``'s default).  Usage, by day
(input tokens are all different, so a sum of them names the rows it came from):

=========== ========= ================= ======== ========== =========== =====================
day         workspace model             geo      tier       input       other
=========== ========= ================= ======== ========== =========== =====================
10-20 12:00 claims    claude-opus-4-6   global*  standard   1,000,000   output 200,000
10-20 12:00 portal    claude-opus-4-6   us*      batch      2,000,000   output 100,000
10-20 03:07 (default) claude-haiku-4-5  n/a*     standard     300,000   output 30,000, Workbench
10-21 12:00 claims    claude-sonnet-4-5 n/a*     standard     500,000   cache r/5m/1h, 7 searches
10-21 12:00 claims    claude-opus-4-6   us       priority         999   output 1
10-22 12:00 portal    claude-opus-4-6   us*      standard           3   output 7, 200k-1M, fast,
                                                                        account, service account
=========== ========= ================= ======== ========== =========== =====================

(* = the default the emulator fills in.)  Costs in cents, by day: 10-20 1732.5 (claims
1000, portal 687.5, default 45); 10-21 254.5 (the priority row is not billed); 10-22
0.0209.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reconciler.emulator import FakeClock, Options, seed_from_text
from tests.emulator.conftest import ORG, Api, make_api

KEY = "sk-ant-admin01-usage-key"
USAGE = f"{ORG}/usage_report/messages"
COST = f"{ORG}/cost_report"
FAST = {"anthropic-beta": "fast-mode-2026-02-01"}
NOW = 1_793_145_600  # 2026-10-28T00:00:00Z

SEED = """
organization: {name: Usage Org, kind: console}
admin_keys: [{key: sk-ant-admin01-usage-key}]
workspaces:
  - {name: claims}
  - {name: portal, data_residency: {allowed_inference_geos: [us], default_inference_geo: us}}
usage:
  - {date: 2026-10-20, workspace: claims, model: claude-opus-4-6,
     input_tokens: 1000000, output_tokens: 200000}
  - {date: 2026-10-20, workspace: portal, model: claude-opus-4-6, service_tier: batch,
     input_tokens: 2000000, output_tokens: 100000}
  - {date: 2026-10-20, hour: 3, minute: 7, model: claude-haiku-4-5, api_key_id: null,
     input_tokens: 300000, output_tokens: 30000}
  - {date: 2026-10-21, workspace: claims, model: claude-sonnet-4-5,
     input_tokens: 500000, output_tokens: 0, cache_read_input_tokens: 1000000,
     cache_creation_5m_input_tokens: 100000, cache_creation_1h_input_tokens: 50000,
     web_search_requests: 7}
  - {date: 2026-10-21, workspace: claims, model: claude-opus-4-6, inference_geo: us,
     service_tier: priority, input_tokens: 999, output_tokens: 1}
  - {date: 2026-10-22, workspace: portal, model: claude-opus-4-6, context_window: 200k-1M,
     speed: fast, account_id: user_abc, service_account_id: svcacct_1,
     input_tokens: 3, output_tokens: 7}
prices:
  claude-opus-4-6: {input: "5", output: "25"}
"""


def usage_api(text: str = SEED, now: float = NOW, options: Options | None = None) -> Api:
    """An emulator on ``text`` with its fake clock at ``now``."""
    return make_api(
        seed_from_text(text),
        KEY,
        options or Options(control=True, rate_scale=1000),
        FakeClock(now),
    )


def workspace_ids(api: Api) -> dict[str, str]:
    """Workspace name → id, the default workspace as ``Default``."""
    listed = api.get(f"{ORG}/workspaces", params={"include_default": "true"}).json()["data"]
    return {w["name"]: w["id"] for w in listed}


def pages(api: Api, path: str, params: dict[str, Any], **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every page of a report, following ``next_page``."""
    query = dict(params)
    while True:
        response = api.get(path, params=query, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        yield body
        if not body["has_more"]:
            assert body["next_page"] is None
            return
        query["page"] = body["next_page"]


def buckets(api: Api, path: str, params: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    return [bucket for body in pages(api, path, params, **kwargs) for bucket in body["data"]]


def results(api: Api, path: str, params: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    return [r for bucket in buckets(api, path, params, **kwargs) for r in bucket["results"]]


def input_total(api: Api, params: dict[str, Any], **kwargs: Any) -> int:
    """Uncached input tokens of every result of a usage report over the seed's days."""
    window = {"starting_at": "2026-10-19T00:00:00Z", "ending_at": "2026-10-23T00:00:00Z"}
    return sum(
        r["uncached_input_tokens"] for r in results(api, USAGE, {**window, **params}, **kwargs)
    )
