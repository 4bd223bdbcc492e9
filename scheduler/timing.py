"""When each person's next nudge is due, and whether a late one is still worth sending (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from bot.domain.localtime import local_now
from bot.domain.models import Pause, Profile, Snooze, Status
from bot.domain.plan import Slot, SlotKind, in_quiet_hours, next_slot, plan_date_at

# A wind-down nudge more than this late is stale: the evening has moved on (ARCHITECTURE §5).
EVENING_GRACE = timedelta(minutes=30)
# The outbox marker of a morning's one message, the day's step with the sleep question under it
# (scheduler/render.py). Enrolment sends day 1's at once under this marker, so 07:00 does not
# repeat it. It is the marker of the old two-message morning's first message (the step; the
# question was "#1"): a morning whose step went out before an upgrade is not sent again.
MORNING_STEP: Final = f"{SlotKind.MORNING}#0"
SNOOZE_CHOICES = {"30": timedelta(minutes=30), "60": timedelta(hours=1)}
# A paused person still gets the rest of the day they paused on: the pause itself (from the
# next day) keeps everything after it out of the schedule.
_SCHEDULED = (Status.ACTIVE, Status.PAUSED, Status.COMPLETED)


@dataclass(frozen=True)
class Routine:
    """The parts of a profile that decide when nudges go out."""

    zone: str
    wake: time
    bed: time
    start: date
    onset: date | None
    pauses: tuple[Pause, ...]
    snooze: Snooze | None

    def local(self, moment: datetime) -> datetime:
        return local_now(self.zone, moment)

    def quiet_at(self, moment: datetime) -> bool:
        return in_quiet_hours(self.local(moment).time(), self.wake, self.bed)

    def plan_date(self, moment: datetime) -> date:
        return plan_date_at(self.local(moment), self.wake)


@dataclass(frozen=True)
class Due:
    """One send: which slot, at which instant, and whether it is a snoozed repeat."""

    slot: Slot
    at: datetime
    snoozed: bool = False

    @property
    def marker(self) -> str:
        """The outbox marker's slot name: a snoozed repeat is a send of its own."""
        return f"{self.slot.kind}+snooze" if self.snoozed else str(self.slot.kind)

    def message_marker(self, index: int) -> str:
        """The outbox marker of the slot's `index`-th message (from 0): each message of a slot
        is claimed and settled on its own, so a slot cut off midway resumes after its last
        confirmed message instead of sending the whole slot again."""
        return f"{self.marker}#{index}"


def routine_of(profile: Profile) -> Routine | None:
    """None unless nudges should go out: enrolled, and not stopped, blocked or on an emergency
    hold. Paused dates are left out by the plan's own pauses."""
    if profile.status not in _SCHEDULED or profile.emergency_hold:
        return None
    if not (profile.zone and profile.wake_time and profile.bedtime and profile.start_date):
        return None
    return Routine(
        zone=profile.zone,
        wake=profile.wake_time,
        bed=profile.bedtime,
        start=profile.start_date,
        onset=profile.onset_date,
        pauses=profile.pauses,
        snooze=profile.snooze,
    )


def next_due(profile: Profile, after: datetime) -> Due | None:
    """The person's next send strictly after `after` (a pending snooze counts), or None."""
    routine = routine_of(profile)
    if routine is None:
        return None
    found = _next_plan_slot(routine, after)
    snooze = _pending_snooze(routine, after)
    if snooze is not None and (found is None or snooze.at <= found.at):
        return snooze
    return found


def worth_sending(due: Due, now: datetime, routine: Routine) -> bool:
    """Late sends after downtime: never in quiet hours; a morning step still goes the same
    local day; a wind-down nudge (or a snoozed one) more than EVENING_GRACE late is dropped."""
    if routine.quiet_at(now):
        return False
    if now - due.at <= EVENING_GRACE:
        return True  # on time, or nearly: even across local midnight
    if due.slot.kind is SlotKind.EVENING or due.snoozed:
        return False
    return routine.local(now).date() == due.slot.send_date


def snooze_until(routine: Routine, now: datetime, delay: timedelta) -> datetime | None:
    """When a snoozed nudge comes back, or None unless that still falls before bedtime: not in
    quiet hours and on the same plan date (so past midnight when bedtime is after it)."""
    later = now + delay
    if routine.quiet_at(later) or routine.plan_date(later) != routine.plan_date(now):
        return None
    return later


def _next_plan_slot(routine: Routine, after: datetime) -> Due | None:
    found = next_slot(
        after,
        zone=routine.zone,
        start_date=routine.start,
        pauses=routine.pauses,
        onset_date=routine.onset,
        wake_time=routine.wake,
        bedtime=routine.bed,
    )
    return None if found is None else Due(slot=found[0], at=found[1])


def _pending_snooze(routine: Routine, after: datetime) -> Due | None:
    snooze = routine.snooze
    if snooze is None or snooze.until <= after:
        return None
    slot = Slot(SlotKind(snooze.kind), snooze.local_date, routine.local(snooze.until).time())
    return Due(slot=slot, at=snooze.until, snoozed=True)
