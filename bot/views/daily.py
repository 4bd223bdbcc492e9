"""What a person's day looks like in the chat: today's step with its buttons, or where they
stand in the plan. Shared by the handlers and the scheduler."""

from __future__ import annotations

from datetime import date, datetime

from telegram import InlineKeyboardMarkup

from bot.domain.callbacks import Action
from bot.domain.diary import EXERCISE_DAYS
from bot.domain.models import Profile, Status
from bot.domain.plan import PLAN_DAYS, is_paused
from bot.domain.today import Today, is_enrolled, today_of
from bot.texts.content import Content, render
from bot.texts.formats import long_date
from bot.views.keyboards import Button, button, columns, keyboard, with_web_app


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


def morning_message(
    content: Content,
    day: int,
    local_date: date,
    slept: float | None = None,
    webapp: str | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """A plan day's one morning message: the step, then "how did you sleep?" with its answers
    under it until one is chosen (then what was chosen), and "why this helps" and "check in"
    always at the bottom; on an exercise day, with the Mini App's URL `webapp`, a button that
    opens the exercise. The scheduler, enrolment, /today and the sleep answer's edit all
    show it, so every copy of the morning looks the same."""
    ui, question = content.ui, content.checkin.morning_sleep
    rows: list[list[Button]] = []
    chosen = question.answer_with(slept)
    if chosen is not None:
        tail = render(ui.sleep_noted, answer=chosen.label)
    else:
        date_arg = local_date.strftime("%Y%m%d")
        answers = [button(a.label, Action.SLEEP, date_arg, a.id) for a in question.answers]
        rows, tail = columns(answers, 2), question.prompt
    rows.append(
        [button(ui.why_button, Action.WHY, str(day)), button(ui.checkin_button, Action.CHECKIN_NOW)]
    )
    markup = keyboard(rows)
    return f"{content.plan.day(day).morning}\n\n{tail}", exercise_button(
        content, day, webapp, markup
    )


def exercise_button(
    content: Content, day: int, webapp: str | None, markup: InlineKeyboardMarkup
) -> InlineKeyboardMarkup:
    """`markup` with, on an exercise day, a last row opening that exercise in the Mini App."""
    kind = EXERCISE_DAYS.get(day)
    if kind is None or webapp is None:
        return markup
    label = content.ui.webapp_eyes_button if kind == "eyes" else content.ui.webapp_breathing_button
    return with_web_app(label, f"{webapp}#exercise={kind}", markup)


def today_message(
    content: Content,
    profile: Profile | None,
    now: datetime,
    slept: float | None = None,
    webapp: str | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What /today shows: today's morning message (`slept`: today's sleep answer, if given), or
    where the person stands in the plan."""
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
    text, markup = morning_message(content, day, today.local_date, slept, webapp)
    return _with_notes(content, profile, today, text), markup


def _with_notes(content: Content, profile: Profile, today: Today, text: str) -> str:
    notes = []
    if profile.emergency_hold:
        notes.append(content.ui.emergency_hold_note)
    if is_paused(profile.pauses, today.local_date):
        notes.append(content.ui.paused_note)
    return "\n\n".join([*notes, text])
