"""Outbox markers against a real redis-server: each scheduled slot is sent at most once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from redis.crc import key_slot

from bot.storage.client import RedisClient, connect
from bot.storage.store import (
    OUTBOX,
    OUTBOX_KEEP_DAYS,
    OUTBOX_TTL_SECONDS,
    PERSON_KEY_SUFFIXES,
    Store,
    outbox_field,
    person_key,
)
from tests.backends import ON_BOTH
from tests.factories import add_checkins, make_profile, make_record

pytestmark = ON_BOTH

USER = 1001
OTHER = 2002
DAY = date(2026, 3, 22)


async def all_keys(redis: RedisClient, pattern: str = "*") -> set[bytes]:
    return {key async for key in redis.scan_iter(match=pattern, count=1000)}


async def test_the_first_claim_of_a_slot_wins_and_later_ones_lose(store: Store) -> None:
    assert await store.claim_send(USER, "morning", DAY) is True
    assert await store.claim_send(USER, "morning", DAY) is False
    assert await store.claim_send(USER, "morning", DAY) is False

    assert await store.claim_send(USER, "evening", DAY) is True
    assert await store.claim_send(USER, "morning", DAY + timedelta(days=1)) is True
    assert await store.claim_send(OTHER, "morning", DAY) is True
    assert await store.sent_slots(USER) == {
        "morning:2026-03-22",
        "evening:2026-03-22",
        "morning:2026-03-23",
    }
    assert await store.sent_slots(OTHER) == {"morning:2026-03-22"}


async def test_concurrent_claims_of_one_slot_have_exactly_one_winner(
    store: Store, redis_url: str
) -> None:
    other_client = await connect(redis_url)  # another replica
    try:
        stores = [store, Store(other_client)]
        results = await asyncio.gather(
            *(stores[i % 2].claim_send(USER, "evening", DAY) for i in range(20))
        )
    finally:
        await other_client.aclose()

    assert sorted(results) == [False] * 19 + [True]


async def test_markers_older_than_the_kept_window_are_pruned(
    store: Store, redis_client: RedisClient
) -> None:
    old = DAY - timedelta(days=OUTBOX_KEEP_DAYS + 1)
    edge = DAY - timedelta(days=OUTBOX_KEEP_DAYS)
    seeded = [("morning", old - timedelta(days=300)), ("morning", old), ("morning", edge)]
    seeded.append(("followup-14", old))
    for slot, day in seeded:  # written directly: a claim would already prune some of them
        await redis_client.hset(person_key(USER, OUTBOX), outbox_field(slot, day), "1")
    assert len(await store.sent_slots(USER)) == 4

    assert await store.claim_send(USER, "morning", DAY) is True

    assert await store.sent_slots(USER) == {
        outbox_field("morning", edge),
        outbox_field("morning", DAY),
    }


async def test_a_losing_claim_prunes_nothing(store: Store) -> None:
    old = DAY - timedelta(days=OUTBOX_KEEP_DAYS + 5)
    await store.claim_send(USER, "morning", old)
    await store.claim_send(USER, "morning", DAY)  # prunes `old`
    await store.claim_send(USER, "morning", old)  # claimed again: that window is long past
    before = await store.sent_slots(USER)

    assert await store.claim_send(USER, "morning", old) is False

    assert await store.sent_slots(USER) == before


async def test_the_outbox_expires_when_nothing_is_sent_for_long(
    store: Store, redis_client: RedisClient
) -> None:
    key = person_key(USER, OUTBOX)
    await store.claim_send(USER, "morning", DAY)
    await redis_client.expire(key, 10)

    assert await store.claim_send(USER, "morning", DAY) is False
    assert 0 < await redis_client.ttl(key) <= 10  # a losing claim writes nothing
    assert await store.claim_send(USER, "evening", DAY) is True
    assert OUTBOX_TTL_SECONDS - 5 <= await redis_client.ttl(key) <= OUTBOX_TTL_SECONDS
    assert OUTBOX_TTL_SECONDS > OUTBOX_KEEP_DAYS * 24 * 3600


async def test_the_outbox_is_one_small_hash_in_the_person_slot(
    store: Store, redis_client: RedisClient
) -> None:
    for day in range(21):
        for slot in ("morning", "evening"):
            await store.claim_send(USER, slot, DAY + timedelta(days=day))

    key = person_key(USER, OUTBOX)
    memory = await redis_client.memory_usage(key)

    assert await all_keys(redis_client) == {key.encode()}
    assert key == f"u:{{{USER}}}:outbox"
    assert key_slot(key.encode()) == key_slot(person_key(USER, "profile").encode())
    assert OUTBOX in PERSON_KEY_SUFFIXES
    # Only the last OUTBOX_KEEP_DAYS days before the newest claim (and that day) are kept.
    assert await redis_client.hlen(key) == 2 * (OUTBOX_KEEP_DAYS + 1)
    assert memory is not None
    assert memory < 400


async def test_delete_person_removes_the_outbox(store: Store, redis_client: RedisClient) -> None:
    for user in (USER, OTHER):
        await store.save_profile(make_profile(user), expected_version=0)
        await add_checkins(store, user, make_record())
        await store.claim_send(user, "morning", DAY)

    removed = await store.delete_person(USER)

    assert removed == 3
    assert await all_keys(redis_client, f"*{USER}*") == set()
    assert await store.sent_slots(USER) == set()
    assert await store.sent_slots(OTHER) == {"morning:2026-03-22"}
    assert await store.claim_send(USER, "morning", DAY) is True  # a new start, a new plan


@pytest.mark.parametrize("slot", ["", " ", "morning\n"])
async def test_bad_slot_names_are_refused(store: Store, slot: str) -> None:
    with pytest.raises(ValueError, match="slot"):
        await store.claim_send(USER, slot, DAY)


async def test_a_datetime_is_not_a_local_date(store: Store) -> None:
    with pytest.raises(TypeError, match="date"):
        await store.claim_send(USER, "morning", datetime(2026, 3, 22, 7, tzinfo=UTC))


async def test_a_pending_send_is_taken_over_only_until_it_is_settled(store: Store) -> None:
    assert await store.claim_send(USER, "morning", DAY, "lease-a")
    assert not await store.claim_send(USER, "morning", DAY, "lease-a")  # same owner again
    # Owner a died mid-send; the queue gave the person to b after a's lease ran out.
    assert await store.claim_send(USER, "morning", DAY, "lease-b")
    await store.settle_send(USER, "morning", DAY, "sent")
    assert not await store.claim_send(USER, "morning", DAY, "lease-c")


@pytest.mark.parametrize("outcome", ["sent", "ambiguous", "failed", "blocked"])
async def test_a_settled_send_is_never_claimed_again(store: Store, outcome: str) -> None:
    assert await store.claim_send(USER, "evening", DAY, "lease-a")
    await store.settle_send(USER, "evening", DAY, outcome)
    assert not await store.claim_send(USER, "evening", DAY, "lease-b")


@pytest.mark.parametrize("delete_after", [None, "claim"])
async def test_every_key_a_send_writes_carries_a_ttl(
    store: Store, redis_client: RedisClient, delete_after: str | None
) -> None:
    """Each step of a send (claim, settle), with or without a /delete racing it in between:
    afterwards the outbox either has a lifetime or does not exist. A bare HSET in settle_send
    once left a deleted person's outbox behind forever."""
    await store.save_profile(make_profile(USER), expected_version=0)
    key = person_key(USER, OUTBOX)
    assert await store.claim_send(USER, "morning#0", DAY, "lease-a")
    assert 0 < await redis_client.ttl(key) <= OUTBOX_TTL_SECONDS
    if delete_after == "claim":
        await store.delete_person(USER)
    await store.settle_send(USER, "morning#0", DAY, "sent")
    if delete_after == "claim":
        assert await redis_client.exists(key) == 0  # a late settle does not bring it back
    else:
        assert 0 < await redis_client.ttl(key) <= OUTBOX_TTL_SECONDS
    for found in await all_keys(redis_client):
        if found.endswith(OUTBOX.encode()):
            assert await redis_client.ttl(found) > 0, found
