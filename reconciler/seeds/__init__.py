"""The example organizations shipped with the package, for ``emulator --seed NAME``.

``examples/seeds`` in the repository is a link to this folder, so the README's paths and
the bundled names (``console``, ``enterprise``, …) serve the same files.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    """The bundled seeds, by name (the file name without ``.yaml``)."""
    return sorted(p.stem for p in HERE.glob("*.yaml"))


def bundled(name: str) -> Path | None:
    """The bundled seed called ``name`` (``console`` or ``console.yaml``), if there is one."""
    stem = name[: -len(".yaml")] if name.endswith(".yaml") else name
    if "/" in stem or stem not in names():
        return None
    return HERE / f"{stem}.yaml"
