"""Paid broadcast: the rule (late enough), the daily budget (atomic, shared, per UTC day) and the
limiter's paid bucket, against a real Redis."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from devtools.manual_clock import ManualClock
from scheduler.paid import PaidBroadcast, budget_key
from scheduler.ratelimit import Priority, RedisRateLimiter

NOW = datetime(2026, 3, 20, 23, 59, tzinfo=UTC)
AFTER = timedelta(seconds=60)


def paid(redis: Redis, clock: ManualClock, budget: int) -> PaidBroadcast:
    return PaidBroadcast(redis, clock, daily_budget=budget, after=AFTER)


async def test_only_messages_late_beyond_the_threshold_are_paid(redis_client: Redis) -> None:
    clock = ManualClock(NOW)
    policy = paid(redis_client, clock, budget=10)

    assert not await policy.take(NOW - AFTER)  # exactly on the threshold: free
    assert await policy.take(NOW - AFTER - timedelta(seconds=1))
    assert await redis_client.get(budget_key(NOW.date())) == b"1"


async def test_the_budget_is_shared_atomically_and_resets_each_utc_day(
    redis_client: Redis,
) -> None:
    clock = ManualClock(NOW)
    late = NOW - timedelta(hours=1)
    # Two replicas, each with its own policy object, racing for one budget.
    replicas = [paid(redis_client, clock, budget=20) for _ in range(2)]

    taken = await asyncio.gather(*(replicas[i % 2].take(late) for i in range(50)))

    assert sum(taken) == 20
    assert await redis_client.get(budget_key(NOW.date())) == b"20"
    clock.advance(timedelta(minutes=2))  # the next UTC day
    assert await replicas[1].take(late)


async def test_a_zero_budget_never_pays(redis_client: Redis) -> None:
    policy = paid(redis_client, ManualClock(NOW), budget=0)

    assert not await policy.take(NOW - timedelta(hours=1))


async def test_paid_sends_have_their_own_bucket_beside_the_free_rate(redis_client: Redis) -> None:
    clock = ManualClock(NOW)
    limiter = RedisRateLimiter(redis_client, clock, global_rate=30.0, paid_rate=1000.0)
    chats = range(5000, 5600)

    free = [await limiter.try_acquire(chat, Priority.BULK) for chat in chats[:100]]
    paid_waits = [await limiter.try_acquire(chat, Priority.PAID) for chat in chats[100:]]

    assert free.count(0) == 24  # 30 a second, less the reserve for interactive replies
    assert paid_waits.count(0) == 500  # the free bucket being empty does not hold them back
