"""Redis stopped IN THE MIDDLE of a morning burst of 64 people (finding 5), on one server and
on the cluster.

The stop is triggered from inside the send path: when the emulator receives the K-th
sendMessage, before it answers. On one server the server dies (or freezes); on the cluster the
master holding that person's keys does, and its replica takes over (tests/faults/targets.py).
Kept: everything Redis acknowledged before the kill (the due queue, the leases of the people
being sent to, their outbox markers: "sent", and "pending" for the send in flight). Retried:
whatever failed while the process was away. Sends that Telegram confirmed meanwhile are
remembered and recorded at the next tick; a person cut off mid-slot resumes after their last
confirmed message once their lease runs out; people not yet claimed are claimed by the next
tick. Every person gets each morning message exactly once, and nobody's morning comes later
than one lease after 07:00. Time is a ManualClock.
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

from bot.storage.store import Store
from devtools.emulator.models import RecordedRequest
from scheduler.dispatcher import DispatchSettings
from scheduler.queue import DueQueue
from scheduler.sync import QueueSync
from tests.backends import ON_BOTH
from tests.e2e.harness import Harness, harness_for
from tests.factories import make_profile
from tests.faults.targets import ClusterTarget, RedisTarget

pytestmark = ON_BOTH

MORNING = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)
PEOPLE = range(7000, 7064)
K = 40  # of 64 morning messages (one each)
LEASE = timedelta(seconds=DispatchSettings().lease)
PHRASES = ("Day 1: notice your twitch",)  # the one morning message


@pytest.fixture
async def bot(redis_target: RedisTarget) -> AsyncIterator[Harness]:
    client = redis_target.client
    async with harness_for(redis_target.url, client, start=MORNING - timedelta(minutes=1)) as h:
        store = Store(client, QueueSync(DueQueue(client), h.clock))
        for user_id in PEOPLE:
            h.emu.add_user(user_id)
            await store.save_profile(make_profile(user_id), expected_version=0)
        yield h


def at_kth_send(bot: Harness, act: Callable[[int], None]) -> asyncio.Event:
    """Run `act` inside the K-th sendMessage, before the emulator answers it, with the id of
    the person it goes to."""
    fired = asyncio.Event()
    seen: list[RecordedRequest] = []

    def observe(request: RecordedRequest) -> None:
        if request.method == "sendMessage":
            seen.append(request)
            if len(seen) == K:
                act(int(request.params["chat_id"]))
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


async def test_redis_killed_and_restarted_mid_burst(
    bot: Harness, redis_target: RedisTarget
) -> None:
    fired = at_kth_send(bot, redis_target.kill_serving)
    bot.clock.set(MORNING)
    with suppress(RedisConnectionError):
        await bot.tick()
    assert fired.is_set()
    await redis_target.recover()
    await catch_up(bot)
    assert_each_message_once_within_a_lease(bot)


async def test_redis_frozen_mid_burst(bot: Harness, redis_target: RedisTarget) -> None:
    frozen: list[int] = []

    def freeze(user_id: int) -> None:
        frozen.append(redis_target.pid_serving(user_id))
        os.kill(frozen[0], signal.SIGSTOP)

    fired = at_kth_send(bot, freeze)
    bot.clock.set(MORNING)
    tick = asyncio.create_task(bot.tick())
    try:
        await asyncio.wait_for(fired.wait(), timeout=30)
        bot.clock.advance(timedelta(seconds=30))  # the outage lasts 30 s of the bot's time
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
    await asyncio.wait_for(tick, timeout=30)
    await catch_up(bot)
    assert_each_message_once_within_a_lease(bot)


async def test_a_dead_master_holds_up_only_the_people_it_serves(
    bot: Harness, redis_target: RedisTarget
) -> None:
    """On the cluster, a master dead before the tick (and not yet failed over) costs only the
    people whose queue shard or own keys it holds: the tick goes on to the shards on the other
    masters (and still fails, so the JobQueue logs it). They go once it is back. Scripts the
    healthy masters do not know yet still run there (bot/storage/client.py NodeScript).
    """
    if not isinstance(redis_target, ClusterTarget):
        pytest.skip("one server has no other masters to go on with")
    victim = redis_target.master_serving(PEOPLE[0])
    queue = DueQueue(redis_target.client)
    held_up = {
        user_id
        for user_id in PEOPLE
        if victim
        in (
            redis_target.master_serving(user_id),
            redis_target.master_of(queue.shard_key(queue.shard_of(user_id))),
        )
    }
    assert 0 < len(held_up) < len(PEOPLE)
    redis_target.kill_serving(PEOPLE[0])

    bot.clock.set(MORNING)
    with pytest.raises(RedisConnectionError):
        await bot.tick()
    # (Some held-up people may go too, if the replica takes over by itself mid-tick.)
    assert set(PEOPLE) - held_up <= {user_id for user_id in PEOPLE if bot.messages(user_id)}

    await redis_target.recover()
    await catch_up(bot)
    assert_each_message_once_within_a_lease(bot)
