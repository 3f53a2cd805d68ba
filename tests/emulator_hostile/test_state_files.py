"""Damaged state files: refused at load with one line naming the problem, never served.

A generated corpus: a sound state of each organization, broken in one place — every
field of one record of every section given a value of a wrong type, or removed, or
joined by an unknown key — plus what a schema cannot see (references to nothing, ids
and order numbers used twice, what belongs to the other kind of org), what is not
JSON at all, and files that are not files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import EmulatorApp, LoadedState, Options, StateError, StateFile, state
from reconciler.emulator.state import document
from tests.emulator_hostile.harness import seed

Edit = Callable[[dict[str, Any]], Any]

# The record of each section that the generated cases break, by organization.
RECORDS: dict[str, list[tuple[str | int, ...]]] = {
    "console": [
        ("organization",),
        ("counters",),
        ("keys", 0),
        ("external_keys", 0),
        ("users", 1),
        ("workspaces", 1),
        ("limits", 1),
        ("usage", "events", 0),
    ],
    "enterprise": [
        ("organization",),
        ("keys", 0),
        ("users", 0),
        ("groups", 0),
        ("limits", 0),
        ("requests", 1),
    ],
}
# Fields where null is a right value (so it is not offered as a wrong one).
NULLABLE = {
    "amount",
    "role_ids",
    "archived_at",
    "external_key_id",
    "user_profile_id",
    "resolved_at",
    "resolved_by",
    "api_key_id",
    "account_id",
    "service_account_id",
    "target",
    "seat_tier",
}
FREE_TEXT = {"account_id", "service_account_id"}
WRONG = {"string": "zz", "integer": 7, "number": 1.5, "boolean": True, "array": [], "object": {}}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    names = {str: "string", float: "number", list: "array", dict: "object", type(None): "null"}
    return names[type(value)]


def _at(document: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _setter(path: tuple[str | int, ...], key: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        _at(data, path)[key] = value

    return edit


def _remover(path: tuple[str | int, ...], key: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        del _at(data, path)[key]

    return edit


def _generated(org: str, sound: dict[str, Any]) -> Iterator[tuple[str, Edit]]:
    for path in RECORDS[org]:
        record = _at(sound, path)
        where = ".".join(str(step) for step in path)
        for key, value in record.items():
            current = _json_type(value)
            for name, wrong in WRONG.items():
                if name == current or (name == "number" and current == "integer"):
                    continue
                if name == "string" and (key in FREE_TEXT or path[0] == "external_keys"):
                    continue  # any string is right there
                yield f"{where}.{key}={name}", _setter(path, key, wrong)
            if value is not None and key not in NULLABLE:
                yield f"{where}.{key}=null", _setter(path, key, None)
            yield f"{where}.{key} missing", _remover(path, key)
        yield f"{where} unknown key", _setter(path, "surplus", 1)


def _fresh_seq(data: dict[str, Any]) -> int:
    """A seq no object has yet (``counters.next_seq`` moves past it)."""
    seq: int = data["counters"]["next_seq"]
    data["counters"]["next_seq"] = seq + 1
    return seq


def _specific(org: str) -> Iterator[tuple[str, Edit]]:
    """The cases the issue names, and what only cross-checks can find."""

    def first(section: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        return lambda data: data[section][0]

    yield "counters.next_seq='x'", _setter(("counters",), "next_seq", "x")
    yield "counters.next_seq=-1", _setter(("counters",), "next_seq", -1)
    yield "counters.next_seq=2**60", _setter(("counters",), "next_seq", 2**60)
    yield "counters.next_seq below a seq", _setter(("counters",), "next_seq", 1)
    yield "organization.kind='zzz'", _setter(("organization",), "kind", "zzz")
    yield "organization.currency='usd'", _setter(("organization",), "currency", "usd")
    yield "organization.name=''", _setter(("organization",), "name", "")
    yield "keys=[]", lambda data: data.__setitem__("keys", [])
    yield "keys={}", lambda data: data.__setitem__("keys", {})
    yield "format", lambda data: data.__setitem__("format", "something-else")
    yield "version=1", lambda data: data.__setitem__("version", 1)
    yield "version='2'", lambda data: data.__setitem__("version", "2")
    yield "top level list", lambda data: [data]
    for amount in ("abc", "-100", "1.5", "1e3", "0100", "9" * 16, 5, 5.0, True, ""):
        yield f"limits[0].amount={amount!r:.20}", _setter(("limits", 0), "amount", amount)
    yield "limits[0].period='yearly'", _setter(("limits", 0), "period", "yearly")
    yield "limits[0].scope_type='zzz'", _setter(("limits", 0), "scope_type", "zzz")
    yield (
        "limit of an unknown user",
        lambda data: data["limits"].append(
            {
                **data["limits"][0],
                "id": "spl_new",
                "seq": _fresh_seq(data),
                "scope_type": "user" if org == "enterprise" else "workspace",
                "target": "user_nobody" if org == "enterprise" else "wrkspc_nobody",
            }
        ),
    )
    yield (
        "a limit twice",
        lambda data: data["limits"].append(
            {**data["limits"][0], "id": "spl_b", "seq": _fresh_seq(data)}
        ),
    )
    yield "an id twice", lambda data: data["limits"].append({**data["limits"][0], "seq": 9999})
    yield (
        "a seq twice",
        lambda data: data["users"].append(
            {**data["users"][0], "id": "user_twin", "email": "twin@example.com"}
        ),
    )
    yield (
        "an email twice",
        lambda data: data["users"].append(
            {
                **first("users")(data),
                "id": "user_twin",
                "seq": 0,
                "email": first("users")(data)["email"].upper(),
            }
        ),
    )
    yield (
        "a seq at next_seq",
        lambda data: first("users")(data).__setitem__("seq", data["counters"]["next_seq"]),
    )
    yield (
        "users[0].email='no-at-sign'",
        lambda data: first("users")(data).__setitem__("email", "no-at-sign"),
    )
    yield (
        "users[0].email ends with a newline",
        lambda data: first("users")(data).__setitem__(
            "email", first("users")(data)["email"] + "\n"
        ),
    )
    yield "users[0].role='god'", lambda data: first("users")(data).__setitem__("role", "god")
    yield (
        "users[0].added_at='yesterday'",
        lambda data: first("users")(data).__setitem__("added_at", "yesterday"),
    )
    yield (
        "a key of the other kind",
        lambda data: first("keys")(data).__setitem__(
            "key", "sk-ant-admin01-x" if org == "enterprise" else "sk-ant-api01-x"
        ),
    )
    yield "a key twice", lambda data: data["keys"].append(dict(first("keys")(data)))
    if org == "enterprise":
        yield (
            "a member of nobody",
            lambda data: first("groups")(data)["members"].__setitem__(
                "user_nobody", [9, "2026-01-01T00:00:00.000000Z"]
            ),
        )
        yield (
            "a member position twice",
            lambda data: first("groups")(data)["members"].__setitem__(
                data["users"][5]["id"], [0, "2026-01-01T00:00:00.000000Z"]
            ),
        )
        yield (
            "a member entry of one item",
            lambda data: first("groups")(data)["members"].update({data["users"][0]["id"]: [0]}),
        )
        yield "spend of nobody", lambda data: data["spend"].append(["user_nobody", "monthly", "1"])
        yield "spend 'nan'", lambda data: data["spend"][0].__setitem__(2, "nan")
        yield "spend 'abc'", lambda data: data["spend"][0].__setitem__(2, "abc")
        yield "spend twice", lambda data: data["spend"].append(list(data["spend"][0]))
        yield "spend with four items", lambda data: data["spend"][0].append("x")
        yield (
            "a pending request of nobody",
            lambda data: first("requests")(data).__setitem__("user_id", "user_nobody"),
        )
        yield (
            "two pending requests",
            lambda data: data["requests"].append(
                {**first("requests")(data), "id": "slir_two", "seq": 0}
            ),
        )
        yield (
            "resolved_by of another shape",
            lambda data: data["requests"][1].__setitem__(
                "resolved_by", {"type": "scoped_api_key_actor", "x": [[[[[[[[[[]]]]]]]]]]}
            ),
        )
        yield (
            "a workspace in an Enterprise org",
            lambda data: data["workspaces"].append(
                {**_sound("console")["workspaces"][1], "seq": 0}
            ),
        )
        yield (
            "a member without a seat tier",
            lambda data: first("users")(data).__setitem__("seat_tier", None),
        )
        yield (
            "a workspace limit in an Enterprise org",
            lambda data: data["limits"][0].update(scope_type="workspace", target="wrkspc_x"),
        )
    else:
        default = lambda data: next(w for w in data["workspaces"] if w["is_default"])  # noqa: E731
        yield "no default workspace", lambda data: default(data).__setitem__("is_default", False)
        yield (
            "two default workspaces",
            lambda data: data["workspaces"][2].__setitem__("is_default", True),
        )
        yield (
            "default geo outside the allowed",
            lambda data: data["workspaces"][2].update(
                allowed_inference_geos=["us"], default_inference_geo="global"
            ),
        )
        yield (
            "allowed geos repeated",
            lambda data: data["workspaces"][2].update(
                allowed_inference_geos=["us", "us"], default_inference_geo="us"
            ),
        )
        yield (
            "a tag key starting with anthropic",
            lambda data: data["workspaces"][2]["tags"].__setitem__("anthropic-x", "y"),
        )
        yield (
            "a workspace name of 41 characters",
            lambda data: data["workspaces"][2].__setitem__("name", "w" * 41),
        )
        yield (
            "an unknown external key",
            lambda data: data["workspaces"][2].__setitem__("external_key_id", "ekey_nope"),
        )
        yield (
            "an unknown user profile",
            lambda data: data["workspaces"][2].__setitem__("user_profile_id", "prof_nope"),
        )
        yield (
            "usage in an unknown workspace",
            lambda data: data["usage"]["events"][0].__setitem__("workspace_id", "wrkspc_nope"),
        )
        yield (
            "usage of an unpriced model",
            lambda data: data["usage"]["events"][0].__setitem__("model", "gpt-0"),
        )
        yield (
            "usage tokens 10**20",
            lambda data: data["usage"]["events"][0].__setitem__("output_tokens", 10**20),
        )
        yield (
            "usage at year 10000",
            lambda data: data["usage"]["events"][0].__setitem__("at", 253402300800),
        )
        yield (
            "a price 'free'",
            lambda data: data["usage"]["prices"]["claude-opus-4-6"].__setitem__("input", "free"),
        )
        yield (
            "a price of 10 digits",
            lambda data: data["usage"]["prices"]["claude-opus-4-6"].__setitem__("input", "9" * 10),
        )
        yield "usage days 400", lambda data: data["usage"].__setitem__("days", 400)
        yield (
            "groups in a Console org",
            lambda data: data["groups"].append(
                {**_sound("enterprise")["groups"][0], "seq": 0, "members": {}}
            ),
        )
        yield (
            "a seat tier limit in a Console org",
            lambda data: data["limits"][0].update(
                scope_type="seat_tier", target="enterprise_standard"
            ),
        )
        yield "a daily Console limit", lambda data: data["limits"][0].__setitem__("period", "daily")
        yield (
            "a member with a seat tier",
            lambda data: first("users")(data).__setitem__("seat_tier", "enterprise_standard"),
        )


# Text that is not a sound state whatever its content: a marker stands for the document.
TEXT_CASES = {
    "empty": "",
    "whitespace": "  \n",
    "truncated": "{DOC}"[:-1],
    "null": "null",
    "a number": "12",
    "NaN in a field": '{DOC}|"next_seq":NaN',
    "Infinity in a field": '{DOC}|"next_seq":Infinity',
    "1e999 in a field": '{DOC}|"next_seq":1e999',
    "a 5,000-digit number": '{DOC}|"next_seq":' + "9" * 5000,
    "a lone surrogate in a name": '{DOC}|"name":"\\ud800"',
    "a lone surrogate in a key": '{DOC}|"\\udc00":1',
    "100,000 levels of nesting": "[" * 100_000 + "]" * 100_000,
    "40 levels of nesting in a field": '{DOC}|"next_seq":' + "[" * 40 + "]" * 40,
    "trailing garbage": "{DOC}}",
    "two documents": "{DOC}{DOC}",
}


@cache
def _sound_text(org: str) -> str:
    return json.dumps(document(seed(org).build()))


def _sound(org: str) -> dict[str, Any]:
    """A sound state of ``org`` (a fresh copy each time)."""
    data: dict[str, Any] = json.loads(_sound_text(org))
    return data


def _content_cases() -> list[tuple[str, str, Edit]]:
    cases = []
    for org in ("console", "enterprise"):
        sound = _sound(org)
        for what, edit in [*_generated(org, sound), *_specific(org)]:
            cases.append((org, what, edit))
    return cases


CONTENT_CASES = _content_cases()


def _text(org: str, edit: Edit) -> str:
    data = _sound(org)
    replaced = edit(data)
    return json.dumps(data if replaced is None else replaced)


def _refused(text: str) -> str:
    with pytest.raises(StateError) as info:
        LoadedState(text, "org.json")
    message = str(info.value)
    assert "\n" not in message and message.startswith("org.json: "), message
    assert len(message) < 400, message
    return message


def test_sound_states_load() -> None:
    for org in ("console", "enterprise"):
        store = LoadedState(json.dumps(_sound(org)), "org.json").build()
        assert document(store) == _sound(org)


def test_the_state_corpus_is_large() -> None:
    assert len(CONTENT_CASES) + 2 * len(TEXT_CASES) > 400


@pytest.mark.parametrize(
    ("org", "what", "edit"), CONTENT_CASES, ids=[f"{org}:{what}" for org, what, _ in CONTENT_CASES]
)
def test_a_damaged_state_is_refused_with_one_line(org: str, what: str, edit: Edit) -> None:
    _refused(_text(org, edit))


@pytest.mark.parametrize("org", ["console", "enterprise"])
@pytest.mark.parametrize("what", list(TEXT_CASES))
def test_text_that_is_no_state_is_refused_with_one_line(org: str, what: str) -> None:
    whole = json.dumps(_sound(org))
    pattern = TEXT_CASES[what]
    if "|" in pattern:  # insert a field (or replace the counter) inside the document
        _, field = pattern.split("|", 1)
        name = field.split(":", 1)[0]
        if name == '"next_seq"':
            text = whole.replace(f'"next_seq": {_sound(org)["counters"]["next_seq"]}', field)
        else:
            text = whole[:-1] + ", " + field + "}"
    else:
        text = pattern.replace("{DOC}", whole)
    _refused(text)


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("counters.next_seq='x'", "counters.next_seq: expected an integer, got 'x'"),
        ("limits[0].amount='abc'", "limits[0].amount: 'abc'"),
        ("organization.kind='zzz'", "organization.kind: 'zzz' is not one of"),
        ("keys=[]", "keys: has 0 items, fewer than 1"),
        ("limit of an unknown user", "target: no user 'user_nobody' in users"),
    ],
)
def test_the_message_names_the_problem(what: str, expected: str) -> None:
    edit = next(e for org, w, e in CONTENT_CASES if org == "enterprise" and w == what)
    assert expected in _refused(_text("enterprise", edit))


# -- files that are not state files ---------------------------------------------------


def test_a_state_file_is_read_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "org.json"
    path.write_text(json.dumps(_sound("console")), "utf-8")
    monkeypatch.setattr(state, "MAX_BYTES", 1000)
    with pytest.raises(StateError, match="larger than"):
        StateFile(path).read()


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_only_a_regular_file_is_read(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "org.json"
    if kind == "device":
        os.symlink("/dev/zero", path)  # a symlink is followed: to a device
    elif kind == "fifo":
        os.mkfifo(path)  # no writer: opening it must not block
    else:
        path.mkdir()
    with pytest.raises(StateError) as info:
        StateFile(path).read()
    assert "\n" not in str(info.value)


def test_a_symlink_loop_is_refused_with_one_line(tmp_path: Path) -> None:
    loop = tmp_path / "org.json"
    loop.symlink_to(loop)
    with pytest.raises(StateError, match="cannot follow the symlink") as info:
        StateFile(loop)
    assert "\n" not in str(info.value)


def test_a_symlinked_state_file_stays_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    link = tmp_path / "org.json"
    link.symlink_to(target)
    app = EmulatorApp(seed("console"), Options(control=True), state=StateFile(link))
    assert link.is_symlink() and json.loads(target.read_text())["format"]
    app.runtime.persist()
    assert link.is_symlink()


def test_a_state_file_is_locked_once_per_process(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    first = StateFile(path)
    second = StateFile(path)  # the same process may open it again
    assert first.lock_path == second.lock_path == tmp_path / "org.json.lock"
    assert (tmp_path / "org.json.lock").read_text().strip() == str(os.getpid())
    first.close()
    second.close()
