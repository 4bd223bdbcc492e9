"""RedisRateLimiter against a real redis-server, with a ManualClock: waiting moves the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.crc import key_slot
from redis.exceptions import ConnectionError as RedisConnectionError
from telegram.error import BadRequest, RetryAfter

from bot.storage.client import RedisClient
from devtools.manual_clock import ManualClock
from scheduler.ratelimit import (
    GLOBAL_KEY,
    PAUSE_KEY,
    PRIORITY_BULK,
    PRIORITY_INTERACTIVE,
    RedisRateLimiter,
    chat_key,
)
from tests.backends import ON_BOTH
from tests.redis_server import RedisServer

pytestmark = ON_BOTH

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
MICROS = 1_000_000
MakeLimiter = Callable[..., RedisRateLimiter]


@dataclass
class Telegram:
    """A stand-in for the HTTP call: records the clock time of each call, may raise first."""

    clock: ManualClock
    errors: list[Exception] = field(default_factory=list)
    calls: list[datetime] = field(default_factory=list)

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(self.clock.now())
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": kwargs.get("n", 0)}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def make_limiter(redis_client: RedisClient, clock: ManualClock) -> MakeLimiter:
    def make(**options: Any) -> RedisRateLimiter:
        return RedisRateLimiter(redis_client, clock, **options)

    return make


@pytest.fixture
def limiter(make_limiter: MakeLimiter) -> RedisRateLimiter:
    return make_limiter()


@pytest.fixture
def telegram(clock: ManualClock) -> Telegram:
    return Telegram(clock)


async def send(
    limiter: RedisRateLimiter,
    telegram: Telegram,
    chat_id: int | str,
    *,
    endpoint: str = "sendMessage",
    priority: int | None = None,
) -> Any:
    return await limiter.process_request(
        telegram, (), {}, endpoint, {"chat_id": chat_id, "text": "hi"}, priority
    )


def elapsed(clock: ManualClock) -> float:
    return (clock.now() - START).total_seconds()


# per-chat bucket ---------------------------------------------------------------------------


async def test_second_immediate_send_to_one_chat_waits_a_clock_second(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    limiter = make_limiter(per_chat_burst=1)
    await send(limiter, telegram, 1)
    assert elapsed(clock) == 0
    await send(limiter, telegram, 1)
    assert elapsed(clock) == pytest.approx(1.0, abs=1e-5)
    assert [t - START for t in telegram.calls] == [timedelta(0), timedelta(seconds=1)]


async def test_small_burst_per_chat_then_one_a_second(
    limiter: RedisRateLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    for _ in range(3):
        await send(limiter, telegram, 1)
    assert elapsed(clock) == 0
    await send(limiter, telegram, 1)
    await send(limiter, telegram, 1)
    assert elapsed(clock) == pytest.approx(2.0, abs=1e-5)


async def test_the_bucket_refills_with_clock_time(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    limiter = make_limiter(per_chat_burst=1)
    await send(limiter, telegram, 1)
    clock.advance(timedelta(seconds=1))
    await send(limiter, telegram, 1)
    assert elapsed(clock) == 1.0


async def test_different_chats_do_not_wait_on_each_other(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    limiter = make_limiter(per_chat_burst=1)
    for chat_id in (1, 2, 3, "@channel", "4"):
        await send(limiter, telegram, chat_id)
    assert elapsed(clock) == 0
    assert len(telegram.calls) == 5


async def test_a_numeric_string_chat_id_shares_the_integer_bucket(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    limiter = make_limiter(per_chat_burst=1)
    await send(limiter, telegram, 7)
    await send(limiter, telegram, "7")
    assert elapsed(clock) == pytest.approx(1.0, abs=1e-5)


# global bucket and the interactive reserve ------------------------------------------------


async def test_the_31st_send_within_one_clock_second_waits(
    limiter: RedisRateLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    for chat_id in range(1, 31):
        await send(limiter, telegram, chat_id)
    assert elapsed(clock) == 0
    await send(limiter, telegram, 31)
    assert elapsed(clock) == pytest.approx(1 / 30, abs=1e-5)


async def test_global_rate_is_configurable(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    limiter = make_limiter(global_rate=5.0, bulk_reserve=0.0)
    for chat_id in range(1, 11):
        await send(limiter, telegram, chat_id)
    assert elapsed(clock) == pytest.approx(1.0, abs=1e-5)


async def test_bulk_stops_at_the_reserve_while_interactive_still_goes_through(
    limiter: RedisRateLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    # 20% of a 30-token bucket is kept for replies: bulk may take 24 tokens at once.
    for chat_id in range(1, 25):
        await send(limiter, telegram, chat_id, priority=PRIORITY_BULK)
    assert elapsed(clock) == 0
    assert await limiter.try_acquire(25, PRIORITY_BULK) > 0

    await send(limiter, telegram, 1000)  # a reply to someone tapping
    await send(limiter, telegram, 1001, priority=PRIORITY_INTERACTIVE)
    assert elapsed(clock) == 0

    await send(limiter, telegram, 25, priority=PRIORITY_BULK)
    assert elapsed(clock) > 0


async def test_interactive_may_use_the_whole_global_bucket(
    limiter: RedisRateLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    for chat_id in range(1, 31):
        await send(limiter, telegram, chat_id, priority=PRIORITY_INTERACTIVE)
    assert elapsed(clock) == 0


async def test_bulk_keeps_sending_at_the_global_rate_beyond_the_reserve(
    limiter: RedisRateLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    for chat_id in range(1, 25 + 30):
        await send(limiter, telegram, chat_id, priority=PRIORITY_BULK)
    assert elapsed(clock) == pytest.approx(30 / 30, abs=1e-3)


# shared by replicas -------------------------------------------------------------------------


async def test_two_replicas_share_the_buckets(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    first, second = make_limiter(per_chat_burst=1), make_limiter(per_chat_burst=1)
    await send(first, telegram, 1)
    await send(second, telegram, 1)
    assert elapsed(clock) == pytest.approx(1.0, abs=1e-5)

    for chat_id in range(2, 31):
        await send(first if chat_id % 2 else second, telegram, chat_id)
    before = elapsed(clock)
    await send(second, telegram, 31)
    assert elapsed(clock) > before


async def test_keys_share_one_cluster_slot_and_expire(
    limiter: RedisRateLimiter, telegram: Telegram, redis_client: RedisClient
) -> None:
    await send(limiter, telegram, 42)
    await limiter.pause_for(1)
    keys = [chat_key(42), GLOBAL_KEY, PAUSE_KEY]
    assert len({key_slot(key.encode()) for key in keys}) == 1
    for key in keys:
        assert await redis_client.pttl(key) > 0


# 429 RetryAfter -----------------------------------------------------------------------------


async def test_retry_after_waits_that_long_in_clock_time_then_retries(
    limiter: RedisRateLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    telegram.errors.append(RetryAfter(timedelta(seconds=5)))
    result = await send(limiter, telegram, 1)
    assert result == {"ok": 0}
    assert [t - START for t in telegram.calls] == [timedelta(0), timedelta(seconds=5)]
    assert elapsed(clock) == 5.0


async def test_a_429_seen_by_one_replica_pauses_the_other(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    first, second = make_limiter(max_retries=0), make_limiter()
    telegram.errors.append(RetryAfter(timedelta(seconds=5)))
    with pytest.raises(RetryAfter):
        await send(first, telegram, 1)
    assert elapsed(clock) == 0
    assert await second.try_acquire(2) == 5 * MICROS

    await send(second, telegram, 2)  # another chat, another replica
    assert telegram.calls[-1] - START == timedelta(seconds=5)


async def test_a_pause_never_gets_shorter(limiter: RedisRateLimiter, clock: ManualClock) -> None:
    await limiter.pause_for(10)
    await limiter.pause_for(2)
    assert await limiter.try_acquire(1) == 10 * MICROS
    clock.advance(timedelta(seconds=11))
    assert await limiter.try_acquire(1) == 0


async def test_gives_up_after_max_retries_and_reraises(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    limiter = make_limiter(max_retries=3)
    telegram.errors.extend(RetryAfter(timedelta(seconds=2)) for _ in range(4))
    with pytest.raises(RetryAfter):
        await send(limiter, telegram, 1)
    assert len(telegram.calls) == 4
    assert elapsed(clock) == 6.0


async def test_a_scheduled_send_is_never_retried_here_but_still_pauses_everyone(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    """The dispatcher alone decides a scheduled message's attempts (ARCHITECTURE §5): a 429 on
    a bulk send goes straight back to it, and every replica is paused for its retry_after."""
    limiter, other = make_limiter(max_retries=3), make_limiter()
    telegram.errors.append(RetryAfter(timedelta(seconds=7)))
    with pytest.raises(RetryAfter):
        await send(limiter, telegram, 1, priority=PRIORITY_BULK)
    assert len(telegram.calls) == 1
    assert elapsed(clock) == 0
    assert await other.try_acquire(2) == 7 * MICROS


async def test_other_errors_propagate_unchanged_without_retry(
    limiter: RedisRateLimiter, telegram: Telegram
) -> None:
    error = BadRequest("Chat not found")
    telegram.errors.append(error)
    with pytest.raises(BadRequest) as raised:
        await send(limiter, telegram, 1)
    assert raised.value is error
    assert len(telegram.calls) == 1


# what is not limited --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    ["answerCallbackQuery", "editMessageText", "editMessageReplyMarkup", "getUpdates",
     "setMyCommands", "deleteMessage", "sendChatAction", "getMe"],
)  # fmt: skip
async def test_non_sending_methods_are_never_limited(
    endpoint: str, make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    limiter = make_limiter(per_chat_burst=1, global_rate=1.25)
    await send(limiter, telegram, 1)
    await limiter.pause_for(30)
    for _ in range(5):
        await send(limiter, telegram, 1, endpoint=endpoint)
    assert elapsed(clock) == 0
    telegram.errors.append(RetryAfter(timedelta(seconds=3)))
    with pytest.raises(RetryAfter):
        await send(limiter, telegram, 1, endpoint=endpoint)
    assert len(telegram.calls) == 7


@pytest.mark.parametrize(
    "endpoint", ["sendDocument", "sendPhoto", "copyMessage", "forwardMessage", "sendMediaGroup"]
)
async def test_other_message_sending_methods_are_limited(
    endpoint: str, make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock
) -> None:
    limiter = make_limiter(per_chat_burst=1)
    await send(limiter, telegram, 1)
    await send(limiter, telegram, 1, endpoint=endpoint)
    assert elapsed(clock) == pytest.approx(1.0, abs=1e-5)


async def test_disabled_limiter_passes_everything_through(
    make_limiter: MakeLimiter, telegram: Telegram, clock: ManualClock, redis_client: RedisClient
) -> None:
    limiter = make_limiter(enabled=False, per_chat_burst=1)
    for _ in range(5):
        await send(limiter, telegram, 1)
    assert elapsed(clock) == 0
    assert await redis_client.dbsize() == 0


# lifecycle, failures, configuration ---------------------------------------------------------


async def test_initialize_and_shutdown_leave_the_client_open(
    limiter: RedisRateLimiter, redis_client: RedisClient
) -> None:
    await limiter.initialize()
    await limiter.shutdown()
    assert await redis_client.ping()


async def test_redis_down_propagates_instead_of_blocking_or_sending(
    limiter: RedisRateLimiter, telegram: Telegram, redis_server: RedisServer
) -> None:
    redis_server.stop()
    with pytest.raises(RedisConnectionError):
        await send(limiter, telegram, 1)
    assert telegram.calls == []


@pytest.mark.parametrize(
    "options",
    [
        {"per_chat_rate": 0},
        {"global_rate": -1},
        {"global_rate": 1.0},  # a scheduled send could never get its 1.2 tokens
        {"per_chat_burst": 0},
        {"bulk_reserve": 1.0},
        {"bulk_reserve": -0.1},
        {"max_retries": -1},
    ],
)
def test_rejects_nonsense_configuration(options: dict[str, Any], make_limiter: MakeLimiter) -> None:
    with pytest.raises(ValueError, match="must"):
        make_limiter(**options)


async def test_a_clock_that_went_backwards_does_not_freeze_the_buckets(
    redis_client: RedisClient,
) -> None:
    later = ManualClock(START + timedelta(hours=5))
    ahead = RedisRateLimiter(redis_client, later, per_chat_burst=1)
    await ahead.acquire(4242)  # the bucket now remembers a time five hours ahead

    clock = ManualClock(START)
    limiter = RedisRateLimiter(redis_client, clock, per_chat_burst=1)
    await limiter.acquire(4242)

    assert clock.now() - START <= timedelta(seconds=1)
