"""A busy tick shares Redis round trips between its sends (ARCHITECTURE §5).

Before, every scheduled message cost its own round trips (the profile, the outbox claim, the
settle: 2.8 per message here), which made Redis most of a send's CPU once HTTP was lean. The
real Application and Dispatcher send a due cohort to the bench's Bot API stub; Redis's own count
of socket reads (INFO total_reads_processed) says how many round trips the tick made.
"""

from __future__ import annotations

from datetime import time as wall
from datetime import timedelta

from redis.asyncio import Redis

from bench.ours import settings_for
from bench.seed import SEED_NOW, seed_cohort
from bench.stub_api import StubApi
from bot.ops.app import build_application, running
from devtools.manual_clock import ManualClock

PEOPLE = 200


async def _reads(redis: Redis) -> int:
    return int((await redis.info("stats"))["total_reads_processed"])


async def test_a_busy_tick_makes_far_fewer_round_trips_than_messages(
    redis_url: str, redis_client: Redis
) -> None:
    stub = StubApi()
    port = await stub.start()
    try:
        due = await seed_cohort(
            redis_client,
            first_user=700_000_000,
            size=PEOPLE,
            zone="Europe/Berlin",
            wake=wall(8, 7),
            after=SEED_NOW,
        )
        settings = settings_for({"redis_url": redis_url, "stub_port": port}, tick_seconds=0)
        app = build_application(settings, clock=ManualClock(due + timedelta(milliseconds=500)))
        async with running(app):
            before = await _reads(redis_client)
            stats = await app.bot_data.dispatcher.tick()
            round_trips = await _reads(redis_client) - before - 1  # not the INFO itself
    finally:
        await stub.stop()
    messages = sum(n for method, n in stub.counts.items() if method.lower() == "sendmessage")
    assert stats.outcomes == {"sent": PEOPLE}
    assert messages == PEOPLE  # one morning message each: the step with the sleep question
    assert round_trips <= messages // 2, f"{round_trips} round trips for {messages} messages"
