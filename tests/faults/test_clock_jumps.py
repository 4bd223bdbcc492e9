"""The clock jumping forwards and backwards by an hour (an NTP step, a VM resumed, a wrong
clock corrected): nothing is sent twice, nothing in quiet hours, and nothing lost that is still
worth sending (ARCHITECTURE §5: a morning holds all day, an evening up to 30 minutes).

The bot sends through the Redis rate limiter here, which also keeps time by the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.storage.client import RedisClient
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import enrol, headline, rate_limited_harness, sent_since, timeline, walk

HOUR = timedelta(hours=1)
LONDON = ZoneInfo("Europe/London")
MORNING_2 = "☕ Day 2: ease off the stimulants"
MORNING_3 = "🛌 Day 3: plan your wind-down"
EVENING_1 = "🌙 Time to start winding down"
EVENING_2 = "🌙 Wind-down time"
EVERY = timedelta(minutes=5)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
async def bot(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    async with rate_limited_harness(redis_url, redis_client) as harness:
        harness.emu.add_user(USER, first_name="Robin")
        yield harness


async def jump(bot: Harness, at: str, by: timedelta) -> None:
    """Tick up to `at`, then the clock jumps by `by` and the next tick runs."""
    await walk(bot, utc(at), every=EVERY)
    bot.clock.set(utc(at) + by)
    await bot.tick()


async def test_an_hour_forwards_and_backwards(bot: Harness) -> None:
    await enrol(bot)  # Friday 20 March 08:00 London: day 1 today; wake 07:00, bed 23:00
    enrolled = len(bot.messages())

    await jump(bot, "2026-03-20 21:15", HOUR)  # over the 22:00 wind-down: 15 min late, sent
    await jump(bot, "2026-03-20 22:20", -HOUR)  # back before it: not again
    await jump(bot, "2026-03-20 22:40", HOUR)  # into quiet hours: nothing
    await jump(bot, "2026-03-21 06:30", HOUR)  # over the wake time: the morning, late
    await jump(bot, "2026-03-21 07:40", -HOUR)  # back before it: not again
    await jump(bot, "2026-03-21 21:45", HOUR)  # over the wind-down by 45 min: too stale
    await walk(bot, utc("2026-03-22 08:00"), every=EVERY)

    sent = sent_since(bot, enrolled)
    assert timeline(sent, "Europe/London") == [
        ("2026-03-20 22:15", EVENING_1),
        ("2026-03-21 07:30", MORNING_2),
        ("2026-03-22 07:00", MORNING_3),
    ]
    quiet = [m for m in sent if not time(7) <= m.date.astimezone(LONDON).time() < time(23)]
    assert quiet == []
    assert max(Counter(headline(m) for m in sent).values()) == 1
    assert EVENING_2 not in [headline(m) for m in sent]
