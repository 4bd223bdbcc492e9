"""The bot's Redis code on a real local Redis Cluster: that it is one, that a fresh client copes
with a burst, that a cross-slot script is caught, and what survives losing a master."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from bot.storage.client import RedisClient, connect
from bot.storage.store import OUTBOX, Store, person_key
from devtools.redis_cluster import ClusterNode, LocalCluster
from scheduler.queue import DueQueue
from tests.backends import SlotAudit

pytestmark = pytest.mark.cluster

T0 = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
DAY = date(2026, 3, 20)
LEASE = 300.0


@pytest.fixture
async def cluster_client(redis_cluster: LocalCluster) -> RedisClient:
    redis_cluster.ensure_running()
    client = await connect(redis_cluster.url)
    await client.flushall()
    return client


def owner_of(cluster: LocalCluster, client: RedisCluster, key: str) -> ClusterNode:
    """The cluster node (master) that serves the key's slot right now."""
    node = client.get_node_from_key(key)
    assert node is not None
    return cluster.node_at(int(node.port))


async def test_the_test_cluster_is_a_real_one(
    redis_cluster: LocalCluster, cluster_client: RedisClient
) -> None:
    assert isinstance(cluster_client, RedisCluster)
    try:
        queue = DueQueue(cluster_client)
        roles = sorted(node.role() for node in redis_cluster.nodes)
        owners = {owner_of(redis_cluster, cluster_client, key).port for key in queue.shard_keys()}
    finally:
        await cluster_client.aclose()

    assert roles == ["master"] * 3 + ["slave"] * 3
    assert all(node.info()["cluster_slots_ok"] == "16384" for node in redis_cluster.nodes)
    assert len(owners) == 3  # the queue's shards really live on different masters


async def test_a_fresh_client_survives_a_burst_of_first_commands(
    redis_cluster: LocalCluster,
) -> None:
    # redis-py learns the layout on the first command; first commands arriving together used to
    # break each other's connections ('NoneType' object has no attribute 'writelines').
    redis_cluster.ensure_running()
    for _round in range(10):
        client = await connect(redis_cluster.url)
        try:
            claims = [Store(client).claim_send(7, "evening", DAY, f"o{i}") for i in range(20)]
            assert len(await asyncio.gather(*claims)) == 20
            await client.delete(person_key(7, OUTBOX))
        finally:
            await client.aclose()


async def test_the_slot_audit_catches_a_script_over_two_slots(
    redis_cluster: LocalCluster, cluster_client: RedisClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = SlotAudit()
    audit.install(monkeypatch)
    script = cluster_client.register_script("return #KEYS")
    keys = [person_key(1, OUTBOX), person_key(2, OUTBOX)]
    assert key_slot(keys[0].encode()) != key_slot(keys[1].encode())
    try:
        assert await script(keys=[keys[0]]) == 1
        with pytest.raises(Exception, match="same key slot"):
            await script(keys=keys)
    finally:
        await cluster_client.aclose()

    assert audit.scripts >= 2  # NOSCRIPT makes redis-py load the script and call again
    assert audit.crossing == [f"EVALSHA over {keys}"]


async def test_losing_a_master_keeps_the_queue_and_retries_the_message_in_flight(
    redis_cluster: LocalCluster, cluster_client: RedisClient
) -> None:
    """A master dies mid-send; its replica takes over. Kept: every due entry, the lease of the
    person being sent to, the dead sender's pending outbox marker. Retried: that one message,
    by whoever claims the person after the lease (at least once, ARCHITECTURE §5)."""
    assert isinstance(cluster_client, RedisCluster)
    queue, store, user = DueQueue(cluster_client), Store(cluster_client), 5
    for person in range(64):
        await queue.schedule(person, T0)
    shard = queue.shard_of(user)
    (claimed,) = [
        c for c in await queue.claim(shard, T0, limit=100, lease=LEASE) if c.user_id == user
    ]
    assert await store.claim_send(user, "evening#1", DAY, "sender-a")
    master = owner_of(redis_cluster, cluster_client, queue.shard_key(shard))
    # Replication is asynchronous: only writes a replica has confirmed can survive (WAIT).
    assert master.run("WAIT", 1, 5000) == 1

    redis_cluster.kill_master(master)
    new_master = redis_cluster.fail_over(master)  # the killed master is reaped
    # Whichever node a client asks, it learns the new layout: no dead master in it.
    running = [node for node in redis_cluster.nodes if node.process.running]
    views = {node.serving_masters() for node in running}
    assert len(views) == 1
    assert new_master.node_id in views.pop()

    try:
        assert await queue.size() == 64
        assert await queue.due_at(user) == datetime.fromtimestamp(claimed.lease_score, UTC)
        assert (
            await queue.claim(shard, T0 + timedelta(seconds=LEASE - 1), limit=100, lease=LEASE)
            == []
        )
        (again,) = [
            c
            for c in await queue.claim(
                shard, T0 + timedelta(seconds=LEASE + 1), limit=100, lease=LEASE
            )
            if c.user_id == user
        ]
        assert await store.claim_send(user, "evening#1", DAY, "sender-b")  # retried once
        assert not await store.claim_send(user, "evening#1", DAY, "sender-b")
        await store.settle_send(user, "evening#1", DAY, "sent")
        assert not await store.claim_send(user, "evening#1", DAY, "sender-c")  # never a third
        assert await queue.complete_many([(again, T0 + timedelta(days=1))]) == [True]
    finally:
        await cluster_client.aclose()


async def test_a_script_new_to_a_healthy_master_runs_while_another_master_is_dead(
    redis_cluster: LocalCluster, cluster_client: RedisClient
) -> None:
    """A node learns a script it has not seen (a fresh or just-promoted master does not know
    the bot's scripts) from that call alone: redis-py's own way, SCRIPT LOAD on every master,
    failed every such script while any master was down."""
    assert isinstance(cluster_client, RedisCluster)
    key = person_key(5, OUTBOX)
    owner = owner_of(redis_cluster, cluster_client, key)
    dead = next(n for n in redis_cluster.nodes if n.role() == "master" and n is not owner)
    fresh = uuid.uuid4().hex  # a script no node has seen
    script = cluster_client.register_script(f"return '{fresh}' .. KEYS[1]")
    redis_cluster.kill_master(dead)
    try:
        assert await script(keys=[key]) == f"{fresh}{key}".encode()
    finally:
        redis_cluster.fail_over(dead)
        await cluster_client.aclose()
