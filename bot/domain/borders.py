"""Which of a few countries contains a point, from countryinfo's country outlines (offline).

Only used to choose between the countries that share the time zone at a shared location, so
coarse outlines are enough; a point in none or several of them (a coast, a border, an island
the outlines leave out) is left for the person to answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from countryinfo import CountryInfo
from countryinfo.exceptions import CountryNotFoundError

Ring = Sequence[Sequence[float]]  # [[longitude, latitude], ...]


@cache
def _rings(country: str) -> tuple[Ring, ...]:
    """Every outer and inner ring of the country's outline; () where countryinfo has none."""
    try:
        shape: dict[str, Any] = CountryInfo(country).geo_json()
    except CountryNotFoundError:
        return ()
    rings: list[Ring] = []
    for feature in shape.get("features", []):
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            rings.extend(polygon)
    return tuple(rings)


def _crosses(ring: Ring, lng: float, lat: float) -> bool:
    """Whether a ray from the point eastwards crosses `ring` an odd number of times."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y1 > lat) != (y2 > lat) and lng < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def containing(latitude: float, longitude: float, countries: Iterable[str]) -> list[str]:
    """The countries among `countries` whose outline contains the point (holes excluded)."""
    return [
        code
        for code in countries
        if sum(_crosses(ring, longitude, latitude) for ring in _rings(code)) % 2 == 1
    ]
