"""The due queue against a real redis-server: claims, leases, completion, sharding, lag."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from bot.storage.client import RedisClient, connect
from scheduler.queue import DueQueue, from_score, to_score
from tests.backends import ON_BOTH
from tests.redis_server import server_version

pytestmark = ON_BOTH

T0 = datetime(2026, 3, 22, 7, 0, tzinfo=UTC)
LEASE = 60.0
USER = 1001
OTHER = 2002


def sec(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


@pytest.fixture
def queue(redis_client: RedisClient) -> DueQueue:
    return DueQueue(redis_client)


async def all_keys(redis: RedisClient) -> set[bytes]:
    return {key async for key in redis.scan_iter(count=1000)}


async def reset_stats(redis: RedisClient) -> None:
    """CONFIG RESETSTAT on the server, or on every master of a cluster."""
    if isinstance(redis, RedisCluster):
        await redis.config_resetstat(target_nodes=RedisCluster.PRIMARIES)
    else:
        await redis.config_resetstat()


async def command_calls(redis: RedisClient) -> Counter[str]:
    """How often each command ran since reset_stats (scripts' calls included), on every master
    of a cluster together; a cluster client's own CLUSTER calls are not counted."""
    if isinstance(redis, RedisCluster):
        per_node = await redis.info("commandstats", target_nodes=RedisCluster.PRIMARIES)
        nodes: list[dict[str, Any]] = list(per_node.values())
    else:
        nodes = [await redis.info("commandstats")]
    calls: Counter[str] = Counter()
    for stats in nodes:
        calls.update({name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()})
    calls.pop("cluster", None)
    return calls


# --- schedule, move, remove -------------------------------------------------------------------


async def test_schedule_move_and_remove(queue: DueQueue, redis_client: RedisClient) -> None:
    assert await queue.due_at(USER) is None

    await queue.schedule(USER, T0)
    assert await queue.due_at(USER) == T0

    await queue.schedule(USER, T0 + timedelta(hours=3))
    assert await queue.due_at(USER) == T0 + timedelta(hours=3)
    assert await redis_client.zcard(queue.shard_key(queue.shard_of(USER))) == 1

    await queue.schedule(OTHER, T0)
    await queue.remove(USER)
    assert await queue.due_at(USER) is None
    assert await queue.due_at(OTHER) == T0
    await queue.remove(USER)  # removing twice is fine


async def test_remove_clears_entries_left_in_other_shards(redis_client: RedisClient) -> None:
    # An entry written while a different shard count was configured must not survive /stop.
    await DueQueue(redis_client, shards=7).schedule(USER, T0)
    queue = DueQueue(redis_client, shards=8)
    await queue.schedule(USER, T0)
    assert len(await all_keys(redis_client)) == 2

    await queue.remove(USER)

    assert await all_keys(redis_client) == set()


async def test_schedule_accepts_any_zone_and_stores_utc(queue: DueQueue) -> None:
    local = datetime(2026, 3, 22, 8, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    await queue.schedule(USER, local)

    stored = await queue.due_at(USER)

    assert stored == local
    assert stored is not None
    assert stored.tzinfo == UTC


async def test_naive_times_are_refused(queue: DueQueue) -> None:
    naive = datetime(2026, 3, 22, 7, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"):
        await queue.schedule(USER, naive)
    with pytest.raises(ValueError, match="aware"):
        await queue.claim(0, naive, limit=1, lease=LEASE)
    with pytest.raises(ValueError, match="aware"):
        await queue.oldest_due(naive)


def test_bad_arguments_are_refused(redis_client: RedisClient) -> None:
    for shards in (0, -1):
        with pytest.raises(ValueError, match="shards"):
            DueQueue(redis_client, shards=shards)
    queue = DueQueue(redis_client, shards=4)
    with pytest.raises(ValueError, match="shard 4"):
        queue.shard_key(4)


async def test_claim_refuses_bad_limits_and_leases(queue: DueQueue) -> None:
    with pytest.raises(ValueError, match="limit"):
        await queue.claim(0, T0, limit=0, lease=LEASE)
    for lease in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lease"):
            await queue.claim(0, T0, limit=1, lease=lease)


# --- claim --------------------------------------------------------------------------------------


async def test_claim_takes_only_due_members_in_due_order_up_to_limit(
    redis_client: RedisClient,
) -> None:
    queue = DueQueue(redis_client, shards=1)
    offsets = {1: -30, 2: -10, 3: -20, 4: 0, 5: 0.001, 6: 3600, 7: -40}
    for user, offset in offsets.items():
        await queue.schedule(user, T0 + sec(offset))

    first = await queue.claim(0, T0, limit=3, lease=LEASE)
    second = await queue.claim(0, T0, limit=3, lease=LEASE)
    third = await queue.claim(0, T0, limit=3, lease=LEASE)

    assert [c.user_id for c in first] == [7, 1, 3]
    assert [c.due_at for c in first] == [T0 + sec(offsets[c.user_id]) for c in first]
    assert [c.user_id for c in second] == [2, 4]  # due exactly at now counts; 1 ms later does not
    assert third == []
    assert all(c.shard == 0 for c in first + second)
    assert await queue.due_at(5) == T0 + sec(0.001)
    assert await queue.due_at(6) == T0 + sec(3600)


async def test_claim_only_looks_at_its_shard(queue: DueQueue) -> None:
    users = [USER, USER + 1, USER + 16]  # shards 9, 10, 9 of 16
    for user in users:
        await queue.schedule(user, T0 - sec(5))

    claims = await queue.claim(queue.shard_of(USER), T0, limit=10, lease=LEASE)

    assert sorted(c.user_id for c in claims) == [USER, USER + 16]
    assert await queue.due_at(USER + 1) == T0 - sec(5)


async def test_claimed_member_is_leased_then_due_again_when_the_lease_ends(
    queue: DueQueue,
) -> None:
    shard = queue.shard_of(USER)
    await queue.schedule(USER, T0)

    (claim,) = await queue.claim(shard, T0 + sec(1), limit=10, lease=LEASE)
    during = [await queue.claim(shard, T0 + sec(s), limit=10, lease=LEASE) for s in (1, 30, 60)]
    lease_end = await queue.due_at(USER)
    (again,) = await queue.claim(shard, T0 + sec(61.001), limit=10, lease=LEASE)

    assert claim.due_at == T0
    assert claim.lease_score == pytest.approx(to_score(T0 + sec(61)), abs=0.001)
    assert during == [[], [], []]
    assert lease_end == from_score(claim.lease_score)
    assert again.user_id == USER
    assert again.lease_score > claim.lease_score
    assert again.due_at == from_score(claim.lease_score)  # the crash recovery's view of "due"


async def test_claim_touches_only_due_members(queue: DueQueue, redis_client: RedisClient) -> None:
    shard = 3
    for n in range(1000):
        await queue.schedule(shard + 16 * n, T0 + timedelta(hours=1, seconds=n))
    due = [shard + 16 * n for n in range(1000, 1004)]
    for user in due:
        await queue.schedule(user, T0 - sec(1))
    await reset_stats(redis_client)

    claims = await queue.claim(shard, T0, limit=100, lease=LEASE)

    calls = await command_calls(redis_client)
    assert sorted(c.user_id for c in claims) == due
    assert calls["zadd"] == len(due)  # one lease write per due member, nothing per person
    assert calls["zrange"] == 1
    assert calls["zcard"] == calls["zscan"] == calls["zrangebyscore"] == 0


# --- complete and release -----------------------------------------------------------------------


async def test_complete_writes_the_next_due_time_while_the_lease_holds(queue: DueQueue) -> None:
    await queue.schedule(USER, T0)
    (claim,) = await queue.claim(queue.shard_of(USER), T0, limit=1, lease=LEASE)
    tomorrow = T0 + timedelta(days=1)

    assert await queue.complete_many([(claim, tomorrow)]) == [True]
    assert await queue.due_at(USER) == tomorrow
    # the lease is gone now
    assert await queue.complete_many([(claim, tomorrow + sec(5))]) == [False]
    assert await queue.due_at(USER) == tomorrow


async def test_complete_with_no_next_time_removes_the_member(
    queue: DueQueue, redis_client: RedisClient
) -> None:
    await queue.schedule(USER, T0)
    (claim,) = await queue.claim(queue.shard_of(USER), T0, limit=1, lease=LEASE)

    assert await queue.complete_many([(claim, None)]) == [True]

    assert await queue.due_at(USER) is None
    assert not await redis_client.exists(queue.shard_key(queue.shard_of(USER)))


async def test_a_reschedule_during_the_send_wins_over_complete(queue: DueQueue) -> None:
    await queue.schedule(USER, T0)
    (claim,) = await queue.claim(queue.shard_of(USER), T0, limit=1, lease=LEASE)
    changed = T0 + timedelta(hours=2)  # the person changed their wake time meanwhile

    await queue.schedule(USER, changed)

    assert await queue.complete_many([(claim, T0 + timedelta(days=1))]) == [False]
    assert await queue.due_at(USER) == changed
    assert await queue.release(claim) is False
    assert await queue.due_at(USER) == changed


async def test_a_reschedule_to_the_lease_end_still_wins(queue: DueQueue) -> None:
    await queue.schedule(USER, T0)
    (claim,) = await queue.claim(queue.shard_of(USER), T0, limit=1, lease=LEASE)
    changed = from_score(claim.lease_score)  # the same moment, to the millisecond

    await queue.schedule(USER, changed)

    assert await queue.complete_many([(claim, None)]) == [False]
    assert await queue.due_at(USER) is not None


async def test_a_removal_during_the_send_is_not_undone(queue: DueQueue) -> None:
    await queue.schedule(USER, T0)
    (claim,) = await queue.claim(queue.shard_of(USER), T0, limit=1, lease=LEASE)

    await queue.remove(USER)  # /stop, or the bot was blocked

    assert await queue.complete_many([(claim, T0 + timedelta(days=1))]) == [False]
    assert await queue.release(claim) is False
    assert await queue.due_at(USER) is None


async def test_a_worker_whose_lease_ran_out_cannot_complete(queue: DueQueue) -> None:
    shard = queue.shard_of(USER)
    await queue.schedule(USER, T0)
    (slow,) = await queue.claim(shard, T0, limit=1, lease=LEASE)
    (rescuer,) = await queue.claim(shard, T0 + sec(LEASE + 1), limit=1, lease=LEASE)

    assert await queue.complete_many([(slow, T0 + timedelta(days=1))]) == [False]
    assert await queue.complete_many([(rescuer, T0 + timedelta(days=2))]) == [True]
    assert await queue.due_at(USER) == T0 + timedelta(days=2)


async def test_release_gives_the_member_back_at_its_due_time(queue: DueQueue) -> None:
    shard = queue.shard_of(USER)
    due = T0 - timedelta(minutes=5, milliseconds=123)
    await queue.schedule(USER, due)
    (claim,) = await queue.claim(shard, T0, limit=1, lease=LEASE)

    assert await queue.release(claim) is True
    assert await queue.due_at(USER) == due
    (again,) = await queue.claim(shard, T0, limit=1, lease=LEASE)  # at once, not after the lease
    assert again.due_at == due
    assert await queue.release(claim) is False  # the first claim's lease is long gone


async def test_lease_scores_are_unique_even_within_one_millisecond(queue: DueQueue) -> None:
    shard = queue.shard_of(USER)
    await queue.schedule(USER, T0)
    (first,) = await queue.claim(shard, T0, limit=1, lease=LEASE)
    await queue.schedule(USER, T0)  # e.g. "send it now" while the first send is in flight
    (second,) = await queue.claim(shard, T0, limit=1, lease=LEASE)

    assert second.lease_score > first.lease_score
    assert await queue.complete_many([(first, T0 + timedelta(days=1))]) == [False]
    assert await queue.complete_many([(second, T0 + timedelta(days=2))]) == [True]
    assert await queue.due_at(USER) == T0 + timedelta(days=2)


async def test_the_lease_floor_lives_in_the_shard_slot_and_expires(
    queue: DueQueue, redis_client: RedisClient
) -> None:
    shard = queue.shard_of(USER)
    await queue.schedule(USER, T0)
    await queue.claim(shard, T0, limit=1, lease=LEASE)

    ttl_ms = await redis_client.pttl(queue.lease_key(shard))

    assert key_slot(queue.lease_key(shard).encode()) == key_slot(queue.shard_key(shard).encode())
    assert 0 < ttl_ms <= LEASE * 1000 + 1000


async def test_a_claim_with_nothing_due_writes_nothing(
    queue: DueQueue, redis_client: RedisClient
) -> None:
    await queue.schedule(USER, T0 + sec(1))
    await reset_stats(redis_client)

    assert await queue.claim(queue.shard_of(USER), T0, limit=10, lease=LEASE) == []

    calls = await command_calls(redis_client)
    assert calls["zrange"] == 1
    assert calls["zadd"] == calls["set"] == 0
    assert await all_keys(redis_client) == {queue.shard_key(queue.shard_of(USER)).encode()}


async def test_leases_compare_exactly_at_any_instant(
    queue: DueQueue, redis_client: RedisClient
) -> None:
    # Scores round-trip through Lua and Redis doubles; a lossy step would fail some of these.
    rng = random.Random(7)
    shard = queue.shard_of(USER)
    for _ in range(200):
        now = T0 + timedelta(days=rng.randrange(-20000, 20000), microseconds=rng.randrange(10**11))
        lease = rng.choice([0.001, 0.5, 7.25, LEASE, 86400.0, rng.uniform(0.001, 5000)])
        await queue.schedule(USER, now - timedelta(milliseconds=rng.randrange(1, 10**6)))
        await redis_client.delete(queue.lease_key(shard))  # lease at now + lease, not the floor
        (claim,) = await queue.claim(shard, now, limit=1, lease=lease)
        assert claim.lease_score == pytest.approx(now.timestamp() + lease, abs=0.0011)
        assert await queue.complete_many([(claim, now + timedelta(hours=1))]) == [True]


# --- many replicas ------------------------------------------------------------------------------


async def test_concurrent_claimers_never_share_a_member_and_miss_none(
    redis_client: RedisClient, redis_url: str
) -> None:
    shard = 5
    users = {shard + 16 * n for n in range(1000)}
    queue = DueQueue(redis_client)
    async with redis_client.pipeline(transaction=False) as pipe:
        for n, user in enumerate(sorted(users)):
            pipe.zadd(queue.shard_key(shard), {str(user): to_score(T0 - sec(n % 97))})
        await pipe.execute()
    other_client = await connect(redis_url)  # a second replica with its own connections
    try:
        replicas = [queue, DueQueue(other_client)]
        calls = [replicas[i % 2].claim(shard, T0, limit=17, lease=LEASE) for i in range(2 * 40)]
        results = await asyncio.gather(*calls)
    finally:
        await other_client.aclose()

    taken = [claim.user_id for batch in results for claim in batch]
    assert len(taken) == len(set(taken))
    assert set(taken) == users
    assert max(len(batch) for batch in results) == 17
    assert await queue.oldest_due(T0) == 0.0


# --- lag metric ---------------------------------------------------------------------------------


async def test_oldest_due_is_the_lag_of_the_oldest_due_score(queue: DueQueue) -> None:
    assert await queue.oldest_due(T0) == 0.0

    await queue.schedule(USER, T0 + sec(30))  # not due yet
    assert await queue.oldest_due(T0) == 0.0

    await queue.schedule(OTHER, T0 - sec(12.5))
    await queue.schedule(USER + 1, T0 - sec(3))  # another shard
    assert await queue.oldest_due(T0) == pytest.approx(12.5, abs=1e-6)

    await queue.claim(queue.shard_of(OTHER), T0, limit=10, lease=LEASE)  # now leased
    assert await queue.oldest_due(T0) == pytest.approx(3.0, abs=1e-6)
    assert await queue.oldest_due(T0 + sec(40)) == pytest.approx(43.0, abs=1e-6)


async def test_oldest_due_costs_one_read_per_shard(
    queue: DueQueue, redis_client: RedisClient
) -> None:
    async with redis_client.pipeline(transaction=False) as pipe:
        for user in range(2000):
            pipe.zadd(queue.shard_key(queue.shard_of(user)), {str(user): to_score(T0 - sec(user))})
        await pipe.execute()
    await reset_stats(redis_client)

    lag = await queue.oldest_due(T0)

    calls = await command_calls(redis_client)
    # Redis 7 counts subcommands on their own ("config|resetstat"); 6.2 counts "config".
    resetstat = "config|resetstat" if await server_version(redis_client) >= (7,) else "config"
    assert lag == pytest.approx(1999.0, abs=1e-6)
    assert calls["zrange"] == queue.shards
    assert sum(calls.values()) - calls[resetstat] - calls["info"] == queue.shards


# --- keys and shards ----------------------------------------------------------------------------


async def test_keys_are_hash_tagged_per_shard(queue: DueQueue, redis_client: RedisClient) -> None:
    for user in range(100):
        await queue.schedule(user, T0)

    keys = await all_keys(redis_client)

    assert keys == {key.encode() for key in queue.shard_keys()}
    assert queue.shard_keys() == [f"due:{{{shard}}}" for shard in range(16)]
    for shard, key in enumerate(queue.shard_keys()):
        assert key_slot(key.encode()) == key_slot(str(shard).encode())
    assert len({key_slot(key) for key in keys}) == 16
    members = await redis_client.zrange(queue.shard_key(queue.shard_of(42)), 0, -1)
    assert b"42" in members


def test_shard_of_spreads_people_evenly(redis_client: RedisClient) -> None:
    queue = DueQueue(redis_client)
    rng = random.Random(11)
    telegram_ids = [rng.randrange(10**8, 8 * 10**9) for _ in range(16000)]

    sequential = Counter(queue.shard_of(user) for user in range(1, 16001))
    spread = Counter(queue.shard_of(user) for user in telegram_ids)

    assert set(sequential.values()) == {1000}
    assert set(spread) == set(range(16))
    assert min(spread.values()) > 800
    assert max(spread.values()) < 1200
    assert DueQueue(redis_client, shards=3).shard_of(7_123_456_789) == 7_123_456_789 % 3


@pytest.mark.parametrize(
    ("moment", "stored"),
    [
        (T0, T0),
        (T0 + timedelta(milliseconds=1), T0 + timedelta(milliseconds=1)),
        (T0 + timedelta(microseconds=999_999), T0 + sec(1)),
        (T0 + timedelta(microseconds=123_456), T0 + timedelta(microseconds=123_000)),
        (T0 + timedelta(microseconds=123_501), T0 + timedelta(microseconds=124_000)),
        (datetime(2099, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC), None),
        (datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=UTC), None),
    ],
)
async def test_scores_keep_millisecond_precision(
    queue: DueQueue, moment: datetime, stored: datetime | None
) -> None:
    await queue.schedule(USER, moment)

    assert await queue.due_at(USER) == (moment if stored is None else stored)


async def test_complete_many_is_complete_for_each_claim_in_one_round_trip(
    queue: DueQueue,
) -> None:
    people = [USER, USER + 16, USER + 32]  # one shard
    for user_id in people:
        await queue.schedule(user_id, T0)
    claims = await queue.claim(queue.shard_of(USER), T0, limit=3, lease=LEASE)
    assert sorted(c.user_id for c in claims) == people
    moved = T0 + timedelta(hours=3)
    await queue.schedule(USER + 16, moved)  # rescheduled meanwhile: that lease is lost
    tomorrow = T0 + timedelta(days=1)

    done = await queue.complete_many(
        [(c, None if c.user_id == USER + 32 else tomorrow) for c in claims]
    )

    assert dict(zip([c.user_id for c in claims], done, strict=True)) == {
        USER: True,
        USER + 16: False,
        USER + 32: True,
    }
    assert await queue.due_at(USER) == tomorrow
    assert await queue.due_at(USER + 16) == moved  # the newer schedule wins
    assert await queue.due_at(USER + 32) is None
    assert await queue.complete_many([]) == []
