"""Store against a real redis-server: versioned profiles, check-ins, deletion, key layout, size."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest
from redis.crc import key_slot
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.domain.episodes import EPISODES_PER_DAY_CAP, Episode
from bot.domain.flows import CheckinAnswers, CheckinFlow, CheckinStep, EnrolFlow, EnrolStep
from bot.domain.models import (
    WARNING_SIGN_FIELDS,
    Pause,
    Profile,
    Reason,
    SignReport,
    Status,
    TwitchLocation,
)
from bot.storage.client import RedisClient
from bot.storage.store import (
    FLOW_TTL_SECONDS,
    PERSON_KEY_SUFFIXES,
    Also,
    CorruptCheckInError,
    CorruptProfileError,
    FlowChanged,
    ProfileNotFound,
    Store,
    VersionConflict,
    person_key,
    person_keys,
)
from tests.backends import ON_BOTH
from tests.factories import add_checkins, make_profile, make_record
from tests.redis_server import RedisServer

pytestmark = ON_BOTH

USER = 1001
OTHER = 2002

Change = Callable[[Profile], Profile]


def checkin_flow(step: CheckinStep = CheckinStep.SIGNS, nonce: str = "n1") -> CheckinFlow:
    return CheckinFlow(step=step, nonce=nonce, local_date=date(2026, 3, 22), day=2)


async def all_keys(redis: RedisClient, pattern: str = "*") -> set[bytes]:
    return {key async for key in redis.scan_iter(match=pattern, count=1000)}


async def test_missing_profile_is_none(store: Store) -> None:
    assert await store.get_profile(USER) is None


async def test_profile_round_trip(store: Store) -> None:
    profile = make_profile(USER, pauses=(Pause(first_day=date(2026, 3, 22)),))

    saved = await store.save_profile(profile, expected_version=0)

    assert saved.version == 1
    assert await store.get_profile(USER) == saved
    assert saved.model_dump(exclude={"version"}) == profile.model_dump(exclude={"version"})


async def test_compare_and_set_bumps_version(store: Store) -> None:
    first = await store.save_profile(make_profile(USER), expected_version=0)
    second = await store.save_profile(
        first.model_copy(update={"status": Status.PAUSED}), expected_version=first.version
    )

    assert second.version == 2
    stored = await store.get_profile(USER)
    assert stored is not None
    assert (stored.version, stored.status) == (2, Status.PAUSED)


@pytest.mark.parametrize("stale", [0, 1, 3])
async def test_stale_expected_version_conflicts_and_keeps_document(
    store: Store, redis_client: RedisClient, stale: int
) -> None:
    saved = await store.save_profile(make_profile(USER), expected_version=0)
    saved = await store.save_profile(saved, expected_version=saved.version)
    before = await redis_client.get(person_key(USER, "profile"))

    with pytest.raises(VersionConflict) as caught:
        await store.save_profile(saved.model_copy(update={"locale": "de"}), expected_version=stale)

    assert caught.value.user_id == USER
    assert await redis_client.get(person_key(USER, "profile")) == before


async def test_update_profile_applies_change(store: Store) -> None:
    await store.save_profile(make_profile(USER), expected_version=0)

    updated = await store.update_profile(
        USER, lambda p: p.model_copy(update={"emergency_hold": True})
    )

    assert updated.emergency_hold
    assert updated.version == 2
    assert await store.get_profile(USER) == updated


async def test_update_profile_of_nobody_raises(store: Store) -> None:
    with pytest.raises(ProfileNotFound):
        await store.update_profile(USER, lambda p: p)


async def test_update_profile_may_not_change_user_id(store: Store) -> None:
    await store.save_profile(make_profile(USER), expected_version=0)

    with pytest.raises(ValueError, match="user_id"):
        await store.update_profile(USER, lambda p: p.model_copy(update={"user_id": OTHER}))


async def test_concurrent_updates_all_land(store: Store) -> None:
    await store.save_profile(make_profile(USER), expected_version=0)
    reasons = list(Reason)[:10]
    days = [date(2026, 4, day) for day in range(1, 11)]

    def add_reason(reason: Reason) -> Change:
        return lambda p: p.model_copy(update={"advised_reasons": (*p.advised_reasons, reason)})

    def add_pause(day: date) -> Change:
        return lambda p: p.model_copy(update={"pauses": (*p.pauses, Pause(first_day=day))})

    changes = [add_reason(r) for r in reasons] + [add_pause(d) for d in days]
    await asyncio.gather(*(store.update_profile(USER, c, retries=10) for c in changes))

    stored = await store.get_profile(USER)
    assert stored is not None
    assert sorted(stored.advised_reasons) == sorted(reasons)
    assert sorted(p.first_day for p in stored.pauses) == days
    assert stored.version == 1 + len(changes)


def _profile_json(**changes: object) -> bytes:
    document = json.loads(make_profile(USER).model_dump_json())
    document.update(version=3, **changes)
    return json.dumps(document).encode()


CORRUPT_DOCUMENTS = {
    "not json": b'{"version": 3, "user_id": 1001, oops',
    "json array": b"[1, 2, 3]",
    "invalid profile": _profile_json(status="sleepwalking", chat_id="secret-note"),
    "unknown field": _profile_json(diagnosis="secret-note"),
    "unknown schema": _profile_json(schema_version=2),
    "missing schema": _profile_json(schema_version=None),
    "another person": _profile_json(user_id=OTHER),
}


@pytest.mark.parametrize("raw", CORRUPT_DOCUMENTS.values(), ids=CORRUPT_DOCUMENTS.keys())
async def test_corrupt_profile_is_reported_and_left_untouched(
    store: Store, redis_client: RedisClient, raw: bytes
) -> None:
    key = person_key(USER, "profile")
    await redis_client.set(key, raw)

    with pytest.raises(CorruptProfileError) as caught:
        await store.get_profile(USER)
    assert caught.value.user_id == USER
    assert "secret-note" not in str(caught.value)
    assert "sleepwalking" not in str(caught.value)

    for expected_version in (0, 3):
        with pytest.raises(CorruptProfileError):
            await store.save_profile(make_profile(USER), expected_version=expected_version)
    with pytest.raises(CorruptProfileError):
        await store.update_profile(USER, lambda p: p)

    assert await redis_client.get(key) == raw


async def test_compare_and_set_script_refuses_unknown_schema(
    store: Store, redis_client: RedisClient
) -> None:
    """The Lua guard alone (as when a document turns bad between read and write)."""
    key = person_key(USER, "profile")
    raw = _profile_json(schema_version=2)
    await redis_client.set(key, raw)

    with pytest.raises(CorruptProfileError):
        await store._compare_and_set(make_profile(USER), 3, Also())

    assert await redis_client.get(key) == raw


async def test_checkins_append_and_list_in_order(store: Store) -> None:
    checkins = [make_record(day=day, episodes_per_day=10 - day) for day in range(1, 8)]
    checkins.append(make_record(day=7, painful=True, sleep_hours=7.25))

    await store.save_profile(make_profile(USER), expected_version=0)
    await add_checkins(store, USER, *checkins)

    assert await store.list_checkins(USER) == checkins
    assert await store.list_checkins(OTHER) == []


async def test_delete_person_removes_every_key_and_spares_others(
    store: Store, redis_client: RedisClient
) -> None:
    for user in (USER, OTHER):
        await store.save_profile(make_profile(user), expected_version=0)
        await add_checkins(store, user, make_record())

    removed = await store.delete_person(USER)

    assert removed == 2
    assert await all_keys(redis_client, f"*{{{USER}}}*") == set()
    assert await store.get_profile(OTHER) is not None
    assert len(await store.list_checkins(OTHER)) == 1
    assert await store.delete_person(USER) == 0


async def test_keys_are_hash_tagged_per_person(store: Store, redis_client: RedisClient) -> None:
    await store.save_profile(make_profile(USER), expected_version=0)
    await add_checkins(store, USER, make_record())
    await store.set_flow(USER, checkin_flow(CheckinStep.WHERE, "abc"))
    await redis_client.rpush(person_key(USER, "reports"), b"{}")
    await store.claim_send(USER, "morning", date(2026, 3, 22))
    await store.record_sleep(USER, date(2026, 3, 22), 6.5)
    at = datetime(2026, 3, 22, 15, tzinfo=UTC)
    await store.log_episode(USER, Episode(at=at), at, EPISODES_PER_DAY_CAP)
    await store.record_exercise(USER, "eyes", 4, at)

    keys = await all_keys(redis_client)

    assert keys == {f"u:{{{USER}}}:{suffix}".encode() for suffix in PERSON_KEY_SUFFIXES}
    assert person_keys(USER) == [f"u:{{{USER}}}:{suffix}" for suffix in PERSON_KEY_SUFFIXES]
    assert len({key_slot(key) for key in keys}) == 1
    assert key_slot(person_key(USER, "profile").encode()) != key_slot(
        person_key(OTHER, "profile").encode()
    )


def test_unknown_key_suffix_is_refused() -> None:
    with pytest.raises(ValueError, match="suffix"):
        person_key(USER, "diary")


async def test_checkins_are_stored_compactly(store: Store, redis_client: RedisClient) -> None:
    checkins = [make_record(day=day, sleep_hours=6.75, caffeine_drinks=3) for day in range(1, 8)]
    await store.save_profile(make_profile(USER), expected_version=0)
    await add_checkins(store, USER, *checkins)
    key = person_key(USER, "checkins")

    stored = await redis_client.lrange(key, 0, -1)
    memory = await redis_client.memory_usage(key)

    assert max(len(raw) for raw in stored) < 250
    assert memory is not None
    assert memory / len(checkins) < 250


async def test_enrolled_person_with_a_week_fits_in_two_kilobytes(
    store: Store, redis_client: RedisClient
) -> None:
    user = 7_123_456_789  # Telegram ids are now 10 digits long
    profile = make_profile(user, advised_reasons=(Reason.PAINFUL,))
    await store.save_profile(profile, expected_version=0)
    checkins = [
        make_record(day=day, days_since_onset=day + 12, sleep_hours=6.25, painful=day > 3)
        for day in range(1, 8)
    ]
    await add_checkins(store, user, *checkins)

    sizes = [await redis_client.memory_usage(key) or 0 for key in person_keys(user)]

    assert sum(sizes) <= 2048


async def test_redis_outage_surfaces_as_a_redis_error_and_recovers(
    store: Store, redis_server: RedisServer
) -> None:
    await store.save_profile(make_profile(USER), expected_version=0)

    redis_server.stop()
    with pytest.raises(RedisConnectionError):
        await store.get_profile(USER)

    redis_server.start()
    assert await store.get_profile(USER) is None  # the test server keeps nothing


async def test_checkin_row_round_trips_every_sign(store: Store) -> None:
    records = [make_record(day=1, **{sign: True}) for sign in WARNING_SIGN_FIELDS]
    await store.save_profile(make_profile(USER), expected_version=0)
    await add_checkins(store, USER, *records)
    assert await store.list_checkins(USER) == records


async def test_a_row_stored_before_the_eyelid_sign_existed_still_loads(
    store: Store, redis_client: RedisClient
) -> None:
    # Every one of the nine older signs ticked (bitmask 511), as the previous release stored it.
    old = b'[1,1774036800,"2026-03-20",1,"eyelid",4,"seconds",3,6.5,2,3,511]'
    await redis_client.rpush(person_key(USER, "checkins"), old)
    [record] = await store.list_checkins(USER)
    assert record.checkin.drooping
    assert record.checkin.eye_redness_or_discharge
    assert record.checkin.eyelid_clamps_shut is False


@pytest.mark.parametrize(
    "raw", [b"[]", b'[2,0,"2026-03-20",1,"eyelid",1,"seconds",1,6.5,1,3,0]', b"{}", b"x"]
)
async def test_unreadable_checkin_rows_are_reported(
    store: Store, redis_client: RedisClient, raw: bytes
) -> None:
    await redis_client.rpush(person_key(USER, "checkins"), raw)
    with pytest.raises(CorruptCheckInError):
        await store.list_checkins(USER)


async def test_profile_checkin_and_flow_change_together(store: Store) -> None:
    saved = await store.save_profile(make_profile(USER), expected_version=0)
    flow = checkin_flow()
    await store.set_flow(USER, flow)
    record = make_record(day=2)
    report = SignReport(at=record.at, local_date=record.local_date, day=2, signs=("painful",))

    await store.save_profile(
        saved.model_copy(update={"advised_reasons": (Reason.PAINFUL,)}),
        expected_version=saved.version,
        also=Also(checkin=record, report=report, clear_flow=True),
    )

    assert await store.list_checkins(USER) == [record]
    assert await store.list_reports(USER) == [report]
    assert await store.get_flow(USER) is None
    profile = await store.get_profile(USER)
    assert profile is not None
    assert profile.advised_reasons == (Reason.PAINFUL,)


async def test_a_conflicting_save_writes_none_of_its_extras(store: Store) -> None:
    saved = await store.save_profile(make_profile(USER), expected_version=0)
    await store.update_profile(USER, lambda p: p.model_copy(update={"locale": "en"}))
    flow = checkin_flow()
    await store.set_flow(USER, flow)

    with pytest.raises(VersionConflict):
        await store._compare_and_set(
            saved, saved.version, Also(checkin=make_record(), clear_flow=True)
        )

    assert await store.list_checkins(USER) == []
    assert await store.get_flow(USER) == flow


async def test_flow_round_trip_and_expiry(store: Store, redis_client: RedisClient) -> None:
    await store.save_profile(make_profile(USER), expected_version=0)
    flow = EnrolFlow(step=EnrolStep.BED, nonce="Ab3", zone="Europe/London", wake_time=time(7))
    await store.set_flow(USER, flow)
    assert await store.get_flow(USER) == flow
    ttl = await redis_client.ttl(person_key(USER, "flow"))
    assert 0 < ttl <= FLOW_TTL_SECONDS
    await store.clear_flow(USER)
    assert await store.get_flow(USER) is None


async def test_morning_sleep_answer_is_kept_for_the_day(
    store: Store, redis_client: RedisClient
) -> None:
    await store.save_profile(make_profile(USER), expected_version=0)
    await store.record_sleep(USER, date(2026, 3, 22), 5.5)
    assert await store.sleep_on(USER, date(2026, 3, 22)) == 5.5
    assert await store.sleep_on(USER, date(2026, 3, 23)) is None
    assert 0 < await redis_client.ttl(person_key(USER, "sleep")) <= 3 * 24 * 3600


async def test_no_write_outside_the_profile_lands_for_someone_without_one(
    store: Store, redis_client: RedisClient
) -> None:
    """Every conversation starts after consent; a write for someone without a profile can only
    be one that raced their /delete, and must not bring their data back."""
    flow = checkin_flow(CheckinStep.COUNT).replaced(
        answers=CheckinAnswers(twitch_location=TwitchLocation.EYELID)
    )
    writes = [store.set_flow(USER, flow), store.record_sleep(USER, date(2026, 3, 22), 5.5)]

    for write in writes:
        with pytest.raises(ProfileNotFound):
            await write

    assert await all_keys(redis_client) == set()


async def test_a_write_that_depends_on_a_flow_lands_only_while_it_is_open(store: Store) -> None:
    saved = await store.save_profile(make_profile(USER), expected_version=0)
    flow = checkin_flow()
    done = Also(checkin=make_record(), clear_flow=True, if_flow=flow.nonce)
    await store.set_flow(USER, flow.replaced(nonce="n2"))  # another check-in

    with pytest.raises(FlowChanged):
        await store.update_profile(USER, lambda p: p, also=done)
    await store.clear_flow(USER)  # none at all
    with pytest.raises(FlowChanged):
        await store.update_profile(USER, lambda p: p, also=done)
    await store.set_flow(USER, flow)  # the one the write came from
    await store.update_profile(USER, lambda p: p, also=done)

    assert len(await store.list_checkins(USER)) == 1
    assert await store.get_flow(USER) is None
    profile = await store.get_profile(USER)
    assert profile is not None
    assert profile.version == saved.version + 1  # the refused writes changed nothing


class RecordingListener:
    def __init__(self) -> None:
        self.saved: list[tuple[int | None, int]] = []
        self.deleted: list[int] = []

    async def profile_saved(self, before: Profile | None, after: Profile) -> None:
        self.saved.append((before.version if before else None, after.version))

    async def person_deleted(self, user_id: int) -> None:
        self.deleted.append(user_id)


async def test_listener_hears_every_change_and_deletion(redis_client: RedisClient) -> None:
    listener = RecordingListener()
    store = Store(redis_client, listener)
    await store.save_profile(make_profile(USER), expected_version=0)
    await store.update_profile(USER, lambda p: p.model_copy(update={"locale": "en"}))
    await store.delete_person(USER)
    assert listener.saved == [(None, 1), (1, 2)]
    assert listener.deleted == [USER]
