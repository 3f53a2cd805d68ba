"""Compact JSON encoders built once and reused, for the hot paths of large plans.

``json.JSONEncoder.encode`` rebuilds its C encoder on every call; a 50,000-change plan
encodes tens of thousands of small objects (fingerprints, the checksum's pieces, a plan
file line per change), and that set-up was a fifth of the time.  :func:`encoder` builds
the C encoder once (without the circular-reference check: these documents are trees made
from JSON-like data, and a cycle would still end in ``RecursionError``), and falls back
to ``json.JSONEncoder`` where the C accelerator is missing.  Output is byte for byte that
of ``json.dumps(value, ensure_ascii=False, sort_keys=…, separators=…)``.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any

__all__ = ["encoder"]


def encoder(*, sort_keys: bool, separators: tuple[str, str]) -> Callable[[Any], str]:
    """A function encoding a value as ``json.dumps`` would with these options."""
    plain = json.JSONEncoder(ensure_ascii=False, sort_keys=sort_keys, separators=separators)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return plain.encode
    item_separator, key_separator = separators
    try:
        fast = make(
            None,  # no markers: no circular-reference check
            plain.default,
            json.encoder.encode_basestring,
            None,  # no indent
            key_separator,
            item_separator,
            sort_keys,
            False,  # skipkeys
            True,  # allow_nan, as json.dumps
        )
    except TypeError:  # another interpreter's signature
        return plain.encode
    encode_string = json.encoder.encode_basestring

    def encode(value: Any) -> str:
        if isinstance(value, str):  # as JSONEncoder.encode: a bare string is one piece
            return encode_string(value)
        return "".join(fast(value, 0))

    return encode
