"""Seed N enrolled people into Redis through pipelines, with the store's real encodings.

Each person is a validated ``Profile`` (``model_dump_json`` under ``person_key``) in one of ~20
weighted IANA zones with a realistic wake time and bedtime, plus their next due send in the due
queue (``DueQueue.schedule`` queued on a pipeline). Half of them finished the 7 days and have 7
check-ins (``encode_checkin``: the compact row a check-in save pushes), two morning sleep
answers, and outbox markers (``Store.settle_send``) for the days the outbox keeps; the other
half are on plan days 1-7 with outbox markers only.

Seeding is split into phases so Redis memory can be read after each one.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final, TypeVar

from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import ClusterPipeline

from bot.domain.models import CheckIn, CheckInRecord, Profile, Status
from bot.storage.client import RedisClient
from bot.storage.store import (
    CHECKINS,
    OUTBOX,
    OUTBOX_KEEP_DAYS,
    OUTBOX_TTL_SECONDS,
    PROFILE,
    SLEEP,
    SLEEP_TTL_SECONDS,
    encode_checkin,
    outbox_field,
    person_key,
)
from scheduler.queue import DueQueue, to_score
from scheduler.timing import next_due

# Everything is seeded as of this instant: each person's next send is strictly later, so a tick
# at SEED_NOW finds nothing due, whatever N is.
BASE_DATE: Final = date(2026, 3, 20)  # no zone below changes its UTC offset within days of it
SEED_NOW: Final = datetime(2026, 3, 20, 7, 6, 59, tzinfo=UTC)
FIRST_USER: Final = 100_000_000
PLAN_DAYS: Final = 7
T = TypeVar("T")

# A weighted mix of where people live (roughly, Telegram's larger markets).
ZONES: Final[tuple[tuple[str, int], ...]] = (
    ("America/New_York", 10),
    ("America/Chicago", 5),
    ("America/Denver", 2),
    ("America/Los_Angeles", 6),
    ("America/Mexico_City", 4),
    ("America/Sao_Paulo", 7),
    ("Europe/London", 7),
    ("Europe/Berlin", 7),
    ("Europe/Paris", 5),
    ("Europe/Madrid", 4),
    ("Europe/Moscow", 6),
    ("Europe/Istanbul", 4),
    ("Africa/Lagos", 3),
    ("Africa/Cairo", 3),
    ("Asia/Dubai", 2),
    ("Asia/Kolkata", 10),
    ("Asia/Jakarta", 5),
    ("Asia/Tokyo", 4),
    ("Australia/Sydney", 3),
    ("Pacific/Auckland", 1),
)
# Wake 05:30-09:30 on the quarter hour, most around 07:00; bedtime 21:30-00:30.
WAKES: Final[tuple[tuple[time, int], ...]] = tuple(
    (time(5 + (30 + 15 * i) // 60, (30 + 15 * i) % 60), w)
    for i, w in enumerate((1, 1, 2, 3, 5, 7, 9, 10, 9, 7, 6, 5, 4, 3, 2, 1, 1))
)
BEDS: Final[tuple[tuple[time, int], ...]] = (
    (time(21, 30), 2),
    (time(22, 0), 5),
    (time(22, 30), 7),
    (time(23, 0), 8),
    (time(23, 30), 5),
    (time(0, 0), 3),
    (time(0, 30), 1),
)
_ANSWERS: Final = (  # (location, episodes, duration, sleep, caffeine, stress)
    ("eyelid", 4, "seconds", 6.5, 2, 3),
    ("eyelid", 8, "seconds", 5.5, 4, 4),
    ("eyelid", 2, "seconds", 7.5, 1, 2),
    ("cheek", 3, "minutes", 6.0, 3, 3),
    ("eyelid", 12, "minutes", 5.0, 5, 5),
    ("mouth", 1, "seconds", 8.0, 0, 1),
    ("eyelid", 5, "seconds", 7.0, 2, 2),
    ("eyelid", 6, "minutes", 6.5, 3, 4),
)


@dataclass(frozen=True)
class Person:
    """What one seeded person looks like (the profile is built from it)."""

    user_id: int
    zone: str
    wake: time
    bed: time
    start: date
    onset: date
    checkins: bool
    variant: int


@dataclass
class Population:
    """N people drawn once from the weighted mix (deterministic for a given seed)."""

    size: int
    first_user: int = FIRST_USER
    seed: int = 20260320
    zones: list[str] = field(default_factory=list)
    wakes: list[time] = field(default_factory=list)
    beds: list[time] = field(default_factory=list)
    days_in: list[int] = field(default_factory=list)
    onset_before: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        n = self.size
        self.zones = _draw(rng, ZONES, n)
        self.wakes = _draw(rng, WAKES, n)
        self.beds = _draw(rng, BEDS, n)
        self.days_in = [rng.randrange(PLAN_DAYS) for _ in range(n)]
        self.onset_before = [rng.randrange(1, 8) for _ in range(n)]

    def person(self, index: int) -> Person:
        checkins = index % 2 == 0  # half finished the plan and checked in every day
        start = BASE_DATE - timedelta(days=PLAN_DAYS if checkins else self.days_in[index])
        return Person(
            user_id=self.first_user + index,
            zone=self.zones[index],
            wake=self.wakes[index],
            bed=self.beds[index],
            start=start,
            onset=start - timedelta(days=self.onset_before[index]),
            checkins=checkins,
            variant=index % len(_ANSWERS),
        )

    def people(self) -> Iterator[Person]:
        return (self.person(i) for i in range(self.size))

    def user_ids(self) -> range:
        return range(self.first_user, self.first_user + self.size)


def _draw(rng: random.Random, weighted: Sequence[tuple[T, int]], n: int) -> list[T]:
    values = [value for value, _ in weighted]
    return rng.choices(values, weights=[w for _, w in weighted], k=n)


@lru_cache(maxsize=200_000)
def _template(
    zone: str, wake: time, bed: time, start: date, onset: date, after: datetime
) -> tuple[Profile, float]:
    """A validated profile for this routine and its next due send after `after` (a timestamp).

    People who share a routine share this work; each person only copies it with their id.
    """
    profile = Profile(
        user_id=1,
        chat_id=1,
        status=Status.ACTIVE,
        consent_at=datetime.combine(start, time(9, 0), UTC),
        zone=zone,
        wake_time=wake,
        bedtime=bed,
        onset_date=onset,
        start_date=start,
    )
    due = next_due(profile, after)
    if due is None:
        raise AssertionError("every seeded person must have a next send")
    return profile, due.at.timestamp()


def profile_of(person: Person, after: datetime = SEED_NOW) -> tuple[Profile, datetime]:
    """The person's profile and their next due send after `after`."""
    routine = (person.zone, person.wake, person.bed, person.start, person.onset)
    template, due = _template(*routine, after)
    update = {"user_id": person.user_id, "chat_id": person.user_id}
    return template.model_copy(update=update), datetime.fromtimestamp(due, UTC)


@lru_cache(maxsize=10_000)
def _encoded_checkin(local_date: date, day: int, since_onset: int, variant: int) -> str:
    location, episodes, duration, sleep, caffeine, stress = _ANSWERS[(variant + day) % 8]
    record = CheckInRecord(
        at=datetime.combine(local_date, time(20, 30), UTC),
        local_date=local_date,
        checkin=CheckIn.model_validate(
            {
                "day": day,
                "twitch_location": location,
                "episodes_per_day": max(0, episodes - day // 2),
                "worst_duration": duration,
                "days_since_onset": since_onset,
                "sleep_hours": sleep,
                "caffeine_drinks": caffeine,
                "stress_level": stress,
            }
        ),
    )
    return encode_checkin(record)


def checkin_rows(person: Person) -> list[str]:
    """The person's 7 check-ins, one per plan day, in the store's encoding."""
    rows = []
    for day in range(1, PLAN_DAYS + 1):
        local_date = person.start + timedelta(days=day - 1)
        since = (local_date - person.onset).days
        rows.append(_encoded_checkin(local_date, day, since, person.variant))
    return rows


# --- phases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """One pipeline, with the project's own DueQueue for its keys and scores. Works on one
    server and on a Redis Cluster (whose pipelines take no scripts, and split by node)."""

    pipe: Pipeline | ClusterPipeline
    queue: DueQueue

    @classmethod
    def on(cls, redis: RedisClient) -> Batch:
        return cls(redis.pipeline(transaction=False), DueQueue(redis))

    def schedule(self, user_id: int, due_at: datetime) -> None:
        """What DueQueue.schedule writes for someone never parked nor failing: one ZADD."""
        key = self.queue.shard_key(self.queue.shard_of(user_id))
        self.pipe.zadd(key, {str(user_id): to_score(due_at)})


async def _profiles(batch: Batch, person: Person, after: datetime = SEED_NOW) -> None:
    profile, due_at = profile_of(person, after)
    batch.pipe.set(person_key(person.user_id, PROFILE), profile.model_dump_json())
    batch.schedule(person.user_id, due_at)


async def _checkins(batch: Batch, person: Person) -> None:
    if not person.checkins:
        return
    # What a check-in save pushes (Also(checkin=...): RPUSH of encode_checkin), cached:
    # people who share a plan date, onset and answers share the encoded row.
    key = person_key(person.user_id, CHECKINS)
    batch.pipe.rpush(key, *checkin_rows(person))


async def _markers(batch: Batch, person: Person) -> None:
    """Outbox markers for the days the outbox keeps, and recent sleep answers.

    The fields and values are what Store.settle_send and Store.record_sleep write, one HSET
    per key instead of one per field (fewer round trips to seed; the same memory).
    """
    pipe, uid = batch.pipe, person.user_id
    first = max(person.start, BASE_DATE - timedelta(days=OUTBOX_KEEP_DAYS))
    days = [first + timedelta(days=i) for i in range((BASE_DATE - first).days)]
    if days:
        sent = {outbox_field(slot, day): "sent" for day in days for slot in ("morning", "evening")}
        pipe.hset(person_key(uid, OUTBOX), mapping=sent)  # type: ignore[arg-type]
        pipe.expire(person_key(uid, OUTBOX), OUTBOX_TTL_SECONDS)
    if person.checkins:
        answers = ((2, 7.0), (1, 6.5))
        hours = {(BASE_DATE - timedelta(days=back)).isoformat(): h for back, h in answers}
        pipe.hset(person_key(uid, SLEEP), mapping=hours)  # type: ignore[arg-type]
        pipe.expire(person_key(uid, SLEEP), SLEEP_TTL_SECONDS)


PHASES: Final[dict[str, Callable[[Batch, Person], Awaitable[None]]]] = {
    "profiles + due queue": _profiles,
    "7 check-ins (half)": _checkins,
    "outbox + sleep markers": _markers,
}


async def seed_phase(
    redis: RedisClient, people: Iterator[Person], phase: str, *, batch: int = 2_000
) -> int:
    """Write one phase for every person, `batch` people per pipeline round trip."""
    write = PHASES[phase]
    count = 0
    writes = Batch.on(redis)
    for person in people:
        await write(writes, person)
        count += 1
        if count % batch == 0:
            await writes.pipe.execute()
    await writes.pipe.execute()
    return count


async def used_memory(redis: RedisClient) -> int:
    """Redis's used_memory, in bytes."""
    info = await redis.info("memory")
    return int(info["used_memory"])


async def seed_cohort(
    redis: RedisClient, *, first_user: int, size: int, zone: str, wake: time, after: datetime
) -> datetime:
    """`size` people on plan day 1 who all wake at `wake` in `zone`; returns their due time."""
    writes = Batch.on(redis)
    for index in range(size):
        person = cohort_person(first_user + index, zone, wake)
        await _profiles(writes, person, after)
        if index % 2_000 == 1_999:
            await writes.pipe.execute()
    await writes.pipe.execute()
    return profile_of(cohort_person(first_user, zone, wake), after)[1]


def cohort_person(user_id: int, zone: str, wake: time) -> Person:
    """One member of a cohort: enrolled today, bedtime 23:00, twitching for three days."""
    return Person(
        user_id=user_id,
        zone=zone,
        wake=wake,
        bed=time(23, 0),
        start=BASE_DATE,
        onset=BASE_DATE - timedelta(days=3),
        checkins=False,
        variant=0,
    )
