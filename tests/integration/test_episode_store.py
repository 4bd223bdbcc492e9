"""Logged episodes against a real redis-server: compact, capped per day, and never brought back
by a tap that races /delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from bot.domain.episodes import EPISODES_PER_DAY_CAP, Before, Episode
from bot.domain.models import Status, TwitchLocation
from bot.storage.store import EPISODES, EpisodeCapReached, ProfileNotFound, Store, person_key
from tests.factories import make_profile

USER = 1001
DAY = datetime(2026, 3, 20, 7, tzinfo=UTC)
# The budget: an event costs at most this many bytes of Redis memory.
BYTES_PER_EVENT = 64


async def enrolled(store: Store) -> None:
    await store.save_profile(make_profile(USER), expected_version=0)


async def test_an_event_costs_at_most_64_bytes_of_redis_memory(
    store: Store, redis_client: Redis
) -> None:
    await enrolled(store)
    count = EPISODES_PER_DAY_CAP
    for minute in range(count):
        episode = Episode(at=DAY + timedelta(minutes=minute), before=Before.SCREENS)
        await store.log_episode(USER, episode, DAY, EPISODES_PER_DAY_CAP)

    used = await redis_client.memory_usage(person_key(USER, EPISODES), samples=0)

    assert used is not None
    assert used / count <= BYTES_PER_EVENT


async def test_a_tap_after_delete_brings_nothing_back(store: Store, redis_client: Redis) -> None:
    await enrolled(store)
    index = await store.log_episode(USER, Episode(at=DAY), DAY, EPISODES_PER_DAY_CAP)
    await store.delete_person(USER)

    with pytest.raises(ProfileNotFound):
        await store.log_episode(USER, Episode(at=DAY), DAY, EPISODES_PER_DAY_CAP)
    described = Episode(at=DAY, where=TwitchLocation.CHEEK)
    assert not await store.describe_episode(USER, index, described)
    assert [key async for key in redis_client.scan_iter()] == []


@pytest.mark.parametrize("status", [Status.STOPPED, Status.ONBOARDING, Status.INACTIVE])
async def test_nobody_off_the_plan_can_log(store: Store, status: Status) -> None:
    await store.save_profile(make_profile(USER, status=status), expected_version=0)
    with pytest.raises(ProfileNotFound):
        await store.log_episode(USER, Episode(at=DAY), DAY, EPISODES_PER_DAY_CAP)
    assert await store.list_episodes(USER) == []


async def test_the_cap_counts_only_today(store: Store) -> None:
    await enrolled(store)
    yesterday = DAY - timedelta(days=1)
    for minute in range(3):
        await store.log_episode(
            USER, Episode(at=yesterday + timedelta(minutes=minute)), yesterday, 3
        )
    for minute in range(3):
        await store.log_episode(USER, Episode(at=DAY + timedelta(minutes=minute)), DAY, 3)

    with pytest.raises(EpisodeCapReached):
        await store.log_episode(USER, Episode(at=DAY + timedelta(hours=1)), DAY, 3)
    assert len(await store.list_episodes(USER)) == 6


async def test_a_button_of_another_episode_changes_nothing(store: Store) -> None:
    await enrolled(store)
    index = await store.log_episode(USER, Episode(at=DAY), DAY, EPISODES_PER_DAY_CAP)
    other_second = Episode(at=DAY + timedelta(seconds=1), before=Before.STRESS)

    assert not await store.describe_episode(USER, index, other_second)
    assert await store.describe_episode(USER, index, Episode(at=DAY, before=Before.ALCOHOL))
    assert await store.list_episodes(USER) == [Episode(at=DAY, before=Before.ALCOHOL)]
