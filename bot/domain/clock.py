"""The one injected clock: all of the bot's notion of "now" comes from here."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    """Anything that can say what time it is, always timezone-aware UTC."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None:
        """Let `seconds` of this clock's time pass (tests: instantly, by moving the clock)."""
        ...


class SystemClock:
    """Real wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ScaledClock:
    """A clock that runs `speed` times faster than real time from `start` (for demos)."""

    def __init__(self, start: datetime, speed: float, base: Clock | None = None) -> None:
        require_aware(start)
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._base = base or SystemClock()
        self._origin = self._base.now()
        self._start = start.astimezone(UTC)
        self._speed = speed

    def now(self) -> datetime:
        return self._start + (self._base.now() - self._origin) * self._speed

    async def sleep(self, seconds: float) -> None:
        await self._base.sleep(max(0.0, seconds) / self._speed)

    def jump(self, delta: timedelta) -> None:
        """Skip ahead, e.g. to the next due send in the demo."""
        self._start += delta


class SavedClock(ScaledClock):
    """A scaled clock whose position is kept in a file, so a restart carries on from it.

    Without this, restarting a fast-clock bot with the same start moment would silently move
    its time backwards. `save()` is called now and then (and at shutdown); a crash loses at
    most the time since the last save.
    """

    def __init__(self, path: Path, start: datetime, speed: float, *, resume: bool = True) -> None:
        self.path = path
        saved = _load_position(path) if resume else None
        self.resumed = saved is not None
        super().__init__(start=saved or start, speed=speed)

    def save(self) -> None:
        """Write the current position (atomically: a crash mid-write keeps the last one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"now": self.now().isoformat()}))
        temporary.replace(self.path)

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)


def _load_position(path: Path) -> datetime | None:
    try:
        moment = datetime.fromisoformat(json.loads(path.read_text())["now"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return moment if moment.utcoffset() is not None else None


def require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("clock times must be timezone-aware")


def clock_for(
    start: datetime | None, speed: float, saved_in: Path | None = None, *, resume: bool = True
) -> Clock:
    """The clock a process runs on: real time, or (demos, trials) from `start` at `speed`,
    kept in `saved_in` (resumed from there unless `resume` is false)."""
    if start is None and speed == 1.0:
        return SystemClock()
    if saved_in is not None:
        return SavedClock(saved_in, start or datetime.now(UTC), speed, resume=resume)
    return ScaledClock(start=start or datetime.now(UTC), speed=speed)
