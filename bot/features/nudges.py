"""Answers to the scheduled nudges: the morning sleep question and "remind me later"."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime, timedelta

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.chat.replies import answer, edit, user_id_of
from bot.chat.router import Feature
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback, decode
from bot.domain.country import country_of
from bot.domain.localtime import local_now
from bot.domain.models import Profile, Snooze
from bot.domain.plan import PLAN_DAYS, plan_day
from bot.domain.today import is_enrolled, today_of
from bot.texts.content import render_plain
from bot.texts.content_models import Answer, Question
from bot.texts.formats import clock_time
from bot.views.daily import morning_message
from scheduler.timing import SNOOZE_CHOICES, routine_of, snooze_until


def _date_arg(arg: str) -> date | None:
    try:
        return datetime.strptime(arg, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None


async def on_sleep(update: Update, context: Context, callback: Callback) -> None:
    """The morning "how did you sleep?" answer, kept once for that evening's check-in; the
    morning message is edited to show it, keeping "why this helps" and "check in"."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    user_id = user_id_of(update)
    profile = await svc.store.get_profile(user_id)
    parsed = _sleep_args(svc.content.checkin.morning_sleep, callback)
    if parsed is None or profile is None or not is_enrolled(profile):  # forged, or no plan
        await answer(query, render_plain(svc.content.ui.stale_button))
        return
    content = svc.content.local(country_of(profile))
    local_date, chosen = parsed
    day = _open_morning(profile, local_date, svc.clock.now())
    if day is None:
        await answer(query, render_plain(content.ui.sleep_earlier_morning))
        await _close_sleep_question(query)
        return
    slept = await svc.store.sleep_on(user_id, local_date)
    if slept is None:
        slept = float(chosen.value)
        await svc.store.record_sleep(user_id, local_date, slept)
        await answer(query, render_plain(content.ui.sleep_saved))
    else:  # a second tap, or the other copy (/today) of this morning: the first answer stays
        noted = content.checkin.morning_sleep.answer_with(slept) or chosen
        await answer(query, render_plain(content.ui.sleep_already_noted, answer=noted.label))
    await edit(query, *morning_message(content, day, local_date, slept, svc.settings.webapp_page))


def _open_morning(profile: Profile, local_date: date, now: datetime) -> int | None:
    """The plan day of the morning `local_date` if its question is still open: today's plan day
    (from wake time to the next wake time), or the coming day's when it was sent before wake
    time (at enrolment). None for an earlier morning, or a date outside the plan."""
    assert profile.start_date is not None  # enrolled
    calendar_date = local_now(profile.zone or "UTC", now).date()
    if not today_of(profile, now).local_date <= local_date <= calendar_date:
        return None
    day = plan_day(profile.start_date, profile.pauses, local_date)
    return day if 1 <= day <= PLAN_DAYS else None


def _sleep_args(question: Question, callback: Callback) -> tuple[date, Answer] | None:
    """The morning's date and the chosen answer, or None for a forged or damaged button."""
    if len(callback.args) != 2:
        return None
    local_date = _date_arg(callback.args[0])
    chosen = next((a for a in question.answers if a.id == callback.args[1]), None)
    return None if local_date is None or chosen is None else (local_date, chosen)


async def _close_sleep_question(query: CallbackQuery) -> None:
    """Take the sleep buttons off an earlier morning's message (its evening has passed, so
    nothing is stored); "why this helps" and "check in" stay."""
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    if markup is None:
        return
    rows = [row for row in markup.inline_keyboard if not any(map(_is_sleep_button, row))]
    with suppress(BadRequest):  # too old to edit, or deleted
        await query.edit_message_reply_markup(
            reply_markup=InlineKeyboardMarkup(rows) if rows else None
        )


def _is_sleep_button(button: InlineKeyboardButton) -> bool:
    return decode(button.callback_data, (Action.SLEEP,)) is not None


async def on_snooze(update: Update, context: Context, callback: Callback) -> None:
    """Bring today's nudge back in 30 or 60 minutes, if that still falls before bedtime."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    ui = svc.content.ui
    parsed = _snooze_args(callback)
    profile = await svc.store.get_profile(user_id_of(update))
    routine = routine_of(profile) if profile is not None else None
    now = svc.clock.now()
    # Only today's nudge comes back: an older one's evening is over.
    if parsed is None or routine is None or parsed[1] != routine.plan_date(now):
        await answer(query, render_plain(ui.stale_button))
        return
    kind, local_date, delay = parsed
    until = snooze_until(routine, now, delay)
    if until is None:
        await answer(query, render_plain(ui.snooze_too_late), alert=True)
        return
    snooze = Snooze(kind=kind, local_date=local_date, until=until)
    await svc.store.update_profile(
        user_id_of(update), lambda p: p.model_copy(update={"snooze": snooze})
    )
    await answer(
        query,
        render_plain(ui.snoozed, time=clock_time(routine.local(until).time(), svc.content.locale)),
    )


def _snooze_args(callback: Callback) -> tuple[str, date, timedelta] | None:
    if len(callback.args) != 3 or callback.args[0] != "evening":
        return None
    local_date = _date_arg(callback.args[1])
    delay = SNOOZE_CHOICES.get(callback.args[2])
    if local_date is None or delay is None:
        return None
    return callback.args[0], local_date, delay


FEATURE = Feature(
    name=__name__,
    callbacks={Action.SLEEP: on_sleep, Action.SNOOZE: on_snooze},
)
