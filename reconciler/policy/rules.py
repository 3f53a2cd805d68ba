"""Rule matchers: compiled globs.

Globs are compiled once (``fnmatch.translate`` + ``re.compile``): a user rule is matched
against every member of the organization, 50,000 of them in a large one.  Email globs
are case-insensitive (both sides lower-cased); workspace-name globs are case-sensitive.
"""

from __future__ import annotations

import fnmatch
import re


class Glob:
    """A compiled ``fnmatch`` pattern (``*``, ``?``, ``[seq]``)."""

    __slots__ = ("case_sensitive", "pattern", "regex")

    def __init__(self, pattern: str, *, case_sensitive: bool) -> None:
        self.pattern = pattern
        self.case_sensitive = case_sensitive
        text = pattern if case_sensitive else pattern.lower()
        self.regex = re.compile(fnmatch.translate(text))

    def matches(self, value: str) -> bool:
        """Whether ``value`` matches (lower-case it first for a case-insensitive glob)."""
        return self.regex.match(value) is not None

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Glob) and (self.pattern, self.case_sensitive) == (
            other.pattern,
            other.case_sensitive,
        )

    def __hash__(self) -> int:
        return hash((self.pattern, self.case_sensitive))
