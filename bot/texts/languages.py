"""Each language's name as its own speakers write it: the /language buttons show these in
every locale, so a person who landed in a language they cannot read still finds theirs."""

from __future__ import annotations

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "pt": "Português (Brasil)",
    "de": "Deutsch",
    "ru": "Русский",
}


def language_name(locale: str) -> str:
    """The name of `locale` in itself; a locale without one (a test locale) shows its code."""
    return LANGUAGE_NAMES.get(locale, locale)
