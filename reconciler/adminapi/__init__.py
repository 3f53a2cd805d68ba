"""The Admin API client: one narrow, paced, retrying, redacting client over httpx.

Modules (private by convention; everything public is re-exported here):

* :mod:`.config` — key, base URL, org kind and rates from options and environment;
* :mod:`.redact` — the key never appears in output, logs, messages or reprs;
* :mod:`.pacing` — token buckets for the Admin and Spend rate-limit groups;
* :mod:`.retry` — what may be retried, and how long to wait;
* :mod:`.stats` — counting every request sent, per route and rate-limit group;
* :mod:`.wire` — query encoding and the error envelope;
* :mod:`.pagination` — both cursor styles, defensively;
* :mod:`.models` — tolerant, typed views of API objects;
* :mod:`.reports` — the Usage & Cost reports: queries, bucket paging, tolerant rows;
* :mod:`.client` — :class:`AdminClient`, the typed reads and writes.

Reading the organization as a whole (the live model) is :mod:`reconciler.live`'s job.

The client never imports the emulator: the two sides stay independent.
"""

from reconciler.adminapi.client import (
    ANTHROPIC_VERSION,
    CONSOLE_LIMIT_SCOPES,
    ENTERPRISE_LIMIT_SCOPES,
    SPEND_LIMIT_READS_BETA,
    AdminClient,
)
from reconciler.adminapi.config import (
    DEFAULT_ADMIN_RPM,
    DEFAULT_BASE_URL,
    DEFAULT_SPEND_RPM,
    ClientConfig,
    check_base_url,
    org_kind_for_key,
    resolve_config,
)
from reconciler.adminapi.models import (
    Actor,
    Organization,
    RbacGroup,
    RbacGroupMember,
    Scope,
    SpendLimit,
    SpendSummary,
    User,
    Workspace,
)
from reconciler.adminapi.pacing import ADMIN, SPEND, Pacer, Ticket
from reconciler.adminapi.pagination import Page, id_cursor_pages, opaque_cursor_pages
from reconciler.adminapi.redact import (
    REDACTED,
    RedactingFilter,
    Secret,
    install_log_redaction,
    redact,
    register_secret,
)
from reconciler.adminapi.reports import MAX_BUCKETS, Bucket, CostResult, UsageResult
from reconciler.adminapi.retry import Backoff, Idempotency
from reconciler.adminapi.stats import RequestCounts, RequestStats
from reconciler.errors import ApiError, RequestError, TransportError, UnknownOutcome
from reconciler.ratebudget import DEFAULT_SHARE, apply_seconds, reserve_for

__all__ = [
    "ADMIN",
    "ANTHROPIC_VERSION",
    "CONSOLE_LIMIT_SCOPES",
    "DEFAULT_ADMIN_RPM",
    "DEFAULT_BASE_URL",
    "DEFAULT_SHARE",
    "DEFAULT_SPEND_RPM",
    "ENTERPRISE_LIMIT_SCOPES",
    "MAX_BUCKETS",
    "REDACTED",
    "SPEND",
    "SPEND_LIMIT_READS_BETA",
    "Actor",
    "AdminClient",
    "ApiError",
    "Backoff",
    "Bucket",
    "ClientConfig",
    "CostResult",
    "Idempotency",
    "Organization",
    "Pacer",
    "Page",
    "RbacGroup",
    "RbacGroupMember",
    "RedactingFilter",
    "RequestCounts",
    "RequestError",
    "RequestStats",
    "Scope",
    "Secret",
    "SpendLimit",
    "SpendSummary",
    "Ticket",
    "TransportError",
    "UnknownOutcome",
    "UsageResult",
    "User",
    "Workspace",
    "apply_seconds",
    "check_base_url",
    "id_cursor_pages",
    "install_log_redaction",
    "opaque_cursor_pages",
    "org_kind_for_key",
    "redact",
    "register_secret",
    "reserve_for",
    "resolve_config",
]
