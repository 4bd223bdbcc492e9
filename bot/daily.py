"""What a person's day looks like right now: plan day, today's step, and its buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardMarkup

from bot.content import Content, render
from bot.localtime import local_now
from bot.models import Profile, Status
from bot.plan import PLAN_DAYS, in_quiet_hours, is_paused, plan_date_at, plan_day
from bot.replies import button, keyboard


@dataclass(frozen=True)
class Today:
    """The person's local date and plan day (None before enrolment is complete)."""

    local_date: date
    day: int | None


def today_of(profile: Profile, now: datetime) -> Today:
    """The person's plan date (from wake time to the next wake time, in their zone) and the
    plan day it is (pauses frozen)."""
    local_date = plan_date_at(local_now(profile.zone or "UTC", now), profile.wake_time)
    if profile.start_date is None:
        return Today(local_date=local_date, day=None)
    return Today(
        local_date=local_date, day=plan_day(profile.start_date, profile.pauses, local_date)
    )


def resume_date(profile: Profile, now: datetime) -> date:
    """The first plan date that counts when a paused or stopped plan picks up at `now`: today's
    while the person is awake; after bedtime, the one that begins at the next wake time."""
    today = today_of(profile, now).local_date
    wake, bed = profile.wake_time, profile.bedtime
    local = local_now(profile.zone or "UTC", now).time()
    if wake is not None and bed is not None and in_quiet_hours(local, wake, bed):
        return today + timedelta(days=1)
    return today


def standing(content: Content, profile: Profile | None) -> str | None:
    """What to say instead of acting when the person is not on the plan: never enrolled (or
    deleted), still setting it up, or stopped. None while they are on it."""
    if is_enrolled(profile):
        return None
    ui = content.ui
    status = profile.status if profile is not None else None
    if status is Status.ONBOARDING:
        return ui.still_enrolling
    return ui.stopped if status is Status.STOPPED else ui.not_enrolled


def is_enrolled(profile: Profile | None) -> bool:
    """Enrolment finished and the plan not stopped."""
    return (
        profile is not None
        and profile.start_date is not None
        and profile.status not in (Status.ONBOARDING, Status.STOPPED, Status.INACTIVE)
    )


def instruction(content: Content, day: int) -> tuple[str, InlineKeyboardMarkup]:
    """A plan day's instruction with its "why this helps" and "check in" buttons."""
    ui = content.ui
    markup = keyboard(
        [[button(ui.why_button, "why", str(day)), button(ui.checkin_button, "checkin_now")]]
    )
    return content.plan.day(day).morning, markup


def today_message(
    content: Content, profile: Profile | None, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What /today shows: the step for today, or where the person stands in the plan."""
    ui = content.ui
    refusal = standing(content, profile)
    if refusal is not None or profile is None or profile.start_date is None:
        return refusal or ui.not_enrolled, None
    today = today_of(profile, now)
    day = today.day or 0
    if day < 1:
        return render(ui.plan_not_started, start_date=friendly_date(profile.start_date)), None
    if day > PLAN_DAYS:
        return ui.plan_finished, None
    text, markup = instruction(content, day)
    return _with_notes(content, profile, today, text), markup


def _with_notes(content: Content, profile: Profile, today: Today, text: str) -> str:
    notes = []
    if profile.emergency_hold:
        notes.append(content.ui.emergency_hold_note)
    if is_paused(profile.pauses, today.local_date):
        notes.append(content.ui.paused_note)
    return "\n\n".join([*notes, text])


def friendly_date(day: date) -> str:
    """Like "Friday 20 March"."""
    return day.strftime("%A %-d %B")
