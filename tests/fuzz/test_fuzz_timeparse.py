"""Fuzzing time parsing (bot/domain/timeparse.py): what people type for their wake time and bedtime.

Beyond the unit properties (never raises, round trip), an oracle: every documented spelling of
every minute of the day parses to exactly that time, whatever the case, spacing, full-width or
other-script digits; out-of-range values never parse; and no input of any size raises.
"""

from __future__ import annotations

from datetime import time

from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.timeparse import MAX_INPUT, format_time, parse_time
from tests.fuzz.budget import fuzz

FULL_WIDTH = str.maketrans("0123456789:.", "０１２３４５６７８９：．")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
MERIDIEMS = {
    "am": ("am", "a.m.", "a.m", "AM", "A.M.", " am", " a.m."),
    "pm": ("pm", "p.m.", "PM", " pm", " P.M."),
}


def twenty_four_hour(hour: int, minute: int, style: int) -> str:
    styles = (
        f"{hour}:{minute:02d}",
        f"{hour:02d}:{minute:02d}",
        f"{hour}.{minute:02d}",
        f"{hour}h{minute:02d}",
        f"{hour:02d}{minute:02d}",
    )
    return styles[style % len(styles)]


@fuzz(200)
@given(
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    style=st.integers(0, 4),
    digits=st.sampled_from([None, FULL_WIDTH, ARABIC_INDIC, DEVANAGARI]),
    pad=st.sampled_from(["", " ", "  ", "\t", "\u00a0"]),
)
def test_every_minute_in_every_24_hour_spelling(
    hour: int, minute: int, style: int, digits: dict[int, str] | None, pad: str
) -> None:
    text = twenty_four_hour(hour, minute, style)
    if digits is not None:
        text = text.translate(digits)
    assert parse_time(f"{pad}{text}{pad}") == time(hour, minute), text


@fuzz(200)
@given(
    hour=st.integers(1, 12),
    minute=st.one_of(st.none(), st.integers(0, 59)),
    pm=st.booleans(),
    spelling=st.integers(0, 6),
    upper=st.booleans(),
)
def test_every_twelve_hour_spelling(
    hour: int, minute: int | None, pm: bool, spelling: int, upper: bool
) -> None:
    options = MERIDIEMS["pm" if pm else "am"]
    suffix = options[spelling % len(options)]
    clock = f"{hour}" if minute is None else f"{hour}:{minute:02d}"
    text = clock + suffix
    expected = time(hour % 12 + (12 if pm else 0), minute or 0)
    assert parse_time(text.upper() if upper else text) == expected, text


@fuzz(200)
@given(hour=st.integers(0, 99), minute=st.integers(0, 99))
def test_out_of_range_never_parses_as_something_else(hour: int, minute: int) -> None:
    result = parse_time(f"{hour}:{minute:02d}")
    if hour <= 23 and minute <= 59:
        assert result == time(hour, minute)
    elif hour == 24 and minute == 0:
        assert result == time(0, 0)  # 24:00 is midnight
    else:
        assert result is None


@fuzz(200)
@given(hour=st.integers(0, 23), minute=st.integers(0, 59), pm=st.booleans())
def test_twelve_hour_suffix_on_a_24_hour_value_is_refused(hour: int, minute: int, pm: bool) -> None:
    text = f"{hour}:{minute:02d}{'pm' if pm else 'am'}"
    result = parse_time(text)
    if hour == 0 or hour > 12:
        assert result is None  # "0:30am", "13:00pm" are not times
    else:
        assert result == time(hour % 12 + (12 if pm else 0), minute)


@fuzz(300)
@given(text=st.text(max_size=10_000))
@example(text="7" * 10_000)
@example(text="\u202e07:30\u202c")
@example(text="07:30\x00")
@example(text="😴 7am")
def test_any_text_never_raises_and_answers_are_real_times(text: str) -> None:
    result = parse_time(text)
    if result is None:
        return
    assert len(text) <= MAX_INPUT
    assert (result.second, result.microsecond, result.tzinfo) == (0, 0, None)
    assert parse_time(format_time(result)) == result
    # The same answer whatever the case or surrounding spaces.
    assert parse_time(f"  {text.upper()}  ") == result or len(text) + 4 > MAX_INPUT


@fuzz(200)
@given(
    text=st.from_regex(
        r"\s*[0-9０-９٠-٩]{1,5}([:.hH：．][0-9０-９]{1,3})?\s*([aApP]\.?\s?[mM]\.?|o'?\s?clock)?\s*",
        fullmatch=True,
    )
)
def test_time_shaped_text_is_parsed_consistently(text: str) -> None:
    result = parse_time(text)
    if result is not None:
        assert parse_time(format_time(result)) == result
        assert parse_time(text.casefold()) == result
