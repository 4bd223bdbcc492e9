"""The callback-data codec: round trips, the 64-byte limit, and decode never raising."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain import callbacks
from bot.domain.callbacks import MAX_BYTES, VERSION, Callback, actions, decode, encode, matcher

KNOWN = actions("ci", "cia", "tz", "day_done")

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-"
tokens = st.text(alphabet=TOKEN_ALPHABET, min_size=1, max_size=20)
action_names = st.from_regex(r"[a-z][a-z0-9_]{0,23}", fullmatch=True)


def test_format_is_version_action_args() -> None:
    assert encode("ci", "3", "yes") == f"{VERSION}:ci:3:yes"
    assert encode("ci") == f"{VERSION}:ci"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("1:ci", Callback(1, "ci", ())),
        ("1:ci:3:yes", Callback(1, "ci", ("3", "yes"))),
        ("1:tz:Europe.London", Callback(1, "tz", ("Europe.London",))),
        ("1:tz:Etc.GMT+5", Callback(1, "tz", ("Etc.GMT+5",))),
        ("1:day_done:-1", Callback(1, "day_done", ("-1",))),
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
    assert decode("1:ci", {"ci"}) == Callback(1, "ci")


def test_exactly_64_bytes_is_allowed_and_65_is_not() -> None:
    arg = "x" * (MAX_BYTES - len("1:ci:"))
    data = encode("ci", arg)
    assert len(data.encode()) == MAX_BYTES
    assert decode(data, KNOWN) == Callback(1, "ci", (arg,))
    with pytest.raises(ValueError, match="over 64"):
        encode("ci", arg + "x")


@pytest.mark.parametrize(
    ("action", "args"),
    [
        ("ci", ("a:b",)),  # the separator
        ("ci", ("",)),
        ("ci", ("a b",)),
        ("ci", ("naïve",)),
        ("ci", ("x" * 100,)),
        ("", ()),
        ("Ci", ()),
        ("1ci", ()),
        ("c:i", ()),
        ("c-i", ()),
        ("x" * 25, ()),
    ],
)
def test_encode_rejects_bad_input(action: str, args: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="callback"):
        encode(action, *args)


@pytest.mark.parametrize("names", [("ci", "ci"), ("Bad",), ("",), ("a:b",)])
def test_actions_declaration_is_validated(names: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="action"):
        actions(*names)


def test_callback_encode_method_round_trips() -> None:
    cb = Callback(VERSION, "cia", ("2", "no"))
    assert decode(cb.encode(), KNOWN) == cb
    with pytest.raises(ValueError, match="version"):
        Callback(VERSION + 1, "cia").encode()


def test_matcher_suits_ptb_pattern() -> None:
    match = matcher("ci", "cia")
    assert match("1:ci:3")
    assert match("1:cia")
    assert not match("1:tz:UTC")
    assert not match("garbage")
    assert not match(None)


def test_supported_versions_include_current() -> None:
    assert VERSION in callbacks.SUPPORTED_VERSIONS


@given(action=action_names, args=st.lists(tokens, max_size=8))
def test_round_trip_for_any_valid_args(action: str, args: list[str]) -> None:
    try:
        data = encode(action, *args)
    except ValueError:
        assert len(":".join((str(VERSION), action, *args))) > MAX_BYTES
        return
    assert len(data.encode("utf-8")) <= MAX_BYTES
    assert decode(data, {action}) == Callback(VERSION, action, tuple(args))


@given(action=st.text(max_size=30), args=st.lists(st.text(max_size=70), max_size=10))
def test_encode_either_raises_value_error_or_fits(action: str, args: list[str]) -> None:
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
