"""Redis stopped IN THE MIDDLE of a morning burst of 64 people (finding 5).

The stop is triggered from inside the send path: when the emulator receives the K-th
sendMessage, before it answers. Sends that Telegram confirmed while Redis was away are
remembered and recorded at the next tick; a person cut off mid-slot resumes after their last
confirmed message once their lease runs out. Every person gets each morning message exactly
once, and nobody's morning comes later than one lease after 07:00. Time is a ManualClock.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.storage.client import connect, drop_idle_connections
from bot.storage.store import Store
from devtools.emulator.models import RecordedRequest
from scheduler.dispatcher import DispatchSettings
from scheduler.queue import DueQueue
from scheduler.sync import QueueSync
from tests.e2e.harness import Harness, harness_for
from tests.factories import make_profile
from tests.redis_server import RedisServer

MORNING = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)
PEOPLE = range(7000, 7064)
K = 40  # of 64 morning messages (one each)
LEASE = timedelta(seconds=DispatchSettings().lease)
PHRASES = ("Day 1: notice your twitch",)  # the one morning message


@pytest.fixture
async def bot(durable_redis: RedisServer) -> AsyncIterator[Harness]:
    client = await connect(durable_redis.url)
    try:
        async with harness_for(
            durable_redis.url, client, start=MORNING - timedelta(minutes=1)
        ) as h:
            store = Store(client, QueueSync(DueQueue(client), h.clock))
            for user_id in PEOPLE:
                h.emu.add_user(user_id)
                await store.save_profile(make_profile(user_id), expected_version=0)
            yield h
    finally:
        await client.aclose()


def at_kth_send(bot: Harness, act: Callable[[], None]) -> asyncio.Event:
    """Run `act` inside the K-th sendMessage, before the emulator answers it."""
    fired = asyncio.Event()
    seen: list[RecordedRequest] = []

    def observe(request: RecordedRequest) -> None:
        if request.method == "sendMessage":
            seen.append(request)
            if len(seen) == K:
                act()
                fired.set()

    bot.emu.observe(observe)
    return fired


async def catch_up(bot: Harness) -> None:
    """Tick every 30 s until a lease and a minute after 07:00."""
    moment = MORNING
    while moment <= MORNING + LEASE + timedelta(minutes=1):
        bot.clock.set(moment)
        with suppress(RedisConnectionError):
            await bot.tick()
        moment += timedelta(seconds=30)


def assert_each_message_once_within_a_lease(bot: Harness) -> None:
    for user_id in PEOPLE:
        messages = bot.messages(user_id)
        texts = [next((p for p in PHRASES if p in m.text), m.text[:30]) for m in messages]
        assert texts == list(PHRASES), user_id
        assert all(MORNING <= m.date <= MORNING + LEASE + timedelta(seconds=30) for m in messages)


async def redis_pid(bot: Harness) -> int:
    return int((await bot.redis.info("server"))["process_id"])


async def test_redis_killed_and_restarted_mid_burst(
    bot: Harness, durable_redis: RedisServer
) -> None:
    pid = await redis_pid(bot)
    fired = at_kth_send(bot, lambda: os.kill(pid, signal.SIGKILL))
    bot.clock.set(MORNING)
    with suppress(RedisConnectionError):
        await bot.tick()
    assert fired.is_set()
    durable_redis.start()  # the same port and AOF (appendfsync always): nothing written is lost
    await drop_idle_connections(bot.redis)  # the test's own client
    await catch_up(bot)
    assert_each_message_once_within_a_lease(bot)


async def test_redis_frozen_mid_burst(bot: Harness) -> None:
    pid = await redis_pid(bot)
    fired = at_kth_send(bot, lambda: os.kill(pid, signal.SIGSTOP))
    bot.clock.set(MORNING)
    tick = asyncio.create_task(bot.tick())
    try:
        await asyncio.wait_for(fired.wait(), timeout=30)
        bot.clock.advance(timedelta(seconds=30))  # the outage lasts 30 s of the bot's time
    finally:
        os.kill(pid, signal.SIGCONT)
    await asyncio.wait_for(tick, timeout=30)
    await catch_up(bot)
    assert_each_message_once_within_a_lease(bot)
