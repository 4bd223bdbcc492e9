"""A clock that only moves when a test (or a simulated benchmark) tells it to."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.domain.clock import require_aware


class ManualClock:
    """A clock that only moves when told to; tests use it instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        require_aware(start)
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> datetime:
        require_aware(moment)
        self._now = moment.astimezone(UTC)
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Waiting moves the clock instead of the test waiting in real time.

        Waits that overlap move it once, as real waits would: each sleeper needs the clock to
        reach its own wake-up time, counted from when it started waiting.
        """
        wake_up = self._now + timedelta(seconds=max(0.0, seconds))
        await asyncio.sleep(0)  # let other tasks run first, as a real wait would
        if wake_up > self._now:
            self._now = wake_up
