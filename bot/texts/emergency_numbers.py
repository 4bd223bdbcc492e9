"""The ambulance number for a person's country, from the validated numbers file."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Self

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from bot.domain.country import country_of, zone_countries
from bot.domain.models import Profile
from bot.texts.content import Content
from content import CONTENT_ROOT

NUMBERS_FILE = CONTENT_ROOT / "emergency_numbers.yaml"

# Upper-case ISO 3166-1 alpha-2. A YAML key like a bare NO (read as false) fails here.
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
# "112", "15 or 112", "10177 (112 from a mobile)": digits first, shown in a sentence.
_Number = Annotated[str, StringConstraints(pattern=r"^[0-9]{2,5}( or [0-9]{2,5})?( \([^()]+\))?$")]


class Entry(BaseModel):
    """One country's number and the source it was taken from."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    number: _Number
    source: str


class NumbersFile(BaseModel):
    """`content/emergency_numbers.yaml`: the sources, then the numbers by country code."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    sources: dict[str, str]
    numbers: dict[CountryCode, Entry]

    @model_validator(mode="after")
    def _sources_known(self) -> Self:
        unknown = sorted({e.source for e in self.numbers.values()} - set(self.sources))
        if unknown:
            raise ValueError(f"entries name unknown sources: {unknown}")
        return self


def load_numbers(path: Path = NUMBERS_FILE) -> NumbersFile:
    """Read and validate a numbers file (raises pydantic's ValidationError on any problem)."""
    return NumbersFile.model_validate(yaml.safe_load(path.read_text("utf-8")))


@cache
def _numbers() -> NumbersFile:
    return load_numbers()


def emergency_number(country: str | None) -> str | None:
    """The ambulance number for an ISO country code, or None where we do not know one."""
    entry = _numbers().numbers.get(country) if country else None
    return entry.number if entry else None


def number_for(profile: Profile | None) -> str | None:
    """The person's number: their country's, or the one every country using their zone shares."""
    if profile is None:
        return None
    country = country_of(profile)
    if country is not None:
        return emergency_number(country)
    shared = {emergency_number(c) for c in zone_countries(profile.zone)}
    return shared.pop() if len(shared) == 1 else None


def number_to_call(content: Content, profile: Profile | None) -> str:
    """What to put after "call": the person's number, or the words for "your local emergency
    number" where none is known."""
    return number_for(profile) or content.redflags.unknown_number
