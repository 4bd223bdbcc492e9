"""Paid broadcast end to end: the real bot, its Redis limiter and the emulator's flood limits
(30/s free, 1,000/s for messages marked allow_paid_broadcast)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from bot.core.context import App
from bot.storage.store import Store
from devtools.emulator import BotApiEmulator, RateLimits
from devtools.emulator.models import RecordedRequest
from devtools.manual_clock import ManualClock
from scheduler.queue import DueQueue
from scheduler.sync import QueueSync
from tests.e2e.harness import running_bot, settings_for
from tests.factories import make_profile

MORNING = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)  # everyone's wake time (London, GMT)
PEOPLE = range(8000, 8150)  # 150 people, two morning messages each
BUDGET = 100
# The bot's limiter allows three messages in a burst per chat; so does this Telegram.
TELEGRAM = RateLimits(per_chat_burst=3.0)


@asynccontextmanager
async def morning_backlog(
    redis_url: str, redis: Redis, **settings: Any
) -> AsyncIterator[tuple[App, BotApiEmulator, list[tuple[datetime, RecordedRequest]]]]:
    """The bot with everyone's morning due at once, and every sendMessage with its clock time."""
    clock = ManualClock(MORNING - timedelta(minutes=1))
    sent: list[tuple[datetime, RecordedRequest]] = []
    async with BotApiEmulator(clock, limits=TELEGRAM) as emu:
        store = Store(redis, QueueSync(DueQueue(redis), clock))
        for user_id in PEOPLE:
            emu.add_user(user_id)
            await store.save_profile(make_profile(user_id), expected_version=0)
        emu.observe(lambda r: sent.append((clock.now(), r)) if r.method == "sendMessage" else None)
        config = settings_for(emu, redis_url).model_copy(update={"rate_limit": True, **settings})
        async with running_bot(emu, config, clock) as app:
            clock.set(MORNING + timedelta(minutes=2))  # the backlog is two minutes old
            while (await app.bot_data.dispatcher.tick()).claimed:
                pass
            yield app, emu, sent


def is_paid(request: RecordedRequest) -> bool:
    return str(request.params.get("allow_paid_broadcast")).lower() == "true"


async def test_a_backlog_drains_at_the_paid_rate_until_the_budget_is_spent(
    redis_url: str, redis_client: Redis
) -> None:
    on = {"paid_broadcast": True, "paid_broadcast_daily_budget": BUDGET}
    async with morning_backlog(redis_url, redis_client, **on) as (app, emu, sent):
        paid = [at for at, request in sent if is_paid(request)]
        free = [at for at, request in sent if not is_paid(request)]
        # Every message went out once: no 429 from Telegram, so no request was repeated.
        assert len(sent) == 2 * len(PEOPLE)
        assert all(len(emu.bot_messages(user_id)) == 2 for user_id in PEOPLE)
        # Paid up to the budget, and no further; the paid ones far beyond the free 30/s.
        assert len(paid) == BUDGET
        assert (max(paid) - min(paid)).total_seconds() < BUDGET / 30 / 2
        assert len(free) == 2 * len(PEOPLE) - BUDGET
        assert b"twitchcare_paid_messages_total 100.0" in app.bot_data.metrics.exposition()


async def test_paid_broadcast_is_off_by_default(redis_url: str, redis_client: Redis) -> None:
    async with morning_backlog(redis_url, redis_client) as (app, _emu, sent):
        assert len(sent) == 2 * len(PEOPLE)
        assert not any(is_paid(request) for _, request in sent)
        assert b"twitchcare_paid_messages_total 0.0" in app.bot_data.metrics.exposition()
