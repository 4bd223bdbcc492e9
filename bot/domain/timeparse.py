"""Parse the clock times people type for their wake time and bedtime.

Accepted: ``7``, ``07``, ``7:30``, ``7.30``, ``7h30``, ``19 h 30``, ``19:30 Uhr``, ``19 Uhr``,
``19h``, ``0730``, ``730``, ``19:30``, ``24:00`` (midnight), ``7am``, ``7 a.m.``, ``7:30pm``,
``12am`` (00:00), ``12pm`` (12:00), ``7 o'clock``,
``noon``, ``midday``, ``midnight``; surrounding spaces, any case, full-width characters (NFKC)
and other scripts' decimal digits. Anything else is None so the bot can ask again.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import time

MAX_INPUT = 32

_WORDS = {
    "noon": time(12, 0),
    "midday": time(12, 0),
    "12 noon": time(12, 0),
    "midnight": time(0, 0),
    "12 midnight": time(0, 0),
}
# One or two hour digits, then optionally two minute digits after ":", ".", "h" (spaces allowed
# around the "h": "19 h 30") or nothing ("0730", "730"); then an optional am/pm in its usual
# spellings, "o'clock", or the hour words of other locales ("19:30 Uhr", "19h", "19:30 hs").
_TIME_RE = re.compile(
    r"(?P<hour>\d{1,2})"
    r"(?:(?:[:.]|\s?h\s?)?(?P<minute>\d{2}))?"
    r"\s*(?:(?P<meridiem>[ap])\.?\s?m\.?|o'?\s?clock|uhr|hs?)?"
)


def parse_time(text: str) -> time | None:
    """The wall-clock time in `text` (seconds always 0), or None if it is not one."""
    if len(text) > MAX_INPUT:
        return None
    cleaned = " ".join(unicodedata.normalize("NFKC", text).casefold().replace("’", "'").split())
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    match = _TIME_RE.fullmatch(cleaned)
    if match is None:
        return None
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    if minute > 59:
        return None
    meridiem = match["meridiem"]
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    elif hour == 24 and minute == 0:
        hour = 0
    if hour > 23:
        return None
    return time(hour, minute)


def format_time(t: time) -> str:
    """24-hour ``HH:MM``, the form the bot shows and :func:`parse_time` reads back."""
    return f"{t.hour:02d}:{t.minute:02d}"
