"""The public surface of reconciler.policy: a checked ``__all__``."""

from __future__ import annotations

import inspect

import reconciler.policy as policy


def test_all_names_exist_and_are_sorted() -> None:
    assert policy.__all__ == sorted(policy.__all__, key=lambda n: (not n.isupper(), n))
    for name in policy.__all__:
        assert hasattr(policy, name), name


def test_every_public_name_is_listed() -> None:
    public = {
        name
        for name, value in vars(policy).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(policy.__all__)


def test_signatures() -> None:
    assert str(inspect.signature(policy.load)) == (
        "(paths: 'Sequence[str | Path]' = ('policies',)) -> 'Policy'"
    )
    assert str(inspect.signature(policy.resolve)) == (
        "(policy: 'Policy', snapshot: 'Snapshot', *, skip_unknown_users: 'bool' = False) "
        "-> 'Desired'"
    )
    assert str(inspect.signature(policy.needs)) == "(policy: 'Policy') -> 'ReadNeeds'"


def test_core_never_prints_nor_imports_click() -> None:
    import pathlib

    for path in pathlib.Path(policy.__file__).parent.glob("*.py"):
        text = path.read_text()
        assert "import click" not in text and "print(" not in text, path
