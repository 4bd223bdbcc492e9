"""Who may do what: groups and channels get nothing stored, a button works only for the person
it was sent to, operator commands only for configured ids, and /export only ever holds the
asking person's data (also when two people export at the same moment)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.storage.client import RedisClient
from bot.storage.store import Store
from devtools.emulator import BotApiEmulator
from devtools.manual_clock import ManualClock
from tests.e2e.harness import START, USER, Harness, running_bot, settings_for
from tests.e2e.steps import CONSENT_BUTTON, check_in, documents, enrol, pdf_text

SAM = 515151
ADMIN = 999_001
GROUP, SUPERGROUP, CHANNEL = -1001234567890, -1002222222222, -1009876543210
GROUP_REFUSAL = "Health check-ins belong in a private chat"
FOREIGN = "This button isn't for you."
URGENT_IN_GROUP = "If you have any of these, call your local emergency number"
UNKNOWN_COMMAND = "I don't know that command. /help lists the ones I understand."
COMMANDS = ["/start", "/today", "/checkin", "/twitch", "/progress", "/pause", "/resume",
            "/settings", "/export", "/delete", "/stop", "/help", "/faq", "/urgent",
            "/stats"]  # fmt: skip


@asynccontextmanager
async def bot_with_admin(redis_url: str, redis: RedisClient) -> AsyncIterator[Harness]:
    """The e2e harness with one configured operator id."""
    clock = ManualClock(START)
    async with BotApiEmulator(clock) as emu:
        for user, name in ((USER, "Robin"), (SAM, "Sam"), (ADMIN, "Ops")):
            emu.add_user(user, first_name=name)
        emu.add_group(GROUP, "Twitchy friends")
        emu.add_group(SUPERGROUP, "Twitchy supergroup", "supergroup")
        emu.add_group(CHANNEL, "Sleep news", "channel")
        settings = settings_for(emu, redis_url).model_copy(update={"admin_user_ids": (ADMIN,)})
        async with running_bot(emu, settings, clock) as app:
            yield Harness(emu=emu, app=app, clock=clock, redis=redis, store=Store(redis))


@pytest.fixture
async def bot(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    async with bot_with_admin(redis_url, redis_client) as harness:
        yield harness


async def snapshot(bot: Harness) -> dict[bytes, bytes | None]:
    return {key: await bot.redis.dump(key) async for key in bot.redis.scan_iter(count=1000)}


def button_data(bot: Harness, user: int = USER) -> list[str]:
    """The callback data of every button the bot has shown the person."""
    return [v for m in bot.messages(user) for row in m.button_values for _, v in row if v]


# --- groups and channels: even an enrolled person's commands and buttons store nothing ------


@pytest.mark.parametrize("chat", [GROUP, SUPERGROUP])
async def test_every_command_and_button_in_a_group_is_refused(bot: Harness, chat: int) -> None:
    await enrol(bot)
    await check_in(bot, finish=None)  # a conversation in progress, with live buttons
    before = await snapshot(bot)
    seen = len(bot.messages())

    for command in COMMANDS:
        await bot.send(command, chat_id=chat)
    refusal = bot.emu.last_bot_message(chat)
    for data in button_data(bot):
        await bot.settle(await bot.emu.tap_raw(USER, refusal.message_id, data, chat))
        assert bot.last_answer() == FOREIGN

    replies = bot.emu.bot_messages(chat)
    assert len(replies) == len(COMMANDS)
    urgent = replies[COMMANDS.index("/urgent")]
    refusals = [m for m in replies if m is not urgent]
    assert all(GROUP_REFUSAL in m.text and m.buttons == () for m in refusals)
    assert URGENT_IN_GROUP in urgent.text
    assert urgent.buttons == ()
    assert await snapshot(bot) == before
    assert len(bot.messages()) == seen  # nothing went to the private chat either


@pytest.mark.parametrize("command", ["/urgent", "/urgent@twitchcare_bot", "/URGENT now"])
async def test_urgent_in_a_group_shows_the_warning_signs_and_stores_nothing(
    bot: Harness, command: str
) -> None:
    """/urgent is for anyone, anywhere: in a group the emergency signs and "call now", and a
    pointer to a private chat for the rest; no buttons (their answers would be health data)."""
    await bot.send(command, user=SAM, chat_id=GROUP)

    reply = bot.emu.last_bot_message(GROUP)
    assert URGENT_IN_GROUP in reply.text
    for sign in ("Slurred or muddled speech", "Drooping of the eyelid or face", "Sudden confusion"):
        assert sign in reply.text
    assert "private chat" in reply.text
    assert "/urgent" in reply.text
    assert reply.buttons == ()
    assert [k async for k in bot.redis.scan_iter()] == []
    assert bot.messages(SAM) == []


async def test_urgent_for_another_bot_in_a_group_is_refused_like_any_command(bot: Harness) -> None:
    await bot.send("/urgent@some_other_bot", chat_id=GROUP)

    assert GROUP_REFUSAL in bot.emu.last_bot_message(GROUP).text


async def test_channel_posts_get_no_answer_and_store_nothing(bot: Harness) -> None:
    await enrol(bot)
    before = await snapshot(bot)

    for command in COMMANDS:
        await bot.send(command, chat_id=CHANNEL)

    assert bot.emu.bot_messages(CHANNEL) == []
    assert await snapshot(bot) == before


# --- someone else's buttons ------------------------------------------------------------------


async def test_buttons_pressed_by_someone_else_are_refused(bot: Harness) -> None:
    """Sam taps every button Robin was shown, on Robin's own messages (as a forged update
    would): each is refused, nothing changes, and Robin's messages stay as they were."""
    await enrol(bot)
    await check_in(bot, finish=None)
    await bot.send("/delete")  # a live "yes, delete everything" button
    await bot.send("/stop")
    before = await snapshot(bot)
    shown = [(m.message_id, m.text) for m in bot.messages()]

    for message in bot.messages():
        for data in [v for row in message.button_values for _, v in row if v]:
            await bot.settle(await bot.emu.tap_raw(SAM, message.message_id, data, USER))
            assert bot.last_answer() == FOREIGN, data

    assert await snapshot(bot) == before
    assert [(m.message_id, m.text) for m in bot.messages()] == shown
    assert await bot.store.get_profile(USER) is not None


async def test_a_consent_button_cannot_enrol_someone_else(bot: Harness) -> None:
    await bot.send("/start")
    consent = bot.message_with(CONSENT_BUTTON)
    data = next(v for row in consent.button_values for t, v in row if t == CONSENT_BUTTON)
    assert data is not None

    await bot.settle(await bot.emu.tap_raw(SAM, consent.message_id, data, USER))

    assert bot.last_answer() == FOREIGN
    assert [k async for k in bot.redis.scan_iter()] == []


# --- operator commands -------------------------------------------------------------------------


@pytest.mark.parametrize("user", [USER, SAM])
async def test_stats_is_an_unknown_command_for_everyone_else(bot: Harness, user: int) -> None:
    await enrol(bot, user=user)

    await bot.send("/stats", user=user)
    stats_reply = bot.last(user).text
    await bot.send("/frobnicate", user=user)

    assert stats_reply == bot.last(user).text == UNKNOWN_COMMAND
    assert "stats" not in {name for name, _ in bot.emu.commands}  # not in the menu either


async def test_stats_for_an_operator_holds_counts_only(bot: Harness) -> None:
    await enrol(bot)
    await enrol(bot, user=SAM)

    await bot.send("/stats", user=ADMIN)

    reply = bot.last(ADMIN).text
    assert "People with a next send scheduled: 2" in reply
    assert "0 s late" in reply
    for private in (str(USER), str(SAM), "Robin", "Sam", "London"):
        assert private not in reply
    assert await bot.store.get_profile(ADMIN) is None  # asking stores nothing


# --- /export ------------------------------------------------------------------------------------


def exported_bytes(bot: Harness, user: int) -> bytes:
    files = documents(bot, user)
    raw = b"".join(
        m.document.data for n, m in files.items() if m.document and not n.endswith(".pdf")
    )
    pdfs = [m for n, m in files.items() if n.endswith(".pdf")]
    return raw + b"".join(pdf_text(m).encode() for m in pdfs)


async def test_two_people_exporting_at_once_each_get_only_their_own(bot: Harness) -> None:
    await enrol(bot, zone="Europe/Lisbon")
    await enrol(bot, zone="America/New_York", user=SAM)
    bot.advance(hours=4)  # 08:00 in New York: Sam's day 1 has begun (it runs from wake time)
    await check_in(bot, coffee="4 or more")
    await check_in(bot, coffee="0", user=SAM)

    first = await bot.emu.send_text(USER, "/export")
    second = await bot.emu.send_text(SAM, "/export")
    await bot.settle(first)
    await bot.settle(second)

    mine, theirs = exported_bytes(bot, USER), exported_bytes(bot, SAM)
    assert b"Lisbon" in mine
    assert b"New_York" in theirs
    assert str(SAM).encode() not in mine
    assert b"New_York" not in mine
    assert str(USER).encode() not in theirs
    assert b"Lisbon" not in theirs
    data = json.loads(documents(bot, USER)["twitchcare-export.json"].document.data)  # type: ignore[union-attr]
    assert len(data["checkins"]) == 1


async def test_export_asked_in_a_group_sends_nothing(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/export", chat_id=GROUP)

    assert documents(bot) == {}
    assert all(m.document is None for m in bot.emu.bot_messages(GROUP))
