"""Per-person state in Redis: one versioned profile document plus the person's check-ins.

This is the only module that builds per-person keys. Every key carries the person's hash tag
(``u:{<user_id>}:<suffix>``), so one person's keys share a Redis Cluster slot and can be removed
with a single DEL.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Protocol

from pydantic import BaseModel, ValidationError

from bot.domain.episodes import Episode
from bot.domain.flows import FLOWS, Flow
from bot.domain.models import (
    PROFILE_SCHEMA_VERSION,
    WARNING_SIGN_FIELDS,
    CheckInRecord,
    Profile,
    SignReport,
)
from bot.domain.today import NOT_ON_PLAN
from bot.storage.client import RedisClient
from bot.storage.episode_codec import CorruptEpisodeError, pack, unpack

PROFILE: Final = "profile"
CHECKINS: Final = "checkins"
REPORTS: Final = "reports"
FLOW: Final = "flow"
OUTBOX: Final = "outbox"
SLEEP: Final = "sleep"
EPISODES: Final = "episodes"
EXERCISES: Final = "exercises"
# Every per-person key suffix the project uses. Add new ones here (e.g. "outbox") so that
# delete_person removes them too; nothing else may store per-person data.
PERSON_KEY_SUFFIXES: Final[tuple[str, ...]] = (
    PROFILE,
    CHECKINS,
    REPORTS,
    FLOW,
    OUTBOX,
    SLEEP,
    EPISODES,
    EXERCISES,
)
# Guided exercises finished in the Mini App, one hash field "<kind>:<plan day>" each: kept as
# long as the plan and its follow-ups can be looked back on (every write renews it), and until
# /delete.
EXERCISES_TTL_SECONDS: Final = 366 * 24 * 3600
# An abandoned conversation is forgotten after a week.
FLOW_TTL_SECONDS: Final = 7 * 24 * 3600
# A morning's sleep answer only matters for that day's check-in.
SLEEP_TTL_SECONDS: Final = 3 * 24 * 3600
# Outbox markers (one hash field per sent slot) older than this, counted back from the local
# date being claimed, are pruned: a slot is only ever sent on its own local day (or just after
# midnight for a late evening), so a few days is plenty, and memory per person is a budget.
# The whole hash expires when nothing has been sent for OUTBOX_TTL_SECONDS.
OUTBOX_KEEP_DAYS: Final = 3
OUTBOX_TTL_SECONDS: Final = 14 * 24 * 3600

# Compare-and-set of a profile document, plus optional writes to the same person's other keys,
# all or nothing. KEYS[1] profile key, KEYS[2..] other keys of the same person; ARGV[1] expected
# version (0 = no document yet); ARGV[2] the new document; ARGV[3] the supported schema_version;
# ARGV[4] a JSON list of operations [op, key index, value?]: "rpush", "del", "setex" (value
# [ttl, text]); ARGV[5] a JSON list, empty or [key index, nonce]: the conversation that key holds
# must still be the one with that nonce. Returns 1 when written, 0 on a version mismatch, -2 when
# the conversation is gone or another one, -1 when the stored value is not a profile we
# understand (it is then left untouched).
_CAS_PROFILE: Final = """
local raw = redis.call('GET', KEYS[1])
local expected = tonumber(ARGV[1])
if raw then
  local ok, doc = pcall(cjson.decode, raw)
  if not ok or type(doc) ~= 'table' or doc['schema_version'] ~= tonumber(ARGV[3])
      or type(doc['version']) ~= 'number' then
    return -1
  end
  if doc['version'] ~= expected then return 0 end
elseif expected ~= 0 then
  return 0
end
local flow_check = cjson.decode(ARGV[5])
if flow_check[1] then
  local flow = redis.call('GET', KEYS[flow_check[1]])
  local ok, doc = pcall(cjson.decode, flow or '')
  if not ok or type(doc) ~= 'table' or doc['nonce'] ~= flow_check[2] then return -2 end
end
redis.call('SET', KEYS[1], ARGV[2])
for _, op in ipairs(cjson.decode(ARGV[4])) do
  local key = KEYS[op[2]]
  if op[1] == 'rpush' then
    redis.call('RPUSH', key, op[3])
  elseif op[1] == 'del' then
    redis.call('DEL', key)
  elseif op[1] == 'setex' then
    redis.call('SET', key, op[3][2], 'EX', op[3][1])
  end
end
return 1
"""


# Write one of the person's other keys only while their profile exists, so that a write racing
# /delete cannot bring their data back. KEYS[1] the profile, KEYS[2] the key; ARGV[1] the key's
# lifetime in seconds, ARGV[2] the value, ARGV[3] a hash field ('' for a plain string key).
# Returns 1 when written, 0 when there is no profile (nothing is written).
_WRITE_IF_ENROLLED: Final = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[3] == '' then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
else
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[1])
end
return 1
"""


# Log an episode only while the person is on the plan, and at most ARGV[3] from ARGV[2] on, so
# that a tap racing /delete (or /stop) brings nothing back. KEYS[1] the profile, KEYS[2] the
# episode list (packed "<unix seconds><before><where>", oldest first); ARGV[1] the packed
# episode, ARGV[2] the unix second the person's day began, ARGV[3] the cap per day, ARGV[4] the
# statuses that are not on the plan, comma-separated. Returns the new episode's index, -1 when
# the person is not on the plan (nothing is written), -2 when today's cap is reached.
_LOG_EPISODE: Final = """
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local ok, doc = pcall(cjson.decode, raw)
if not ok or type(doc) ~= 'table' or type(doc['start_date']) ~= 'string' then return -1 end
for status in string.gmatch(ARGV[4], '[^,]+') do
  if doc['status'] == status then return -1 end
end
local cap = tonumber(ARGV[3])
local today = 0
for _, packed in ipairs(redis.call('LRANGE', KEYS[2], -cap, -1)) do
  if tonumber(string.sub(packed, 1, -3)) >= tonumber(ARGV[2]) then today = today + 1 end
end
if today >= cap then return -2 end
return redis.call('RPUSH', KEYS[2], ARGV[1]) - 1
"""


# Answer "what came before" or "where" for a logged episode: KEYS[1] the profile, KEYS[2] the
# episode list; ARGV[1] the episode's index, ARGV[2] its unix second (so a button of a deleted
# and re-created history cannot change another episode), ARGV[3] the new packed value. Returns
# 1 when written, 0 when the person or that episode is gone (nothing is written).
_DESCRIBE_EPISODE: Final = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('LINDEX', KEYS[2], tonumber(ARGV[1]))
if not current or string.sub(current, 1, -3) ~= ARGV[2] then return 0 end
redis.call('LSET', KEYS[2], tonumber(ARGV[1]), ARGV[3])
return 1
"""


# Claim one scheduled message for one sender. KEYS[1] the person's outbox hash; ARGV[1] the
# message's field, "<marker>:<YYYY-MM-DD>" (outbox_field of a Due.message_marker), ARGV[2] the
# oldest local date to keep (ISO dates compare as strings), ARGV[3] the hash's lifetime in
# seconds, ARGV[4] the owner claiming it. Returns 0, writing nothing, when the field already
# holds an outcome or is pending for this same owner. Otherwise the field becomes
# "pending:<owner>", every field whose name ends in a date before ARGV[2] is dropped and the
# hash's lifetime starts again; returns 1 when the field was new, 2 when it took over another
# owner's pending marker (that sender died, or lost Redis, mid-send).
_CLAIM_SEND: Final = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and (string.sub(current, 1, 8) ~= 'pending:' or current == 'pending:' .. ARGV[4]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], 'pending:' .. ARGV[4])
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  local day = string.match(field, ':(%d%d%d%d%-%d%d%-%d%d)$')
  if day and day < ARGV[2] then
    redis.call('HDEL', KEYS[1], field)
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
if current then return 2 end
return 1
"""


# Record how a claimed send ended: KEYS[1] the person's outbox hash; ARGV[1] the field, ARGV[2]
# the outcome, ARGV[3] the hash's lifetime in seconds. Returns 1 when written. Writes nothing
# (returns 0) once the hash is gone: the person was deleted mid-send, and a late settle must not
# bring the key back.
_SETTLE_SEND: Final = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class StoreError(Exception):
    """Base class for storage errors that are not Redis connection problems."""


class CorruptProfileError(StoreError):
    """The stored profile cannot be read. The message never includes the document's text."""

    def __init__(self, user_id: int, reason: str) -> None:
        super().__init__(f"stored profile of user {user_id} is unreadable: {reason}")
        self.user_id = user_id
        self.reason = reason


class CorruptCheckInError(StoreError):
    """A stored check-in or report cannot be read. The message never includes the stored text."""

    def __init__(self, user_id: int, index: int, reason: str) -> None:
        super().__init__(f"stored check-in #{index} of user {user_id} is unreadable: {reason}")
        self.user_id = user_id
        self.index = index
        self.reason = reason


class VersionConflict(StoreError):
    """The stored profile changed since it was read."""

    def __init__(self, user_id: int, expected_version: int) -> None:
        super().__init__(
            f"profile of user {user_id} is no longer at version {expected_version}; "
            "read it again and retry"
        )
        self.user_id = user_id
        self.expected_version = expected_version


class FlowChanged(StoreError):
    """The conversation a write depended on has ended or been replaced since it was read."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"the conversation of user {user_id} has changed; nothing was written")
        self.user_id = user_id


class EpisodeCapReached(StoreError):
    """The person has logged as many episodes today as a day holds; nothing was written."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"user {user_id} reached today's episode cap")
        self.user_id = user_id


class ProfileNotFound(StoreError, LookupError):
    """A write needed the person's profile, and they have none (never enrolled, or deleted)."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"user {user_id} has no profile")
        self.user_id = user_id


def person_key(user_id: int, suffix: str) -> str:
    """The key of one kind of per-person data, hash-tagged by user id."""
    if suffix not in PERSON_KEY_SUFFIXES:
        raise ValueError(f"unknown per-person key suffix {suffix!r}")
    return f"u:{{{int(user_id)}}}:{suffix}"


def person_keys(user_id: int) -> list[str]:
    """Every key that may hold this person's data."""
    return [person_key(user_id, suffix) for suffix in PERSON_KEY_SUFFIXES]


@dataclass(frozen=True)
class Also:
    """Writes to the person's other keys that land together with a profile change, or not at all.

    This is what keeps a check-in from being half-written when Redis goes away mid-save.
    `if_flow` makes the whole write depend on the conversation it came from: it lands only while
    the person's flow is still the one with that nonce, so a repeated or concurrent "Done" (on
    another replica) stores one check-in, not two.
    """

    checkin: CheckInRecord | None = None
    report: SignReport | None = None
    flow: Flow | None = None
    clear_flow: bool = False
    if_flow: str | None = None

    def operations(self) -> tuple[list[str], list[list[Any]], list[Any]]:
        """The extra keys' suffixes, the script operations on them (key index from 2) and the
        flow precondition ([] or [key index, nonce])."""
        suffixes: list[str] = []
        ops: list[list[Any]] = []

        def key_index(suffix: str) -> int:
            suffixes.append(suffix)
            return len(suffixes) + 1

        check = [] if self.if_flow is None else [key_index(FLOW), self.if_flow]

        if self.checkin is not None:
            ops.append(["rpush", key_index(CHECKINS), encode_checkin(self.checkin)])
        if self.report is not None:
            ops.append(["rpush", key_index(REPORTS), _compact(self.report)])
        if self.flow is not None:
            ops.append(["setex", key_index(FLOW), [FLOW_TTL_SECONDS, self.flow.model_dump_json()]])
        elif self.clear_flow:
            ops.append(["del", key_index(FLOW)])
        return suffixes, ops, check


NOTHING_ELSE: Final = Also()


class ProfileListener(Protocol):
    """Told after every profile change and deletion, e.g. to keep the due queue in step."""

    async def profile_saved(self, before: Profile | None, after: Profile) -> None: ...

    async def person_deleted(self, user_id: int) -> None: ...


class Store:
    """Reads and writes one person's state. Redis errors propagate as redis exceptions."""

    def __init__(self, redis: RedisClient, listener: ProfileListener | None = None) -> None:
        self._redis = redis
        self._listener = listener
        self._cas = redis.register_script(_CAS_PROFILE)
        self._write_if_enrolled = redis.register_script(_WRITE_IF_ENROLLED)
        self._claim_send = redis.register_script(_CLAIM_SEND)
        self._settle_send = redis.register_script(_SETTLE_SEND)
        self._log_episode = redis.register_script(_LOG_EPISODE)
        self._describe_episode = redis.register_script(_DESCRIBE_EPISODE)

    @property
    def redis(self) -> RedisClient:
        return self._redis

    async def get_profile(self, user_id: int) -> Profile | None:
        """The person's profile, or None if they have none."""
        raw = await self._redis.get(person_key(user_id, PROFILE))
        return None if raw is None else parse_profile(user_id, raw)

    async def save_profile(
        self, profile: Profile, *, expected_version: int, also: Also = NOTHING_ELSE
    ) -> Profile:
        """Write the profile if the stored one is still at expected_version (0: none yet)."""
        current = await self.get_profile(profile.user_id)
        if (current.version if current else 0) != expected_version:
            raise VersionConflict(profile.user_id, expected_version)
        saved = await self._compare_and_set(profile, expected_version, also)
        await self._saved(current, saved)
        return saved

    async def update_profile(
        self,
        user_id: int,
        change: Callable[[Profile], Profile],
        *,
        retries: int = 5,
        also: Also = NOTHING_ELSE,
    ) -> Profile:
        """Read, apply change, and compare-and-set; on a conflict start again, up to retries.

        FlowChanged is never retried: the conversation the change came from is over.
        """
        for attempt in range(retries + 1):
            current = await self.get_profile(user_id)
            if current is None:
                raise ProfileNotFound(user_id)
            changed = change(current)
            if changed.user_id != user_id:
                raise ValueError("change must not alter user_id")
            try:
                saved = await self._compare_and_set(changed, current.version, also)
            except VersionConflict:
                if attempt == retries:
                    raise
                await asyncio.sleep(random.uniform(0, min(0.1, 0.005 * 2**attempt)))  # noqa: S311
                continue
            await self._saved(current, saved)
            return saved
        raise AssertionError("unreachable")  # pragma: no cover

    async def list_checkins(self, user_id: int) -> list[CheckInRecord]:
        """The person's check-ins in the order they were made."""
        raws = await self._redis.lrange(person_key(user_id, CHECKINS), 0, -1)
        return [parse_checkin(user_id, index, raw) for index, raw in enumerate(raws)]

    async def list_reports(self, user_id: int) -> list[SignReport]:
        """Warning signs the person reported through /urgent, oldest first."""
        raws = await self._redis.lrange(person_key(user_id, REPORTS), 0, -1)
        return [_parse(SignReport, user_id, index, raw) for index, raw in enumerate(raws)]

    async def log_episode(self, user_id: int, episode: Episode, since: datetime, cap: int) -> int:
        """Append an episode and return its index; ProfileNotFound when the person is not on
        the plan (or was deleted meanwhile), EpisodeCapReached when `cap` episodes were already
        logged from `since` (the start of their day) on. Both are checked inside Redis."""
        keys = [person_key(user_id, PROFILE), person_key(user_id, EPISODES)]
        statuses = ",".join(status.value for status in NOT_ON_PLAN)
        args: list[str | int] = [pack(episode), int(since.timestamp()), cap, statuses]
        index = int(await self._log_episode(keys=keys, args=args))
        if index == -1:
            raise ProfileNotFound(user_id)
        if index == -2:
            raise EpisodeCapReached(user_id)
        return index

    async def describe_episode(self, user_id: int, index: int, episode: Episode) -> bool:
        """Replace the episode at `index` (the same moment, now with what came before or
        where); False, writing nothing, when the person or that episode is gone."""
        keys = [person_key(user_id, PROFILE), person_key(user_id, EPISODES)]
        args: list[str | int] = [index, int(episode.at.timestamp()), pack(episode)]
        return bool(await self._describe_episode(keys=keys, args=args))

    async def episode_in_context(
        self, user_id: int, index: int
    ) -> tuple[Episode | None, Profile | None, CheckInRecord | None]:
        """The episode at `index`, the profile and the latest check-in (for the usual place),
        in one round trip: what a "just before" or "where" tap reads before it writes."""
        checkins = person_key(user_id, CHECKINS)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.lindex(person_key(user_id, EPISODES), index)
            pipe.get(person_key(user_id, PROFILE))
            pipe.lindex(checkins, -1)
            pipe.llen(checkins)
            raw_episode, raw_profile, raw_latest, count = await pipe.execute()
        return (
            None if raw_episode is None else _readable_episode(raw_episode),
            None if raw_profile is None else parse_profile(user_id, raw_profile),
            None if raw_latest is None else parse_checkin(user_id, int(count) - 1, raw_latest),
        )

    async def list_episodes(self, user_id: int) -> list[Episode]:
        """The person's logged episodes, oldest first; unreadable ones are left out."""
        raws = await self._redis.lrange(person_key(user_id, EPISODES), 0, -1)
        return [e for e in map(_readable_episode, raws) if e is not None]

    async def get_flow(self, user_id: int) -> Flow | None:
        """The conversation the person is in, if any. An unreadable one (e.g. of a kind that no
        longer exists) counts as none: its buttons are then stale."""
        raw = await self._redis.get(person_key(user_id, FLOW))
        if raw is None:
            return None
        try:
            return FLOWS.validate_json(raw)
        except ValidationError:
            return None

    async def set_flow(self, user_id: int, flow: Flow) -> None:
        """Start or advance a conversation; abandoned ones expire. ProfileNotFound when the
        person has no profile (every conversation starts after consent), e.g. a tap that raced
        their /delete: it must not bring their answers back."""
        await self._write_enrolled(user_id, FLOW, FLOW_TTL_SECONDS, flow.model_dump_json())

    async def clear_flow(self, user_id: int) -> None:
        """End the person's conversation."""
        await self._redis.delete(person_key(user_id, FLOW))

    async def delete_person(self, user_id: int) -> int:
        """Remove everything stored about the person; returns how many keys existed."""
        removed = await self._redis.delete(*person_keys(user_id))
        if self._listener is not None:
            await self._listener.person_deleted(user_id)
        return removed

    async def record_sleep(self, user_id: int, local_date: date, hours: float) -> None:
        """The morning "how did you sleep?" answer, kept for that day's check-in; like set_flow,
        ProfileNotFound when the person has no profile."""
        value, field = repr(float(hours)), local_date.isoformat()
        await self._write_enrolled(user_id, SLEEP, SLEEP_TTL_SECONDS, value, field)

    async def _write_enrolled(
        self, user_id: int, suffix: str, ttl: int, value: str, field: str = ""
    ) -> None:
        keys = [person_key(user_id, PROFILE), person_key(user_id, suffix)]
        if not await self._write_if_enrolled(keys=keys, args=[ttl, value, field]):
            raise ProfileNotFound(user_id)

    async def record_exercise(self, user_id: int, kind: str, day: int, at: datetime) -> None:
        """A guided exercise finished on a plan day; once per kind and day (a repeat keeps the
        latest time). ProfileNotFound when the person has no profile."""
        field = f"{kind}:{int(day)}"
        await self._write_enrolled(user_id, EXERCISES, EXERCISES_TTL_SECONDS, at.isoformat(), field)

    async def exercises_by_day(self, user_id: int) -> dict[int, list[str]]:
        """The kinds of exercise finished on each plan day."""
        fields = await self._redis.hkeys(person_key(user_id, EXERCISES))
        done: dict[int, list[str]] = {}
        for raw in fields:
            kind, _, day = (raw.decode() if isinstance(raw, bytes) else str(raw)).partition(":")
            if day.isdigit():
                done.setdefault(int(day), []).append(kind)
        return {day: sorted(kinds) for day, kinds in done.items()}

    async def sleep_on(self, user_id: int, local_date: date) -> float | None:
        """The sleep hours answered that morning, if any."""
        raw = await self._redis.hget(person_key(user_id, SLEEP), local_date.isoformat())
        try:
            return None if raw is None else float(raw)
        except ValueError:
            return None

    async def claim_send(self, user_id: int, slot: str, local_date: date, owner: str = "") -> bool:
        """Mark one scheduled message as being sent by `owner`; True if this caller should send it.

        `slot` names one message, not a whole slot (see `Due.message_marker`), so a slot cut off
        midway resumes after its last confirmed message. Written before sending, so a message
        goes out at most once across restarts and replicas, except as follows. The marker stays
        "pending" until `settle_send` records how the send ended. A pending marker of another
        owner means that sender died (or lost Redis) mid-send: the due queue only hands a person
        to a new owner once the old lease has run out. The new owner takes it over, because the
        message cannot have been confirmed: that one message is sent at least once, and twice
        only if Telegram had taken it before the sender died. Markers older than
        OUTBOX_KEEP_DAYS are pruned in the same round trip.
        """
        oldest_kept = (local_date - timedelta(days=OUTBOX_KEEP_DAYS)).isoformat()
        keys = [person_key(user_id, OUTBOX)]
        field = outbox_field(slot, local_date)
        args: list[str | int] = [field, oldest_kept, OUTBOX_TTL_SECONDS, owner]
        return bool(await self._claim_send(keys=keys, args=args))

    async def settle_send(self, user_id: int, slot: str, local_date: date, outcome: str) -> None:
        """Record how a claimed send ended (sent, ambiguous, failed, blocked): never resent.

        Like every key a send writes, the outbox keeps its lifetime; after a /delete that raced
        the send nothing is written at all."""
        keys = [person_key(user_id, OUTBOX)]
        args: list[str | int] = [outbox_field(slot, local_date), outcome, OUTBOX_TTL_SECONDS]
        await self._settle_send(keys=keys, args=args)

    async def sent_slots(self, user_id: int) -> set[str]:
        """The slots the person has outbox markers for, as "<slot>:<YYYY-MM-DD>": one per slot
        however many messages it had (for /export, tests and debugging)."""
        fields = await self._redis.hkeys(person_key(user_id, OUTBOX))
        return {
            _slot_of(field.decode() if isinstance(field, bytes) else str(field)) for field in fields
        }

    async def _saved(self, before: Profile | None, after: Profile) -> None:
        if self._listener is not None:
            await self._listener.profile_saved(before, after)

    async def _compare_and_set(
        self, profile: Profile, expected_version: int, also: Also
    ) -> Profile:
        saved = profile.model_copy(update={"version": expected_version + 1})
        suffixes, ops, flow_check = also.operations()
        keys = [person_key(profile.user_id, s) for s in (PROFILE, *suffixes)]
        args: list[str | int] = [
            expected_version,
            saved.model_dump_json(),
            PROFILE_SCHEMA_VERSION,
            json.dumps(ops),
            json.dumps(flow_check),
        ]
        result = await self._cas(keys=keys, args=args)
        if result == 1:
            return saved
        if result == 0:
            raise VersionConflict(profile.user_id, expected_version)
        if result == -2:
            raise FlowChanged(profile.user_id)
        raise CorruptProfileError(profile.user_id, "not a supported profile document")


def outbox_field(slot: str, local_date: date) -> str:
    """The outbox marker of one slot on one local date: "<slot>:<YYYY-MM-DD>"."""
    if not slot or not slot.isprintable() or slot.isspace():
        raise ValueError("slot must be a non-empty printable name")
    if isinstance(local_date, datetime):
        raise TypeError("local_date must be a date, not a datetime")
    return f"{slot}:{local_date.isoformat()}"


def _slot_of(field: str) -> str:
    """The slot of an outbox field: "morning#1:2026-03-20" -> "morning:2026-03-20"."""
    name, _, day = field.rpartition(":")
    return f"{name.partition('#')[0]}:{day}"


def _compact(model: BaseModel) -> str:
    """Stored records leave out default values: memory per person is a budget (≤ 2 KB)."""
    return model.model_dump_json(exclude_defaults=True)


def parse_profile(user_id: int, raw: bytes | str) -> Profile:
    """Validate a stored profile document, naming what is wrong without echoing it."""
    data = _json_object(user_id, raw)
    schema = data.get("schema_version")
    if schema != PROFILE_SCHEMA_VERSION:
        shown = schema if isinstance(schema, int) else type(schema).__name__
        raise CorruptProfileError(user_id, f"unknown schema_version {shown}")
    try:
        profile = Profile.model_validate_json(raw)
    except ValidationError as exc:
        raise CorruptProfileError(user_id, _describe(exc)) from None
    if profile.user_id != user_id:
        raise CorruptProfileError(user_id, "document belongs to another user id")
    return profile


# A stored check-in is a positional JSON array, about 70 bytes instead of about 270 for an
# object: memory per person is a budget. Never reorder these; add a new format number instead.
CHECKIN_FORMAT: Final = 1
_CHECKIN_FIELDS: Final = (
    "day",
    "twitch_location",
    "episodes_per_day",
    "worst_duration",
    "days_since_onset",
    "sleep_hours",
    "caffeine_drinks",
    "stress_level",
)


def encode_checkin(record: CheckInRecord) -> str:
    """[format, unix time, local date, fields..., warning-sign bitmask]."""
    checkin = record.checkin.model_dump(mode="json")
    signs = sum(1 << i for i, name in enumerate(WARNING_SIGN_FIELDS) if checkin[name])
    row = [
        CHECKIN_FORMAT,
        int(record.at.timestamp()),
        record.local_date.isoformat(),
        *(checkin[name] for name in _CHECKIN_FIELDS),
        signs,
    ]
    return json.dumps(row, separators=(",", ":"))


def parse_checkin(user_id: int, index: int, raw: bytes | str) -> CheckInRecord:
    """Validate one stored check-in."""
    try:
        row = json.loads(raw)
        if not isinstance(row, list) or len(row) != 4 + len(_CHECKIN_FIELDS):
            raise ValueError("not a check-in row")
        if row[0] != CHECKIN_FORMAT:
            raise ValueError("unknown check-in format")
        fields = dict(zip(_CHECKIN_FIELDS, row[3:-1], strict=True))
        signs = {name: bool(row[-1] >> i & 1) for i, name in enumerate(WARNING_SIGN_FIELDS)}
        return CheckInRecord.model_validate(
            {
                "at": datetime.fromtimestamp(row[1], UTC),
                "local_date": row[2],
                "checkin": {**fields, **signs},
            }
        )
    except ValidationError as exc:
        raise CorruptCheckInError(user_id, index, _describe(exc)) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise CorruptCheckInError(user_id, index, type(exc).__name__) from None


def _readable_episode(raw: bytes | str) -> Episode | None:
    """A stored episode, or None for one that cannot be read (it never blocks the others)."""
    try:
        return unpack(raw)
    except CorruptEpisodeError:
        return None


def _parse(model: type[SignReport], user_id: int, index: int, raw: bytes | str) -> SignReport:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise CorruptCheckInError(user_id, index, _describe(exc)) from None


def _json_object(user_id: int, raw: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise CorruptProfileError(user_id, "not valid JSON") from None
    if not isinstance(data, dict):
        raise CorruptProfileError(user_id, "not a JSON object")
    return data


def _describe(exc: ValidationError) -> str:
    """Field locations and error types only: messages may quote the stored values."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    parts = [f"{'.'.join(map(str, error['loc']))} ({error['type']})" for error in errors]
    return "fails validation: " + "; ".join(parts[:5])
