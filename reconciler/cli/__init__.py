"""Command-line interface: ``claude-policy <command>``.

Each command registers itself on :data:`reconciler.cli.app.main` when its module is
imported below.
"""

from reconciler.cli import (  # noqa: F401  (each module registers its commands)
    apply,
    audit,
    drift,
    emulator,
    explain,
    import_org,
    plan,
    schema,
    validate,
)
from reconciler.cli.app import main as group
from reconciler.cli.app import run as main

__all__ = ["group", "main"]
