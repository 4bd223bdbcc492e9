"""Telegram's flood limits as token buckets driven by the injected clock."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from bot.domain.clock import Clock
from devtools.emulator.errors import too_many_requests


@dataclass(frozen=True)
class RateLimits:
    """About one message a second per chat and thirty a second overall, with small bursts;
    messages marked allow_paid_broadcast have their own 1,000 a second."""

    per_chat_rate: float = 1.0
    per_chat_burst: float = 1.0
    global_rate: float = 30.0
    global_burst: float = 30.0
    paid_rate: float = 1000.0
    paid_burst: float = 1000.0


class TokenBucket:
    """`capacity` tokens, refilled at `rate` per second of clock time."""

    def __init__(self, rate: float, capacity: float, now: datetime) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def refill(self, now: datetime) -> None:
        elapsed = max((now - self.updated).total_seconds(), 0.0)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = max(now, self.updated)

    def wait_seconds(self) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        return max(0.0, (1.0 - self.tokens) / self.rate)


class RateLimiter:
    """Checks and charges the global bucket and the target chat's bucket together."""

    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._global = TokenBucket(limits.global_rate, limits.global_burst, clock.now())
        self._paid = TokenBucket(limits.paid_rate, limits.paid_burst, clock.now())
        self._chats: dict[int, TokenBucket] = {}

    def charge(self, chat_id: int, *, paid: bool = False) -> None:
        """Take one message from the chat's bucket and the global (or, for a message marked
        allow_paid_broadcast, the paid) bucket, or raise 429 with Telegram's `retry_after`."""
        now = self._clock.now()
        overall = self._paid if paid else self._global
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = TokenBucket(self.limits.per_chat_rate, self.limits.per_chat_burst, now)
            self._chats[chat_id] = chat
        for bucket in (overall, chat):
            bucket.refill(now)
        wait = max(overall.wait_seconds(), chat.wait_seconds())
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        overall.tokens -= 1
        chat.tokens -= 1
