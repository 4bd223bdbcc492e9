"""Paid broadcast, opt-in: when to mark a scheduled send ``allow_paid_broadcast``, and its budget.

Telegram sends messages marked ``allow_paid_broadcast`` at up to 1,000 a second instead of about
30, for Stars per message. The rule: a scheduled message is sent paid when it is already more
than ``after`` late when its turn comes, i.e. when the free rate has not kept up with the due
backlog, and only while the day's budget lasts. The budget is one counter per UTC day in Redis,
taken from atomically by every process and replica; once it is spent the rest go free again.

The counter shares the rate limiter's hash tag, so on Redis Cluster it lives beside the buckets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final

from bot.domain.clock import Clock
from bot.storage.client import RedisClient
from scheduler.ratelimit import KEY_TAG

# A day's counter outlives its day by this much, then Redis drops it.
_BUDGET_TTL_SECONDS: Final = 2 * 24 * 3600

# Take one message from a day's budget. KEYS[1] the day's counter; ARGV[1] the budget;
# ARGV[2] the counter's TTL in seconds. Returns 1 if taken, 0 if the budget is spent.
_TAKE: Final = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


def budget_key(day: date) -> str:
    """The counter of paid messages sent on one UTC day."""
    return f"rl:{KEY_TAG}:paid:{day.isoformat()}"


class PaidBroadcast:
    """Decides, per scheduled message, whether to pay for it, and counts what was paid."""

    def __init__(
        self, redis: RedisClient, clock: Clock, *, daily_budget: int, after: timedelta
    ) -> None:
        if daily_budget < 0:
            raise ValueError("daily_budget must not be negative")
        self._clock = clock
        self._budget = daily_budget
        self._after = after
        self._take = redis.register_script(_TAKE)

    def behind(self, due_at: datetime) -> bool:
        """Whether a message due at `due_at` is late enough that the free rate is not keeping
        up with the backlog."""
        return self._clock.now() - due_at > self._after

    async def take(self, due_at: datetime) -> bool:
        """True: send this message paid (one message of today's budget is now spent)."""
        if self._budget == 0 or not self.behind(due_at):
            return False
        key = budget_key(_utc_day(self._clock.now()))
        return bool(await self._take(keys=[key], args=[self._budget, _BUDGET_TTL_SECONDS]))


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
