"""Logging an episode the moment it happens, through the emulator: the "⚡ Twitching now" reply
keyboard, the edited-in-place confirmation, the evening check-in's prefilled count, export and
delete, groups, the daily cap and the red-flag checker."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio.client import Pipeline, Redis

from bot.chat.export import EPISODES_CSV_NAME, JSON_NAME
from bot.domain.episodes import EPISODES_PER_DAY_CAP, Before, Episode
from bot.domain.models import TwitchLocation
from bot.storage.store import person_keys
from devtools.emulator import ChatMessage
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import check_in, documents, enrol, keyspace, pdf_text, walk_due

BUTTON = "⚡ Twitching now"
GROUP = -100777
# Friday 20 March 2026 in London (GMT): wake 07:00, so the plan day runs from 07:00 UTC.
DAY = datetime(2026, 3, 20, tzinfo=UTC)
TIMES = [(9, 5), (11, 40), (15, 10), (16, 20), (17, 45)]


async def log_at(bot: Harness, hour: int, minute: int, command: str = BUTTON) -> int:
    """Move the clock to hh:mm and tap the button; returns the confirmation's message id."""
    bot.clock.set(DAY.replace(hour=hour, minute=minute))
    before = len(bot.messages())
    await bot.send(command)
    assert len(bot.messages()) == before + 1, "one short message per episode"
    return bot.last().message_id


def message(bot: Harness, message_id: int) -> ChatMessage:
    return next(m for m in bot.messages() if m.message_id == message_id)


def keyboard_of(bot: Harness) -> dict[str, object] | None:
    """The reply keyboard the chat shows now: the newest one any bot message set."""
    shown = [m.reply_keyboard for m in bot.messages() if m.reply_keyboard is not None]
    return shown[-1] if shown else None


def shows_button(bot: Harness) -> bool:
    keyboard = keyboard_of(bot)
    return keyboard is not None and keyboard.get("keyboard") == [[{"text": BUTTON}]]


async def test_the_button_comes_with_enrolment_and_logs_five_episodes_over_a_day(
    bot: Harness,
) -> None:
    await enrol(bot)
    keyboard = keyboard_of(bot)
    assert keyboard is not None
    assert shows_button(bot)
    assert keyboard["is_persistent"] is True
    assert keyboard["resize_keyboard"] is True

    ids = [
        await log_at(bot, h, m, "/twitch" if i == 4 else BUTTON) for i, (h, m) in enumerate(TIMES)
    ]

    assert "Logged at 17:45" in bot.last().text
    assert "What came just before?" in bot.last().text
    # Two with nothing more, two with what came before, one with a place too.
    await bot.tap("📱 Screens", message_id=ids[1])
    await bot.tap("☕ Coffee or tea", message_id=ids[2])
    await bot.tap("📱 Screens", message_id=ids[3])
    edited = message(bot, ids[3])
    assert "Logged at 16:20" in edited.text
    assert "Just before: screens" in edited.text
    assert "Not in your usual place (👁️ Eyelid)?" in edited.text
    assert all("Eyelid" not in label for row in edited.button_values for label, _ in row)
    await bot.tap("Cheek", message_id=ids[3])
    done = message(bot, ids[3])
    assert "Where: Cheek" in done.text
    assert done.buttons == ()
    assert bot.last_answer() == "Logged ⚡"

    episodes = await bot.store.list_episodes(USER)
    assert [(e.at.hour, e.at.minute) for e in episodes] == TIMES
    assert [e.before for e in episodes] == [
        None,
        Before.SCREENS,
        Before.CAFFEINE,
        Before.SCREENS,
        None,
    ]
    assert [e.where for e in episodes] == [None, None, None, TwitchLocation.CHEEK, None]


async def test_the_evening_check_in_offers_the_logged_count_and_one_tap_confirms_it(
    bot: Harness,
) -> None:
    await enrol(bot)
    for hour, minute in TIMES:
        await log_at(bot, hour, minute)
    bot.clock.set(DAY.replace(hour=21))

    await bot.send("/checkin")
    await bot.tap("👁️ Eyelid")
    question = bot.last()
    assert "You logged <b>5</b> today with the ⚡ button" in (question.html or "")
    assert any(label == "✅ Yes, about 5" for row in question.button_values for label, _ in row)
    assert any(label == "3 to 5" for row in question.button_values for label, _ in row)

    await check_in(bot, count="✅ Yes, about 5", command=None, answered=1)

    records = await bot.store.list_checkins(USER)
    assert [r.checkin.episodes_per_day for r in records] == [5]


async def test_the_prefilled_count_can_be_corrected(bot: Harness) -> None:
    await enrol(bot)
    for hour, minute in TIMES:
        await log_at(bot, hour, minute)
    bot.clock.set(DAY.replace(hour=21))

    await check_in(bot, count="6 to 10")

    records = await bot.store.list_checkins(USER)
    assert [r.checkin.episodes_per_day for r in records] == [8]


async def test_without_logged_episodes_the_count_is_asked_as_before(bot: Harness) -> None:
    await enrol(bot)
    bot.clock.set(DAY.replace(hour=21))
    await bot.send("/checkin")
    await bot.tap("👁️ Eyelid")
    assert "You logged" not in bot.last().text
    assert "Roughly how many twitching episodes" in bot.last().text


async def test_export_has_the_events_and_delete_leaves_none_and_takes_the_button_away(
    bot: Harness,
) -> None:
    await enrol(bot)
    ids = [await log_at(bot, h, m) for h, m in TIMES]
    await bot.tap("🍷 Alcohol", message_id=ids[0])

    await bot.send("/export")
    files = documents(bot)
    exported = json.loads(files[JSON_NAME].document.data)  # type: ignore[union-attr]
    assert [e["before"] for e in exported["episodes"]] == ["alcohol", None, None, None, None]
    assert exported["episodes"][0]["at"] == "2026-03-20T09:05:00+00:00"
    assert exported["episodes"][0]["local_time"] == "2026-03-20T09:05:00"
    rows = list(csv.DictReader(io.StringIO(files[EPISODES_CSV_NAME].document.data.decode())))  # type: ignore[union-attr]
    assert len(rows) == 5
    assert rows[0]["before"] == "alcohol"
    assert rows[1]["before"] == ""
    report = pdf_text(files["twitchcare-doctor-report.pdf"])  # the doctor sees them too
    assert "5 logged" in report
    assert "09:05 after alcohol" in report

    await bot.send("/delete")
    await bot.tap("🗑️ Yes, delete everything")

    assert [k for k in await keyspace(bot) if k in person_keys(USER)] == []
    assert await bot.store.list_episodes(USER) == []
    assert keyboard_of(bot) == {"remove_keyboard": True}
    # A tap on a keyboard the client still shows stores nothing and says how to start.
    await bot.send(BUTTON)
    assert "You haven't started the plan yet" in bot.last().text
    assert [k for k in await keyspace(bot) if k in person_keys(USER)] == []


async def test_stop_takes_the_button_away_and_a_late_tap_stores_nothing(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/stop")
    await bot.tap("Yes, stop")
    assert keyboard_of(bot) == {"remove_keyboard": True}

    await bot.send(BUTTON)

    assert "The plan is stopped" in bot.last().text
    assert await bot.store.list_episodes(USER) == []


async def test_in_a_group_there_is_no_button_and_a_tap_stores_and_reveals_nothing(
    bot: Harness,
) -> None:
    await enrol(bot)
    bot.emu.add_group(GROUP, "Twitchy friends")
    await bot.send("/twitch", chat_id=GROUP)
    await bot.send(BUTTON, chat_id=GROUP)

    replies = bot.emu.bot_messages(GROUP)
    assert len(replies) == 2
    assert all("private chat" in m.text and m.reply_keyboard is None for m in replies)
    assert all("Logged" not in m.text for m in replies)
    assert await bot.store.list_episodes(USER) == []


async def test_past_the_daily_cap_a_tap_is_answered_kindly_and_not_stored(bot: Harness) -> None:
    profile = await enrol(bot)
    assert profile.wake_time is not None
    since = DAY.replace(hour=7)
    for minute in range(EPISODES_PER_DAY_CAP - 1):  # the day so far, one a minute from 07:00
        at = since + timedelta(minutes=minute)
        await bot.store.log_episode(USER, Episode(at=at), since, EPISODES_PER_DAY_CAP)

    await log_at(bot, 12, 0)
    assert "Logged at 12:00" in bot.last().text
    await bot.send(BUTTON)
    assert "You've logged 200 episodes today" in bot.last().text
    assert bot.last().buttons == ()
    assert len(await bot.store.list_episodes(USER)) == EPISODES_PER_DAY_CAP

    bot.clock.set(DAY.replace(hour=7, minute=30) + timedelta(days=1))  # a new plan day
    await bot.send(BUTTON)
    assert "Logged at 07:30" in bot.last().text
    assert len(await bot.store.list_episodes(USER)) == EPISODES_PER_DAY_CAP + 1


async def test_a_place_elsewhere_in_the_body_goes_through_the_red_flag_checker(
    bot: Harness,
) -> None:
    await enrol(bot)
    message_id = await log_at(bot, 10, 0)
    await bot.tap("😣 Stress", message_id=message_id)
    before = len(bot.messages())

    await bot.tap("Somewhere else in my body", message_id=message_id)

    advice = bot.messages()[before:]
    assert len(advice) == 1
    assert "doctor" in advice[0].text.lower()
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert "other_body_part" in profile.advised_reasons


# --- the button given back: after /stop, for people enrolled before it, after a hidden keyboard


async def without_the_button(bot: Harness) -> None:
    """As for someone enrolled before the button existed: the chat has no reply keyboard."""
    await bot.send("/stop")
    await bot.tap("Yes, stop")
    assert not shows_button(bot)


async def test_carry_on_after_stop_gives_the_button_back_then_todays_step(bot: Harness) -> None:
    await enrol(bot)
    await without_the_button(bot)
    await bot.send("/start")
    before = len(bot.messages())

    await bot.tap("▶️ Carry on")

    back, today = bot.messages()[before:]
    assert "tap <b>⚡ Twitching now</b> under the message box" in (back.html or "")
    assert back.buttons == ()
    assert shows_button(bot)
    assert "Day 1" in today.text
    assert today.buttons != ()  # the step keeps its own buttons
    await bot.send(BUTTON)
    assert "Logged at" in bot.last().text


async def test_stray_text_on_the_plan_points_to_the_button_and_brings_it_back(
    bot: Harness,
) -> None:
    await enrol(bot)
    await without_the_button(bot)
    await bot.send("/start")
    await bot.tap("▶️ Carry on")
    await bot.send(BUTTON)
    bot.emu.add_group(GROUP, "Twitchy friends")
    # A client that hid the keyboard: the person types instead.
    for typed in ("twitching", "Twitching now"):
        await bot.send(typed)
        assert bot.last().text.startswith("Twitching right now? Tap ⚡ Twitching now")
        assert shows_button(bot)

    await bot.send("twitching", chat_id=GROUP)

    assert all(m.reply_keyboard is None for m in bot.emu.bot_messages(GROUP))
    assert len(await bot.store.list_episodes(USER)) == 1  # typing never logs an episode


async def test_stray_text_off_the_plan_gets_no_button(bot: Harness) -> None:
    await enrol(bot)
    await without_the_button(bot)

    await bot.send("twitching")

    assert "Twitching right now" not in bot.last().text
    assert not shows_button(bot)


async def test_a_changed_time_zone_keeps_the_button_instead_of_removing_every_keyboard(
    bot: Harness,
) -> None:
    await enrol(bot)
    await bot.send("/settings")
    await bot.tap("🌍 Time zone")
    assert not shows_button(bot)  # the "share my location" keyboard replaced it

    await bot.send("Berlin")

    assert bot.texts()[-2].startswith("🌍 Time zone set: Berlin")
    assert shows_button(bot)


# --- the week's summary (sent by the scheduler on the morning after day 7)


async def test_the_scheduled_week_summary_says_when_the_logged_episodes_came(
    bot: Harness,
) -> None:
    await enrol(bot)
    for day in range(7):  # Friday 20 to Thursday 26 March: one in mid-afternoon, one before 18:00
        for hour, minute, before in ((15, 10, "📱 Screens"), (17, 40, "🤷 Nothing special")):
            await walk_due(bot, DAY.replace(hour=hour, minute=minute) + timedelta(days=day))
            await bot.send(BUTTON)
            await bot.tap(before, message_id=bot.last().message_id)
    assert len(await bot.store.list_episodes(USER)) == 14

    await walk_due(bot, DAY.replace(hour=7, minute=1) + timedelta(days=7))

    summary = next(m for m in bot.messages() if m.text.startswith("🏁 You've finished the 7-day"))
    shown = "\n".join(m.html or "" for m in bot.messages()[bot.messages().index(summary) :])
    assert "When your logged episodes came" in shown
    assert "Most came between <b>15:00 and 18:00</b>: 14 of your 14 logged episodes" in shown
    assert "came just before" in shown or "stood out more than it does" in shown


# --- what a tap costs


@contextmanager
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The Redis round trips made meanwhile: one per command, one per pipeline."""
    made: list[str] = []
    command: Callable[..., Awaitable[Any]] = Redis.execute_command
    pipeline: Callable[..., Awaitable[Any]] = Pipeline.execute

    async def one(self: Redis, *args: Any, **options: Any) -> Any:
        made.append(str(args[0]))
        return await command(self, *args, **options)

    async def batch(self: Pipeline, *args: Any, **options: Any) -> Any:
        made.append("pipeline")
        return await pipeline(self, *args, **options)

    with monkeypatch.context() as patch:
        patch.setattr(Redis, "execute_command", one)
        patch.setattr(Pipeline, "execute", batch)
        yield made


async def test_a_tap_reads_what_it_needs_in_one_round_trip_before_it_writes(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log tap: the profile (read once per update, for the language too), then the capped
    write. A "just before" tap: the update's language read, then the episode, the profile and
    the latest check-in together, then the write; never the whole check-in history, nor each
    read in turn."""
    await enrol(bot)
    await check_in(bot, where="👄 Mouth")
    await bot.tap("🤷 Nothing special", message_id=await log_at(bot, 21, 0))  # scripts loaded
    with round_trips(monkeypatch) as logged:
        message_id = await log_at(bot, 21, 30)
    with round_trips(monkeypatch) as described:
        await bot.tap("📱 Screens", message_id=message_id)

    assert "Not in your usual place (👄 Mouth)?" in message(bot, message_id).text
    assert logged == ["GET", "EVALSHA"]  # (the harness sends without the rate limiter)
    assert described == ["GET", "pipeline", "EVALSHA"]
