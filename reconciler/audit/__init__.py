"""Audit: does real usage keep to the policy's residency rules? (SPEC §7b)

For every workspace the policy holds to US-only inference (``allowed_inference_geos:
[us]``, by an entry or a rule), the last N whole days of the Usage & Cost reports are
sorted into

* **violations** — usage that ran with ``inference_geo: global`` (tokens and cost, by
  model and day): the audit fails (exit 2);
* **warnings** — usage on models that cannot be pinned to a geo (``not_available``:
  Claude 4.5 and older), which only a model upgrade can move;
* **configuration drift** — live residency settings other than ``[us]`` / ``us``.

Modules: :mod:`.held` (which workspaces the policy holds), :mod:`.findings` (sorting
report rows), :mod:`.report` (the versioned document), :mod:`.render` (text, JSON,
Markdown).  The pipeline that reads the API is :func:`reconciler.workflow.audit_policy`.
Nothing here prints, imports click or sends a request.
"""

from reconciler.audit.findings import Findings, collect
from reconciler.audit.held import HeldWorkspace, held_workspaces, residency_view
from reconciler.audit.report import AuditReport

__all__ = [
    "AuditReport",
    "Findings",
    "HeldWorkspace",
    "collect",
    "held_workspaces",
    "residency_view",
]
