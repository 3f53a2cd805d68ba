"""The live organization: what it looks like, and how it is read.

* :mod:`.model` — :class:`Snapshot` and the live objects (the API's representation);
* :mod:`.convert` — API objects → live objects (used by the reader and apply's re-read);
* :mod:`.organization` — the one check that the key belongs to the policy's organization;
* :mod:`.reader` — :func:`~reconciler.live.reader.read_snapshot`, the live state with the
  fewest requests, over :class:`~reconciler.adminapi.AdminClient`.

The model is re-exported here; the reader is imported from its module (it brings in the
HTTP client, which the policy and planner layers never need).
"""

from reconciler.live.model import (
    RESIDENCY_DEFAULTS,
    Effective,
    LiveGroup,
    LiveLimit,
    LiveMember,
    LiveWorkspace,
    ReadNeeds,
    Snapshot,
)

__all__ = [
    "RESIDENCY_DEFAULTS",
    "Effective",
    "LiveGroup",
    "LiveLimit",
    "LiveMember",
    "LiveWorkspace",
    "ReadNeeds",
    "Snapshot",
]
