"""Races between two webhook replicas on one Redis, each repeated RACES times.

The person taps twice, or taps while confirming /delete, and the load balancer sends the two
updates to different replicas at the same moment. Within one replica the per-chat processor
keeps one person's updates in order; across replicas only Redis can. The replicas are reused
across the races, with a fresh conversation each time, shown by the bot in a new message: every
tap is a real tap on a message that shows its button.

These replicas are two Applications in one process, which interleave only where they await;
tests/e2e/test_replica_races.py runs the same races on two replica processes. What only this
file can do: force an order. Half of the double taps force both replicas to read the open
check-in before either writes; half of the /delete races force the worst order, where the tap's
replica has read the conversation, the other replica then deletes everything, and only then does
the tap's replica write.

Unforced races may go either way. On one server the two replicas mostly keep in step: one
redis-server answers their commands in the order they were sent. A cluster's nodes answer
independently, so one replica may read, think and write while the other still waits for its
webhook ledger's node; its tap then finds the check-in closed ("expired"), which is as right.
Every race runs on a single server and on the cluster.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    asynccontextmanager,
    contextmanager,
    nullcontext,
)
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.flows import Flow
from bot.domain.models import Profile
from bot.storage.client import RedisClient
from bot.storage.store import Store
from bot.views.keyboards import new_nonce
from devtools.emulator import ChatMessage
from tests.backends import ON_BOTH
from tests.e2e.harness import USER
from tests.e2e.replicas import Cluster, Replica, cluster
from tests.e2e.steps import SIGNS_DONE, check_in, enrol

pytestmark = ON_BOTH

RACES = 50
WAIT_SECONDS = 10  # a bound on waiting for the other replica, never a sleep
YES_DELETE = "🗑️ Yes, delete everything"
MORNING = datetime(2026, 3, 21, 7, 0, tzinfo=UTC)  # day 2's, with "how did you sleep?"
SLEPT = "7 to 8 hours"
SAVED = ("✅ Check-in saved. Thank you!", "✅ Today's check-in is updated.")
ALREADY_SAVED = "✅ This check-in is already saved."
# The second tap read the conversation only after the first had closed it.
EXPIRED = "This button has expired. Please use the latest message."
Patch = tuple[Store, str, Callable[..., Awaitable[Any]]]


@pytest.fixture
async def bots(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Cluster]:
    async with cluster(redis_url, redis_client) as running:
        yield running


async def at_the_same_moment(bots: Cluster, *deliveries: tuple[int, Replica]) -> None:
    """Deliver updates at once, each to its replica; each must be handled (200)."""
    statuses = await asyncio.gather(
        *(bots.emu.deliver(update_id, replica.webhook) for update_id, replica in deliveries)
    )
    assert statuses == [200] * len(deliveries)


def store_of(replica: Replica) -> Store:
    return replica.app.bot_data.services.store


@contextmanager
def replaced(*patches: Patch) -> Iterator[None]:
    """Each (store, method name, replacement) in place for the block, the class's method after."""
    for store, name, replacement in patches:
        setattr(store, name, replacement)
    try:
        yield
    finally:
        for store, name, _ in patches:
            delattr(store, name)


@asynccontextmanager
async def worst_order(tapping: Replica, deleting: Replica) -> AsyncIterator[None]:
    """The tap's replica reads the conversation; the other replica's /delete then runs to the
    end; only then does the tap's replica go on (to write)."""
    reader, deleter = store_of(tapping), store_of(deleting)
    read, deleted = asyncio.Event(), asyncio.Event()
    get_flow, delete_person = reader.get_flow, deleter.delete_person

    async def reading(user_id: int) -> Flow | None:
        flow = await get_flow(user_id)
        read.set()
        await asyncio.wait_for(deleted.wait(), WAIT_SECONDS)
        return flow

    async def deleting_after_the_read(user_id: int) -> int:
        await asyncio.wait_for(read.wait(), WAIT_SECONDS)
        removed = await delete_person(user_id)
        deleted.set()
        return removed

    with replaced(
        (reader, "get_flow", reading), (deleter, "delete_person", deleting_after_the_read)
    ):
        yield


@asynccontextmanager
async def both_read_first(*replicas: Replica) -> AsyncIterator[None]:
    """Each replica reads the conversation, and neither goes on (to write) until all have."""
    everyone_read = asyncio.Barrier(len(replicas))

    def reading_together(store: Store) -> Callable[[int], Awaitable[Flow | None]]:
        get_flow = store.get_flow

        async def reading(user_id: int) -> Flow | None:
            flow = await get_flow(user_id)
            await asyncio.wait_for(everyone_read.wait(), WAIT_SECONDS)
            return flow

        return reading

    stores = [store_of(replica) for replica in replicas]
    with replaced(*((store, "get_flow", reading_together(store)) for store in stores)):
        yield


async def surviving_keys(bots: Cluster) -> list[bytes]:
    return [key async for key in bots.redis.scan_iter(f"u:{{{USER}}}:*")]


async def restore(bots: Cluster, profile: Profile, flow: Flow) -> ChatMessage:
    """The person as before the last race: enrolled, with the check-in open (as a new one) and
    shown by the bot in a new message, whose buttons the race taps."""
    if await bots.store.get_profile(USER) is None:
        await bots.store.save_profile(profile, expected_version=0)
    await bots.store.set_flow(USER, flow.replaced(nonce=new_nonce()))
    await bots.send("/checkin")  # resumes the open check-in: shown again, in a new message
    return bots.last()


async def ask_about_sleep(bots: Cluster, profile: Profile) -> ChatMessage:
    """The person enrolled again just before day 2's morning, and the scheduler's morning
    messages: the sleep question whose buttons the race taps."""
    bots.clock.set(MORNING - timedelta(minutes=1))
    services = bots.app.bot_data.services  # its Store puts the person in the due queue
    await services.store.save_profile(profile, expected_version=0)
    bots.clock.set(MORNING)
    await bots.tick()
    return bots.message_with(SLEPT)


async def ask_to_delete(bots: Cluster) -> int:
    """/delete, then the update of a tap on its "Yes" (not yet delivered)."""
    await bots.send("/delete")
    return await bots.emu.tap(USER, bots.message_with(YES_DELETE).message_id, YES_DELETE)


async def test_two_done_taps_on_two_replicas_store_one_checkin(bots: Cluster) -> None:
    """One check-in stored, and only one tap told it is saved: in odd races both replicas are
    made to read the open check-in first, so the second write must find it closed."""
    enrolled = await enrol(bots)
    await check_in(bots, finish=None)  # every question answered, waiting at the warning signs
    waiting = await bots.store.get_flow(USER)
    assert waiting is not None
    one, two = bots.replicas

    for race in range(RACES):
        shown = await restore(bots, enrolled, waiting)  # a new check-in each time
        stored = len(await bots.store.list_checkins(USER))
        answered = len(bots.emu.callback_answers)
        first, second = [await bots.emu.tap(USER, shown.message_id, SIGNS_DONE) for _ in "12"]
        together = race % 2 == 1
        order = both_read_first(one, two) if together else nullcontext()

        async with order:
            await at_the_same_moment(bots, (first, one), (second, two))

        assert len(await bots.store.list_checkins(USER)) == stored + 1, f"race {race}"
        assert await bots.store.get_flow(USER) is None
        toasts = [str(a.text) for a in bots.emu.callback_answers[answered:]]
        saved = [toast for toast in toasts if toast in SAVED]
        assert len(toasts) == 2
        assert len(saved) == 1, f"race {race}: the taps were told {toasts}"
        toasts.remove(saved[0])
        allowed = (ALREADY_SAVED,) if together else (ALREADY_SAVED, EXPIRED)
        assert toasts[0] in allowed, f"race {race}: the other tap was told {toasts[0]}"


async def test_a_checkin_answer_racing_yes_delete_brings_nothing_back(bots: Cluster) -> None:
    enrolled = await enrol(bots)
    await bots.send("/checkin")  # the first question on screen
    opened = await bots.store.get_flow(USER)
    assert opened is not None

    for race in range(RACES):
        shown = await restore(bots, enrolled, opened)
        confirm = await ask_to_delete(bots)
        first_answer = shown.button_values[0][0][1]
        assert first_answer is not None
        answer = await bots.emu.tap(USER, shown.message_id, first_answer)
        deleting, tapping = bots.replicas[race % 2], bots.replicas[1 - race % 2]
        order: AbstractAsyncContextManager[None] = (
            worst_order(tapping, deleting) if race % 4 < 2 else nullcontext()
        )

        async with order:
            await at_the_same_moment(bots, (confirm, deleting), (answer, tapping))

        assert await surviving_keys(bots) == [], f"race {race}: data survived /delete"


async def test_a_sleep_answer_racing_yes_delete_brings_nothing_back(bots: Cluster) -> None:
    """The morning's "how did you sleep?" button, tapped as /delete lands, or just after."""
    enrolled = await enrol(bots)
    await bots.app.bot_data.services.store.delete_person(USER)  # each race enrols anew
    one, two = bots.replicas

    for race in range(RACES):
        question = await ask_about_sleep(bots, enrolled)
        confirm = await ask_to_delete(bots)
        answer = await bots.emu.tap(USER, question.message_id, SLEPT)

        if race % 2:
            await at_the_same_moment(bots, (confirm, one))
            await at_the_same_moment(bots, (answer, two))
        else:
            await at_the_same_moment(bots, (confirm, one), (answer, two))

        assert await surviving_keys(bots) == [], f"race {race}: data survived /delete"
