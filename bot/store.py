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
from typing import Any, Final

from pydantic import ValidationError
from redis.asyncio import Redis

from bot.models import PROFILE_SCHEMA_VERSION, CheckIn, Profile

PROFILE: Final = "profile"
CHECKINS: Final = "checkins"
# Every per-person key suffix the project uses. Add new ones here (e.g. "draft", "outbox") so that
# delete_person removes them too; nothing else may store per-person data.
PERSON_KEY_SUFFIXES: Final[tuple[str, ...]] = (PROFILE, CHECKINS)

# Compare-and-set of a profile document. KEYS[1] profile key; ARGV[1] expected version
# (0 = no document yet); ARGV[2] the new document; ARGV[3] the supported schema_version.
# Returns 1 when written, 0 on a version mismatch, -1 when the stored value is not a profile we
# understand (it is then left untouched).
_CAS_PROFILE: Final = """
local raw = redis.call('GET', KEYS[1])
local expected = tonumber(ARGV[1])
if not raw then
  if expected ~= 0 then return 0 end
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
local ok, doc = pcall(cjson.decode, raw)
if not ok or type(doc) ~= 'table' or doc['schema_version'] ~= tonumber(ARGV[3])
    or type(doc['version']) ~= 'number' then
  return -1
end
if doc['version'] ~= expected then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
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
    """A stored check-in cannot be read. The message never includes the stored text."""

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


class ProfileNotFound(StoreError, LookupError):
    """update_profile was asked to change a person who has no profile."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"user {user_id} has no profile")
        self.user_id = user_id


def connect(url: str) -> Redis:
    """A client for redis://, rediss:// or unix:// URLs; replies are bytes."""
    return Redis.from_url(url, decode_responses=False)


def person_key(user_id: int, suffix: str) -> str:
    """The key of one kind of per-person data, hash-tagged by user id."""
    if suffix not in PERSON_KEY_SUFFIXES:
        raise ValueError(f"unknown per-person key suffix {suffix!r}")
    return f"u:{{{int(user_id)}}}:{suffix}"


def person_keys(user_id: int) -> list[str]:
    """Every key that may hold this person's data."""
    return [person_key(user_id, suffix) for suffix in PERSON_KEY_SUFFIXES]


class Store:
    """Reads and writes one person's state. Redis errors propagate as redis exceptions."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._cas = redis.register_script(_CAS_PROFILE)

    @property
    def redis(self) -> Redis:
        return self._redis

    async def get_profile(self, user_id: int) -> Profile | None:
        """The person's profile, or None if they have none."""
        raw = await self._redis.get(person_key(user_id, PROFILE))
        return None if raw is None else parse_profile(user_id, raw)

    async def save_profile(self, profile: Profile, *, expected_version: int) -> Profile:
        """Write the profile if the stored one is still at expected_version (0: none yet)."""
        current = await self.get_profile(profile.user_id)
        if (current.version if current else 0) != expected_version:
            raise VersionConflict(profile.user_id, expected_version)
        return await self._compare_and_set(profile, expected_version)

    async def update_profile(
        self, user_id: int, change: Callable[[Profile], Profile], *, retries: int = 5
    ) -> Profile:
        """Read, apply change, and compare-and-set; on a conflict start again, up to retries."""
        for attempt in range(retries + 1):
            current = await self.get_profile(user_id)
            if current is None:
                raise ProfileNotFound(user_id)
            changed = change(current)
            if changed.user_id != user_id:
                raise ValueError("change must not alter user_id")
            try:
                return await self._compare_and_set(changed, current.version)
            except VersionConflict:
                if attempt == retries:
                    raise
                await asyncio.sleep(random.uniform(0, min(0.1, 0.005 * 2**attempt)))  # noqa: S311
        raise AssertionError("unreachable")  # pragma: no cover

    async def append_checkin(self, user_id: int, checkin: CheckIn) -> None:
        """Add a check-in after the person's earlier ones."""
        document = checkin.model_dump_json(exclude_defaults=True)
        await self._redis.rpush(person_key(user_id, CHECKINS), document)

    async def list_checkins(self, user_id: int) -> list[CheckIn]:
        """The person's check-ins in the order they were appended."""
        raws = await self._redis.lrange(person_key(user_id, CHECKINS), 0, -1)
        return [parse_checkin(user_id, index, raw) for index, raw in enumerate(raws)]

    async def delete_person(self, user_id: int) -> int:
        """Remove everything stored about the person; returns how many keys existed."""
        return await self._redis.delete(*person_keys(user_id))

    async def _compare_and_set(self, profile: Profile, expected_version: int) -> Profile:
        saved = profile.model_copy(update={"version": expected_version + 1})
        document = saved.model_dump_json()
        args: list[str | int] = [expected_version, document, PROFILE_SCHEMA_VERSION]
        result = await self._cas(keys=[person_key(profile.user_id, PROFILE)], args=args)
        if result == 1:
            return saved
        if result == 0:
            raise VersionConflict(profile.user_id, expected_version)
        raise CorruptProfileError(profile.user_id, "not a supported profile document")


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


def parse_checkin(user_id: int, index: int, raw: bytes | str) -> CheckIn:
    """Validate one stored check-in."""
    try:
        return CheckIn.model_validate_json(raw)
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
