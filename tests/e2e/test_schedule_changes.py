"""What the person does moves the due queue: snooze, pause and resume, an emergency and "I'm
safe", a new time zone, /stop, /delete and an early check-in (the morning sleep answer is in
test_morning_message.py).

Each test checks what the person receives (local wall times and first lines) and the person's
entry in the Redis due queue. The person is Robin in London (GMT until 29 March), enrolled on
Friday 20 March at 08:00: day 1 is that Friday, wake 07:00, bedtime 23:00, wind-down at 22:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.callbacks import Action, encode
from bot.domain.models import Status
from devtools.emulator import ChatMessage
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import (
    check_in,
    due_at,
    enrol,
    headline,
    sent_since,
    timeline,
    walk,
)

MORNING_2 = "☕ Day 2: ease off the stimulants"
MORNING_3 = "🛌 Day 3: plan your wind-down"
EVENING_1 = "🌙 Time to start winding down"
EVENING_2 = "🌙 Wind-down time"
EVENING_3 = "🌙 Screens off now"
CHECK_IN_NOW = "📝 Check in now"
SNOOZE_30 = "⏰ Remind me in 30 min"
SNOOZE_60 = "⏰ Remind me in 1 hour"
TOO_LATE = "It's nearly your quiet time, so I won't remind you again tonight. Sleep well! 🌙"
STALE = "This button has expired. Please use the latest message."
MINUTE = timedelta(minutes=1)
LONDON = "Europe/London"


# Where nothing may be sent at all (the queue entry is gone), an hourly tick is enough: it
# still lands on every 07:00 and 22:00 the person would otherwise have had.
HOUR = timedelta(hours=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def open_settings(bot: Harness) -> ChatMessage:
    await bot.send("/settings")
    return bot.last()


async def enrolled(bot: Harness) -> int:
    """Enrol Robin and return how many messages enrolment showed."""
    await enrol(bot)
    return len(bot.messages())


# --- snooze --------------------------------------------------------------------------------------


async def test_snooze_30_minutes_comes_back_once_and_not_into_quiet_hours(bot: Harness) -> None:
    before = await enrolled(bot)
    assert await due_at(bot) == utc("2026-03-20 22:00")
    await walk(bot, utc("2026-03-20 22:00"))
    nudge = bot.last()
    assert headline(nudge) == EVENING_1
    labels = [[text for text, _ in row] for row in nudge.button_values]
    # An hour from the wind-down is bedtime: quiet hours, so that snooze is not offered.
    assert labels == [[CHECK_IN_NOW], [SNOOZE_30]]

    await bot.tap(SNOOZE_30, message_id=nudge.message_id)
    assert bot.last_answer() == "👍 I'll remind you again at 22:30."
    assert await due_at(bot) == utc("2026-03-20 22:30")

    await walk(bot, utc("2026-03-20 22:30"), every=MINUTE)
    again = bot.last()
    assert again.message_id != nudge.message_id
    assert await due_at(bot) == utc("2026-03-21 07:00")
    # 22:30 + 30 min is bedtime: not offered again, and the old button is refused with an alert.
    assert [[text for text, _ in row] for row in again.button_values] == [[CHECK_IN_NOW]]
    await bot.tap(SNOOZE_30, message_id=nudge.message_id)
    assert bot.last_answer() == TOO_LATE
    assert bot.emu.callback_answers[-1].show_alert
    assert await due_at(bot) == utc("2026-03-21 07:00")
    await walk(bot, utc("2026-03-21 07:00"))  # every 15 minutes through the night

    assert timeline(sent_since(bot, before), LONDON) == [
        ("2026-03-20 22:00", EVENING_1),
        ("2026-03-20 22:30", EVENING_1),  # once, at the snoozed time
        ("2026-03-21 07:00", MORNING_2),  # nothing in between: quiet hours
    ]
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.snooze is None


async def test_snooze_one_hour(bot: Harness) -> None:
    before = await enrolled(bot)
    await walk(bot, utc("2026-03-20 22:00"))
    # The wind-down goes an hour before bedtime, so an hour's snooze would land on bedtime
    # itself: it is not offered, and a forged tap asking for it is refused.
    assert SNOOZE_60 not in [text for row in bot.last().button_values for text, _ in row]
    await bot.tap_raw(encode(Action.SNOOZE, "evening", "20260320", "60"), bot.last().message_id)
    assert bot.last_answer() == STALE
    assert await due_at(bot) == utc("2026-03-21 07:00")

    await walk(bot, utc("2026-03-21 22:00"), at=[utc("2026-03-21 07:00")])
    nudge = bot.last()
    assert headline(nudge) == EVENING_2
    # Going to bed later tonight: bedtime 23:30 moves today's wind-down to 22:30, which has
    # already gone out, so it is not sent again; the snooze shown still works.
    await bot.tap("🌙 Bedtime", message_id=(await open_settings(bot)).message_id)
    await bot.send("23:30")
    shown = len(bot.messages())
    await bot.tap(SNOOZE_30, message_id=nudge.message_id)
    assert bot.last_answer() == "👍 I'll remind you again at 22:30."
    assert await due_at(bot) == utc("2026-03-21 22:30")

    await walk(bot, utc("2026-03-21 23:30"), every=MINUTE)
    await walk(bot, utc("2026-03-22 07:00"))

    assert timeline(sent_since(bot, shown), LONDON) == [
        ("2026-03-21 22:30", EVENING_2),
        ("2026-03-22 07:00", MORNING_3),
    ]
    assert [(when, text) for when, text in timeline(sent_since(bot, before), LONDON)][:3] == [
        ("2026-03-20 22:00", EVENING_1),  # nothing after the refused snooze that night
        ("2026-03-21 07:00", MORNING_2),
        ("2026-03-21 22:00", EVENING_2),
    ]
    assert await due_at(bot) == utc("2026-03-22 22:30")


# --- /pause and /resume ------------------------------------------------------------------------


async def test_pause_then_resume_continues_the_day_count(bot: Harness) -> None:
    before = await enrolled(bot)
    await walk(bot, utc("2026-03-21 10:00"), at=[utc("2026-03-21 07:00")])  # Saturday, day 2

    await bot.send("/pause")
    assert bot.last().text.startswith("⏸️ Reminders paused.")
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.status is Status.PAUSED
    # The pause starts tomorrow: today has begun and counts, so its wind-down still comes.
    assert await due_at(bot) == utc("2026-03-21 22:00")
    await walk(bot, utc("2026-03-21 22:30"), at=[utc("2026-03-21 22:00")])
    assert await due_at(bot) is None
    await walk(bot, utc("2026-03-24 06:00"), every=HOUR)  # Sunday, Monday: nothing
    paused = len(bot.messages())

    await bot.send("/resume")  # Tuesday 06:00: Sunday and Monday don't count
    assert bot.last().text.startswith("▶️ Welcome back!")
    assert await due_at(bot) == utc("2026-03-24 07:00")
    await walk(bot, utc("2026-03-24 22:00"), at=[utc("2026-03-24 07:00")])

    assert timeline(sent_since(bot, before), LONDON)[: paused - before] == [
        ("2026-03-20 22:00", EVENING_1),
        ("2026-03-21 07:00", MORNING_2),
        (
            "2026-03-21 10:00",
            "⏸️ Reminders paused. Take the time you need. Paused days don't "
            "count towards the plan. Send /resume to carry on.",
        ),
        ("2026-03-21 22:00", EVENING_2),
    ]
    assert timeline(sent_since(bot, paused), LONDON) == [
        (
            "2026-03-24 06:00",
            "▶️ Welcome back! Reminders are on again and your plan picks up where you left off.",
        ),
        ("2026-03-24 07:00", MORNING_3),  # day 3, the day after Saturday's day 2
        ("2026-03-24 22:00", EVENING_3),
    ]
    assert await due_at(bot) == utc("2026-03-25 07:00")


# --- an emergency, then "I'm safe now" ----------------------------------------------------------


async def test_an_emergency_holds_every_nudge_until_im_safe(bot: Harness) -> None:
    await enrolled(bot)
    bot.clock.set(utc("2026-03-20 09:00"))
    await check_in(bot, signs=("Eyelid or face drooping",))
    assert any("I'm safe now" in text for row in bot.last().button_values for text, _ in row)
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.emergency_hold
    assert await due_at(bot) is None
    held = len(bot.messages())

    await walk(bot, utc("2026-03-21 12:00"), every=HOUR)  # no wind-down, no morning step
    assert len(bot.messages()) == held

    await bot.tap("✅ I'm safe now")
    assert await due_at(bot) == utc("2026-03-21 22:00")  # the next slot, today's wind-down
    safe = len(bot.messages())
    await walk(bot, utc("2026-03-22 07:00"), at=[utc("2026-03-21 22:00")])
    assert timeline(sent_since(bot, safe), LONDON) == [
        ("2026-03-21 22:00", EVENING_2),
        ("2026-03-22 07:00", MORNING_3),
    ]


# --- a new time zone ---------------------------------------------------------------------------


async def test_a_new_zone_moves_the_next_send_to_the_new_local_wake_time(bot: Harness) -> None:
    await enrolled(bot)
    await walk(bot, utc("2026-03-20 20:00"))  # 20:00 in London, 01:30 on Saturday in Kolkata
    menu = await open_settings(bot)
    await bot.tap("🌍 Time zone", message_id=menu.message_id)
    await bot.send("kolkata")
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.zone == "Asia/Kolkata"
    assert await due_at(bot) == utc("2026-03-21 01:30")  # 07:00 in Kolkata
    moved = len(bot.messages())

    await walk(bot, utc("2026-03-21 17:00"), at=[utc("2026-03-21 01:30"), utc("2026-03-21 16:30")])

    assert timeline(sent_since(bot, moved), "Asia/Kolkata") == [
        ("2026-03-21 07:00", MORNING_2),  # not London's 22:00 wind-down (03:30 in Kolkata)
        ("2026-03-21 22:00", EVENING_2),
    ]


# --- /stop and /delete -------------------------------------------------------------------------


async def test_stop_sends_nothing_more(bot: Harness) -> None:
    await enrolled(bot)
    await bot.send("/stop")
    await bot.tap("Yes, stop")
    assert bot.last().text.startswith("🛑 The plan is stopped")
    assert await due_at(bot) is None
    stopped = len(bot.messages())
    await walk(bot, utc("2026-03-23 08:00"), every=HOUR)
    assert len(bot.messages()) == stopped


async def test_delete_leaves_no_queue_entry(bot: Harness) -> None:
    await enrolled(bot)
    assert await due_at(bot) is not None
    await bot.send("/delete")
    await bot.tap("🗑️ Yes, delete everything")
    assert await bot.store.get_profile(USER) is None
    assert await due_at(bot) is None
    assert not [key async for key in bot.redis.scan_iter("due:*") if await _holds_robin(bot, key)]
    deleted = len(bot.messages())
    await walk(bot, utc("2026-03-23 08:00"), every=HOUR)
    assert len(bot.messages()) == deleted


async def _holds_robin(bot: Harness, key: bytes) -> bool:
    return (
        await bot.redis.type(key) == b"zset" and await bot.redis.zscore(key, str(USER)) is not None
    )


# --- an early check-in ---------------------------------------------------------------------------


async def test_no_wind_down_nudge_after_an_early_check_in(bot: Harness) -> None:
    before = await enrolled(bot)
    bot.clock.set(utc("2026-03-20 18:00"))
    await check_in(bot)
    checked = len(bot.messages())
    assert await due_at(bot) == utc("2026-03-20 22:00")  # still claimed, then skipped
    await walk(bot, utc("2026-03-21 07:00"), at=[utc("2026-03-20 22:00")])
    assert timeline(sent_since(bot, checked), LONDON) == [
        ("2026-03-21 07:00", MORNING_2),  # Friday's wind-down was skipped
    ]
    assert checked > before
    assert await due_at(bot) == utc("2026-03-21 22:00")
