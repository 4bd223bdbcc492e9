"""Dates, times, numbers and time-zone names as each locale writes them, with Babel.

A content locale maps to the Babel locale whose conventions the texts were written for: `en` is
British English (day before month, 24-hour clock: "Friday 20 March", "07:30"), `pt` is Brazilian
Portuguese. A content locale Babel does not know (a test locale) is written like the default.
Machine formats (callback data, file names) never come through here.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_time, get_timezone_location
from babel.numbers import format_decimal

from bot.domain.zones import zone_name

BABEL_LOCALES = {"en": "en_GB", "pt": "pt_BR"}
FALLBACK = "en_GB"
# Short weekday fields of a CLDR pattern, widened for a long date ("Fri" -> "Friday").
_SHORT_WEEKDAY = re.compile(r"(?<![Ec])(E{1,3}|c{3})(?![Ec])")


@cache
def babel_locale(locale: str) -> Locale:
    """The Babel locale a content locale is written in."""
    try:
        return Locale.parse(BABEL_LOCALES.get(locale, locale))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK)


@cache
def _pattern(locale: str, skeleton: str, *, wide_weekday: bool = False) -> str:
    known = babel_locale(locale)
    pattern = str(known.datetime_skeletons[skeleton])
    return _SHORT_WEEKDAY.sub("EEEE", pattern) if wide_weekday else pattern


def long_date(day: date, locale: str) -> str:
    """ "Friday 20 March", "viernes, 20 de marzo", "Freitag, 20. März"."""
    return format_date(day, _pattern(locale, "MMMMEd", wide_weekday=True), babel_locale(locale))


def short_date(day: date, locale: str) -> str:
    """ "Fri 20 Mar", "Fr., 20. März"."""
    return format_date(day, _pattern(locale, "MMMEd"), babel_locale(locale))


def day_month(day: date, locale: str) -> str:
    """ "20 Mar", "20. März"."""
    return format_date(day, _pattern(locale, "MMMd"), babel_locale(locale))


def clock_time(t: time, locale: str) -> str:
    """The locale's short time: "07:30" (en), "7:30" (es); 12-hour where the locale uses it."""
    return format_time(t, "short", locale=babel_locale(locale))


def number(value: float, locale: str = "en") -> str:
    """One decimal at most: 7.5 -> "7.5" (en), "7,5" (de); 8.0 -> "8"; 2.666 -> "2.7"."""
    return format_decimal(round(value, 1), "0.#", locale=babel_locale(locale))


def zone_place(zone: str, locale: str) -> str:
    """A zone as a place in the person's language: "Berlin (Europe)" in English (the bot's
    convention), "Берлин (Германия)" in Russian; the zone's own name when Babel has no city."""
    if babel_locale(locale).language == "en":
        return zone_name(zone)
    known = babel_locale(locale)
    try:
        city = get_timezone_location(zone, known, return_city=True)
    except LookupError:
        return zone_name(zone)
    country = _zone_country(zone, known)
    return f"{city} ({country})" if country and country != city else city


def _zone_country(zone: str, known: Locale) -> str | None:
    territory = get_global("zone_territories").get(zone)
    return known.territories.get(territory) if territory else None
