"""The local emergency number for a person's time zone, where we know it."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from content import CONTENT_ROOT

NUMBERS_FILE = CONTENT_ROOT / "emergency_numbers.yaml"


@cache
def _zone_countries() -> dict[str, str]:
    """Map IANA zones to ISO country codes from tzdata's zone.tab."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    mapping: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            mapping[fields[2]] = fields[0]
    return mapping


@cache
def _numbers(path: Path = NUMBERS_FILE) -> dict[str, str]:
    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    return {str(code): str(number) for code, number in raw.items()}


def country_for_zone(zone: str | None) -> str | None:
    """The ISO 3166 country code for a zone, or None for zones like UTC."""
    return _zone_countries().get(zone) if zone else None


def emergency_number(zone: str | None) -> str | None:
    """The ambulance number for the zone's country, or None where we do not know it."""
    country = country_for_zone(zone)
    return _numbers().get(country) if country else None
