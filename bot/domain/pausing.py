"""Pausing and resuming the plan: the one definition /pause, /resume and the Mini App use."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.domain.models import Pause, Profile, Status
from bot.domain.today import resume_date, today_of


def open_pause(profile: Profile) -> Pause | None:
    return next((p for p in profile.pauses if p.until is None), None)


def is_pausing(profile: Profile) -> bool:
    """Paused now, or from tomorrow."""
    return profile.status is Status.PAUSED or open_pause(profile) is not None


def paused(profile: Profile, now: datetime) -> Profile:
    """Paused from tomorrow: today has begun and still counts."""
    tomorrow = today_of(profile, now).local_date + timedelta(days=1)
    pauses = (*profile.pauses, Pause(first_day=tomorrow))
    return profile.model_copy(update={"pauses": pauses, "status": Status.PAUSED})


def unpaused(profile: Profile, today: date) -> Profile:
    """Active again, with open pauses ended at today (dropped if they had not begun)."""
    pauses = tuple(
        pause if pause.until is not None else pause.model_copy(update={"until": today})
        for pause in profile.pauses
        if pause.until is not None or pause.first_day < today
    )
    return profile.model_copy(update={"pauses": pauses, "status": Status.ACTIVE})


def resumed(profile: Profile, now: datetime) -> Profile:
    """Active again from today (tomorrow after bedtime), as /resume does."""
    return unpaused(profile, resume_date(profile, now))
