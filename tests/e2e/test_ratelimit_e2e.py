"""A real ExtBot with the Redis rate limiter against the Bot API emulator's flood limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from telegram.ext import ExtBot

from bot.storage.client import RedisClient
from devtools.emulator import BotApiEmulator, RateLimits
from devtools.manual_clock import ManualClock
from scheduler.ratelimit import RedisRateLimiter

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
CHATS = (2001, 2002, 2003)
# The emulator's Telegram: one message a second per chat (no burst), thirty a second overall.
TELEGRAM = RateLimits(per_chat_rate=1.0, per_chat_burst=1.0, global_rate=30.0, global_burst=30.0)
# A stricter Telegram than the limiter expects: one message per five seconds per chat.
STRICT = RateLimits(per_chat_rate=0.2, per_chat_burst=1.0, global_rate=30.0, global_burst=30.0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)  # overlapping waits move it once, as real waits would


async def start_emulator(clock: ManualClock, limits: RateLimits) -> BotApiEmulator:
    emu = BotApiEmulator(clock, limits=limits)
    await emu.start()
    for chat_id in CHATS:
        emu.add_user(chat_id)
    return emu


@pytest.fixture
async def emu(clock: ManualClock) -> AsyncIterator[BotApiEmulator]:
    emulator = await start_emulator(clock, TELEGRAM)
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def strict_emu(clock: ManualClock) -> AsyncIterator[BotApiEmulator]:
    emulator = await start_emulator(clock, STRICT)
    try:
        yield emulator
    finally:
        await emulator.stop()


async def open_replicas(
    stack: AsyncExitStack, emu: BotApiEmulator, redis: RedisClient, clock: ManualClock, count: int
) -> list[ExtBot[int]]:
    """`count` bots, each with its own limiter (as separate processes would), sharing Redis."""
    bots: list[ExtBot[int]] = []
    for _ in range(count):
        limiter = RedisRateLimiter(redis, clock, per_chat_burst=1)
        bot: ExtBot[int] = ExtBot(
            token=emu.token,
            base_url=emu.base_url,
            base_file_url=emu.base_file_url,
            rate_limiter=limiter,
        )
        await stack.enter_async_context(bot)
        bots.append(bot)
    return bots


def texts(emu: BotApiEmulator, chat_id: int) -> list[str | None]:
    return [message.text for message in emu.bot_messages(chat_id)]


def seconds_in(emu: BotApiEmulator, chat_id: int) -> list[float]:
    return [(message.date - START).total_seconds() for message in emu.bot_messages(chat_id)]


def gaps(emu: BotApiEmulator, chat_id: int) -> list[float]:
    """Clock seconds between consecutive messages the chat received."""
    return [b - a for a, b in pairwise(seconds_in(emu, chat_id))]


def elapsed(clock: ManualClock) -> float:
    return (clock.now() - START).total_seconds()


async def test_sixty_messages_to_three_chats_arrive_without_a_single_429(
    emu: BotApiEmulator, redis_client: RedisClient, clock: ManualClock
) -> None:
    async with AsyncExitStack() as stack:
        (bot,) = await open_replicas(stack, emu, redis_client, clock, 1)
        for n in range(60):
            await bot.send_message(CHATS[n % 3], f"m{n}")

    assert len(emu.requests_for("sendMessage")) == 60  # Telegram never had to say 429
    for index, chat_id in enumerate(CHATS):
        assert texts(emu, chat_id) == [f"m{n}" for n in range(index, 60, 3)]
        assert min(gaps(emu, chat_id)) >= 1.0 - 1e-6
    # 20 messages a chat at one a second: the first goes at once, 19 seconds for the rest.
    assert elapsed(clock) == pytest.approx(19.0, abs=0.01)


async def test_concurrent_senders_on_two_replicas_deliver_everything_once(
    emu: BotApiEmulator, redis_client: RedisClient, clock: ManualClock
) -> None:
    async with AsyncExitStack() as stack:
        bots = await open_replicas(stack, emu, redis_client, clock, 2)

        async def send_to(index: int, chat_id: int) -> None:
            # One sender per chat, alternating replicas. Interactive sends: the limiter rides
            # out a 429 only for those; a scheduled send's 429 goes back to the dispatcher
            # (tests/faults/test_telegram_faults.py covers that path).
            for n in range(index, 60, 3):
                await bots[n % 2].send_message(chat_id, f"m{n}")

        await asyncio.gather(*(send_to(i, chat_id) for i, chat_id in enumerate(CHATS)))

    for index, chat_id in enumerate(CHATS):
        assert texts(emu, chat_id) == [f"m{n}" for n in range(index, 60, 3)]
        assert min(gaps(emu, chat_id)) >= 1.0 - 1e-6
    # In-flight requests let other tasks move the simulated clock, so the emulator may still
    # answer a few 429s here; the limiter rides them out. Only the lower bound is exact.
    assert elapsed(clock) >= 19.0 - 1e-6


async def test_global_limit_spreads_a_broadcast_to_many_chats(
    emu: BotApiEmulator, redis_client: RedisClient, clock: ManualClock
) -> None:
    chats = range(3001, 3061)
    for chat_id in chats:
        emu.add_user(chat_id)
    async with AsyncExitStack() as stack:
        (bot,) = await open_replicas(stack, emu, redis_client, clock, 1)
        for chat_id in chats:
            await bot.send_message(chat_id, "good morning")

    assert len(emu.requests_for("sendMessage")) == 60
    assert all(texts(emu, chat_id) == ["good morning"] for chat_id in chats)
    # 30 at once, then thirty a second for the other 30.
    assert elapsed(clock) == pytest.approx(1.0, abs=0.01)


async def test_a_429_storm_pauses_every_replica_and_each_message_arrives_once(
    strict_emu: BotApiEmulator, redis_client: RedisClient, clock: ManualClock
) -> None:
    emu = strict_emu
    first_chat, second_chat = CHATS[0], CHATS[1]
    async with AsyncExitStack() as stack:
        first, second = await open_replicas(stack, emu, redis_client, clock, 2)
        for n in range(3):
            await first.send_message(first_chat, f"a{n}")
            await second.send_message(second_chat, f"b{n}")

    assert texts(emu, first_chat) == ["a0", "a1", "a2"]
    assert texts(emu, second_chat) == ["b0", "b1", "b2"]
    # a1 went after the limiter's 1 s and got 429 retry_after=4: nothing was sent for 4 s,
    # not even b1 by the other replica, whose own buckets would have allowed it at once.
    assert seconds_in(emu, first_chat) == [0.0, 5.0, 10.0]
    assert seconds_in(emu, second_chat) == [0.0, 5.0, 10.0]
    assert len(emu.requests_for("sendMessage")) == 6 + 2
    assert elapsed(clock) == pytest.approx(10.0, abs=0.01)


async def test_a_concurrent_429_storm_still_delivers_everything_once(
    strict_emu: BotApiEmulator, redis_client: RedisClient, clock: ManualClock
) -> None:
    emu = strict_emu
    async with AsyncExitStack() as stack:
        bots = await open_replicas(stack, emu, redis_client, clock, 2)

        async def send_to(index: int, chat_id: int) -> None:
            for n in range(index, 12, 3):
                await bots[n % 2].send_message(chat_id, f"m{n}")

        await asyncio.gather(*(send_to(i, chat_id) for i, chat_id in enumerate(CHATS)))

    for index, chat_id in enumerate(CHATS):
        assert texts(emu, chat_id) == [f"m{n}" for n in range(index, 12, 3)]
        assert min(gaps(emu, chat_id)) >= 5.0 - 1e-6
    assert elapsed(clock) >= 15.0 - 1e-6
