"""Telegram failing on scheduled sends: 5xx and dropped connections are retried with backoff,
429s after their retry_after, all within one bound of attempts per message (the dispatcher's
MAX_ATTEMPTS, whether or not the Redis rate limiter is on); a timeout is ambiguous (the message
may have arrived) and is never resent; a send that keeps failing is given up loudly, and the next
slot still goes.

The bot runs with a 0.5 s read timeout so the emulator's `timeout` fault (the message is
delivered, the answer never comes) turns into python-telegram-bot's TimedOut quickly. The
backoff waits are clock.sleep, so they show up as the send's time on the ManualClock.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.ops.app import build_application, running
from bot.storage.client import RedisClient
from bot.storage.store import OUTBOX, Store, person_key
from devtools.emulator import BotApiEmulator, FaultKind, RecordedRequest
from devtools.manual_clock import ManualClock
from scheduler.dispatcher import MAX_ATTEMPTS, MAX_RETRY_AFTER, TickStats
from scheduler.transport import H11Request
from tests.e2e.harness import START, USER, Harness, settings_for
from tests.e2e.steps import chat_sends, enrol, headline, sent_since, walk

EVENING = datetime(2026, 3, 20, 22, 0, tzinfo=UTC)  # Robin's day-1 wind-down (bed 23:00)
NEXT_EVENING = EVENING + timedelta(days=1)
WIND_DOWN = "🌙 Time to start winding down"
# Robin enrols on Friday morning (day 1): the morning message goes out at once, under its marker.
ENROLMENT_STEP = {"morning#0:2026-03-20": "sent"}
WIND_DOWN_2 = "🌙 Wind-down time"
READ_TIMEOUT = 0.5


@asynccontextmanager
async def impatient_bot(
    redis_url: str, redis: RedisClient, *, rate_limit: bool = False
) -> AsyncIterator[Harness]:
    """The e2e harness, but the bot waits only READ_TIMEOUT seconds for Telegram's answer."""
    clock = ManualClock(START)
    async with BotApiEmulator(clock) as emu:
        emu.add_user(USER, first_name="Robin")
        settings = settings_for(emu, redis_url).model_copy(update={"rate_limit": rate_limit})
        app = build_application(settings, clock=clock)
        # No setting for it (production keeps PTB's 5 s); the test shortens the HTTP client's.
        app.bot.request._client.timeout = httpx.Timeout(5.0, read=READ_TIMEOUT)  # type: ignore[attr-defined]
        async with running(app):
            # Every fault below hits the scheduled sends' own transport, not PTB's httpx one.
            assert isinstance(app.bot_data.dispatcher.sender.request, H11Request)
            assert app.bot_data.dispatcher.sender.request.read_timeout == READ_TIMEOUT
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=5)
            try:
                yield Harness(emu=emu, app=app, clock=clock, redis=redis, store=Store(redis))
            finally:
                await app.updater.stop()


@pytest.fixture
async def bot(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    async with impatient_bot(redis_url, redis_client) as harness:
        await enrol(harness)  # London, Friday 08:00: day 1 today, next send 22:00
        yield harness


@pytest.fixture(params=[True, False], ids=["limiter_on", "limiter_off"])
async def either_bot(
    redis_url: str, redis_client: RedisClient, request: pytest.FixtureRequest
) -> AsyncIterator[Harness]:
    """The bot with and without the Redis rate limiter: the retry bound is the same."""
    async with impatient_bot(redis_url, redis_client, rate_limit=request.param) as harness:
        await enrol(harness)
        yield harness


async def outbox(bot: Harness) -> dict[str, str]:
    raw = await bot.redis.hgetall(person_key(USER, OUTBOX))
    return {_text(k): _text(v) for k, v in raw.items()}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@pytest.mark.parametrize("kind", [FaultKind.SERVER_ERROR, FaultKind.DISCONNECT])
async def test_two_failures_are_retried_with_backoff(bot: Harness, kind: FaultKind) -> None:
    before, sends = len(bot.messages()), chat_sends(bot, USER)
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=kind, times=2)
    await walk(bot, EVENING - timedelta(minutes=1))

    bot.clock.set(EVENING)
    stats = await bot.tick()

    assert stats.outcomes == {"sent": 1}
    (nudge,) = sent_since(bot, before)
    assert headline(nudge) == WIND_DOWN
    assert nudge.date == EVENING + timedelta(seconds=1 + 4)  # waited 1 s, then 4 s
    if kind is FaultKind.SERVER_ERROR:
        assert chat_sends(bot, USER) == sends + 3  # two 502s, then the one that arrived
    assert await outbox(bot) == {**ENROLMENT_STEP, "evening#0:2026-03-20": "sent"}
    await walk(bot, EVENING + timedelta(hours=1))
    assert len(sent_since(bot, before)) == 1


async def test_a_send_that_keeps_failing_is_given_up_loudly(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    before, sends = len(bot.messages()), chat_sends(bot, USER)
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.SERVER_ERROR, times=4)
    await walk(bot, EVENING - timedelta(minutes=1))

    bot.clock.set(EVENING)
    assert (await bot.tick()).outcomes == {"failed": 1}

    assert chat_sends(bot, USER) == sends + 4  # the first try and three retries
    assert bot.clock.now() == EVENING + timedelta(seconds=1 + 4 + 15)
    assert "scheduled send given up after 4 attempts" in [
        r.getMessage() for r in caplog.records if r.levelno == logging.ERROR
    ]
    assert await outbox(bot) == {**ENROLMENT_STEP, "evening#0:2026-03-20": "failed"}
    await walk(bot, NEXT_EVENING)  # not retried later; the next slots still go
    assert [headline(m) for m in sent_since(bot, before)][-1] == WIND_DOWN_2
    assert WIND_DOWN not in [headline(m) for m in sent_since(bot, before)]


async def test_a_timeout_is_never_resent(bot: Harness) -> None:
    before, sends = len(bot.messages()), chat_sends(bot, USER)
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.TIMEOUT)
    await walk(bot, EVENING - timedelta(minutes=1))

    bot.clock.set(EVENING)
    stats = await bot.tick()  # the message arrives; the answer never does

    assert stats.outcomes == {"ambiguous": 1}
    assert bot.emu.hung_requests == 1
    bot.emu.release_hung()
    assert await outbox(bot) == {**ENROLMENT_STEP, "evening#0:2026-03-20": "ambiguous"}
    await walk(bot, NEXT_EVENING - timedelta(minutes=1))
    assert [headline(m) for m in sent_since(bot, before)].count(WIND_DOWN) == 1
    assert chat_sends(bot, USER) == sends + 2  # the evening once; Saturday's morning message


async def test_a_request_lost_before_telegram_is_not_resent_either(bot: Harness) -> None:
    """A hang (nothing delivered, no answer) looks the same as a timeout to the bot, so it is
    not resent either: that evening's nudge is lost. This is the price of never sending twice
    (sendMessage has no idempotency key); the next slot goes as usual."""
    before = len(bot.messages())
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.HANG)
    await walk(bot, EVENING - timedelta(minutes=1))

    bot.clock.set(EVENING)
    assert (await bot.tick()).outcomes == {"ambiguous": 1}
    bot.emu.release_hung()

    await walk(bot, NEXT_EVENING)
    assert [headline(m) for m in sent_since(bot, before)][-1] == WIND_DOWN_2
    assert WIND_DOWN not in [headline(m) for m in sent_since(bot, before)]
    assert await bot.store.sent_slots(USER) >= {"evening:2026-03-21"}


# --- one retry contract: 429s, 5xx and timeouts share one bound per message --------------------


def attempts_at(bot: Harness) -> list[float]:
    """Seconds after EVENING of every sendMessage to Robin from now on, as Telegram sees them."""
    seen: list[float] = []

    def record(request: RecordedRequest) -> None:
        to_robin = str(request.params.get("chat_id")) == str(USER)
        if request.method.lower() == "sendmessage" and to_robin:
            seen.append((bot.clock.now() - EVENING).total_seconds())

    bot.emu.observe(record)
    return seen


async def evening_tick(bot: Harness) -> tuple[TickStats, list[float]]:
    await walk(bot, EVENING - timedelta(minutes=1))
    seen = attempts_at(bot)
    bot.clock.set(EVENING)
    return await bot.tick(), seen


def given_up(caplog: pytest.LogCaptureFixture) -> list[str]:
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    return [text for text in errors if text.startswith("scheduled send given up")]


async def test_a_429_storm_stops_at_the_bound_and_waits_out_each_retry_after(
    either_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: the rate limiter retried each 429 three times inside each of the dispatcher's
    four attempts (up to 16 calls), or, without it, the dispatcher waited 1/4/15 s whatever
    Telegram asked."""
    bot = either_bot
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.FLOOD, times=20, retry_after=3)

    stats, seen = await evening_tick(bot)

    assert stats.outcomes == {"failed": 1}
    assert len(seen) == MAX_ATTEMPTS == 4
    assert seen == [0.0, 3.0, 6.0, 9.0]  # each attempt exactly one retry_after after the last
    assert given_up(caplog) == ["scheduled send given up after 4 attempts"]
    assert (await outbox(bot))["evening#0:2026-03-20"] == "failed"
    bot.emu.clear_faults()
    await walk(bot, EVENING + timedelta(hours=1))
    assert len(seen) == 4  # given up for good: not tried again later


async def test_429s_then_success_arrive_once_after_their_retry_after(either_bot: Harness) -> None:
    bot = either_bot
    before = len(bot.messages())
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.FLOOD, times=2, retry_after=3)

    stats, seen = await evening_tick(bot)

    assert stats.outcomes == {"sent": 1}
    assert seen == [0.0, 3.0, 6.0]
    (nudge,) = sent_since(bot, before)
    assert (headline(nudge), nudge.date) == (WIND_DOWN, EVENING + timedelta(seconds=6))
    assert (await outbox(bot))["evening#0:2026-03-20"] == "sent"


async def test_429s_and_5xx_share_one_bound(
    either_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """502, 429, 502, 429: four attempts in all, each wait the one its failure asks for."""
    bot = either_bot
    for kind in (FaultKind.SERVER_ERROR, FaultKind.FLOOD) * 2:
        bot.emu.inject_fault("sendMessage", chat_id=USER, kind=kind, retry_after=3)

    stats, seen = await evening_tick(bot)

    assert stats.outcomes == {"failed": 1}
    assert seen == [0.0, 1.0, 1.0 + 3, 1.0 + 3 + 15]
    assert given_up(caplog) == ["scheduled send given up after 4 attempts"]


async def test_a_429_asking_for_too_long_gives_the_message_up_at_once(
    either_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Waiting longer would hold the person's claim past what its lease allows for."""
    bot = either_bot
    too_long = int(MAX_RETRY_AFTER) + 1
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.FLOOD, retry_after=too_long)

    stats, seen = await evening_tick(bot)

    assert (stats.outcomes, seen) == ({"failed": 1}, [0.0])
    assert given_up(caplog) == ["scheduled send given up after 1 attempts"]


async def test_a_timeout_after_a_429_is_still_never_resent(either_bot: Harness) -> None:
    bot = either_bot
    before = len(bot.messages())
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.FLOOD, retry_after=3)
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.TIMEOUT)

    stats, seen = await evening_tick(bot)
    bot.emu.release_hung()

    assert (stats.outcomes, seen) == ({"ambiguous": 1}, [0.0, 3.0])
    assert (await outbox(bot))["evening#0:2026-03-20"] == "ambiguous"
    await walk(bot, NEXT_EVENING - timedelta(minutes=1))
    assert [headline(m) for m in sent_since(bot, before)].count(WIND_DOWN) == 1
    assert len(seen) == 2 + 1  # the 429 and the timeout; then only Saturday's morning message
