"""GET and POST /app/api/settings: time zone, wake time, bedtime, language and pause.

A change is one compare-and-set of the profile, so the store's listener re-schedules the due
queue exactly as /settings, /pause, /resume and /language do (ARCHITECTURE §11).
"""

from __future__ import annotations

import re
from datetime import time
from functools import lru_cache
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.domain.country import city_country, country_after_move
from bot.domain.models import Profile
from bot.domain.pausing import is_pausing, paused, resumed
from bot.domain.plan import times_are_valid
from bot.domain.zones import all_zones, canonical_zone
from bot.storage.store import ProfileNotFound
from bot.texts.content import Content
from bot.texts.formats import zone_place
from bot.texts.languages import language_name
from bot.views.daily import standing
from bot.webapp.api import enrolled, not_enrolled
from bot.webapp.auth import Caller, caller, services_of, writer
from bot.webapp.errors import ApiError

_CLOCK: Final = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
FIELDS: Final = frozenset({"zone", "wake_time", "bedtime", "language", "paused"})


class _Invalid(Exception):
    """A value the chat would not accept either; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@lru_cache(maxsize=8)
def zone_choices(locale: str) -> tuple[tuple[str, str], ...]:
    return tuple((zone, zone_place(zone, locale)) for zone in all_zones())


def settings_json(content: Content, profile: Profile) -> dict[str, Any]:
    return {
        "zone": profile.zone,
        "zones": [{"id": z, "label": label} for z, label in zone_choices(content.locale)],
        "wake_time": profile.wake_time.strftime("%H:%M") if profile.wake_time else None,
        "bedtime": profile.bedtime.strftime("%H:%M") if profile.bedtime else None,
        "language": profile.locale,
        "languages": [{"id": loc, "label": language_name(loc)} for loc in content.locales],
        "paused": is_pausing(profile),
    }


async def get_settings(request: Request) -> Response:
    who = await caller(request)
    return JSONResponse(settings_json(who.content, enrolled(who)))


def _clock(value: object, content: Content) -> time:
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise _Invalid(content.ui.webapp_bad_input)
    return time(int(match[1]), int(match[2]))


def _with_zone(profile: Profile, value: object, content: Content) -> Profile:
    zone = canonical_zone(value) if isinstance(value, str) else None
    if zone is None:
        raise _Invalid(content.ui.webapp_bad_input)
    country = country_after_move(zone, city_country(zone), profile.country)
    return profile.model_copy(update={"zone": zone, "country": country})


def _with_times(profile: Profile, data: dict[str, Any], content: Content) -> Profile:
    wake = _clock(data["wake_time"], content) if "wake_time" in data else profile.wake_time
    bed = _clock(data["bedtime"], content) if "bedtime" in data else profile.bedtime
    if not times_are_valid(wake or time(), bed or time()):
        too_close = content.ui.times_too_close if "bedtime" in data else content.ui.wake_too_close
        raise _Invalid(too_close)
    return profile.model_copy(update={"wake_time": wake, "bedtime": bed})


def _with_pause(profile: Profile, value: object, request: Request, content: Content) -> Profile:
    if not isinstance(value, bool):
        raise _Invalid(content.ui.webapp_bad_input)
    if value == is_pausing(profile):
        return profile
    now = services_of(request).clock.now()
    if not value:
        return resumed(profile, now)
    refusal = standing(content, profile)
    if refusal is not None:
        raise _Invalid(refusal)
    return paused(profile, now)


def changer(request: Request, who: Caller, data: dict[str, Any]) -> Any:
    content = who.content

    def change(profile: Profile) -> Profile:
        if "zone" in data:
            profile = _with_zone(profile, data["zone"], content)
        if "wake_time" in data or "bedtime" in data:
            profile = _with_times(profile, data, content)
        if "language" in data:
            if data["language"] not in content.locales:
                raise _Invalid(content.ui.webapp_bad_input)
            profile = profile.model_copy(update={"locale": data["language"]})
        if "paused" in data:
            profile = _with_pause(profile, data["paused"], request, content)
        return profile

    return change


async def post_settings(request: Request) -> Response:
    who, data = await writer(request)
    enrolled(who)
    if not data or not set(data) <= FIELDS:
        raise ApiError(400, "bad_request", who.content.ui.webapp_bad_input)
    store = services_of(request).store
    try:
        profile = await store.update_profile(who.user_id, changer(request, who, data))
    except ProfileNotFound:
        raise not_enrolled(who) from None
    except _Invalid as invalid:
        raise ApiError(400, "bad_request", invalid.message) from None
    content = who.content.in_locale(profile.locale)
    return JSONResponse(settings_json(content, profile))
