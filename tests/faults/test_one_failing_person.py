"""One person whose every send raises does not hold up a shard of 1,000 (finding 2).

Everyone sits in one shard (TWITCHCARE_QUEUE_SHARDS=1). Every send to FAILING raises
ChatMigrated, an error the send path does not handle (the chat became a supergroup): before the
fix it ended the whole tick, nobody's claim was completed and the remaining shards were skipped.
Now FAILING is backed off (30 s, 1, 2, 4 min), then parked after the fifth try, with a warning
that names no one; the operator sees them in /stats and /metrics; everyone else's morning goes
out at 07:00 with their next due time set.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.pseudonym import pseudonym
from bot.ops.health import refresh_gauges
from bot.storage.client import RedisClient
from bot.storage.store import Store
from devtools.emulator import BotApiEmulator, FaultKind
from devtools.manual_clock import ManualClock
from scheduler.dispatcher import PARK_AFTER
from scheduler.queue import DueQueue
from scheduler.sync import QueueSync
from tests.e2e.harness import Harness, running_bot, settings_for
from tests.factories import make_profile

MORNING = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)  # everyone's day-1 morning (London, GMT)
EVENING = datetime(2026, 3, 20, 22, 0, tzinfo=UTC)
PEOPLE = range(5000, 6000)
FAILING = 5500
ADMIN = 99
RETRIES = [MORNING + timedelta(seconds=s) for s in (30, 90, 210, 450)]  # 30 s, doubled


@dataclass
class Scene:
    bot: Harness
    queue: DueQueue


@pytest.fixture
async def scene(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Scene]:
    clock = ManualClock(MORNING - timedelta(minutes=1))
    async with BotApiEmulator(clock) as emu:
        settings = settings_for(emu, redis_url).model_copy(
            update={"queue_shards": 1, "admin_user_ids": (ADMIN,)}
        )
        queue = DueQueue(redis_client, shards=1)
        store = Store(redis_client, QueueSync(queue, clock))
        emu.add_user(ADMIN)
        for user_id in PEOPLE:
            emu.add_user(user_id)
            await store.save_profile(make_profile(user_id), expected_version=0)
        async with running_bot(emu, settings, clock) as app:
            yield Scene(Harness(emu, app, clock, redis_client, store), queue)


@pytest.mark.timeout(600)
async def test_one_failing_person_in_a_shard_of_a_thousand(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    bot, queue = scene.bot, scene.queue
    bot.emu.inject_fault("sendMessage", chat_id=FAILING, kind=FaultKind.MIGRATED, times=100)
    bot.clock.set(MORNING)
    with caplog.at_level(logging.INFO):
        claimed = [(await bot.tick()).claimed for _ in range(6)]
    assert claimed == [200, 200, 200, 200, 200, 0]  # 1,000 due, 200 a tick: all at 07:00

    others = [user_id for user_id in PEOPLE if user_id != FAILING]
    for user_id in others:
        assert [m.date for m in bot.messages(user_id)] == [MORNING], user_id
        assert await queue.due_at(user_id) == EVENING, user_id
    assert await queue.due_at(FAILING) == RETRIES[0]

    for moment in RETRIES:
        bot.clock.set(moment)
        assert (await bot.tick()).claimed == 1
    attempts = [
        r for r in bot.emu.requests_for("sendMessage") if int(r.params["chat_id"]) == FAILING
    ]
    assert len(attempts) == PARK_AFTER
    assert bot.messages(FAILING) == []
    assert await queue.due_at(FAILING) is None
    assert await queue.parked() == [FAILING]
    for user_id in others[:50]:  # the rest carry on through the day
        assert await queue.due_at(user_id) == EVENING

    who = pseudonym(FAILING, bot.app.bot.token)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"person {who} parked after {PARK_AFTER} failed tries in a row (ChatMigrated)" in (
        warnings
    )
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("scheduler")]
    assert len(ours) == len(PEOPLE) - 1 + PARK_AFTER  # a line per send, a warning per failure
    assert not any(re.search(rf"\b{FAILING}\b", line) for line in ours)

    await bot.send("/stats", user=ADMIN)
    stats = bot.last(ADMIN).text
    assert f"Parked after repeated errors: 1\n{who}" in stats
    assert str(FAILING) not in stats

    await refresh_gauges(bot.app)
    metrics = bot.app.bot_data.metrics.exposition().decode()
    assert 'twitchcare_dispatch_errors_total{action="retry"} 4.0' in metrics
    assert 'twitchcare_dispatch_errors_total{action="parked"} 1.0' in metrics
    assert "twitchcare_parked_people 1.0" in metrics


async def test_a_parked_person_is_back_when_their_routine_changes(scene: Scene) -> None:
    """Parking is not forever: a change that reschedules the person (new times, /resume)
    puts them back in the queue with a clean slate; /delete leaves no trace in any queue key."""
    bot, queue = scene.bot, scene.queue
    bot.emu.inject_fault("sendMessage", chat_id=FAILING, kind=FaultKind.MIGRATED, times=PARK_AFTER)
    for moment in [MORNING] * 6 + RETRIES:
        bot.clock.set(moment)
        await bot.tick()
    assert await queue.parked() == [FAILING]

    await queue.schedule(FAILING, EVENING)
    assert await queue.parked() == []
    bot.clock.set(EVENING)
    while (await bot.tick()).claimed:
        pass
    assert len(bot.messages(FAILING)) == 1

    await bot.store.delete_person(FAILING)
    await queue.remove(FAILING)
    for key in (queue.shard_key(0), queue.parked_key(0), queue.fails_key(0)):
        members = await bot.redis.zrange(key, 0, -1) if "fails" not in key else []
        fields = await bot.redis.hkeys(key) if "fails" in key else []
        assert str(FAILING).encode() not in [*members, *fields]
