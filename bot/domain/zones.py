"""Time-zone and country lookup for enrolment: a typed city or zone name, or a shared location.

Suggestions are IANA names from ``zoneinfo.available_timezones()``, limited to the regional
names (``Europe/London``) a person would recognise; legacy aliases (``US/Eastern``,
``Asia/Calcutta``, ``Japan``) still work when typed but are shown as their current name.
Matching ignores case, accents and ``_``/``-``/spaces, and tries in order: an exact zone name,
an exact city/country, a prefix, a whole-word part, then difflib's close matches for typos.

A place typed exactly has a country: the one its alias names, else that of the city the zone is
named after. A guess (prefix, typo) or a shared location only has one where it is certain.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from bot.domain.borders import containing
from bot.domain.country import certain_country, city_country, country_names, zone_countries

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

MAX_QUERY = 64
MAX_LABEL = 64
_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
# Names that are valid zones but never a sensible answer for a person.
_NEVER = frozenset({"Factory", "localtime"})
_FUZZY_CUTOFF = 0.8
_MIN_PREFIX = 3

# Legacy and renamed zones -> the current name. Keys are also searched by their city part,
# so "calcutta" or "saigon" still find the right zone.
_LEGACY: dict[str, str] = {
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Dacca": "Asia/Dhaka",
    "Asia/Thimbu": "Asia/Thimphu",
    "Asia/Ulan_Bator": "Asia/Ulaanbaatar",
    "Asia/Ujung_Pandang": "Asia/Makassar",
    "Asia/Chongqing": "Asia/Shanghai",
    "Asia/Chungking": "Asia/Shanghai",
    "Asia/Harbin": "Asia/Shanghai",
    "Asia/Kashgar": "Asia/Urumqi",
    "Asia/Macao": "Asia/Macau",
    "Asia/Tel_Aviv": "Asia/Jerusalem",
    "Asia/Istanbul": "Europe/Istanbul",
    "Asia/Ashkhabad": "Asia/Ashgabat",
    "Europe/Kiev": "Europe/Kyiv",
    "Europe/Belfast": "Europe/London",
    "Europe/Nicosia": "Asia/Nicosia",
    "Europe/Tiraspol": "Europe/Chisinau",
    "Europe/Uzhgorod": "Europe/Kyiv",
    "Europe/Zaporozhye": "Europe/Kyiv",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "America/Montreal": "America/Toronto",
    "America/Nipigon": "America/Toronto",
    "America/Thunder_Bay": "America/Toronto",
    "America/Rainy_River": "America/Winnipeg",
    "America/Yellowknife": "America/Edmonton",
    "America/Pangnirtung": "America/Iqaluit",
    "America/Coral_Harbour": "America/Atikokan",
    "Australia/Currie": "Australia/Hobart",
    "Asia/Choibalsan": "Asia/Ulaanbaatar",
    "Atlantic/Jan_Mayen": "Arctic/Longyearbyen",
    "America/Godthab": "America/Nuuk",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Catamarca": "America/Argentina/Catamarca",
    "America/Argentina/ComodRivadavia": "America/Argentina/Catamarca",
    "America/Cordoba": "America/Argentina/Cordoba",
    "America/Rosario": "America/Argentina/Cordoba",
    "America/Jujuy": "America/Argentina/Jujuy",
    "America/Mendoza": "America/Argentina/Mendoza",
    "America/Indianapolis": "America/Indiana/Indianapolis",
    "America/Fort_Wayne": "America/Indiana/Indianapolis",
    "America/Knox_IN": "America/Indiana/Knox",
    "America/Louisville": "America/Kentucky/Louisville",
    "America/Ensenada": "America/Tijuana",
    "America/Santa_Isabel": "America/Tijuana",
    "America/Porto_Acre": "America/Rio_Branco",
    "America/Shiprock": "America/Denver",
    "America/Atka": "America/Adak",
    "America/Virgin": "America/St_Thomas",
    "Antarctica/South_Pole": "Antarctica/McMurdo",
    "Pacific/Samoa": "Pacific/Pago_Pago",
    "Pacific/Truk": "Pacific/Chuuk",
    "Pacific/Yap": "Pacific/Chuuk",
    "Pacific/Ponape": "Pacific/Pohnpei",
    "Pacific/Enderbury": "Pacific/Kanton",
    "Pacific/Johnston": "Pacific/Honolulu",
    "Australia/ACT": "Australia/Sydney",
    "Australia/Canberra": "Australia/Sydney",
    "Australia/NSW": "Australia/Sydney",
    "Australia/North": "Australia/Darwin",
    "Australia/Queensland": "Australia/Brisbane",
    "Australia/South": "Australia/Adelaide",
    "Australia/Tasmania": "Australia/Hobart",
    "Australia/Victoria": "Australia/Melbourne",
    "Australia/West": "Australia/Perth",
    "Australia/Yancowinna": "Australia/Broken_Hill",
    "Australia/LHI": "Australia/Lord_Howe",
    "US/Eastern": "America/New_York",
    "US/Central": "America/Chicago",
    "US/Mountain": "America/Denver",
    "US/Pacific": "America/Los_Angeles",
    "US/Alaska": "America/Anchorage",
    "US/Hawaii": "Pacific/Honolulu",
    "US/Arizona": "America/Phoenix",
    "US/Aleutian": "America/Adak",
    "US/East-Indiana": "America/Indiana/Indianapolis",
    "US/Indiana-Starke": "America/Indiana/Knox",
    "US/Michigan": "America/Detroit",
    "US/Samoa": "Pacific/Pago_Pago",
    "Canada/Atlantic": "America/Halifax",
    "Canada/Central": "America/Winnipeg",
    "Canada/Eastern": "America/Toronto",
    "Canada/Mountain": "America/Edmonton",
    "Canada/Newfoundland": "America/St_Johns",
    "Canada/Pacific": "America/Vancouver",
    "Canada/Saskatchewan": "America/Regina",
    "Canada/Yukon": "America/Whitehorse",
    "Brazil/East": "America/Sao_Paulo",
    "Brazil/West": "America/Manaus",
    "Brazil/Acre": "America/Rio_Branco",
    "Brazil/DeNoronha": "America/Noronha",
    "Chile/Continental": "America/Santiago",
    "Chile/EasterIsland": "Pacific/Easter",
    "Mexico/General": "America/Mexico_City",
    "Mexico/BajaNorte": "America/Tijuana",
    "Mexico/BajaSur": "America/Mazatlan",
    "Cuba": "America/Havana",
    "Egypt": "Africa/Cairo",
    "Eire": "Europe/Dublin",
    "GB": "Europe/London",
    "GB-Eire": "Europe/London",
    "Hongkong": "Asia/Hong_Kong",
    "Iceland": "Atlantic/Reykjavik",
    "Iran": "Asia/Tehran",
    "Israel": "Asia/Jerusalem",
    "Jamaica": "America/Jamaica",
    "Japan": "Asia/Tokyo",
    "Kwajalein": "Pacific/Kwajalein",
    "Libya": "Africa/Tripoli",
    "Navajo": "America/Denver",
    "NZ": "Pacific/Auckland",
    "NZ-CHAT": "Pacific/Chatham",
    "PRC": "Asia/Shanghai",
    "Poland": "Europe/Warsaw",
    "Portugal": "Europe/Lisbon",
    "ROC": "Asia/Taipei",
    "ROK": "Asia/Seoul",
    "Singapore": "Asia/Singapore",
    "Turkey": "Europe/Istanbul",
    "W-SU": "Europe/Moscow",
    "UCT": "UTC",
    "Universal": "UTC",
    "Zulu": "UTC",
    "Etc/UTC": "UTC",
    "Etc/UCT": "UTC",
    "Etc/Universal": "UTC",
    "Etc/Zulu": "UTC",
}

_USA = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Anchorage",
    "Pacific/Honolulu",
)
# Common places (normalised spelling) that are not a zone's own city name, best zone first.
_ALIASES: dict[str, tuple[str, ...]] = {
    "delhi": ("Asia/Kolkata",),
    "new delhi": ("Asia/Kolkata",),
    "mumbai": ("Asia/Kolkata",),
    "bombay": ("Asia/Kolkata",),
    "bangalore": ("Asia/Kolkata",),
    "bengaluru": ("Asia/Kolkata",),
    "chennai": ("Asia/Kolkata",),
    "madras": ("Asia/Kolkata",),
    "hyderabad": ("Asia/Kolkata",),
    "pune": ("Asia/Kolkata",),
    "india": ("Asia/Kolkata",),
    "san francisco": ("America/Los_Angeles",),
    "sf": ("America/Los_Angeles",),
    "la": ("America/Los_Angeles",),
    "san diego": ("America/Los_Angeles",),
    "san jose": ("America/Los_Angeles", "America/Costa_Rica"),
    "seattle": ("America/Los_Angeles",),
    "portland": ("America/Los_Angeles",),
    "las vegas": ("America/Los_Angeles",),
    "california": ("America/Los_Angeles",),
    "nyc": ("America/New_York",),
    "new york city": ("America/New_York",),
    "boston": ("America/New_York",),
    "washington": ("America/New_York",),
    "washington dc": ("America/New_York",),
    "dc": ("America/New_York",),
    "philadelphia": ("America/New_York",),
    "miami": ("America/New_York",),
    "atlanta": ("America/New_York",),
    "orlando": ("America/New_York",),
    "houston": ("America/Chicago",),
    "dallas": ("America/Chicago",),
    "austin": ("America/Chicago",),
    "texas": ("America/Chicago",),
    "minneapolis": ("America/Chicago",),
    "salt lake city": ("America/Denver",),
    "us": _USA,
    "united states": _USA,
    "usa": _USA,
    "america": _USA,
    "ottawa": ("America/Toronto",),
    "montreal": ("America/Toronto",),
    "quebec": ("America/Toronto",),
    "calgary": ("America/Edmonton",),
    "canada": (
        "America/Toronto",
        "America/Vancouver",
        "America/Edmonton",
        "America/Winnipeg",
        "America/Halifax",
        "America/St_Johns",
    ),
    "uk": ("Europe/London",),
    "united kingdom": ("Europe/London",),
    "great britain": ("Europe/London",),
    "britain": ("Europe/London",),
    "england": ("Europe/London",),
    "scotland": ("Europe/London",),
    "wales": ("Europe/London",),
    "manchester": ("Europe/London",),
    "birmingham": ("Europe/London",),
    "edinburgh": ("Europe/London",),
    "glasgow": ("Europe/London",),
    "liverpool": ("Europe/London",),
    "leeds": ("Europe/London",),
    "bristol": ("Europe/London",),
    "cardiff": ("Europe/London",),
    "ireland": ("Europe/Dublin",),
    "beijing": ("Asia/Shanghai",),
    "peking": ("Asia/Shanghai",),
    "shenzhen": ("Asia/Shanghai",),
    "guangzhou": ("Asia/Shanghai",),
    "china": ("Asia/Shanghai",),
    "munich": ("Europe/Berlin",),
    "munchen": ("Europe/Berlin",),
    "hamburg": ("Europe/Berlin",),
    "frankfurt": ("Europe/Berlin",),
    "cologne": ("Europe/Berlin",),
    "koln": ("Europe/Berlin",),
    "germany": ("Europe/Berlin",),
    "deutschland": ("Europe/Berlin",),
    "france": ("Europe/Paris",),
    "lyon": ("Europe/Paris",),
    "marseille": ("Europe/Paris",),
    "spain": ("Europe/Madrid",),
    "barcelona": ("Europe/Madrid",),
    "valencia": ("Europe/Madrid",),
    "seville": ("Europe/Madrid",),
    "italy": ("Europe/Rome",),
    "milan": ("Europe/Rome",),
    "milano": ("Europe/Rome",),
    "naples": ("Europe/Rome",),
    "florence": ("Europe/Rome",),
    "venice": ("Europe/Rome",),
    "netherlands": ("Europe/Amsterdam",),
    "holland": ("Europe/Amsterdam",),
    "rotterdam": ("Europe/Amsterdam",),
    "the hague": ("Europe/Amsterdam",),
    "belgium": ("Europe/Brussels",),
    "switzerland": ("Europe/Zurich",),
    "geneva": ("Europe/Zurich",),
    "austria": ("Europe/Vienna",),
    "poland": ("Europe/Warsaw",),
    "krakow": ("Europe/Warsaw",),
    "czechia": ("Europe/Prague",),
    "czech republic": ("Europe/Prague",),
    "portugal": ("Europe/Lisbon",),
    "porto": ("Europe/Lisbon",),
    "sweden": ("Europe/Stockholm",),
    "norway": ("Europe/Oslo",),
    "denmark": ("Europe/Copenhagen",),
    "finland": ("Europe/Helsinki",),
    "greece": ("Europe/Athens",),
    "ukraine": ("Europe/Kyiv",),
    "kiev": ("Europe/Kyiv",),
    "kyiv": ("Europe/Kyiv",),
    "russia": ("Europe/Moscow",),
    "st petersburg": ("Europe/Moscow",),
    "saint petersburg": ("Europe/Moscow",),
    "turkey": ("Europe/Istanbul",),
    "turkiye": ("Europe/Istanbul",),
    "ankara": ("Europe/Istanbul",),
    "australia": (
        "Australia/Sydney",
        "Australia/Melbourne",
        "Australia/Brisbane",
        "Australia/Adelaide",
        "Australia/Perth",
    ),
    "canberra": ("Australia/Sydney",),
    "new zealand": ("Pacific/Auckland",),
    "nz": ("Pacific/Auckland",),
    "wellington": ("Pacific/Auckland",),
    "christchurch": ("Pacific/Auckland",),
    "osaka": ("Asia/Tokyo",),
    "kyoto": ("Asia/Tokyo",),
    "japan": ("Asia/Tokyo",),
    "korea": ("Asia/Seoul",),
    "south korea": ("Asia/Seoul",),
    "busan": ("Asia/Seoul",),
    "taiwan": ("Asia/Taipei",),
    "vietnam": ("Asia/Ho_Chi_Minh",),
    "hanoi": ("Asia/Bangkok",),  # north Vietnam keeps Bangkok's clock: see _ALIAS_COUNTRIES
    "thailand": ("Asia/Bangkok",),
    "philippines": ("Asia/Manila",),
    "indonesia": ("Asia/Jakarta",),
    "bali": ("Asia/Makassar",),
    "malaysia": ("Asia/Kuala_Lumpur",),
    "pakistan": ("Asia/Karachi",),
    "lahore": ("Asia/Karachi",),
    "islamabad": ("Asia/Karachi",),
    "bangladesh": ("Asia/Dhaka",),
    "iran": ("Asia/Tehran",),
    "saudi arabia": ("Asia/Riyadh",),
    "jeddah": ("Asia/Riyadh",),
    "mecca": ("Asia/Riyadh",),
    "uae": ("Asia/Dubai",),
    "united arab emirates": ("Asia/Dubai",),
    "abu dhabi": ("Asia/Dubai",),
    "israel": ("Asia/Jerusalem",),
    "tel aviv": ("Asia/Jerusalem",),
    "egypt": ("Africa/Cairo",),
    "nigeria": ("Africa/Lagos",),
    "abuja": ("Africa/Lagos",),
    "kenya": ("Africa/Nairobi",),
    "south africa": ("Africa/Johannesburg",),
    "cape town": ("Africa/Johannesburg",),
    "durban": ("Africa/Johannesburg",),
    "pretoria": ("Africa/Johannesburg",),
    "mexico": ("America/Mexico_City",),
    "guadalajara": ("America/Mexico_City",),
    "brazil": ("America/Sao_Paulo",),
    "rio": ("America/Sao_Paulo",),
    "rio de janeiro": ("America/Sao_Paulo",),
    "brasilia": ("America/Sao_Paulo",),
    "argentina": ("America/Argentina/Buenos_Aires",),
    "colombia": ("America/Bogota",),
    "peru": ("America/Lima",),
    "chile": ("America/Santiago",),
}

# Aliases whose zone is named after a city in another country.
_ALIAS_COUNTRIES: dict[str, str] = {"hanoi": "VN"}


@dataclass(frozen=True, slots=True)
class _Index:
    canonical: frozenset[str]  # every zone we suggest from a search
    valid: frozenset[str]  # every zone we accept (typed exactly, or from a button)
    lookup: dict[str, str]  # casefolded valid zone name -> name to return for it
    keys: dict[str, tuple[str, ...]]  # normalised search key -> zones, best first
    popular: frozenset[str]  # zones named by the alias table rank first among equals


def normalize(text: str) -> str:
    """Casefolded, accent-free, with ``_ - . , ' /`` and runs of spaces as one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[\s_\-.,/()]+", " ", plain).split())


def _is_canonical(zone: str) -> bool:
    return zone == "UTC" or (zone.partition("/")[0] in _REGIONS and zone not in _LEGACY)


def _city(zone: str) -> str:
    return zone.rpartition("/")[2]


@cache
def _index() -> _Index:
    available = zoneinfo.available_timezones() - _NEVER
    canonical = frozenset(z for z in available if _is_canonical(z))
    legacy = {old: new for old, new in _LEGACY.items() if old in available and new in canonical}
    lookup = {z.casefold(): legacy.get(z, z) for z in available}
    keys: dict[str, list[str]] = {}

    def add(key: str, zones: Iterable[str]) -> None:
        bucket = keys.setdefault(normalize(key), [])
        bucket.extend(z for z in zones if z in canonical and z not in bucket)

    for alias, targets in _ALIASES.items():
        add(alias, targets)
    for zone in sorted(canonical):
        add(_city(zone), [zone])
        add(zone, [zone])
    for old, new in sorted(legacy.items()):
        if "/" in old:  # "Asia/Calcutta" -> "calcutta"; bare "GB" or "Zulu" stay exact-only
            add(_city(old), [new])
    popular = frozenset(z for targets in _ALIASES.values() for z in targets)
    return _Index(
        canonical=canonical,
        valid=frozenset(available),
        lookup=lookup,
        keys={k: tuple(v) for k, v in keys.items() if k and v},
        popular=popular,
    )


def is_zone(name: str) -> bool:
    """Whether `name` is an exact IANA zone name the bot accepts (any that tzdata has)."""
    return name in _index().valid


def all_zones() -> list[str]:
    """Every zone a person may pick from a list (the ones searches suggest), sorted."""
    return sorted(_index().canonical)


def canonical_zone(name: str) -> str | None:
    """The current zone name for any valid IANA name (any case, legacy aliases too), or None."""
    return _index().lookup.get(name.strip().casefold())


def suggest_zones(query: str, limit: int = 5) -> list[str]:
    """Up to `limit` zone names for a typed city, country or zone name, best first."""
    if limit <= 0 or len(query) > MAX_QUERY:
        return []
    exact = canonical_zone(query)
    if exact is not None:
        return [exact]
    q = normalize(query)
    if not any(c.isalpha() for c in q):
        return []
    index = _index()
    found: list[str] = list(index.keys.get(q, ()))
    if len(q) >= _MIN_PREFIX:
        found += _ranked(index, (k for k in index.keys if k != q and k.startswith(q)))
        found += _ranked(index, (k for k in index.keys if _inner_word_match(k, q)))
    if not found:
        for key in difflib.get_close_matches(q, index.keys, n=limit * 2, cutoff=_FUZZY_CUTOFF):
            found += index.keys[key]
    return list(dict.fromkeys(found))[:limit]


def _inner_word_match(key: str, q: str) -> bool:
    """`q` starts a later word of `key` ("york" in "new york"), but not the key itself."""
    return not key.startswith(q) and f" {q}" in key


def _ranked(index: _Index, keys: Iterable[str]) -> list[str]:
    """Zones for `keys`: popular zones first, then shorter keys, then alphabetical."""
    pairs = [(z, k) for k in keys for z in index.keys[k]]
    pairs.sort(key=lambda p: (p[0] not in index.popular, len(p[1]), p[1]))
    return [z for z, _ in pairs]


def zone_name(zone: str) -> str:
    """How every message shows a zone: ``"London (Europe)"``, ``"Buenos Aires (Argentina)"``,
    ``"UTC"``."""
    parts = zone.replace("_", " ").split("/")
    if len(parts) == 1:
        return parts[0]
    region = parts[-2] if len(parts) > 2 else parts[0]
    return f"{parts[-1]} ({region})"


def zone_label(zone: str) -> str:
    """The zone's name (zone_name) as a button label, shortened to fit."""
    label = zone_name(zone)
    if len(label) > MAX_LABEL:
        label = label[: MAX_LABEL - 1] + "…"
    return label


def zone_token(zone: str) -> str:
    """`zone` as a callback-data token (``/`` is not allowed there): ``Europe.London``."""
    return zone.replace("/", ".")


def zone_from_token(token: str) -> str | None:
    """The zone a :func:`zone_token` names, or None if it is not a zone we offer."""
    zone = token.replace(".", "/")
    return zone if is_zone(zone) else None


@cache
def _finder() -> TimezoneFinder:
    # Imported here: loading the polygon index costs time and memory only when first used.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)  # reads the data once; no file handles left open


def zone_for_location(latitude: float, longitude: float) -> str | None:
    """The zone at a shared location (offline lookup), or None for bad coordinates or sea."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    found = _finder().timezone_at_land(lng=longitude, lat=latitude)
    return None if found is None else canonical_zone(found)


def place_country(query: str, zone: str) -> str | None:
    """The country of a typed place that was taken as `zone`, or None if it is not certain."""
    q = normalize(query)
    if zone in _index().keys.get(q, ()):  # a name of this zone's place, typed in full
        return _ALIAS_COUNTRIES.get(q) or city_country(zone)
    return certain_country(zone)


def country_at(latitude: float, longitude: float, zone: str) -> str | None:
    """The country at a shared location in `zone`, or None if it is not certain."""
    candidates = zone_countries(zone)
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    inside = containing(latitude, longitude, candidates)
    return inside[0] if len(inside) == 1 else None


@cache
def _country_keys() -> dict[str, str]:
    """Normalised country names ("britain uk", "britain", "uk") -> code."""
    keys: dict[str, str] = {}
    for code, name in country_names().items():
        plain, _, aside = name.partition("(")
        for key in (name, plain, aside):
            keys.setdefault(normalize(key), code)
    keys.pop("", None)
    return keys


def country_by_name(text: str) -> str | None:
    """The country a typed name means: a country's name, else a place typed in full."""
    if len(text) > MAX_QUERY:
        return None
    code = _country_keys().get(normalize(text))
    if code is not None:
        return code
    found = suggest_zones(text, limit=1)
    q = normalize(text)
    return place_country(text, found[0]) if found and q in _index().keys else None
