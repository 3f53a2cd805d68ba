"""Command-line interface: ``claude-policy <command>``.

The group in :mod:`reconciler.cli.app` loads each command's module only when that command
runs (or when help lists them), so ``--version`` and ``validate`` never import the HTTP
client or the emulator's server stack.
"""

from reconciler.cli.app import main as group
from reconciler.cli.app import run as main

__all__ = ["group", "main"]
