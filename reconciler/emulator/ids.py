"""Identifiers: a prefix and 24 base62 characters (``wrkspc_…``, ``req_…``).

Ids of objects are *derived* — a hash of the organization id, the object kind and a
natural key — so the same seed always yields the same ids and objects made through the
API get reproducible ids too.  Request ids are random: they only need to be unique.
"""

from __future__ import annotations

import hashlib
import os
import uuid

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 24
# Maps any byte to a base62 character; ids are made from random or hashed bytes through
# it (a slight bias towards the first eight characters does not matter for ids).
_TABLE = bytes(ord(ALPHABET[i % 62]) for i in range(256))


def _base62(raw: bytes) -> str:
    return raw[:ID_LENGTH].translate(_TABLE).decode("ascii")


def derived_id(prefix: str, *parts: object) -> str:
    """``prefix`` + 24 base62 characters from a SHA-256 of ``parts`` (stable across runs)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return prefix + _base62(digest)


def derived_uuid(*parts: object) -> str:
    """A UUID-shaped identifier derived from ``parts`` (organization ids, compartments)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def request_id() -> str:
    """A fresh ``req_…`` id."""
    return "req_" + _base62(os.urandom(ID_LENGTH))
