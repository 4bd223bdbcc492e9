"""The everyday commands: /today, /progress, /pause, /resume and /stop (ARCHITECTURE §3, §6)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import date, timedelta

from telegram import InputFile, ReplyKeyboardRemove, Update

from bot.chat.log_button import log_button
from bot.chat.replies import answer, confirm_with, edit, send, user_id_of
from bot.chat.router import Feature
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.country import country_of
from bot.domain.episode_insight import EpisodeInsight, episode_insight
from bot.domain.insight import WeekInsight, week_insight
from bot.domain.models import CheckInRecord, Pause, Profile, Status
from bot.domain.pausing import is_pausing, open_pause, paused, resumed
from bot.domain.plan import PLAN_DAYS
from bot.domain.progress import days_done, trend
from bot.domain.today import is_enrolled, today_of
from bot.storage.store import Also, ProfileNotFound
from bot.texts.content import Content, render, render_plain
from bot.texts.insight_text import chart_caption, week_summary
from bot.views.charts import HourPanel, chart_png
from bot.views.daily import standing, today_message
from bot.views.keyboards import button, keyboard

YES, NO = "yes", "no"
CHART_NAME = "twitchcare-progress.png"


class _Refused(Exception):
    """A change that does not apply to the profile as it is now; carries what to say."""

    def __init__(self, text: str) -> None:
        super().__init__("refused")
        self.text = text


# --- /today and "why this helps" ---------------------------------------------------------------


async def on_today(update: Update, context: Context) -> None:
    """/today: today's morning message as it stands (the sleep answer shown once given), or
    where the person stands in the plan."""
    await _send_today(update, context)


async def _send_today(update: Update, context: Context) -> None:
    svc = services(context)
    user_id, now = user_id_of(update), svc.clock.now()
    profile = await svc.store.get_profile(user_id)
    content = svc.content.local(country_of(profile))
    slept = None
    if profile is not None and is_enrolled(profile):
        slept = await svc.store.sleep_on(user_id, today_of(profile, now).local_date)
    text, markup = today_message(content, profile, now, slept)
    await send(update, context, text, markup)


async def on_why(update: Update, context: Context, callback: Callback) -> None:
    """The "why this helps" button under a day's step: that day's explanation, sent anew."""
    query = update.callback_query
    assert query is not None
    content = services(context).content
    day = _plan_day_arg(callback.args)
    if day is None:
        await answer(query, render_plain(content.ui.stale_button))
        return
    await answer(query)
    await send(update, context, content.plan.day(day).why)


def _plan_day_arg(args: Sequence[str]) -> int | None:
    """The one plan-day argument (1..7) of a "why" button, or None if it was tampered with."""
    if len(args) != 1 or not args[0].isascii() or not args[0].isdigit():
        return None
    day = int(args[0])
    return day if 1 <= day <= PLAN_DAYS else None


# --- /progress ---------------------------------------------------------------------------------


async def on_progress(update: Update, context: Context) -> None:
    """/progress: after the plan its summary; the chart with its caption; days done and trend."""
    svc = services(context)
    ui = svc.content.ui
    user_id = user_id_of(update)
    profile = await svc.store.get_profile(user_id)
    # A stopped person keeps their data until /delete, so they may still look at it.
    if profile is None or profile.start_date is None:
        await send(update, context, standing(svc.content, profile) or ui.not_enrolled)
        return
    records, reports, episodes = await asyncio.gather(
        svc.store.list_checkins(user_id),
        svc.store.list_reports(user_id),
        svc.store.list_episodes(user_id),
    )
    today = today_of(profile, svc.clock.now())
    finished = days_done(profile, today, records)
    insight = week_insight(profile, records, reports, today.local_date)
    logged = episode_insight(profile.zone or "UTC", profile.wake_time, episodes, records)
    if (today.day or 0) > PLAN_DAYS:
        content = svc.content.local(country_of(profile))
        for text in week_summary(content, profile, insight, finished, len(records), logged):
            await send(update, context, text)
    if records or episodes:
        await _send_chart(update, context, insight, logged)
    text = render(
        ui.progress_text,
        days_done=finished,
        checkins=len(records),
        trend=trend_word(svc.content, records),
    )
    await send(update, context, text)


async def _send_chart(
    update: Update, context: Context, insight: WeekInsight, logged: EpisodeInsight
) -> None:
    """The chart as a photo, with an hour-of-day panel once episodes were logged; drawn in a
    worker thread so other people's updates go on."""
    content = services(context).content
    words = content.twitch
    hours = HourPanel(logged.by_hour, words.chart_hours_title, words.chart_hours_axis)
    panel = hours if logged.total else None
    png = await asyncio.to_thread(
        chart_png, insight.days, content.ui.insight, content.locale, panel
    )
    chat_id = update.effective_chat.id if update.effective_chat else user_id_of(update)
    photo = InputFile(io.BytesIO(png), filename=CHART_NAME)
    await context.bot.send_photo(chat_id, photo, caption=chart_caption(content, insight.days))


def trend_word(content: Content, records: Sequence[CheckInRecord]) -> str:
    """The trend in the person's words."""
    return str(getattr(content.ui.trend, trend(records).value))


# --- /pause and /resume ------------------------------------------------------------------------


async def on_pause(update: Update, context: Context) -> None:
    """/pause: freeze the plan day from tomorrow; today has begun and still counts."""
    svc = services(context)
    ui = svc.content.ui
    now = svc.clock.now()

    def pause(profile: Profile) -> Profile:
        _refuse_unless_on_plan(svc.content, profile)
        if is_pausing(profile):
            raise _Refused(ui.already_paused)
        return paused(profile, now)

    await _change_and_say(update, context, pause, ui.paused)


async def on_resume(update: Update, context: Context) -> None:
    """/resume: close the open pause at today (tomorrow after bedtime), so it counts again."""
    svc = services(context)
    ui = svc.content.ui
    now = svc.clock.now()

    def resume(profile: Profile) -> Profile:
        _refuse_unless_on_plan(svc.content, profile)
        if not is_pausing(profile):
            raise _Refused(ui.emergency_hold_note if profile.emergency_hold else ui.not_paused)
        return resumed(profile, now)

    await _change_and_say(update, context, resume, ui.resumed)


def _refuse_unless_on_plan(content: Content, profile: Profile) -> None:
    refusal = standing(content, profile)
    if refusal is not None:
        raise _Refused(refusal)


async def _change_and_say(
    update: Update, context: Context, change: Callable[[Profile], Profile], done: str
) -> None:
    """Apply a compare-and-set change and confirm it, or say why it does not apply."""
    svc = services(context)
    try:
        await svc.store.update_profile(user_id_of(update), change)
    except ProfileNotFound:
        await send(update, context, svc.content.ui.not_enrolled)
        return
    except _Refused as refused:
        await send(update, context, refused.text)
        return
    await send(update, context, done)


# --- /stop and carrying on after it ------------------------------------------------------------


async def on_stop(update: Update, context: Context) -> None:
    """/stop: ask first; nothing changes until "Yes, stop" is tapped."""
    svc = services(context)
    ui = svc.content.ui
    refusal = standing(svc.content, await svc.store.get_profile(user_id_of(update)))
    if refusal is not None:  # a stopped plan is told so again
        await send(update, context, refusal)
        return
    rows = [[button(ui.stop_yes, Action.STOP, YES), button(ui.stop_no, Action.STOP, NO)]]
    await send(update, context, ui.stop_confirm, keyboard(rows))


async def on_stop_button(update: Update, context: Context, callback: Callback) -> None:
    """Yes stops the plan (data kept); no leaves it running. The question is edited in place."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    ui = svc.content.ui
    if callback.args not in ((YES,), (NO,)):
        await answer(query, render_plain(ui.stale_button))
        return
    await answer(query)
    if callback.args == (NO,):
        await edit(query, ui.stop_cancelled)
        return
    now = svc.clock.now()

    def stop(profile: Profile) -> Profile:
        if profile.status is not Status.STOPPED:
            _refuse_unless_on_plan(svc.content, profile)
        return _stopped(profile, today_of(profile, now).local_date)

    try:
        await svc.store.update_profile(user_id_of(update), stop, also=Also(clear_flow=True))
    except ProfileNotFound:
        await edit(query, ui.not_enrolled)
        return
    except _Refused as refused:
        await edit(query, refused.text)
        return
    await confirm_with(query, ui.stopped, ReplyKeyboardRemove())


def _stopped(profile: Profile, today: date) -> Profile:
    """Stopped, with an open pause from tomorrow so the plan day waits for a "Carry on"."""
    pauses = profile.pauses
    if open_pause(profile) is None and profile.status is not Status.STOPPED:
        pauses = (*pauses, Pause(first_day=today + timedelta(days=1)))
    return profile.model_copy(update={"pauses": pauses, "status": Status.STOPPED})


async def on_carry_on(update: Update, context: Context, callback: Callback) -> None:
    """ "Carry on" after /start: a stopped plan continues where it was; then today's step."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    await query.edit_message_reply_markup(None)  # the question stays as it was asked
    svc = services(context)
    now = svc.clock.now()

    def carry_on(profile: Profile) -> Profile:
        if profile.status is not Status.STOPPED:
            raise _Refused("")  # already on the plan (or paused on purpose): nothing to undo
        return resumed(profile, now)

    # Deleted meanwhile, or not stopped: nothing to change; _send_today says where they stand.
    with suppress(ProfileNotFound, _Refused):
        await svc.store.update_profile(user_id_of(update), carry_on)
    await _give_button_back(update, context)
    await _send_today(update, context)


async def _give_button_back(update: Update, context: Context) -> None:
    """The log button again, on a line of its own (today's step has buttons, which a reply
    keyboard cannot share a message with): after /stop it was taken away."""
    content = services(context).content
    profile = await services(context).store.get_profile(user_id_of(update))
    markup = log_button(content, profile, update.effective_chat)
    if markup is not None:
        text = render(content.twitch.keyboard_back, button=content.twitch.button)
        await send(update, context, text, markup)


FEATURE = Feature(
    name=__name__,
    commands={
        "today": on_today,
        "progress": on_progress,
        "pause": on_pause,
        "resume": on_resume,
        "stop": on_stop,
    },
    callbacks={Action.WHY: on_why, Action.STOP: on_stop_button, Action.CARRY_ON: on_carry_on},
)
