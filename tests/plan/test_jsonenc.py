"""The reused JSON encoders write exactly what ``json.dumps`` writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.jsonenc import encoder

VALUES: list[Any] = [
    {},
    [],
    'naïve "quoted" \n \u2028 \x00',
    {"b": [1, 2.5, -0.0, 1e300, None, True, False], "a": {"z": "é", "y": [{}]}},
    [{"address": f"spend_limit:user:u{i}@x.example:monthly", "n": i} for i in range(20)],
    12345678901234567890,
    float("inf"),
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize(("sort_keys", "separators"), [(True, (",", ":")), (False, (", ", ": "))])
def test_the_same_bytes_as_json_dumps(
    value: Any, sort_keys: bool, separators: tuple[str, str]
) -> None:
    encode = encoder(sort_keys=sort_keys, separators=separators)
    expected = json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, separators=separators)
    assert encode(value) == expected
    assert encode(value) == expected  # reused: no state carried between calls


def test_values_json_cannot_hold_are_still_refused() -> None:
    encode = encoder(sort_keys=True, separators=(",", ":"))
    with pytest.raises(TypeError):
        encode({"when": object()})
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(RecursionError):
        encode(loop)
