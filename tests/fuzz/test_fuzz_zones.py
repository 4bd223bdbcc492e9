"""Fuzzing time-zone lookup (bot/domain/zones.py, bot/steps.interpret_zone).

Beyond the unit properties: every zone the bot offers is found again from its own name however
it is typed (case, spaces for underscores, surrounding blanks), its city alone always lists it,
anything at all typed at the zone step gives valid zones or a friendly "not found", and the
offline location lookup only ever answers with a zone the bot accepts.
"""

from __future__ import annotations

import zoneinfo

from hypothesis import example, given
from hypothesis import strategies as st

from bot.chat.steps import MAX_SUGGESTIONS, interpret_zone
from bot.domain.zones import (
    MAX_QUERY,
    _index,
    canonical_zone,
    is_zone,
    suggest_zones,
    zone_for_location,
    zone_label,
)
from tests.fuzz.budget import fuzz

CANONICAL = sorted(_index().canonical)
ALL = sorted(zoneinfo.available_timezones())


def typed(zone: str, style: int) -> str:
    """The zone name as a person might type it."""
    forms = (
        zone,
        zone.lower(),
        zone.upper(),
        f"  {zone}  ",
        zone.replace("_", " "),
        zone.replace("_", " ").lower(),
        zone.replace("/", " ").replace("_", " "),
    )
    return forms[style % len(forms)]


@fuzz(200)
@given(zone=st.sampled_from(CANONICAL), style=st.integers(0, 6))
def test_every_offered_zone_is_found_from_its_own_name(zone: str, style: int) -> None:
    """Its exact name (any case, padded) is taken at once; loosely typed, it is the first
    suggestion ("America Dawson" also offers Dawson Creek, found by the long run)."""
    text = typed(zone, style)
    assert suggest_zones(text)[:1] == [zone], text
    answer = interpret_zone(text)
    if style <= 3:
        assert answer.zone == zone, text
    else:
        assert answer.zone == zone or answer.suggestions[0] == zone, text


@fuzz(200)
@given(zone=st.sampled_from(CANONICAL), upper=st.booleans())
def test_the_city_alone_lists_its_zone(zone: str, upper: bool) -> None:
    city = zone.rpartition("/")[2].replace("_", " ")
    text = city.upper() if upper else city
    assert zone in suggest_zones(text, limit=MAX_SUGGESTIONS * 4), text


@fuzz(200)
@given(name=st.sampled_from(ALL))
def test_every_tzdata_name_is_accepted_as_its_current_name(name: str) -> None:
    current = canonical_zone(name)
    if name in ("Factory", "localtime"):
        assert current is None
        return
    assert current is not None
    assert is_zone(current)
    assert canonical_zone(current) == current


@fuzz(300)
@given(text=st.text(max_size=10_000))
@example(text="\u202eLondon\u202c")
@example(text="🇬🇧 London")
@example(text="תל אביב")
@example(text="<b>Paris</b>")
@example(text="Lon" * 30)
def test_anything_typed_at_the_zone_step(text: str) -> None:
    answer = interpret_zone(text)
    if answer.zone is not None:
        assert is_zone(answer.zone)
        assert answer.suggestions == ()
        assert len(zone_label(answer.zone)) <= 64
    else:
        assert len(answer.suggestions) != 1
        assert len(answer.suggestions) <= MAX_SUGGESTIONS
        assert all(z in _index().canonical for z in answer.suggestions)
    if len(text) > MAX_QUERY:
        assert answer.zone is None
        assert answer.suggestions == ()


@fuzz(100)
@given(
    lat=st.floats(allow_nan=True, allow_infinity=True),
    lng=st.floats(allow_nan=True, allow_infinity=True),
)
@example(lat=51.5, lng=-0.12)
@example(lat=90.0, lng=180.0)
@example(lat=-90.0, lng=-180.0)
def test_location_lookup_answers_an_accepted_zone_or_none(lat: float, lng: float) -> None:
    zone = zone_for_location(lat, lng)
    assert zone is None or zone in _index().canonical
