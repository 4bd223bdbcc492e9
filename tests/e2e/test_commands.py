"""/today, "why this helps", /progress, /pause, /resume and /stop end to end."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.models import Pause, Status
from bot.texts.content import Content, render, render_plain
from devtools.emulator.htmltext import parse_html
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import enrol
from tests.factories import add_checkins, make_record

FRIDAY = date(2026, 3, 20)  # the harness clock's first day: 08:00 in London


def content_of(bot: Harness) -> Content:
    return bot.app.bot_data.services.content


def seen(html: str) -> str:
    """What a person sees of a content string (the HTML tags are formatting, not text)."""
    return parse_html(html).text


def morning(bot: Harness, day: int) -> str:
    """The day's morning message as the person sees it before answering: the step, then the
    sleep question (/today shows the same message as the morning send)."""
    content = content_of(bot)
    return seen(f"{content.plan.day(day).morning}\n\n{content.checkin.morning_sleep.prompt}")


async def status_of(bot: Harness) -> Status:
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    return profile.status


# --- /today ------------------------------------------------------------------------------------


async def test_today_shows_day_one_then_day_two(bot: Harness) -> None:
    ui = content_of(bot).ui
    profile = await enrol(bot)
    assert profile.start_date == FRIDAY

    await bot.send("/today")
    assert bot.last().text == morning(bot, 1)
    labels = [text for row in bot.last().button_values for text, _ in row]
    hours = [answer.label for answer in content_of(bot).checkin.morning_sleep.answers]
    assert labels == [*hours, ui.why_button, ui.checkin_button]

    bot.advance(days=1)
    await bot.send("/today")
    assert bot.last().text == morning(bot, 2)
    assert ("💡 Why this helps", "1:why:2") in bot.last().button_values[-1]


async def test_today_before_the_start_date(bot: Harness) -> None:
    bot.advance(hours=5)  # 13:00 in London: the plan starts tomorrow
    profile = await enrol(bot)
    assert profile.start_date == date(2026, 3, 21)

    await bot.send("/today")
    assert bot.last().text == seen(
        render(content_of(bot).ui.plan_not_started, start_date="Saturday 21 March")
    )
    assert bot.last().buttons == ()


async def test_today_after_day_seven(bot: Harness) -> None:
    await enrol(bot)
    bot.advance(days=8)
    await bot.send("/today")
    assert bot.last().text == seen(content_of(bot).ui.plan_finished)


async def test_why_this_helps_sends_that_days_reason(bot: Harness) -> None:
    await enrol(bot)
    bot.advance(days=1)
    await bot.send("/today")
    step = bot.last()

    await bot.tap("💡 Why this helps", message_id=step.message_id)
    assert bot.last().text == seen(content_of(bot).plan.day(2).why)
    assert bot.last().message_id != step.message_id
    assert bot.emu.callback_answers[-1].text is None  # a plain acknowledgement, no notice
    assert bot.last().text != seen(content_of(bot).plan.day(1).why)


@pytest.mark.parametrize("data", ["1:why:8", "1:why:0", "1:why:abc", "1:why", "1:why:1:2"])
async def test_forged_why_button_gets_a_polite_notice(bot: Harness, data: str) -> None:
    await enrol(bot)
    await bot.send("/today")
    before = bot.texts()

    await bot.tap_raw(data, bot.last().message_id)
    assert bot.last_answer() == render_plain(content_of(bot).ui.stale_button)
    assert bot.texts() == before


# --- /progress ---------------------------------------------------------------------------------


def progress(bot: Harness, days_done: int, checkins: int, trend: str) -> str:
    ui = content_of(bot).ui
    return seen(render(ui.progress_text, days_done=days_done, checkins=checkins, trend=trend))


async def test_progress_without_check_ins(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/progress")
    trend = content_of(bot).ui.trend
    assert bot.last().text == progress(bot, 0, 0, trend.not_enough_data)


async def test_progress_with_one_check_in_counts_today_as_done(bot: Harness) -> None:
    await enrol(bot)
    await add_checkins(bot.store, USER, make_record(day=1))
    await bot.send("/progress")
    trend = content_of(bot).ui.trend
    assert bot.last().text == progress(bot, 1, 1, trend.not_enough_data)


async def test_progress_two_check_ins_on_one_day_are_not_a_trend(bot: Harness) -> None:
    await enrol(bot)
    await add_checkins(
        bot.store,
        USER,
        make_record(day=1, episodes_per_day=9),
        make_record(day=1, episodes_per_day=1),
    )
    await bot.send("/progress")
    assert bot.last().text == progress(bot, 1, 2, content_of(bot).ui.trend.not_enough_data)


@pytest.mark.parametrize(
    ("episodes", "duration", "expected"),
    [
        (1, "seconds", "better"),  # fewer episodes
        (6, "seconds", "same"),  # neither fewer nor more
        (9, "seconds", "worse"),  # more episodes
        (2, "minutes", "worse"),  # fewer, but each lasts longer
        (0, "seconds", "better"),  # gone
    ],
)
async def test_progress_trend_compares_first_and_latest(
    bot: Harness, episodes: int, duration: str, expected: str
) -> None:
    await enrol(bot)
    bot.advance(days=3)  # day 4, before its check-in: three days done
    first = make_record(day=1, episodes_per_day=6)
    worst = make_record(day=2, episodes_per_day=20)
    latest = make_record(day=3, episodes_per_day=episodes, worst_duration=duration)
    await add_checkins(bot.store, USER, first, worst, latest)

    await bot.send("/progress")
    trend = getattr(content_of(bot).ui.trend, expected)
    assert bot.last().text == progress(bot, 3, 3, trend)


async def test_progress_after_the_plan_is_seven_of_seven(bot: Harness) -> None:
    await enrol(bot)
    week = [make_record(day=day, episodes_per_day=8 - day) for day in range(1, 8)]
    await add_checkins(bot.store, USER, *week)
    bot.advance(days=10)
    await bot.send("/progress")
    assert bot.last().text == progress(bot, 7, 7, content_of(bot).ui.trend.better)


# --- /pause and /resume ------------------------------------------------------------------------


async def test_pause_freezes_the_day_and_resume_carries_on(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)

    await bot.send("/pause")
    assert bot.last().text == seen(ui.paused)
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.status is Status.PAUSED
    assert profile.pauses == (Pause(first_day=date(2026, 3, 21)),)  # today still counts

    bot.advance(days=2)
    await bot.send("/today")
    assert bot.last().text == seen(ui.paused_note) + "\n\n" + morning(bot, 1)

    await bot.send("/resume")
    assert bot.last().text == seen(ui.resumed)
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.status is Status.ACTIVE
    assert profile.pauses == (Pause(first_day=date(2026, 3, 21), until=date(2026, 3, 22)),)
    await bot.send("/today")
    assert bot.last().text == morning(bot, 2)  # only Saturday was skipped

    bot.advance(days=1)
    await bot.send("/today")
    assert bot.last().text == morning(bot, 3)


async def test_pause_twice_and_resume_without_pause(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)
    await bot.send("/resume")
    assert bot.last().text == seen(ui.not_paused)

    await bot.send("/pause")
    paused = await bot.store.get_profile(USER)
    await bot.send("/pause")
    assert bot.last().text == seen(ui.already_paused)
    assert await bot.store.get_profile(USER) == paused  # nothing written the second time


async def test_resume_on_the_day_of_pausing_leaves_no_pause(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/pause")
    bot.advance(hours=3)
    await bot.send("/resume")
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert (profile.status, profile.pauses) == (Status.ACTIVE, ())
    bot.advance(days=1)
    await bot.send("/today")
    assert bot.last().text == morning(bot, 2)


# --- /stop -------------------------------------------------------------------------------------


async def test_stop_cancelled_keeps_the_plan(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)
    await bot.send("/stop")
    question = bot.last()
    assert question.text == seen(ui.stop_confirm)

    await bot.tap(ui.stop_no, message_id=question.message_id)
    edited = bot.last()
    assert edited.message_id == question.message_id  # edited in place
    assert (edited.text, edited.buttons) == (seen(ui.stop_cancelled), ())
    assert await status_of(bot) is Status.ACTIVE


async def test_stop_then_carry_on_picks_up_where_it_was(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)
    await bot.send("/settings")  # a flow in progress is dropped by stopping
    assert await bot.store.get_flow(USER) is not None
    await bot.send("/stop")
    question = bot.last()

    await bot.tap(ui.stop_yes, message_id=question.message_id)
    # The question stays as asked, without its buttons; the answer is a new message, because
    # only a new message can take the "⚡ Twitching now" keyboard away.
    asked = next(m for m in bot.messages() if m.message_id == question.message_id)
    assert (asked.text, asked.buttons) == (seen(ui.stop_confirm), ())
    assert bot.last().text == seen(ui.stopped)
    assert bot.last().reply_keyboard == {"remove_keyboard": True}
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.status is Status.STOPPED
    assert await bot.store.get_flow(USER) is None
    await bot.send("/today")
    assert bot.last().text == seen(ui.stopped)

    bot.advance(days=2)
    await bot.send("/start")
    assert bot.last().text == seen(ui.stopped_start)
    await bot.tap(ui.continue_button)
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.status is Status.ACTIVE
    assert profile.start_date == FRIDAY
    assert profile.pauses == (Pause(first_day=date(2026, 3, 21), until=date(2026, 3, 22)),)
    assert bot.last().text == morning(bot, 2)  # day 1 was Friday; Saturday was stopped


async def test_carry_on_when_not_stopped_changes_nothing(bot: Harness) -> None:
    await enrol(bot)
    before = await bot.store.get_profile(USER)
    await bot.send("/start")
    await bot.tap(content_of(bot).ui.continue_button)
    assert await bot.store.get_profile(USER) == before
    assert bot.last().text == morning(bot, 1)


async def test_forged_stop_button(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/stop")
    await bot.tap_raw("1:stop:maybe", bot.last().message_id)
    assert bot.last_answer() == render_plain(content_of(bot).ui.stale_button)
    assert await status_of(bot) is Status.ACTIVE


# --- before enrolment --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", ["/today", "/progress", "/pause", "/resume", "/stop", "/settings"]
)
async def test_commands_before_enrolment(bot: Harness, command: str) -> None:
    await bot.send(command)
    assert bot.last().text == seen(content_of(bot).ui.not_enrolled)
    assert await bot.store.get_profile(USER) is None


@pytest.mark.parametrize("command", ["/today", "/progress", "/pause", "/resume", "/stop"])
async def test_commands_half_way_through_enrolment(bot: Harness, command: str) -> None:
    await bot.send("/start")
    await bot.tap("✅ I understand, let's start")
    await bot.send(command)
    assert bot.last().text == seen(content_of(bot).ui.still_enrolling)
    assert await status_of(bot) is Status.ONBOARDING
    flow = await bot.store.get_flow(USER)
    assert flow is not None  # enrolment can still go on
