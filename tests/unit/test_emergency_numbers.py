"""The emergency numbers file and the country behind each number (issue 13).

The number is looked up by country, and the country is the person's: their answer, a typed
place, a shared location, or, for older profiles, a zone only one country uses.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.chat.escalation import emergency_text
from bot.chat.steps import interpret_zone
from bot.domain.country import certain_country, country_names, country_of, zone_countries
from bot.domain.models import Assessment, Level, Profile
from bot.domain.triage import Triage
from bot.domain.zones import country_at, zone_for_location
from bot.texts.content import Content, load_content
from bot.texts.emergency_numbers import emergency_number, load_numbers, number_for
from content import CONTENT_ROOT

HANOI = (21.0285, 105.8542)
EMERGENCY = Triage(assessment=Assessment(level=Level.EMERGENCY), new_reasons=(), emergency_now=True)


def profile(zone: str | None, country: str | None = None) -> Profile:
    return Profile(
        user_id=1,
        chat_id=1,
        consent_at=datetime(2026, 1, 1, tzinfo=UTC),
        zone=zone,
        country=country,
    )


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(CONTENT_ROOT, "en")


def zone1970() -> dict[str, tuple[str, ...]]:
    text = resources.files("tzdata").joinpath("zoneinfo", "zone1970.tab").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return {row[2]: tuple(row[0].split(",")) for row in rows}


def test_every_code_in_the_file_is_a_country_that_zone1970_tab_knows() -> None:
    numbers = load_numbers()
    in_zone1970 = {code for codes in zone1970().values() for code in codes}
    assert set(numbers.numbers) <= in_zone1970
    assert set(numbers.numbers) <= set(country_names())
    assert {entry.source for entry in numbers.numbers.values()} == set(numbers.sources)


def test_a_bare_yaml_key_read_as_a_boolean_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "numbers.yaml"
    bad.write_text('sources: {x: "a source"}\nnumbers:\n  NO: {number: "113", source: x}\n')
    with pytest.raises(ValidationError):
        load_numbers(bad)


def test_an_entry_without_a_known_source_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "numbers.yaml"
    bad.write_text('sources: {x: "a source"}\nnumbers:\n  "VN": {number: "115", source: y}\n')
    with pytest.raises(ValidationError, match="unknown sources"):
        load_numbers(bad)


def test_norway_is_113() -> None:
    assert emergency_number("NO") == "113"
    assert emergency_number(country_of(profile("Europe/Oslo"))) == "113"


def test_hanoi_typed_is_vietnam_and_115() -> None:
    found = interpret_zone("Hanoi")
    assert (found.zone, found.country) == ("Asia/Bangkok", "VN")
    assert emergency_number(found.country) == "115"


def test_a_location_in_hanoi_is_vietnam() -> None:
    zone = zone_for_location(*HANOI)
    assert zone is not None
    assert country_at(*HANOI, zone) == "VN"


def test_an_older_profile_without_a_country_still_loads_and_uses_a_certain_zone() -> None:
    stored = profile("America/New_York").model_dump_json(exclude={"country"})
    old = Profile.model_validate_json(stored)
    assert old.country is None
    assert country_of(old) == "US"
    assert number_for(old) == "911"
    assert country_of(profile("Asia/Bangkok")) is None  # five countries: not certain
    assert number_for(profile("Asia/Bangkok")) is None  # with five different numbers
    assert country_of(profile("Europe/London")) is None  # GB, GG, IM, JE
    assert number_for(profile("Europe/London")) == "999"  # all four share it


def test_the_country_given_wins_over_the_zone() -> None:
    assert number_for(profile("Asia/Bangkok", "VN")) == "115"
    assert number_for(profile("Europe/Berlin", "NO")) == "113"


ALL_ZONES = sorted(set(zone1970()) | zoneinfo.available_timezones())


def test_the_zones_checked_include_every_zone1970_zone() -> None:
    assert set(zone1970()) <= set(ALL_ZONES)


@pytest.mark.parametrize("zone", ALL_ZONES)
def test_every_zone_gives_a_number_or_the_generic_line(content: Content, zone: str) -> None:
    text = emergency_text(content, profile(zone), EMERGENCY, ()).replace("<b>", "")
    said = text.split("Please call ", 1)[1].split(" now.</b>", 1)[0]
    numbers = {emergency_number(c) for c in zone_countries(zone)}
    assert said in numbers or said == content.redflags.unknown_number
    country = certain_country(zone)
    if country is not None:
        assert said == (emergency_number(country) or content.redflags.unknown_number)
