"""Parsing typed wake times and bedtimes: what people write, and what must be refused."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.timeparse import MAX_INPUT, format_time, parse_time

ACCEPTED = [
    ("7", time(7, 0)),
    ("07", time(7, 0)),
    ("0", time(0, 0)),
    ("7:30", time(7, 30)),
    ("07:30", time(7, 30)),
    ("7.30", time(7, 30)),
    ("7h30", time(7, 30)),
    ("0730", time(7, 30)),
    ("730", time(7, 30)),
    ("1230", time(12, 30)),
    ("2359", time(23, 59)),
    ("19:30", time(19, 30)),
    ("23:00", time(23, 0)),
    ("00:00", time(0, 0)),
    ("0:05", time(0, 5)),
    ("24:00", time(0, 0)),
    ("24", time(0, 0)),
    ("7am", time(7, 0)),
    ("7 am", time(7, 0)),
    ("7AM", time(7, 0)),
    ("7 a.m.", time(7, 0)),
    ("7a.m", time(7, 0)),
    ("7 a. m.", time(7, 0)),
    ("7:30pm", time(19, 30)),
    ("7:30 PM", time(19, 30)),
    ("7.30 p.m.", time(19, 30)),
    ("11pm", time(23, 0)),
    ("10:45 pm", time(22, 45)),
    ("12am", time(0, 0)),
    ("12:30am", time(0, 30)),
    ("12pm", time(12, 0)),
    ("12:15 pm", time(12, 15)),
    ("1am", time(1, 0)),
    ("7 o'clock", time(7, 0)),
    ("7 o’clock", time(7, 0)),
    ("noon", time(12, 0)),
    ("Noon", time(12, 0)),
    ("midday", time(12, 0)),
    ("12 noon", time(12, 0)),
    ("midnight", time(0, 0)),
    ("  MIDNIGHT ", time(0, 0)),
    ("  7:30  ", time(7, 30)),
    ("\t22:15\n", time(22, 15)),
    ("７:３０", time(7, 30)),  # full-width digits
    ("０７：３０", time(7, 30)),  # full-width colon too
    ("７ｐｍ", time(19, 0)),
    ("٧:٣٠", time(7, 30)),  # Arabic-Indic digits
]

# The forms other locales write times in (de, es, pt, ru, fr): issue 17.
LOCALE_FORMS = [
    ("7.30", time(7, 30)),
    ("19h30", time(19, 30)),
    ("19 h 30", time(19, 30)),
    ("19 h", time(19, 0)),
    ("19h", time(19, 0)),
    ("19:30 Uhr", time(19, 30)),
    ("7:30 Uhr", time(7, 30)),
    ("19.30 Uhr", time(19, 30)),
    ("7 Uhr", time(7, 0)),
    ("22 UHR", time(22, 0)),
    ("19:30 h", time(19, 30)),
    ("19:30 hs", time(19, 30)),
    ("19:30h", time(19, 30)),
]

REJECTED = [
    "19 h 3",
    "19 uhr 30",
    "7:30 am Uhr",
    "Uhr",
    "h30",
    "",
    "   ",
    "abc",
    "25:00",
    "24:30",
    "7:60",
    "7:5",
    "7:305",
    "99",
    "12345",
    "-7",
    "-7:30",
    "7:-30",
    "13pm",
    "0am",
    "00:30 am",
    "19:30pm",
    "7 pm pm",
    "7:30:00",
    "7 30",
    "7::30",
    "7:",
    ":30",
    "7.5",
    "7,30",
    "seven",
    "morning",
    "7am" + " " * 40,
    "1" * 100,
    "7:30 tomorrow",
    "½",
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_parse_accepts(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(("text", "expected"), LOCALE_FORMS)
def test_parse_accepts_other_locales_forms(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", REJECTED)
def test_parse_rejects(text: str) -> None:
    assert parse_time(text) is None


def test_input_longer_than_cap_is_rejected_even_if_valid() -> None:
    padded = "7:30".center(MAX_INPUT)
    assert parse_time(padded) == time(7, 30)
    assert parse_time(padded + " ") is None


@pytest.mark.parametrize(
    ("value", "text"),
    [(time(7, 30), "07:30"), (time(0, 0), "00:00"), (time(23, 59), "23:59"), (time(9, 5), "09:05")],
)
def test_format_time(value: time, text: str) -> None:
    assert format_time(value) == text


def test_format_time_drops_seconds() -> None:
    assert format_time(time(7, 30, 59)) == "07:30"


@given(text=st.text(max_size=50))
@example(text="٧:٣٠")
@example(text="𝟕:𝟑𝟎")  # mathematical bold digits, NFKC -> ASCII
@example(text="\x00")
@example(text="ﬀ")
def test_parse_never_raises_and_round_trips(text: str) -> None:
    result = parse_time(text)
    if result is not None:
        assert result.second == 0
        assert result.microsecond == 0
        assert parse_time(format_time(result)) == result


@given(text=st.from_regex(r"\s*\d{1,4}([:.h]\d{2})?\s*([ap]\.?\s?m\.?)?\s*", fullmatch=True))
def test_time_like_text_never_raises(text: str) -> None:
    result = parse_time(text)
    assert result is None or parse_time(format_time(result)) == result


@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_every_formatted_time_parses_back(hour: int, minute: int) -> None:
    value = time(hour, minute)
    assert parse_time(format_time(value)) == value


@given(hour=st.integers(1, 12), minute=st.integers(0, 59), pm=st.booleans())
def test_twelve_hour_clock_matches_twenty_four(hour: int, minute: int, pm: bool) -> None:
    expected = time(hour % 12 + (12 if pm else 0), minute)
    assert parse_time(f"{hour}:{minute:02d} {'pm' if pm else 'am'}") == expected
