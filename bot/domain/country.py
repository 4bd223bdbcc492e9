"""Which country a person is in: the one they gave, else the one their time zone makes certain.

tzdata's tables say which countries use a zone. ``zone1970.tab`` lists every country whose clocks
have agreed with a zone since 1970 (``Asia/Bangkok`` is Thailand, Cambodia, Laos and north
Vietnam), so only a zone it gives one country makes the country certain. ``zone.tab`` names the
one country whose city each zone is named after (``Europe/Oslo`` is Norway), which is what a
typed or tapped city means. ``iso3166.tab`` has the English country names.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from bot.domain.models import Profile


def _rows(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _zone1970() -> dict[str, tuple[str, ...]]:
    return {row[2]: tuple(row[0].split(",")) for row in _rows("zone1970.tab")}


@cache
def _zone_tab() -> dict[str, str]:
    return {row[2]: row[0] for row in _rows("zone.tab")}


@cache
def country_names() -> dict[str, str]:
    """Every ISO 3166 alpha-2 code tzdata knows, with its English name."""
    return {row[0]: row[1] for row in _rows("iso3166.tab")}


def zone_countries(zone: str | None) -> tuple[str, ...]:
    """The countries that use `zone` (the first is the zone's own), or () for zones like UTC."""
    if not zone:
        return ()
    if zone in _zone1970():
        return _zone1970()[zone]
    own = _zone_tab().get(zone)
    return (own,) if own else ()


def certain_country(zone: str | None) -> str | None:
    """The country for `zone` when only one country uses it, else None."""
    found = zone_countries(zone)
    return found[0] if len(found) == 1 else None


def city_country(zone: str) -> str | None:
    """The country of the city `zone` is named after (a typed or tapped place), if any."""
    return _zone_tab().get(zone) or certain_country(zone)


def country_after_move(zone: str, named: str | None, previous: str | None) -> str | None:
    """The country once the person's zone changes to `zone`: the one the new place named, else
    the one they had if `zone` is used there too, else unknown (so it is asked again)."""
    return named or (previous if previous in zone_countries(zone) else None)


def country_of(profile: Profile | None) -> str | None:
    """The person's ISO 3166 alpha-2 country: the one they gave, else the one their zone makes
    certain; None where it is not known (texts then use words that fit every country)."""
    if profile is None:
        return None
    return profile.country or certain_country(profile.zone)
