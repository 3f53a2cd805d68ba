"""Hostile seed files: refused when loaded with one located line, never built, never a
traceback (the command prints that line and exits 1: ``test_processes``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.emulator import SeedError, documents, load_seed

HEAD = "organization: {name: X, kind: console}\nadmin_keys: [{key: sk-ant-admin01-x}]\n"
SEEDS = {
    "nan spend.yaml": ("spend: {a@b.c: {monthly: .nan}}\n", "3:17: spend.a@b.c.monthly", "nan"),
    "inf price.yaml": ("prices: {m: {input: .inf, output: 1}}\n", "prices.m.input", "inf"),
    "surrogate.yaml": ('users: [{email: a@b.c, name: "x\\ud800"}]\n', "users[0].name", "surrogate"),
    "surrogate key.yaml": (
        'workspaces: [{name: w, tags: {"\\udc00": v}}]\n',
        "workspaces[0].tags",
        "a key contains a lone surrogate",
    ),
    "number key.yaml": (
        "workspaces: [{name: w, tags: {1: v}}]\n",
        "tags",
        "the key 1 is not a string",
    ),
    "binary.yaml": ("users: [{email: a@b.c, name: !!binary aGk=}]\n", "users[0].name", "bytes"),
    "set.yaml": ("users: [{email: a@b.c, name: !!set {a, b}}]\n", "users[0].name", "set"),
    "deep.yaml": ("generate: " + "[" * 40 + "]" * 40 + "\n", "3:43", "nested more than 32"),
    "very deep.yaml": ("generate: " + "[" * 3_000 + "]" * 3_000 + "\n", "", "nested"),
    "tokens.yaml": (
        "usage: [{date: -1, model: claude-sonnet-4-6, input_tokens: 1, output_tokens: "
        + "9" * 30
        + "}]\n",
        "usage[0].output_tokens",
        "maximum",
    ),
    "spend digits.yaml": ('spend: {a@b.c: {monthly: "' + "9" * 16 + '"}}\n', "monthly", "match"),
    "spend decimals.yaml": ("spend: {a@b.c: {monthly: 0.0001}}\n", "", "3 decimals"),
    "price digits.yaml": ('prices: {m: {input: "' + "9" * 12 + '", output: 1}}\n', "input", ""),
    "key newline.yaml": ("", "admin_keys[0].key", "does not match"),
}


@pytest.mark.parametrize("name", list(SEEDS))
def test_a_hostile_seed_is_refused_with_one_located_line(tmp_path: Path, name: str) -> None:
    body, where, what = SEEDS[name]
    text = HEAD + body
    if name == "key newline.yaml":
        text = text.replace("sk-ant-admin01-x}", '"sk-ant-admin01-x\\n"}')
    if name == "spend decimals.yaml":
        text = (
            text.replace("kind: console", "kind: enterprise").replace(
                "sk-ant-admin01-x", "sk-ant-api01-x"
            )
            + "users: [{email: a@b.c}]\n"
        )
    path = tmp_path / name
    path.write_text(text, "utf-8")
    with pytest.raises(SeedError) as info:
        load_seed(path).build()
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path)), message
    assert where in message and what in message, message


def test_a_deep_json_seed_is_refused_at_the_place(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text('{"generate": {"users": ' + "[" * 40 + "]" * 40 + "}}", "utf-8")
    with pytest.raises(SeedError) as info:
        load_seed(path)
    assert str(info.value) == f"{path}: generate.users{'[0]' * 31}: nested more than 32 levels deep"


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ('{"a": ' + "9" * 5000 + "}", "4300"),
        ('{"a": NaN}', "nan is not a finite number"),
        ('{"a": 1e999}', "inf is not a finite number"),
        ('{"a": "\\ud800"}', "lone surrogate"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_a_hostile_json_seed_is_refused_with_one_line(tmp_path: Path, text: str, what: str) -> None:
    path = tmp_path / "seed.json"
    path.write_text(text, "utf-8")
    with pytest.raises(SeedError) as info:
        load_seed(path)
    assert "\n" not in str(info.value) and what in str(info.value), info.value


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_only_a_regular_file_is_read_as_a_seed(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "seed.yaml"
    if kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    with pytest.raises(SeedError) as info:
        load_seed(path)
    assert "\n" not in str(info.value)


def test_a_seed_is_read_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text(HEAD + "# " + "x" * 2000 + "\n", "utf-8")
    monkeypatch.setattr(documents, "MAX_BYTES", 1000)
    with pytest.raises(SeedError, match="larger than"):
        load_seed(path)
