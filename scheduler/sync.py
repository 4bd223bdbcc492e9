"""Keeps each person's due-queue entry in step with their profile, on every change."""

from __future__ import annotations

from bot.domain.clock import Clock
from bot.domain.models import Profile
from scheduler.queue import DueQueue
from scheduler.timing import next_due, routine_of


class QueueSync:
    """The store's listener: pause, resume, stop, delete, an emergency hold, "I'm safe",
    a snooze and a change of zone or times all reschedule the person, by construction."""

    def __init__(self, queue: DueQueue, clock: Clock) -> None:
        self._queue = queue
        self._clock = clock

    async def profile_saved(self, before: Profile | None, after: Profile) -> None:
        if before is not None and routine_of(before) == routine_of(after):
            return  # nothing that decides when nudges go out has changed
        await self.reschedule(after)

    async def person_deleted(self, user_id: int) -> None:
        await self._queue.remove(user_id)

    async def reschedule(self, profile: Profile) -> None:
        """Put the person's next send in the queue, or take them out if nothing is due."""
        due = next_due(profile, self._clock.now())
        if due is None:
            await self._queue.remove(profile.user_id)
        else:
            await self._queue.schedule(profile.user_id, due.at)
