"""The person's country, for the words of local health services (content/<locale>/terms.yaml).

A stand-in until the profile keeps the country the person gave (issue 13, item 1): None means
"not known", and the texts then use plain words that fit every country.
"""

from __future__ import annotations

from bot.models import Profile


def country_of(profile: Profile | None) -> str | None:
    """The person's ISO 3166 alpha-2 country, or None where it is not known."""
    del profile  # not stored yet: see the module docstring
    return None
