"""The callback-data codec: the wire names, round trips, the 64-byte limit, decode never raising."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain import callbacks
from bot.domain.callbacks import MAX_BYTES, VERSION, Action, Callback, decode, encode, is_action

CI, WHY, ZONE, SNOOZE = Action.CHECKIN_ANSWER, Action.WHY, Action.ENROL_ZONE, Action.SNOOZE
KNOWN = frozenset({CI, WHY, ZONE, SNOOZE})
# Every action's name on the wire, written out: buttons already in people's chats carry these,
# so renaming a member is fine and changing a value is not. A new action adds a row.
WIRE_NAMES = {
    Action.CHECKIN_NOW: "checkin_now",
    Action.WHY: "why",
    Action.CHECKIN_ANSWER: "ci",
    Action.CHECKIN_SIGN: "ci_sign",
    Action.CHECKIN_AGAIN: "ci_again",
    Action.TWITCH_BEFORE: "tw_before",
    Action.TWITCH_WHERE: "tw_where",
    Action.CONSENT: "consent",
    Action.CARRY_ON: "carry_on",
    Action.ENROL_AGAIN: "en_again",
    Action.ENROL_ZONE: "en_zone",
    Action.ENROL_COUNTRY: "en_country",
    Action.ENROL_TIME: "en_time",
    Action.ENROL_ONSET: "en_onset",
    Action.SETTINGS_MENU: "set_menu",
    Action.SETTINGS_ZONE: "set_zone",
    Action.SETTINGS_COUNTRY: "set_country",
    Action.SETTINGS_TIME: "set_time",
    Action.SLEEP: "sleep",
    Action.SNOOZE: "snooze",
    Action.FAQ: "faq",
    Action.URGENT_OPEN: "urgent_open",
    Action.URGENT_SIGN: "ur_sign",
    Action.URGENT_SOS: "ur_sos",
    Action.SAFE: "safe",
    Action.LANGUAGE: "lang",
    Action.STOP: "stop",
    Action.DELETE: "delete",
}

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-"
tokens = st.text(alphabet=TOKEN_ALPHABET, min_size=1, max_size=20)


def test_every_action_keeps_its_wire_name() -> None:
    assert {action: action.value for action in Action} == WIRE_NAMES


@pytest.mark.parametrize("action", list(Action))
def test_every_action_round_trips_in_the_version_1_format(action: Action) -> None:
    assert is_action(action.value)
    data = encode(action, "a1", "b2")
    assert data == f"1:{WIRE_NAMES[action]}:a1:b2"
    decoded = decode(data, frozenset(Action))
    assert decoded == Callback(1, action, ("a1", "b2"))
    assert decoded is not None
    assert decoded.action is action
    assert decode(f"1:{WIRE_NAMES[action]}", {action}) == Callback(1, action)


def test_format_is_version_action_args() -> None:
    assert encode(CI, "3", "yes") == f"{VERSION}:ci:3:yes"
    assert encode(CI) == f"{VERSION}:ci"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("1:ci", Callback(1, CI, ())),
        ("1:ci:3:yes", Callback(1, CI, ("3", "yes"))),
        ("1:en_zone:Europe.London", Callback(1, ZONE, ("Europe.London",))),
        ("1:en_zone:Etc.GMT+5", Callback(1, ZONE, ("Etc.GMT+5",))),
        ("1:why:-1", Callback(1, WHY, ("-1",))),
    ],
)
def test_decode_valid(data: str, expected: Callback) -> None:
    assert decode(data, KNOWN) == expected


@pytest.mark.parametrize(
    "data",
    [
        "",
        "1",
        "1:",
        ":ci",
        "2:ci",  # a future or retired version
        "0:ci",
        "01:ci",
        "v1:ci",
        "-1:ci",
        "1:nope",  # unknown action
        "1:checkin_now",  # a real action, but not in the known set
        "1:CI",
        "1:ci:",  # empty arg
        "1:ci::x",
        "1:ci:a b",
        "1:ci:a/b",
        "1:ci:é",
        "1:ci:" + "x" * 60,  # 65 bytes
        "1:ci:\x00",
        "１:ci",  # full-width digit
        "1:ci:٣",  # non-ASCII digit
        "1 :ci",
        " 1:ci",
    ],
)
def test_decode_rejects_malformed(data: str) -> None:
    assert decode(data, KNOWN) is None


def test_decode_rejects_non_strings() -> None:
    # PTB passes callback_data as object; with arbitrary_callback_data it may not be a str.
    assert decode(None, KNOWN) is None
    assert decode(b"1:ci", KNOWN) is None
    assert decode(42, KNOWN) is None


def test_decode_needs_the_action_in_known() -> None:
    assert decode("1:ci", frozenset()) is None
    assert decode("1:ci", {CI}) == Callback(1, CI)


def test_exactly_64_bytes_is_allowed_and_65_is_not() -> None:
    arg = "x" * (MAX_BYTES - len("1:ci:"))
    data = encode(CI, arg)
    assert len(data.encode()) == MAX_BYTES
    assert decode(data, KNOWN) == Callback(1, CI, (arg,))
    with pytest.raises(ValueError, match="over 64"):
        encode(CI, arg + "x")


@pytest.mark.parametrize(
    "args",
    [("a:b",), ("",), ("a b",), ("naïve",), ("x" * 100,)],  # the separator, empty, space, ...
)
def test_encode_rejects_bad_args(args: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="callback"):
        encode(CI, *args)


def test_supported_versions_include_current() -> None:
    assert VERSION in callbacks.SUPPORTED_VERSIONS


@given(action=st.sampled_from(Action), args=st.lists(tokens, max_size=8))
def test_round_trip_for_any_valid_args(action: Action, args: list[str]) -> None:
    try:
        data = encode(action, *args)
    except ValueError:
        assert len(":".join((str(VERSION), action, *args))) > MAX_BYTES
        return
    assert len(data.encode("utf-8")) <= MAX_BYTES
    assert decode(data, {action}) == Callback(VERSION, action, tuple(args))


@given(action=st.sampled_from(Action), args=st.lists(st.text(max_size=70), max_size=10))
def test_encode_either_raises_value_error_or_fits(action: Action, args: list[str]) -> None:
    try:
        data = encode(action, *args)
    except ValueError:
        return
    assert 1 <= len(data.encode("utf-8")) <= MAX_BYTES
    assert decode(data, {action}) is not None


@given(data=st.text())
@example(data="1:" + "a" * 10_000)
@example(data="1:ci:" + ":" * 59)
@example(data="\ud800")
@example(data="9" * 5000 + ":ci")
def test_decode_never_raises_on_text(data: str) -> None:
    result = decode(data, KNOWN)
    assert result is None or result.action in KNOWN


@given(data=st.text(min_size=60, max_size=5000))
def test_decode_never_raises_on_long_text(data: str) -> None:
    assert decode(data, KNOWN) is None or len(data) <= MAX_BYTES


@given(raw=st.binary(max_size=100))
def test_decode_never_raises_on_bytes_ish_strings(raw: bytes) -> None:
    for text in (raw.decode("latin-1"), raw.decode("utf-8", errors="surrogateescape")):
        result = decode(text, KNOWN)
        assert result is None or text.isascii()
    assert decode(raw, KNOWN) is None
