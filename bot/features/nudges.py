"""Answers to the scheduled nudges: the morning sleep question and "remind me later"."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta

from telegram import Update

from bot.chat.replies import answer, edit, user_id_of
from bot.chat.router import Feature
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.models import Snooze
from bot.domain.today import is_enrolled
from bot.texts.content import render_plain
from bot.texts.formats import clock_time
from scheduler.timing import SNOOZE_CHOICES, routine_of, snooze_until


def _date_arg(arg: str) -> date | None:
    try:
        return datetime.strptime(arg, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None


async def on_sleep(update: Update, context: Context, callback: Callback) -> None:
    """The morning "how did you sleep?" answer, kept for that evening's check-in."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    question = svc.content.checkin.morning_sleep
    if len(callback.args) != 2:  # a forged or damaged button: no date or no answer
        await answer(query, render_plain(svc.content.ui.stale_button))
        return
    local_date = _date_arg(callback.args[0])
    chosen = next((a for a in question.answers if a.id == callback.args[1]), None)
    on_plan = is_enrolled(await svc.store.get_profile(user_id_of(update)))
    if local_date is None or chosen is None or not on_plan:  # deleted or stopped: keep nothing
        await answer(query, render_plain(svc.content.ui.stale_button))
        return
    await svc.store.record_sleep(user_id_of(update), local_date, float(chosen.value))
    await answer(query, render_plain(svc.content.ui.sleep_saved))
    await edit(query, f"{question.prompt}\n\n✅ {html.escape(chosen.label)}")


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
