"""The due queue: each enrolled person's next due send, in sharded Redis sorted sets.

A person is one member (their user id as a string) of ``due:{<shard>}``, where the shard is
``user_id mod shards`` and is also the key's hash tag, so each shard lives in one Redis Cluster
slot. The score is the due time in UTC unix seconds, rounded to the millisecond.

A tick *claims* due members with one Lua script, which pushes their scores to a lease (now +
lease), so replicas that tick at once never take the same member. After the send, *complete*
writes the next due time, but only while the score still equals the lease: if the person was
rescheduled or removed meanwhile, their new state wins. A worker that dies mid-send simply lets
the lease run out; the member is then due again and anyone claims it.

This module never reads a clock: every "now" is a parameter, so tests and the demo move time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from bot.storage.client import RedisClient

DEFAULT_SHARDS: Final = 16
KEY_PREFIX: Final = "due"
# Lease scores sit half a millisecond off the millisecond grid that schedule() writes, so a
# reschedule can never store a score equal to a lease by accident (the lease is then lost, as
# it must be).
_LEASE_OFFSET: Final = 0.0005
# A lease shorter than this would not survive the float arithmetic at today's timestamps.
MIN_LEASE_SECONDS: Final = 0.001
# The lease floor outlives the lease by this much (real time; Redis expires it).
_FLOOR_GRACE_MS: Final = 1000

# KEYS[1] the shard, KEYS[2] its lease floor; ARGV[1] now (score), ARGV[2] at most this many
# members, ARGV[3] now + lease (off the millisecond grid), ARGV[4] the floor's lifetime in ms.
# Returns the lease score, then the claimed members and their original scores, flattened, in
# due order; an empty list (and no write at all) when nothing is due.
#
# Lease scores are unique per shard: each claim's is at least 1 ms above the previous one while
# that one may still be held. Otherwise a member released (or rescheduled into the past) and
# claimed again within the same millisecond would get the very same lease score, and the first
# claim's complete_many() would still match. The floor expires once the leases it protects have
# ended, so a clock that once ran ahead (a demo) cannot stretch leases for long.
# Scores are written as %.17g strings: Lua numbers handed to redis.call keep only 14 digits.
_CLAIM: Final = """
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE',
                       'LIMIT', 0, tonumber(ARGV[2]), 'WITHSCORES')
if #due == 0 then
  return due
end
local lease = tonumber(ARGV[3])
local last = redis.call('GET', KEYS[2])
if last then
  local above = tonumber(last) + 0.001
  if above > lease then lease = above end
end
local score = string.format('%.17g', lease)
local ttl = math.max(tonumber(ARGV[4]), redis.call('PTTL', KEYS[2]))
redis.call('SET', KEYS[2], score, 'PX', ttl)
for i = 1, #due, 2 do
  redis.call('ZADD', KEYS[1], 'XX', score, due[i])
end
table.insert(due, 1, score)
return due
"""

# Finish claims in one shard: complete_many() passes each claim's next due time, release() its
# original one. KEYS[1] the shard, KEYS[2] its failure counts; ARGV in threes, one per member:
# the member, the lease score it was claimed with, and its next score, or '' to remove it.
# Per member, while its score still equals that lease (compared as numbers), the next score
# replaces it (or the member is removed) and its count of failed tries in a row is deleted:
# 1; otherwise 0, and the member is left exactly as it is. Returns those, in ARGV order.
_COMPLETE: Final = """
local done = {}
for i = 1, #ARGV, 3 do
  local member, lease, following = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local current = redis.call('ZSCORE', KEYS[1], member)
  if not current or tonumber(current) ~= tonumber(lease) then
    done[#done + 1] = 0
  else
    if following == '' then
      redis.call('ZREM', KEYS[1], member)
    else
      redis.call('ZADD', KEYS[1], 'XX', following, member)
    end
    redis.call('HDEL', KEYS[2], member)
    done[#done + 1] = 1
  end
end
return done
"""

# One more failed try of a claimed member. KEYS[1] the shard, KEYS[2] its failure counts,
# KEYS[3] its parked members; ARGV[1] the member, ARGV[2] its lease score, ARGV[3] now (score),
# ARGV[4] the tries that park it, ARGV[5] the first wait in seconds (doubled on each try).
# Returns the failed tries in a row (0: the lease was lost, nothing changed). Below ARGV[4] the
# member is due again after the wait; at ARGV[4] it leaves the shard for the parked set.
_FAIL: Final = """
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current or tonumber(current) ~= tonumber(ARGV[2]) then
  return 0
end
local tries = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if tries >= tonumber(ARGV[4]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
else
  local again = tonumber(ARGV[3]) + tonumber(ARGV[5]) * 2 ^ (tries - 1)
  redis.call('ZADD', KEYS[1], 'XX', string.format('%.17g', again), ARGV[1])
end
return tries
"""


@dataclass(frozen=True)
class Claim:
    """A due member taken by one worker until its lease score passes."""

    user_id: int
    due_at: datetime
    """The score before the claim, timezone-aware UTC: when the send was due, or, for a member
    claimed again after a lease ran out, when that lease ended."""
    lease_score: float
    """The score the claim wrote; complete_many(), release() and fail() only act while it is
    still there.

    At least now + lease; unique within the shard, so an old claim never matches a newer one.
    """
    shard: int


class DueQueue:
    """The sharded due queue. All processes sharing a Redis must use the same shard count."""

    def __init__(self, redis: RedisClient, *, shards: int = DEFAULT_SHARDS) -> None:
        if isinstance(shards, bool) or not isinstance(shards, int) or shards < 1:
            raise ValueError("shards must be a positive integer")
        self._redis = redis
        self._shards = shards
        self._claim = redis.register_script(_CLAIM)
        self._complete = redis.register_script(_COMPLETE)
        self._fail = redis.register_script(_FAIL)

    @property
    def shards(self) -> int:
        return self._shards

    def shard_of(self, user_id: int) -> int:
        """The shard that holds the person's entry."""
        return int(user_id) % self._shards

    def shard_key(self, shard: int) -> str:
        """The sorted set of one shard, hash-tagged by the shard number."""
        if not 0 <= shard < self._shards:
            raise ValueError(f"shard {shard} is not in 0..{self._shards - 1}")
        return f"{KEY_PREFIX}:{{{shard}}}"

    def lease_key(self, shard: int) -> str:
        """The shard's lease floor (the last lease score it handed out), in the shard's slot."""
        return f"{self.shard_key(shard)}:lease"

    def fails_key(self, shard: int) -> str:
        """The shard's count of failed tries in a row per member (a hash, in the shard's slot)."""
        return f"{self.shard_key(shard)}:fails"

    def parked_key(self, shard: int) -> str:
        """The shard's parked members, scored by when they were parked."""
        return f"{self.shard_key(shard)}:parked"

    def shard_keys(self) -> list[str]:
        """Every shard's key, in shard order."""
        return [self.shard_key(shard) for shard in range(self._shards)]

    async def schedule(self, user_id: int, due_at: datetime) -> None:
        """Set the person's next due send, adding or moving their entry (millisecond precision).

        Moving an entry that a worker has claimed makes that worker's complete_many() a no-op, so
        the new schedule wins. A parked person is back in the queue, with a clean slate.
        """
        shard = self.shard_of(user_id)
        member = _member(user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self.shard_key(shard), {member: to_score(due_at)})
            pipe.zrem(self.parked_key(shard), member)
            pipe.hdel(self.fails_key(shard), member)
            await pipe.execute()

    async def remove(self, user_id: int) -> None:
        """Remove every entry of the person, parked or failing too (every shard, one round
        trip), so no queue key names them afterwards."""
        member = _member(user_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            for shard in range(self._shards):
                pipe.zrem(self.shard_key(shard), member)
                pipe.zrem(self.parked_key(shard), member)
                pipe.hdel(self.fails_key(shard), member)
            await pipe.execute()

    async def due_at(self, user_id: int) -> datetime | None:
        """The person's current score as a UTC time (while claimed: the lease end), or None."""
        score = await self._redis.zscore(self.shard_key(self.shard_of(user_id)), _member(user_id))
        return None if score is None else from_score(float(score))

    async def claim(self, shard: int, now: datetime, *, limit: int, lease: float) -> list[Claim]:
        """Take up to `limit` members of one shard due at or before now, oldest first.

        Each one's score moves to the lease score (now + lease, or a hair later so that it is
        unique), so nobody else takes it until then. Cost is O(log n + claimed): only due
        members are touched, and nothing is written when none is due.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if not (math.isfinite(lease) and lease >= MIN_LEASE_SECONDS):
            raise ValueError(f"lease must be a finite number of seconds >= {MIN_LEASE_SECONDS}")
        now_score = _timestamp(now)
        lease_score = round(now_score + lease, 3) + _LEASE_OFFSET
        floor_ms = math.ceil(lease * 1000) + _FLOOR_GRACE_MS
        args = [repr(now_score), str(int(limit)), repr(lease_score), str(floor_ms)]
        reply = await self._claim(keys=[self.shard_key(shard), self.lease_key(shard)], args=args)
        if not reply:
            return []
        lease_score = float(reply[0])
        return [
            Claim(
                user_id=int(reply[i]),
                due_at=from_score(float(reply[i + 1])),
                lease_score=lease_score,
                shard=shard,
            )
            for i in range(1, len(reply), 2)
        ]

    async def release(self, claim: Claim) -> bool:
        """Give the member back at its original due time, so another worker can take it at once.

        Returns False (and changes nothing) if the lease was already lost.
        """
        (written,) = await self._complete(
            keys=self._completion_keys(claim.shard),
            args=_finish_args(claim, repr(to_score(claim.due_at))),
        )
        return bool(written)

    async def oldest_due(self, now: datetime) -> float:
        """How many seconds the oldest due score lags behind now (0.0 if nothing is due).

        One ZRANGE per shard in one round trip: O(shards), whatever the number of people.
        Claimed members are not due (their score is the lease end).
        """
        now_score = _timestamp(now)
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in self.shard_keys():
                pipe.zrange(key, 0, 0, withscores=True)
            heads: list[list[tuple[bytes, float]]] = await pipe.execute()
        scores = [float(head[0][1]) for head in heads if head]
        oldest = min((score for score in scores if score <= now_score), default=now_score)
        return max(0.0, now_score - oldest)

    async def size(self) -> int:
        """How many people have a next send scheduled: one ZCARD per shard, O(shards)."""
        return await self._cardinality(self.shard_keys())

    async def parked_count(self) -> int:
        """How many people are parked: one ZCARD per shard, O(shards)."""
        return await self._cardinality([self.parked_key(s) for s in range(self._shards)])

    async def _cardinality(self, keys: list[str]) -> int:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zcard(key)
            counts: list[int] = await pipe.execute()
        return sum(counts)

    async def complete_many(self, done: Sequence[tuple[Claim, datetime | None]]) -> list[bool]:
        """Write each claim's next due time (None: remove the entry) while its lease still holds.

        One script call per shard, not one round trip per person (which was most of the cost of
        a busy tick). Per claim, False when the lease was lost: the person was rescheduled,
        removed or claimed again after the lease ran out; nothing of theirs is changed then.
        """
        by_shard: dict[int, list[int]] = {}
        for index, (claim, _) in enumerate(done):
            by_shard.setdefault(claim.shard, []).append(index)
        results = [False] * len(done)
        for shard, indexes in by_shard.items():
            args = [
                arg for i in indexes for arg in _finish_args(done[i][0], _score_arg(done[i][1]))
            ]
            written = await self._complete(keys=self._completion_keys(shard), args=args)
            for i, ok in zip(indexes, written, strict=True):
                results[i] = bool(ok)
        return results

    async def fail(self, claim: Claim, now: datetime, *, park_after: int, wait: float) -> int:
        """Count one more failed try of a claimed member; returns the tries in a row (0: the
        lease was lost and nothing changed). Below `park_after` the member is due again after
        `wait` seconds, doubled on each try; at `park_after` it is parked: out of the queue until
        schedule() puts it back (a change to the person's routine does)."""
        keys = [self.shard_key(claim.shard), self.fails_key(claim.shard)]
        keys.append(self.parked_key(claim.shard))
        args = [*_finish_args(claim, repr(to_score(now))), str(park_after), repr(wait)]
        return int(await self._fail(keys=keys, args=args))

    async def parked(self) -> list[int]:
        """Every parked person's id, longest parked first within each shard; O(parked)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for shard in range(self._shards):
                pipe.zrange(self.parked_key(shard), 0, -1)
            shards: list[list[bytes]] = await pipe.execute()
        return [int(member) for members in shards for member in members]

    def _completion_keys(self, shard: int) -> list[str]:
        return [self.shard_key(shard), self.fails_key(shard)]


def _score_arg(moment: datetime | None) -> str:
    return "" if moment is None else repr(to_score(moment))


def _finish_args(claim: Claim, next_score: str) -> list[str]:
    return [_member(claim.user_id), repr(float(claim.lease_score)), next_score]


def to_score(moment: datetime) -> float:
    """A queue score: UTC unix seconds, rounded to the millisecond."""
    return round(_timestamp(moment), 3)


def from_score(score: float) -> datetime:
    """The aware UTC time of a queue score."""
    return datetime.fromtimestamp(score, UTC)


def _timestamp(moment: datetime) -> float:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("due-queue times must be timezone-aware")
    return moment.timestamp()


def _member(user_id: int) -> str:
    return str(int(user_id))
