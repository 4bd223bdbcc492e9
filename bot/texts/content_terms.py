"""Local words for health services (`terms.yaml`): plain words for everyone, and per country only
the words that differ ("a GP" in the UK). Any text may use them as `{doctor}`, `{eye_doctor}`...;
they are filled in when the content is loaded, once per country, so texts are written once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import StringConstraints

from bot.texts.content_text import ContentModel, Phrase

# ISO 3166-1 alpha-2, as a string: YAML reads an unquoted NO as False, which this rejects.
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$", strict=True)]


class Terms(ContentModel):
    """The words themselves, each used inside a sentence."""

    doctor: Phrase  # "a doctor": who to book or see
    your_doctor: Phrase  # "your doctor"
    eye_doctor: Phrase  # for a red or sticky eye
    urgent_care: Phrase  # same-day care when the doctor has no appointment
    eye_urgent: Phrase  # same day, for a painful red eye


class TermOverrides(ContentModel):
    """A country's words where they differ from the plain ones."""

    doctor: Phrase | None = None
    your_doctor: Phrase | None = None
    eye_doctor: Phrase | None = None
    urgent_care: Phrase | None = None
    eye_urgent: Phrase | None = None


class TermsFile(ContentModel):
    default: Terms
    countries: dict[CountryCode, TermOverrides] = {}

    def words(self, country: str | None) -> dict[str, str]:
        """The words for `country` (None: the plain ones)."""
        words = self.default.model_dump()
        override = self.countries.get(country or "")
        if override is not None:
            words.update(override.model_dump(exclude_none=True))
        return words


_TERM = re.compile(r"(?<!\{)\{(" + "|".join(Terms.model_fields) + r")\}(?!\})")


def fill_terms(data: Any, words: Mapping[str, str]) -> Any:
    """Raw YAML data with every `{term}` replaced by its word (other placeholders are kept)."""
    if isinstance(data, str):
        return _TERM.sub(lambda m: words[m.group(1)], data)
    if isinstance(data, dict):
        return {key: fill_terms(value, words) for key, value in data.items()}
    if isinstance(data, list):
        return [fill_terms(item, words) for item in data]
    return data
