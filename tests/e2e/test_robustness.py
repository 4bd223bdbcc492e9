"""Bad input end to end (ARCHITECTURE §6): groups, forged buttons, stray messages, Redis going away,
odd text, the command menu and what ends up in the logs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import time
from pathlib import Path

import pytest

from bot.domain.callbacks import Action, encode
from bot.domain.flows import EnrolFlow
from bot.storage.client import connect, drop_idle_connections
from bot.storage.store import Store
from devtools.emulator import BotApiEmulator
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.manual_clock import ManualClock
from tests.e2e.harness import START, USER, Harness, harness_for, running_bot, settings_for
from tests.e2e.steps import CONSENT_BUTTON, enrol, keyspace, same_step, send_sticker
from tests.redis_server import RedisServer, require_binary

GROUP = -1001234567890
CHANNEL = -1009876543210
GROUP_REFUSAL = "Health check-ins belong in a private chat"
STALE = "This button has expired. Please use the latest message."
FOREIGN = "This button isn't for you."
UNKNOWN_COMMAND = "I don't know that command. /help lists the ones I understand."
UNKNOWN_TEXT = "I'm best with taps rather than typing."
UNAVAILABLE = "⏳ I'm temporarily unavailable. Please try again in a minute."
ASK_WAKE = "What time do you usually wake up?"
ASK_BED = "And what time do you usually go to bed?"


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Updates that ended in the error handler (it logs each one)."""
    return [r.getMessage() for r in caplog.records if r.name == "bot.chat.errors"]


async def start_enrolment(bot: Harness, zone: str | None = None) -> None:
    """Consent, and optionally answer the zone step."""
    await bot.send("/start")
    await bot.tap(CONSENT_BUTTON)
    if zone is not None:
        await bot.send(zone)


# --- groups and channels -------------------------------------------------------------------


async def test_group_chat_is_refused_and_nothing_is_stored(bot: Harness) -> None:
    bot.emu.add_group(GROUP, "Twitchy friends")

    await bot.send("/start", chat_id=GROUP)
    await bot.send("my eye keeps twitching", chat_id=GROUP)

    replies = bot.emu.bot_messages(GROUP)
    assert len(replies) == 2  # one short answer per message
    assert all(GROUP_REFUSAL in reply.text and reply.buttons == () for reply in replies)
    assert bot.messages() == []  # and nothing in the private chat
    assert await keyspace(bot) == []


async def test_channel_post_is_ignored(bot: Harness) -> None:
    bot.emu.add_group(CHANNEL, "Sleep news", "channel")

    await bot.send("/start", chat_id=CHANNEL)

    assert bot.emu.bot_messages(CHANNEL) == []
    assert bot.emu.requests_for("sendMessage") == []
    assert await keyspace(bot) == []


async def test_button_in_a_group_is_refused(bot: Harness) -> None:
    bot.emu.add_group(GROUP, "Twitchy friends")
    await bot.send("/start", chat_id=GROUP)
    refusal = bot.emu.last_bot_message(GROUP)

    update_id = await bot.emu.tap_raw(
        USER, refusal.message_id, encode(Action.CONSENT, "yes"), GROUP
    )
    await bot.settle(update_id)

    assert bot.last_answer() == FOREIGN
    assert await keyspace(bot) == []


# --- stale and forged buttons ---------------------------------------------------------------

FORGED = [
    "garbage",
    "1:nope",
    "9:consent:yes",
    "1:consent:<b>",
    "1:en_zone",
    "1:en_time:abc:0700",
    "1:en_onset:ffffff:yday",
    "x" * 64,
    "1:" + "a" * 62,
    "1:consent:yes:extra",
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_button_gets_a_polite_answer_and_stores_nothing(
    bot: Harness, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.send("/start")
    disclaimer = bot.last()

    await bot.tap_raw(data, disclaimer.message_id)

    assert bot.last_answer() == STALE
    assert bot.last().text == disclaimer.text  # the message is left as it was
    assert await keyspace(bot) == []
    assert failures(caplog) == []  # answered by design, not by the error handler


async def test_forged_button_mid_enrolment_keeps_the_answers(bot: Harness) -> None:
    await start_enrolment(bot, "london")
    flow_before = await bot.store.get_flow(USER)
    ask_wake = bot.last()

    for data in ("garbage", "1:en_time:zzzzzz:0700", "1:en_onset:zzzzzz:yday"):
        await bot.tap_raw(data, ask_wake.message_id)
        assert bot.last_answer() == STALE

    assert await bot.store.get_flow(USER) == flow_before
    await bot.tap("07:00")  # the real button still works
    assert ASK_BED in bot.last().text


async def test_button_of_an_abandoned_enrolment_is_stale(bot: Harness) -> None:
    await start_enrolment(bot, "london")
    old_wake = bot.message_with("07:00")
    await bot.send("/start")  # enrolment begins again with a new flow
    flow = await bot.store.get_flow(USER)
    assert flow is not None
    assert flow.step == "zone"

    await bot.tap("07:00", message_id=old_wake.message_id)

    assert bot.last_answer() == STALE
    assert await bot.store.get_flow(USER) == flow


async def test_buttons_keep_working_after_the_bot_restarts(
    redis_url: str, redis_client: object
) -> None:
    """In-progress answers live in Redis, not in the process: a new process carries on."""
    clock = ManualClock(START)
    redis = await connect(redis_url)
    try:
        async with BotApiEmulator(clock) as emu:
            emu.add_user(USER, first_name="Robin")
            settings = settings_for(emu, redis_url)
            async with running_bot(emu, settings, clock) as app:
                first = Harness(emu, app, clock, redis, Store(redis))
                await start_enrolment(first, "london")
                wake_message = first.message_with("07:00")
            async with running_bot(emu, settings, clock) as app:
                second = Harness(emu, app, clock, redis, Store(redis))
                await second.tap("07:00", message_id=wake_message.message_id)
                assert ASK_BED in second.last().text
                flow = await second.store.get_flow(USER)
                assert isinstance(flow, EnrolFlow)
                assert (flow.zone, flow.country, flow.wake_time) == ("Europe/London", "GB", time(7))
    finally:
        await redis.aclose()


# --- things the bot does not understand ------------------------------------------------------


async def test_unknown_command(bot: Harness) -> None:
    await bot.send("/frobnicate")

    assert bot.last().text == UNKNOWN_COMMAND
    assert await keyspace(bot) == []


async def test_sticker_gets_gentle_help(bot: Harness) -> None:
    await send_sticker(bot)

    assert UNKNOWN_TEXT in bot.last().text
    assert "/help" in bot.last().text


async def test_free_text_without_a_conversation(bot: Harness) -> None:
    await enrol(bot)
    before = await bot.store.get_profile(USER)

    await bot.send("what should I do about my eye?")

    assert UNKNOWN_TEXT in bot.last().text
    assert await bot.store.get_profile(USER) == before


async def test_nonsense_time_is_explained_and_escaped(bot: Harness) -> None:
    await start_enrolment(bot, "london")
    flow = await bot.store.get_flow(USER)

    await bot.send("half past banana")
    assert "“half past banana”" in bot.last().text
    assert "7:00" in bot.last().text
    await bot.send("<b>x</b> & <i>")
    reply = bot.last()

    assert "“<b>x</b> & <i>”" in reply.text  # shown literally, not as markup
    assert not any(entity.type == "bold" for entity in reply.entities)
    assert same_step(await bot.store.get_flow(USER), flow)  # still waiting for the wake time
    await bot.send("6:45")
    assert ASK_BED in bot.last().text


@pytest.mark.parametrize(
    "text",
    [
        "x" * 5000,
        "Sleepy " * 700,
        "😴🌍👁️‍🗨️",
        "مرحبا بالعالم",
        "תל אביב",
        "\u202etxet desrever\u202c",
    ],
)
async def test_odd_text_at_the_zone_step_gets_a_friendly_answer(
    bot: Harness, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    await start_enrolment(bot)
    flow = await bot.store.get_flow(USER)

    await bot.send(text)

    reply = bot.last()
    assert "time zone" in reply.text.lower()
    assert len(reply.text) < 1000  # the query is cut short, not echoed in full
    assert same_step(await bot.store.get_flow(USER), flow)
    assert failures(caplog) == []


# --- Redis going away --------------------------------------------------------------------------


@pytest.fixture
def durable_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own that keeps its data across stop() and start()."""
    server = RedisServer(require_binary(), tmp_path, appendonly=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def durable_bot(durable_redis: RedisServer) -> AsyncIterator[Harness]:
    client = await connect(durable_redis.url)
    try:
        async with harness_for(durable_redis.url, client) as harness:
            yield harness
    finally:
        await client.aclose()


async def test_redis_outage_mid_enrolment(durable_bot: Harness, durable_redis: RedisServer) -> None:
    bot = durable_bot
    await start_enrolment(bot, "london")
    flow = await bot.store.get_flow(USER)
    profile = await bot.store.get_profile(USER)
    assert flow is not None
    assert flow.step == "wake"
    durable_redis.stop()

    await bot.send("07:00")
    assert bot.last().text == UNAVAILABLE
    await bot.tap("07:00")
    answer = bot.emu.callback_answers[-1]
    assert answer.text == UNAVAILABLE
    assert answer.show_alert
    await bot.send("/start")
    assert bot.last().text == UNAVAILABLE

    durable_redis.start()
    await drop_idle_connections(bot.redis)  # the test's own client: drop dead connections
    assert await bot.store.get_flow(USER) == flow  # nothing lost, nothing half-written
    assert await bot.store.get_profile(USER) == profile
    await bot.send("07:00")
    assert ASK_BED in bot.last().text
    await bot.send("23:00")
    await bot.tap("Yesterday")
    assert "You're all set" in bot.texts()[-2]


async def test_bot_answers_again_after_an_empty_redis_comes_back(
    bot: Harness, redis_server: RedisServer
) -> None:
    await start_enrolment(bot, "london")
    redis_server.stop()
    await bot.send("07:00")
    assert bot.last().text == UNAVAILABLE

    redis_server.start()  # the shared test server has no persistence: it is back empty
    await drop_idle_connections(bot.redis)  # the test's own client: drop dead connections
    await bot.send("/start")

    assert "not a doctor" in bot.last().text.lower()
    await bot.tap(CONSENT_BUTTON)
    assert await bot.store.get_profile(USER) is not None


# --- start-up and logs ------------------------------------------------------------------------


async def test_commands_are_registered_at_start_up(bot: Harness) -> None:
    names = {name for name, _ in bot.emu.commands}

    assert names >= {
        "start",
        "today",
        "checkin",
        "progress",
        "pause",
        "resume",
        "settings",
        "export",
        "delete",
        "stop",
        "help",
        "faq",
        "urgent",
    }
    assert all(description for _, description in bot.emu.commands)


async def test_logs_hold_no_message_text_names_or_token(
    redis_url: str, redis_client: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_words = ["Reykjavik", "half past banana", "frobnicate", "twitchy-secret"]
    redis = await connect(redis_url)
    try:
        async with harness_for(redis_url, redis) as bot:
            await bot.send("/start")
            await bot.tap(CONSENT_BUTTON)
            await bot.send("Reykjavik")
            await bot.send("half past banana")
            await bot.send("/frobnicate")
            await bot.tap_raw("1:twitchy-secret", bot.last().message_id)
            assert bot.emu.bot_messages(USER)
    finally:
        await redis.aclose()

    logged = "\n".join(
        [caplog.text, *(str(r.args) for r in caplog.records), *(str(r.msg) for r in caplog.records)]
    )
    assert caplog.records  # something was logged, so the check below means something
    for word in [*secret_words, "Robin", DEFAULT_TOKEN]:
        assert word not in logged, f"{word!r} appears in the logs"


async def test_redis_restart_while_the_bot_is_idle_costs_at_most_one_retry(
    durable_bot: Harness, durable_redis: RedisServer
) -> None:
    """A connection idle for over a second is health-checked before use, so in production a
    fail-over between two messages goes unnoticed. Commands are never retried blindly (a write
    whose reply was lost could apply twice), so within that second the person may be asked to
    try again once: nothing is lost, and the next try works."""
    bot = durable_bot
    await start_enrolment(bot, "london")
    durable_redis.restart()  # e.g. a managed Redis failing over between two messages
    await drop_idle_connections(bot.redis)  # the test's own client

    await bot.send("07:00")
    if bot.last().text == UNAVAILABLE:
        await bot.send("07:00")

    assert ASK_BED in bot.last().text


async def test_tap_answered_before_redis_failed_still_tells_the_person(
    bot: Harness, redis_server: RedisServer
) -> None:
    """ "Yes, stop" stops the spinner first, then writes to Redis: the notice must still
    arrive."""
    await enrol(bot)
    await bot.send("/stop")
    redis_server.stop()

    await bot.tap("Yes, stop")

    assert bot.emu.callback_answers[-1].text is None  # the handler had answered already
    assert bot.last().text == UNAVAILABLE
