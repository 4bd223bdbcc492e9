"""Telegram flood limits shared by every replica: token buckets and a 429 pause in Redis.

PTB's ``AIORateLimiter`` keeps its buckets in process memory and does not limit private chats,
so several replicas together would overrun Telegram's limits. ``RedisRateLimiter`` keeps them in
Redis instead:

* a per-chat bucket (about one message a second, small burst) and a global bucket (about 30 a
  second), refilled by elapsed *clock* time and taken from in one Lua script, atomically;
* a reserve of the global bucket for interactive replies: scheduled sends (``PRIORITY_BULK``) may
  only take a token while more than ``bulk_reserve`` of the global bucket remains, so a person who
  is tapping is never starved by a morning broadcast;
* a pause-until time: a 429 ``RetryAfter`` seen by any replica pauses sending on every replica.

All time comes from the injected ``Clock`` (passed to the scripts as an argument, never Redis
TIME) and all waiting is ``clock.sleep``, so tests drive it with a ``ManualClock``.

Only methods that post a new message are limited; edits, callback answers, ``getUpdates`` and
the like pass straight through, since Telegram's per-chat limits concern new messages.

If Redis is unreachable, the Redis error propagates out of the bot method instead of the send
waiting or going out unthrottled. The bot's error handler then tells the person that the service
is temporarily unavailable; sending blind could get the bot flood-banned for every person, and
waiting forever would hang the update. Redis is the one source of truth anyway (ARCHITECTURE §7), so
nothing else works without it either.

All keys share the hash tag ``{rl}`` because one script touches a chat bucket, the global bucket
and the pause key together; on Redis Cluster they must live in one slot. Every send touches the
global bucket, so spreading the chat buckets over slots would not spread the load.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any, Final

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.domain.clock import Clock
from bot.storage.client import RedisClient

_LOGGER = logging.getLogger(__name__)

# What a Bot API call returns (PTB's own alias for it is private).
JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]
Callback = Callable[..., Coroutine[Any, Any, Result]]


class Priority(IntEnum):
    """The ``rate_limit_args`` of a bot call: who is waiting for this message."""

    INTERACTIVE = 0  # a reply to an update; the default when no rate_limit_args is given
    BULK = 1  # a scheduled nudge; must leave the reserve of the global bucket alone
    PAID = 2  # a scheduled nudge sent with allow_paid_broadcast: takes from the paid bucket


PRIORITY_INTERACTIVE: Final = Priority.INTERACTIVE
PRIORITY_BULK: Final = Priority.BULK
PRIORITY_PAID: Final = Priority.PAID
# Telegram lets messages marked allow_paid_broadcast go out at up to 1,000 a second (paid in
# Stars), beside the free ~30 a second.
PAID_RATE: Final = 1000.0

# Bot API methods that post a new message to a chat. Everything else passes straight through.
LIMITED_METHODS: Final[frozenset[str]] = frozenset(
    name.lower()
    for name in (
        "sendMessage",
        "forwardMessage",
        "forwardMessages",
        "copyMessage",
        "copyMessages",
        "sendPhoto",
        "sendAudio",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendPaidMedia",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendChecklist",
        "sendDice",
        "sendSticker",
        "sendInvoice",
        "sendGame",
    )
)

KEY_TAG: Final = "{rl}"
GLOBAL_KEY: Final = f"rl:{KEY_TAG}:global"
PAUSE_KEY: Final = f"rl:{KEY_TAG}:pause"
PAID_KEY: Final = f"rl:{KEY_TAG}:paid"

_MICROS: Final = 1_000_000
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# Real-time TTLs: a bucket left alone this long is full again anyway; a pause key outlives its
# pause-until by this margin. Both are compared with clock time, never with the TTL itself.
_MIN_BUCKET_TTL_MS: Final = 60_000
# The share of the global bucket that scheduled sends must leave for interactive replies.
BULK_RESERVE: Final = 0.2
_PAUSE_TTL_MARGIN_MS: Final = 60_000

# Take one token from a chat bucket and the global bucket, or neither.
# KEYS[1] chat bucket, KEYS[2] global bucket, KEYS[3] pause-until (microseconds).
# ARGV[1] now (integer microseconds of clock time); ARGV[2] chat rate/s; ARGV[3] chat burst;
# ARGV[4] global rate/s; ARGV[5] global burst; ARGV[6] global tokens that must remain after this
# take (the interactive reserve for bulk sends, else 0); ARGV[7] chat bucket TTL ms;
# ARGV[8] global bucket TTL ms. A bucket is a hash {t = tokens, u = updated at (microseconds)}.
# Returns 0 when a token was taken, else the microseconds to wait before trying again.
_TAKE: Final = """
local now = tonumber(ARGV[1])
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
if pause > now then return pause - now end
local function refill(key, rate, burst)
  local state = redis.call('HMGET', key, 't', 'u')
  local tokens = tonumber(state[1]) or burst
  local updated = tonumber(state[2]) or now
  if updated > now then
    -- The clock went backwards (a restarted demo, a corrected host clock): how long really
    -- passed is unknown, so start a full bucket from now rather than wait for the old time.
    return burst, now
  end
  local elapsed = (now - updated) / 1000000
  return math.min(burst, tokens + elapsed * rate), now
end
local function wait_us(tokens, need, rate)
  if tokens >= need - 1e-9 then return 0 end
  return math.max(1, math.ceil((need - tokens) / rate * 1000000))
end
local chat_rate, global_rate = tonumber(ARGV[2]), tonumber(ARGV[4])
local chat, chat_at = refill(KEYS[1], chat_rate, tonumber(ARGV[3]))
local glob, glob_at = refill(KEYS[2], global_rate, tonumber(ARGV[5]))
local wait = math.max(wait_us(chat, 1, chat_rate),
                      wait_us(glob, 1 + tonumber(ARGV[6]), global_rate))
if wait > 0 then return wait end
redis.call('HSET', KEYS[1], 't', tostring(chat - 1), 'u', chat_at)
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('HSET', KEYS[2], 't', tostring(glob - 1), 'u', glob_at)
redis.call('PEXPIRE', KEYS[2], ARGV[8])
return 0
"""

# Move the pause-until time later (never earlier). KEYS[1] pause key; ARGV[1] pause-until
# (integer microseconds of clock time); ARGV[2] TTL ms. Returns the pause-until now in force.
_PAUSE: Final = """
local pause_until = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if pause_until <= current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return pause_until
"""


def chat_key(chat_id: int | str) -> str:
    """The bucket of one chat (a numeric id, or an @username for channels)."""
    return f"rl:{KEY_TAG}:chat:{chat_id}"


@dataclass(frozen=True)
class _Limits:
    per_chat_rate: float
    per_chat_burst: float
    global_rate: float
    global_burst: float
    bulk_reserve_tokens: float
    paid_rate: float

    def take_args(self, now_us: int, priority: Priority) -> list[int | float]:
        """The take script's arguments; a paid send's "global" bucket is the paid one, which
        interactive replies never use, so it keeps no reserve."""
        reserve = self.bulk_reserve_tokens if priority is Priority.BULK else 0.0
        rate, burst = self.global_rate, self.global_burst
        if priority is Priority.PAID:
            rate, burst = self.paid_rate, _global_burst(self.paid_rate)
        return [
            now_us,
            self.per_chat_rate,
            self.per_chat_burst,
            rate,
            burst,
            reserve,
            _bucket_ttl_ms(self.per_chat_rate, self.per_chat_burst),
            _bucket_ttl_ms(rate, burst),
        ]


class RedisRateLimiter(BaseRateLimiter[int]):
    """Throttles new messages with token buckets in Redis, shared by every replica.

    Pass ``rate_limit_args=PRIORITY_BULK`` for scheduled sends, ``PRIORITY_PAID`` for scheduled
    sends marked ``allow_paid_broadcast`` (their own bucket of ``paid_rate`` a second, which
    Telegram does not count against the free one); anything else is interactive.
    A ``RetryAfter`` always pauses every replica for ``retry_after``. Who tries again differs:

    * an interactive reply is retried here, after the pause, up to ``max_retries`` times, then
      the ``RetryAfter`` is re-raised (to the bot's error handler);
    * a scheduled send is never retried here: the ``RetryAfter`` goes straight back to the
      dispatcher, the one place that decides a scheduled message's attempts (ARCHITECTURE §5).

    Redis errors propagate (see the module docstring). The Redis client belongs to the caller:
    ``shutdown`` does not close it.
    """

    __slots__ = ("_clock", "_enabled", "_limits", "_max_retries", "_pause", "_redis", "_take")

    def __init__(
        self,
        redis: RedisClient,
        clock: Clock,
        *,
        per_chat_rate: float = 1.0,
        per_chat_burst: int = 3,
        global_rate: float = 30.0,
        paid_rate: float = PAID_RATE,
        bulk_reserve: float = BULK_RESERVE,
        max_retries: int = 3,
        enabled: bool = True,
    ) -> None:
        _check_config(per_chat_rate, per_chat_burst, global_rate, bulk_reserve, max_retries)
        if paid_rate <= 0:
            raise ValueError("rates must be positive")
        global_burst = _global_burst(global_rate)
        self._limits = _Limits(
            per_chat_rate=per_chat_rate,
            per_chat_burst=float(per_chat_burst),
            global_rate=global_rate,
            global_burst=global_burst,
            bulk_reserve_tokens=bulk_reserve * global_burst,
            paid_rate=paid_rate,
        )
        self._redis = redis
        self._clock = clock
        self._max_retries = max_retries
        self._enabled = enabled
        self._take = redis.register_script(_TAKE)
        self._pause = redis.register_script(_PAUSE)

    async def initialize(self) -> None:
        """Nothing to set up: the scripts are loaded on first use, the client is the caller's."""

    async def shutdown(self) -> None:
        """Nothing to release: the Redis client belongs to the caller."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Wait for a token (new messages only), call Telegram, and pause everyone on a 429."""
        if not self._enabled or endpoint.lower() not in LIMITED_METHODS:
            return await callback(*args, **kwargs)
        target = _chat_of(data)
        priority = _priority_of(rate_limit_args)
        retries = self._max_retries if priority is Priority.INTERACTIVE else 0
        for attempt in range(retries + 1):
            await self.acquire(target, priority)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                # Even a call that gives up pauses the others: Telegram asked the bot to stop.
                await self.pause_for(retry_after_seconds(exc))
                if attempt == retries:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def acquire(self, chat_id: int | str, priority: Priority = PRIORITY_INTERACTIVE) -> None:
        """Wait (in clock time) until a message to `chat_id` may be sent, and take its token."""
        while True:
            wait_us = await self.try_acquire(chat_id, priority)
            if wait_us == 0:
                return
            await self._clock.sleep(wait_us / _MICROS)

    async def try_acquire(
        self, chat_id: int | str, priority: Priority = PRIORITY_INTERACTIVE
    ) -> int:
        """Take a token now and return 0, or take nothing and return the microseconds to wait."""
        args = self._limits.take_args(self._now_us(), priority)
        bucket = PAID_KEY if priority is Priority.PAID else GLOBAL_KEY
        result = await self._take(keys=[chat_key(chat_id), bucket, PAUSE_KEY], args=args)
        return int(result)

    async def pause_for(self, seconds: float) -> None:
        """Pause sending on every replica for `seconds` of clock time from now."""
        until_us = self._now_us() + math.ceil(seconds * _MICROS)
        ttl_ms = math.ceil(seconds * 1000) + _PAUSE_TTL_MARGIN_MS
        _LOGGER.warning("429 from Telegram: pausing every replica for %.1f s", seconds)
        await self._pause(keys=[PAUSE_KEY], args=[until_us, ttl_ms])

    async def forget_chat(self, chat_id: int | str) -> None:
        """Drop a chat's bucket now, e.g. when the person deletes their data: its key names
        the chat, and it would otherwise linger until its TTL."""
        await self._redis.delete(chat_key(chat_id))

    def _now_us(self) -> int:
        return (self._clock.now() - _EPOCH) // timedelta(microseconds=1)


def _check_config(
    per_chat_rate: float,
    per_chat_burst: int,
    global_rate: float,
    bulk_reserve: float,
    max_retries: int,
) -> None:
    if per_chat_rate <= 0 or global_rate <= 0:
        raise ValueError("rates must be positive")
    if per_chat_burst < 1:
        raise ValueError("per_chat_burst must be at least 1")
    if not 0 <= bulk_reserve < 1:
        raise ValueError("bulk_reserve must be in [0, 1)")
    if max_retries < 0:
        raise ValueError("max_retries must not be negative")
    if not bulk_can_send(global_rate, bulk_reserve):
        raise ValueError(f"global_rate must be at least {min_global_rate(bulk_reserve):g}")


def _global_burst(global_rate: float) -> float:
    return max(1.0, global_rate)  # one second's worth


def bulk_can_send(global_rate: float, bulk_reserve: float = BULK_RESERVE) -> bool:
    """Whether a scheduled send can ever get a token: it needs one token plus the interactive
    reserve, from a global bucket that never holds more than its burst. Below
    min_global_rate() every scheduled send would wait forever."""
    burst = _global_burst(global_rate)
    return 1 + bulk_reserve * burst <= burst + 1e-9  # the take script's tolerance


def min_global_rate(bulk_reserve: float = BULK_RESERVE) -> float:
    """The lowest global rate at which scheduled sends still get tokens."""
    return 1 / (1 - bulk_reserve)


def _bucket_ttl_ms(rate: float, burst: float) -> int:
    return max(_MIN_BUCKET_TTL_MS, math.ceil(2 * burst / rate * 1000))


def _chat_of(data: dict[str, Any]) -> int | str:
    """The bucket a request is charged to: its integer chat id, or the @username as given."""
    chat_id = data.get("chat_id")
    try:
        return int(chat_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(chat_id)


def retry_after_seconds(error: RetryAfter) -> float:
    """The seconds a 429 asks the bot to wait."""
    # PTB 22 gives a timedelta when PTB_TIMEDELTA is set (the bot sets it), an int otherwise.
    if isinstance(error.retry_after, timedelta):
        return error.retry_after.total_seconds()
    return float(error.retry_after)


def _priority_of(rate_limit_args: int | None) -> Priority:
    if rate_limit_args in (Priority.BULK, Priority.PAID):
        return Priority(rate_limit_args)
    return Priority.INTERACTIVE
