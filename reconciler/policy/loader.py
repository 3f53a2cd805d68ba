"""Loading a policy: find the files, parse, validate, merge — and report every problem.

    discover → read (size bound) → parse (located tree) → schema → build/merge → semantics

:func:`check` returns everything found (for ``claude-policy validate``); :func:`load`
raises :class:`~reconciler.errors.PolicyError` with every error at once.  Neither prints,
touches the network or raises anything else for bad input: whatever is wrong with a file
becomes a located :class:`~reconciler.errors.Problem`.

An empty file (or one holding only comments) is valid and contributes nothing; it still
counts among the files and in the digest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from reconciler.errors import PolicyError, Problem, escape
from reconciler.gcpause import paused
from reconciler.money import is_currency
from reconciler.policy import files as policy_files
from reconciler.policy import schema
from reconciler.policy.build import Builder
from reconciler.policy.located import Mapping, Node, Scalar
from reconciler.policy.located import Sequence as Seq
from reconciler.policy.model import Policy
from reconciler.policy.yamlparse import parse

DEFAULT_PATHS = ("policies",)


@dataclass
class Checked:
    """The outcome of :func:`check`: the policy when there is no error."""

    policy: Policy | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: tuple[str, ...] = ()


def load(paths: Sequence[str | Path] = DEFAULT_PATHS) -> Policy:
    """Load and validate the policy under ``paths``; raise :class:`PolicyError` with every
    problem when anything is wrong."""
    result = check(paths)
    if result.policy is None:
        raise PolicyError(result.errors)
    return result.policy


def check(paths: Sequence[str | Path] | str | Path = DEFAULT_PATHS) -> Checked:
    """Everything :func:`load` finds, without raising."""
    with paused():
        return _check(paths)


def _check(paths: Sequence[str | Path] | str | Path) -> Checked:
    if isinstance(paths, (str, Path)):  # one path given bare: not a sequence of characters
        paths = [paths]
    paths = list(paths) or list(DEFAULT_PATHS)
    errors: list[Problem] = []
    # Whether every file was understood: if not, what seems missing (the organization) may
    # well be in a file that could not be read, and saying so would only add noise.
    read, complete = _read_files(paths, errors)
    documents, parsed_all = _parse_files(read, errors)
    offsets = _rule_offsets(documents)
    for (name, root), offset in zip(documents, offsets, strict=True):
        if root is not None:
            with _guard(name, errors):
                errors.extend(schema.check(root, offset))

    builder = Builder(_declared_currency(documents))
    for (name, root), offset in zip(documents, offsets, strict=True):
        with _guard(name, errors):
            builder.add_file(root, offset)
    names = tuple(f.name for f in read)
    builder.finish(names, complete=complete and parsed_all)
    errors.extend(builder.problems)

    warnings = sorted((_one_line(p) for p in builder.warnings), key=_order)
    errors = sorted(_unique([_one_line(p) for p in errors]), key=_order)
    if errors:
        return Checked(None, errors, warnings, names)
    policy = builder.policy(names, policy_files.digest(read), documents)
    return Checked(policy, [], warnings, names)


def _read_files(
    paths: list[str | Path], errors: list[Problem]
) -> tuple[list[policy_files.PolicyFile], bool]:
    """The policy files under ``paths``, read; and whether every one found could be."""
    default = [str(p) for p in paths] == list(DEFAULT_PATHS)
    found, problems = policy_files.discover(paths, default=default)
    errors.extend(problems)
    if not found and not problems:
        where = policy_files.display_path(paths[0])
        errors.append(Problem(where, 1, 1, "no policy files (*.yaml, *.yml) found"))
    complete = bool(found)
    read: list[policy_files.PolicyFile] = []
    for path in found:
        file, problem = policy_files.read(path)
        if problem is not None:
            errors.append(problem)
            complete = False
        if file is not None:
            read.append(file)
    return read, complete


def _parse_files(
    read: list[policy_files.PolicyFile], errors: list[Problem]
) -> tuple[list[tuple[str, Node | None]], bool]:
    """Each file's located tree (``None`` when empty or unparsable); and whether every
    file parsed into a mapping, as a policy file must."""
    documents: list[tuple[str, Node | None]] = []
    complete = True
    for file in read:
        with _guard(file.name, errors):
            parsed = parse(file.data, file.name)
            errors.extend(parsed.problems)
            documents.append((file.name, parsed.root))
            if parsed.root is None and parsed.problems:
                complete = False  # the file could not be parsed
            if parsed.root is not None and not isinstance(parsed.root, Mapping):
                complete = False  # not a policy file
    return documents, complete


@contextmanager
def _guard(file: str, errors: list[Problem]) -> Iterator[None]:
    """Last line of defence: whatever a file does to the loader becomes a problem located
    in that file, never a traceback."""
    try:
        yield
    except Exception as e:  # reported as a problem, not swallowed
        errors.append(Problem(file, 1, 1, f"cannot process this file: {type(e).__name__}: {e}"))


def _one_line(p: Problem) -> Problem:
    """One problem, one line, shown as written: names and values quoted in messages may
    hold newlines, ANSI escapes or bidirectional overrides (escaped for the JSON form too)."""
    texts = (p.file, p.message, p.path, p.hint or "")
    if all(t.isprintable() for t in texts):
        return p
    hint = escape(p.hint) if p.hint is not None else None
    return replace(
        p, file=escape(p.file), message=escape(p.message), path=escape(p.path), hint=hint
    )


def _order(p: Problem) -> tuple[str, int, int, str]:
    return (p.file, p.line, p.column, p.message)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _rule_offsets(documents: list[tuple[str, Node | None]]) -> list[dict[str, int]]:
    """Per file, how many rules earlier files hold: rule indices count across files."""
    users = workspaces = 0
    out = []
    for _, root in documents:
        out.append({"user_rules": users, "workspace_rules": workspaces})
        if not isinstance(root, Mapping):
            continue
        rules = root.get("workspace_rules")
        if isinstance(rules, Seq):
            workspaces += len(rules.items)
        limits = root.get("spend_limits")
        if isinstance(limits, Mapping):
            rules = limits.get("user_rules")
            if isinstance(rules, Seq):
                users += len(rules.items)
    return out


def _declared_currency(documents: list[tuple[str, Node | None]]) -> str | None:
    """The declared currency (first declaration), needed before amounts are read."""
    for _, root in documents:
        org = root.get("organization") if isinstance(root, Mapping) else None
        currency = org.get("currency") if isinstance(org, Mapping) else None
        if isinstance(currency, Scalar) and isinstance(currency.value, str):
            return currency.value if is_currency(currency.value) else None
    return None
