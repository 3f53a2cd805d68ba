"""The policy language: load YAML policy files, validate them, resolve them against the
live organization — recording where every value came from.

    load(paths)                  → Policy          (raises PolicyError with every problem)
    check(paths)                 → Checked         (the same, without raising: validate)
    needs(policy)                → ReadNeeds       (what the live read must fetch)
    resolve(policy, snapshot)    → Desired         (pure; raises PolicyError)

Modules: ``files`` (finding, reading, digest), ``yamlparse`` and ``located`` (YAML →
located values), ``schema`` (JSON Schema → located problems), ``amounts``, ``semantics``
(checks beyond the schema), ``build`` (merging files), ``model`` (the Policy),
``rules``, ``needs``, ``resolve``.  Nothing here prints or imports click.
"""

from reconciler.policy.amounts import Amount
from reconciler.policy.files import MAX_FILE_BYTES
from reconciler.policy.loader import DEFAULT_PATHS, Checked, check, load
from reconciler.policy.located import Mapping, Mark, Node, Scalar, Sequence
from reconciler.policy.model import (
    Field,
    LimitEntry,
    Policy,
    UserRule,
    WorkspaceEntry,
    WorkspaceRule,
)
from reconciler.policy.needs import needs
from reconciler.policy.resolve import DEFAULT_SOURCE, resolve
from reconciler.policy.yamlparse import MAX_ALIAS_NODES, MAX_DEPTH

__all__ = [
    "DEFAULT_PATHS",
    "DEFAULT_SOURCE",
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Amount",
    "Checked",
    "Field",
    "LimitEntry",
    "Mapping",
    "Mark",
    "Node",
    "Policy",
    "Scalar",
    "Sequence",
    "UserRule",
    "WorkspaceEntry",
    "WorkspaceRule",
    "check",
    "load",
    "needs",
    "resolve",
]
