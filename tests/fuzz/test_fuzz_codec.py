"""Fuzzing the callback-data codec (bot/domain/callbacks.py) beyond the unit properties.

The unit tests check round trips and that decode never raises. Here: an accepted payload is
always the one canonical encoding of what it decodes to (so two different payloads can never
mean the same button), any mutation of a real payload is either refused or canonical, and
every payload shape the bot's own buttons use fits Telegram's 64 bytes.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.callbacks import MAX_BYTES, VERSION, Action, Callback, decode, encode, is_arg
from bot.domain.zones import _index, zone_from_token, zone_token
from bot.views.keyboards import new_nonce
from tests.fuzz.budget import fuzz

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-"
ACTIONS = st.sampled_from(Action)
TOKENS = st.text(alphabet=TOKEN_ALPHABET, min_size=1, max_size=24)
# Text that looks like a payload: digits, colons, token characters and a few intruders.
PAYLOADISH = st.text(alphabet=TOKEN_ALPHABET + ":::1 é\x00/٣１", max_size=80)


def _fits(action: Action, args: list[str]) -> bool:
    return len(":".join((str(VERSION), action, *args))) <= MAX_BYTES


# A payload encode() accepts, with the action set that knows it.
VALID_PAYLOADS = (
    st.tuples(ACTIONS, st.lists(TOKENS, max_size=6))
    .filter(lambda pair: _fits(*pair))
    .map(lambda pair: (encode(pair[0], *pair[1]), frozenset({pair[0]})))
)


def assert_canonical(data: object, known: frozenset[Action]) -> None:
    """decode never raises; whatever it accepts re-encodes to exactly the same bytes."""
    decoded = decode(data, known)
    if decoded is None:
        return
    assert isinstance(data, str)
    assert decoded.action in known
    assert decoded.version == VERSION
    assert encode(decoded.action, *decoded.args) == data
    assert len(data.encode("utf-8")) <= MAX_BYTES


@fuzz(200)
@given(data=PAYLOADISH, action=ACTIONS)
@example(data="1:ci", action=Action.CHECKIN_ANSWER)
@example(data="1:ci:" + "a" * 59, action=Action.CHECKIN_ANSWER)
@example(data="01:ci", action=Action.CHECKIN_ANSWER)
@example(data="1:ci:a:", action=Action.CHECKIN_ANSWER)
def test_accepted_payloads_are_canonical(data: str, action: Action) -> None:
    assert_canonical(data, frozenset({action, Action.CHECKIN_ANSWER}))


@fuzz(200)
@given(data=st.text(max_size=200), known=st.frozensets(ACTIONS, max_size=4))
def test_any_text_is_refused_or_canonical(data: str, known: frozenset[Action]) -> None:
    assert_canonical(data, known)


@fuzz(200)
@given(
    payload=VALID_PAYLOADS,
    position=st.integers(min_value=0, max_value=80),
    insert=st.text(max_size=3),
    cut=st.integers(min_value=0, max_value=3),
)
def test_mutated_real_payloads_are_refused_or_canonical(
    payload: tuple[str, frozenset[Action]], position: int, insert: str, cut: int
) -> None:
    data, known = payload
    assert decode(data, known) is not None
    at = min(position, len(data))
    mutated = data[:at] + insert + data[at + cut :]
    assert_canonical(mutated, known)
    assert_canonical(mutated[:position], known)  # truncated in transit


@fuzz(100)
@given(
    value=st.one_of(
        st.none(),
        st.integers(),
        st.floats(allow_nan=True),
        st.binary(max_size=80),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )
)
def test_non_text_callback_data_is_refused(value: object) -> None:
    assert decode(value, frozenset(Action)) is None


@fuzz(100)
@given(
    zone=st.sampled_from(sorted(_index().canonical)),
    action=st.sampled_from([Action.ENROL_ZONE, Action.SETTINGS_ZONE]),
)
def test_every_zone_button_the_bot_can_show_fits_and_decodes_back(
    zone: str, action: Action
) -> None:
    """Zone suggestion buttons carry the zone itself: the longest names must still fit."""
    nonce = new_nonce()
    token = zone_token(zone)
    assert is_arg(token)
    data = encode(action, nonce, token)
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data, {action}) == Callback(VERSION, action, (nonce, token))
    assert zone_from_token(token) == zone
