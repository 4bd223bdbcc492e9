"""What a person's day looks like in the chat: today's step with its buttons, or where they
stand in the plan. Shared by the handlers and the scheduler."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot.domain.callbacks import Action
from bot.domain.models import Profile, Status
from bot.domain.plan import PLAN_DAYS, is_paused
from bot.domain.today import Today, is_enrolled, today_of
from bot.texts.content import Content, render
from bot.texts.formats import long_date
from bot.views.keyboards import button, keyboard


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


def instruction(content: Content, day: int) -> tuple[str, InlineKeyboardMarkup]:
    """A plan day's instruction with its "why this helps" and "check in" buttons."""
    ui = content.ui
    markup = keyboard(
        [
            [
                button(ui.why_button, Action.WHY, str(day)),
                button(ui.checkin_button, Action.CHECKIN_NOW),
            ]
        ]
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
        return render(
            ui.plan_not_started, start_date=long_date(profile.start_date, content.locale)
        ), None
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
