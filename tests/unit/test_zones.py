"""Time-zone lookup for enrolment: typed cities and zones, typos, shared locations, labels."""

from __future__ import annotations

import zoneinfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.zones import (
    MAX_LABEL,
    MAX_QUERY,
    canonical_zone,
    is_zone,
    normalize,
    suggest_zones,
    zone_for_location,
    zone_from_token,
    zone_label,
    zone_token,
)

ALL_ZONES = zoneinfo.available_timezones()
KYIV = "Europe/Kyiv" if "Europe/Kyiv" in ALL_ZONES else "Europe/Kiev"

BEST_MATCH = [
    # exact zone names, any case
    ("Europe/London", "Europe/London"),
    ("europe/london", "Europe/London"),
    (" Asia/Kolkata ", "Asia/Kolkata"),
    ("utc", "UTC"),
    ("UTC", "UTC"),
    # legacy names typed exactly give today's name
    ("US/Eastern", "America/New_York"),
    ("Asia/Calcutta", "Asia/Kolkata"),
    ("Europe/Kiev", KYIV),
    ("Japan", "Asia/Tokyo"),
    ("Etc/UTC", "UTC"),
    # city part of zone names
    ("london", "Europe/London"),
    ("LONDON", "Europe/London"),
    ("new york", "America/New_York"),
    ("new_york", "America/New_York"),
    ("New-York", "America/New_York"),
    ("kolkata", "Asia/Kolkata"),
    ("sao paulo", "America/Sao_Paulo"),
    ("São Paulo", "America/Sao_Paulo"),
    ("buenos aires", "America/Argentina/Buenos_Aires"),
    ("Mexico City", "America/Mexico_City"),
    ("hong kong", "Asia/Hong_Kong"),
    ("st johns", "America/St_Johns"),
    ("calcutta", "Asia/Kolkata"),
    ("saigon", "Asia/Ho_Chi_Minh"),
    # the alias table
    ("Delhi", "Asia/Kolkata"),
    ("Mumbai", "Asia/Kolkata"),
    ("Bangalore", "Asia/Kolkata"),
    ("Bengaluru", "Asia/Kolkata"),
    ("Chennai", "Asia/Kolkata"),
    ("India", "Asia/Kolkata"),
    ("San Francisco", "America/Los_Angeles"),
    ("Los Angeles", "America/Los_Angeles"),
    ("Seattle", "America/Los_Angeles"),
    ("Boston", "America/New_York"),
    ("Washington", "America/New_York"),
    ("Miami", "America/New_York"),
    ("Atlanta", "America/New_York"),
    ("Manchester", "Europe/London"),
    ("Birmingham", "Europe/London"),
    ("Edinburgh", "Europe/London"),
    ("Glasgow", "Europe/London"),
    ("UK", "Europe/London"),
    ("England", "Europe/London"),
    ("Scotland", "Europe/London"),
    ("Beijing", "Asia/Shanghai"),
    ("Shenzhen", "Asia/Shanghai"),
    ("China", "Asia/Shanghai"),
    ("Munich", "Europe/Berlin"),
    ("München", "Europe/Berlin"),
    ("Hamburg", "Europe/Berlin"),
    ("Frankfurt", "Europe/Berlin"),
    ("Germany", "Europe/Berlin"),
    ("Sydney", "Australia/Sydney"),
    ("Melbourne", "Australia/Melbourne"),
    ("Toronto", "America/Toronto"),
    ("Montreal", "America/Toronto"),
    ("Vancouver", "America/Vancouver"),
    ("Dubai", "Asia/Dubai"),
    ("Singapore", "Asia/Singapore"),
    ("Barcelona", "Europe/Madrid"),
    ("Milan", "Europe/Rome"),
    ("Osaka", "Asia/Tokyo"),
    ("Auckland", "Pacific/Auckland"),
    ("Wellington", "Pacific/Auckland"),
    ("New Zealand", "Pacific/Auckland"),
    ("Cape Town", "Africa/Johannesburg"),
    ("Johannesburg", "Africa/Johannesburg"),
    ("Lagos", "Africa/Lagos"),
    ("Nairobi", "Africa/Nairobi"),
    ("Cairo", "Africa/Cairo"),
    ("Istanbul", "Europe/Istanbul"),
    ("Moscow", "Europe/Moscow"),
    ("Kyiv", KYIV),
    ("Kiev", KYIV),
    ("Rio", "America/Sao_Paulo"),
    ("Rio de Janeiro", "America/Sao_Paulo"),
    ("Manila", "Asia/Manila"),
    ("Jakarta", "Asia/Jakarta"),
    ("Karachi", "Asia/Karachi"),
    ("Dhaka", "Asia/Dhaka"),
    ("Tehran", "Asia/Tehran"),
    ("Riyadh", "Asia/Riyadh"),
    ("Seoul", "Asia/Seoul"),
    ("Bangkok", "Asia/Bangkok"),
    ("Chicago", "America/Chicago"),
    ("Denver", "America/Denver"),
    ("Phoenix", "America/Phoenix"),
    ("Anchorage", "America/Anchorage"),
    ("Honolulu", "Pacific/Honolulu"),
    ("Dublin", "Europe/Dublin"),
    ("Paris", "Europe/Paris"),
    ("Amsterdam", "Europe/Amsterdam"),
    ("Lisbon", "Europe/Lisbon"),
    ("USA", "America/New_York"),
    # typos
    ("Londn", "Europe/London"),
    ("kolkatta", "Asia/Kolkata"),
    ("bangalor", "Asia/Kolkata"),
    ("berln", "Europe/Berlin"),
    ("parris", "Europe/Paris"),
    ("moskow", "Europe/Moscow"),
    ("istambul", "Europe/Istanbul"),
    ("europe/londn", "Europe/London"),
    # prefixes and later words
    ("kolk", "Asia/Kolkata"),
    ("york", "America/New_York"),
]


@pytest.mark.parametrize(("query", "best"), BEST_MATCH)
def test_best_suggestion(query: str, best: str) -> None:
    assert suggest_zones(query)[0] == best


@pytest.mark.parametrize("query", ["Europe/London", "utc", "US/Eastern", "london", "Delhi"])
def test_exact_answers_are_single(query: str) -> None:
    assert len(suggest_zones(query)) == 1


@pytest.mark.parametrize(
    "query",
    ["", "   ", "xyzzy", "asdfgh", "123", "12:30", "!!!", "a", "x" * 20, "🙂", "/", "qwertyuiop"],
)
def test_garbage_gives_nothing(query: str) -> None:
    assert suggest_zones(query) == []


def test_query_longer_than_cap_gives_nothing() -> None:
    assert suggest_zones("london".ljust(MAX_QUERY)) == ["Europe/London"]
    assert suggest_zones("london".ljust(MAX_QUERY + 1)) == []


def test_country_with_several_zones_lists_them_best_first() -> None:
    assert suggest_zones("usa", limit=3) == [
        "America/New_York",
        "America/Chicago",
        "America/Denver",
    ]
    assert suggest_zones("australia")[0] == "Australia/Sydney"


def test_prefix_gives_several_without_duplicates_and_respects_limit() -> None:
    found = suggest_zones("san", limit=4)
    assert len(found) == 4
    assert len(set(found)) == 4
    assert found[0] == "America/Los_Angeles"  # popular places rank first
    assert suggest_zones("san", limit=0) == []


def test_suggestions_skip_legacy_names() -> None:
    assert all(not z.startswith(("US/", "Etc/", "Canada/")) for z in suggest_zones("eastern"))
    assert "America/Montreal" not in suggest_zones("montreal")
    assert "Asia/Calcutta" not in suggest_zones("calcutta")


def test_exact_fixed_offset_zone_is_still_accepted() -> None:
    assert suggest_zones("Etc/GMT+5") == ["Etc/GMT+5"]


def test_normalize() -> None:
    assert normalize("  São_Paulo ") == "sao paulo"
    assert normalize("Port-au-Prince") == "port au prince"
    assert normalize("St. John's") == "st johns"
    assert normalize("ＬＯＮＤＯＮ") == "london"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("GB", "Europe/London"),
        ("EST5EDT", "EST5EDT"),
        ("localtime", None),
        ("Factory", None),
        ("London", None),
        ("", None),
    ],
)
def test_canonical_zone(name: str, expected: str | None) -> None:
    assert canonical_zone(name) == expected


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("Europe/London", "London (Europe)"),
        ("Asia/Kolkata", "Kolkata (Asia)"),
        ("America/New_York", "New York (America)"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires (Argentina)"),
        ("America/Indiana/Indianapolis", "Indianapolis (Indiana)"),
        ("America/Port-au-Prince", "Port-au-Prince (America)"),
        ("UTC", "UTC"),
    ],
)
def test_zone_label(zone: str, label: str) -> None:
    assert zone_label(zone) == label


def test_every_zone_label_fits_a_button() -> None:
    assert all(0 < len(zone_label(z)) <= MAX_LABEL for z in ALL_ZONES)
    assert len(zone_label("A/" + "x" * 100)) == MAX_LABEL


def test_zone_tokens_round_trip_for_every_zone() -> None:
    for zone in ALL_ZONES - {"localtime", "Factory"}:
        token = zone_token(zone)
        assert "/" not in token
        assert zone_from_token(token) == zone
    assert zone_from_token("Nowhere.Special") is None
    assert is_zone("Europe/London")
    assert not is_zone("europe/london")


@pytest.mark.parametrize(
    ("lat", "lng", "zone"),
    [
        (51.5074, -0.1278, "Europe/London"),
        (28.6139, 77.2090, "Asia/Kolkata"),
        (40.7128, -74.0060, "America/New_York"),
        (-33.8688, 151.2093, "Australia/Sydney"),
        (-23.5505, -46.6333, "America/Sao_Paulo"),
        (50.4501, 30.5234, KYIV),
        (35.6762, 139.6503, "Asia/Tokyo"),
    ],
)
def test_zone_for_location(lat: float, lng: float, zone: str) -> None:
    assert zone_for_location(lat, lng) == zone


@pytest.mark.parametrize(
    ("lat", "lng"),
    [
        (40.0, -30.0),  # mid-Atlantic
        (-40.0, -120.0),  # South Pacific
        (91.0, 0.0),
        (-90.5, 0.0),
        (0.0, 180.5),
        (0.0, -181.0),
        (float("nan"), 0.0),
        (0.0, float("inf")),
    ],
)
def test_zone_for_location_none_for_sea_and_bad_coordinates(lat: float, lng: float) -> None:
    assert zone_for_location(lat, lng) is None


@settings(max_examples=300)
@given(query=st.text(max_size=80))
@example(query="\x00")
@example(query="/" * 64)
@example(query="ß" * 64)
@example(query="İstanbul")
def test_suggest_never_raises_and_returns_valid_zones(query: str) -> None:
    found = suggest_zones(query)
    assert len(found) <= 5
    assert len(set(found)) == len(found)
    assert all(z in ALL_ZONES for z in found)


@given(
    query=st.text(alphabet="abcdefghijklmnopqrstuvwxyz _/-", max_size=30), limit=st.integers(0, 9)
)
def test_suggest_respects_limit(query: str, limit: int) -> None:
    found = suggest_zones(query, limit=limit)
    assert len(found) <= limit
    assert all(z in ALL_ZONES for z in found)


@given(lat=st.floats(-90, 90), lng=st.floats(-180, 180))
@settings(max_examples=50, deadline=None)
def test_zone_for_location_gives_valid_zone_or_none(lat: float, lng: float) -> None:
    zone = zone_for_location(lat, lng)
    assert zone is None or zone in ALL_ZONES
