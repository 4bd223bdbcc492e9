"""Redis unreachable for 30 simulated seconds across dispatcher ticks (ARCHITECTURE §5).

The AOF-backed server is stopped while the clock moves a second per tick over a send's due
time; every tick fails (as the JobQueue job would, logged by the error handler), then Redis
comes back and the next tick catches up: a late morning still goes that day, an evening up to
30 minutes late still goes, a stale one is dropped, and nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.storage.client import connect, drop_idle_connections
from tests.e2e.harness import Harness, harness_for
from tests.e2e.steps import due_at, enrol, headline, sent_since, timeline, walk
from tests.redis_server import RedisServer

MORNING_1 = "☀️ Day 1: notice your twitch"
MORNING_2 = "☕ Day 2: ease off the stimulants"
MORNING_3 = "🛌 Day 3: plan your wind-down"
EVENING_1 = "🌙 Time to start winding down"
EVENING_2 = "🌙 Wind-down time"
OUTAGE = timedelta(seconds=30)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
async def bot(durable_redis: RedisServer) -> AsyncIterator[Harness]:
    client = await connect(durable_redis.url)
    try:
        async with harness_for(durable_redis.url, client, start=utc("2026-03-19 12:00")) as h:
            yield h
    finally:
        await client.aclose()


async def outage(bot: Harness, server: RedisServer, start: datetime) -> int:
    """Redis down from `start` for 30 s, ticking every second; returns the failed ticks."""
    await walk(bot, start - timedelta(seconds=1))
    server.stop()
    failed = 0
    for second in range(int(OUTAGE.total_seconds()) + 1):
        bot.clock.set(start + timedelta(seconds=second))
        with pytest.raises(RedisConnectionError):
            await bot.tick()
        failed += 1
    server.start()
    await drop_idle_connections(bot.redis)  # the test's own client
    return failed


async def test_thirty_seconds_without_redis_across_ticks(
    bot: Harness, durable_redis: RedisServer
) -> None:
    await enrol(bot)  # Thursday 12:00 London: day 1 is Friday 20 March; wake 07:00, bed 23:00
    enrolled = len(bot.messages())

    # Down over Friday's 07:00 morning send.
    assert await outage(bot, durable_redis, utc("2026-03-20 06:59:50")) == 31
    assert len(bot.messages()) == enrolled  # nothing could be claimed meanwhile
    bot.clock.set(utc("2026-03-20 07:00:21"))
    stats = await bot.tick()
    assert stats.outcomes == {"sent": 1}  # late, still that morning
    assert await due_at(bot) == utc("2026-03-20 22:00")

    # Down over Friday's 22:00 wind-down: 21 s late is on time.
    await outage(bot, durable_redis, utc("2026-03-20 21:59:50"))
    bot.clock.set(utc("2026-03-20 22:00:21"))
    assert (await bot.tick()).outcomes == {"sent": 1}

    # Down over Saturday's wind-down, and then no tick runs for 31 minutes: it is stale.
    await outage(bot, durable_redis, utc("2026-03-21 21:59:50"))
    bot.clock.set(utc("2026-03-21 22:31"))
    assert (await bot.tick()).outcomes == {"dropped": 1}

    for _ in range(3):  # ticking on sends nothing twice
        await bot.tick()
    await walk(bot, utc("2026-03-22 07:30"))
    assert timeline(sent_since(bot, enrolled), "Europe/London") == [
        ("2026-03-20 07:00", MORNING_1),
        ("2026-03-20 22:00", EVENING_1),
        ("2026-03-21 07:00", MORNING_2),
        ("2026-03-22 07:00", MORNING_3),
    ]
    late = [m.date for m in sent_since(bot, enrolled)[:2]]
    assert late == [utc("2026-03-20 07:00:21"), utc("2026-03-20 22:00:21")]
    assert [headline(m) for m in bot.messages()].count(EVENING_2) == 0
