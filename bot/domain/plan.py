"""The 7-day plan as pure functions: start date, plan day, pauses, daily slots, and what is next.

Nothing here reads a clock or does I/O: callers pass the local date or the instant in question.
A person's plan date runs from wake time to the next wake time (plan_date_at); an evening slot
whose wall time is earlier than the wake time (bedtime after midnight) is sent on the calendar
date after the plan date it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.localtime import local_now, require_aware, resolve_local
from bot.domain.models import Pause

PLAN_DAYS = 7
NOON = time(12, 0)
EVENING_LEAD_MINUTES = 60
# "Tonight" fits from this long before bedtime until NIGHT_AFTER_BED_MINUTES after it.
EVENING_BEFORE_BED_MINUTES = 4 * 60
NIGHT_AFTER_BED_MINUTES = 3 * 60
# Day 15 is the first day the "more than 14 days" rule can fire (ARCHITECTURE §4).
FOLLOW_UP_DAYS_AFTER_ONSET: tuple[int, ...] = (15, 21)
SEARCH_DAYS = 60
_DAY_MINUTES = 24 * 60


class SlotKind(StrEnum):
    """What a scheduled send is; the values are stable (outbox markers and logs use them)."""

    MORNING = "morning"  # at wake time: the day's instruction + "how did you sleep?"
    EVENING = "evening"  # an hour before bedtime: wind-down nudge + the day's check-in
    SUMMARY = "summary"  # at wake time on the first counted day after plan day 7
    FOLLOW_UP = "follow_up"  # onset + 15 / + 21 days at the evening time, after the plan


@dataclass(frozen=True, slots=True)
class Slot:
    """One send: its kind, the plan (local) date it belongs to, and the local wall time.

    `after_midnight` is set when the wall time falls on the calendar date after `local_date`
    (an evening slot for someone whose bedtime is after midnight).
    """

    kind: SlotKind
    local_date: date
    wall_time: time
    after_midnight: bool = False

    @property
    def send_date(self) -> date:
        """The calendar date on which the wall clock shows `wall_time` for this slot."""
        return self.local_date + timedelta(days=int(self.after_midnight))


def start_date_for(enrolled_at_local: datetime) -> date:
    """Day 1: the enrolment date if before local noon, otherwise the next day."""
    require_aware(enrolled_at_local)
    today = enrolled_at_local.date()
    return today if enrolled_at_local.time() < NOON else today + timedelta(days=1)


def plan_date_at(local: datetime, wake_time: time | None) -> date:
    """The plan date a local wall-clock reading belongs to: it runs from wake time to the next
    wake time, so 00:08 before a 07:00 wake is still the day before. The one definition of
    "today" for check-ins, "already checked in", summaries and charts. Without a wake time
    (enrolment not finished) it is the calendar date."""
    require_aware(local)
    if wake_time is not None and local.time() < wake_time.replace(tzinfo=None):
        return local.date() - timedelta(days=1)
    return local.date()


def is_paused(pauses: Sequence[Pause], local_date: date) -> bool:
    """Whether `local_date` falls inside a pause [first_day, until); until=None is open."""
    return any(_covers(pause, local_date) for pause in pauses)


def _covers(pause: Pause, local_date: date) -> bool:
    return pause.first_day <= local_date and (pause.until is None or local_date < pause.until)


def plan_day(start_date: date, pauses: Sequence[Pause], local_date: date) -> int:
    """Plan day N on `local_date`: dates since the start, plus 1, minus paused dates.

    ≤ 0 before the start; frozen at the last counted day while paused.
    """
    elapsed = (local_date - start_date).days + 1
    if elapsed <= 0:
        return elapsed
    return elapsed - _paused_count(pauses, start_date, local_date + timedelta(days=1))


def _paused_count(pauses: Sequence[Pause], first: date, end: date) -> int:
    """How many dates in [first, end) are paused; overlapping pauses count once."""
    spans = sorted(
        (max(p.first_day, first), min(p.until or end, end)) for p in pauses if p.first_day < end
    )
    count, covered_to = 0, first
    for lo, hi in spans:
        lo = max(lo, covered_to)
        if hi > lo:
            count += (hi - lo).days
            covered_to = hi
    return count


def evening_time(bedtime: time) -> time:
    """The evening slot's wall time: an hour before bedtime, wrapping past midnight."""
    minutes = (bedtime.hour * 60 + bedtime.minute - EVENING_LEAD_MINUTES) % _DAY_MINUTES
    return time(minutes // 60, minutes % 60, bedtime.second)


def in_quiet_hours(local_time: time, wake_time: time, bedtime: time) -> bool:
    """True from bedtime (inclusive) to wake time (exclusive), across midnight or not."""
    if bedtime <= wake_time:  # bedtime after midnight, e.g. bed 01:00, wake 09:00
        return bedtime <= local_time < wake_time
    return local_time >= bedtime or local_time < wake_time


def is_evening(local_time: time, bedtime: time) -> bool:
    """Whether words like "tonight" fit the person's local time (not just after waking)."""
    to_bed = (_minutes(bedtime) - _minutes(local_time)) % _DAY_MINUTES
    since_bed = (_minutes(local_time) - _minutes(bedtime)) % _DAY_MINUTES
    return to_bed <= EVENING_BEFORE_BED_MINUTES or since_bed < NIGHT_AFTER_BED_MINUTES


def awake_minutes(wake_time: time, bedtime: time) -> int:
    """Minutes from wake time to bedtime (0 when they are equal)."""
    return (_minutes(bedtime) - _minutes(wake_time)) % _DAY_MINUTES


def times_are_valid(wake_time: time, bedtime: time) -> bool:
    """Whether the evening slot falls strictly after the morning one and before bedtime."""
    return awake_minutes(wake_time, bedtime) > EVENING_LEAD_MINUTES


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def slots_on(
    local_date: date,
    *,
    start_date: date,
    pauses: Sequence[Pause],
    onset_date: date | None,
    wake_time: time,
    bedtime: time,
) -> list[Slot]:
    """The slots that belong to plan date `local_date`, in the order they are sent."""
    if is_paused(pauses, local_date):
        return []
    day = plan_day(start_date, pauses, local_date)
    evening = evening_time(bedtime)
    late = evening < wake_time
    slots: list[Slot] = []
    if 1 <= day <= PLAN_DAYS:
        slots.append(Slot(SlotKind.MORNING, local_date, wake_time))
        slots.append(Slot(SlotKind.EVENING, local_date, evening, late))
    if day == PLAN_DAYS + 1:
        slots.append(Slot(SlotKind.SUMMARY, local_date, wake_time))
    if day > PLAN_DAYS and _is_follow_up_date(onset_date, local_date, day):
        slots.append(Slot(SlotKind.FOLLOW_UP, local_date, evening, late))
    return slots


def _is_follow_up_date(onset_date: date | None, local_date: date, day: int) -> bool:
    """Onset + 15 and + 21 days; one that fell inside the plan (or before it) comes on the day
    after the plan instead, once, so someone twitching for weeks still hears what to do."""
    if onset_date is None:
        return False
    since = (local_date - onset_date).days
    missed = day == PLAN_DAYS + 1 and since > FOLLOW_UP_DAYS_AFTER_ONSET[0]
    return since in FOLLOW_UP_DAYS_AFTER_ONSET or missed


def next_slot(
    after: datetime,
    *,
    zone: str,
    start_date: date,
    pauses: Sequence[Pause],
    onset_date: date | None,
    wake_time: time,
    bedtime: time,
) -> tuple[Slot, datetime] | None:
    """The first slot sent strictly after `after`, with its UTC instant.

    Searches plan dates from the day before `after`'s local date (an after-midnight evening
    slot of yesterday may still be ahead) up to SEARCH_DAYS ahead. None means nothing is due
    in that window: the plan and follow-ups are over, or an open pause holds everything.
    """
    first = local_now(zone, after).date() - timedelta(days=1)
    for local_date in _dates(first, SEARCH_DAYS + 1):
        day_slots = slots_on(
            local_date,
            start_date=start_date,
            pauses=pauses,
            onset_date=onset_date,
            wake_time=wake_time,
            bedtime=bedtime,
        )
        for slot in day_slots:
            instant = resolve_local(zone, slot.send_date, slot.wall_time)
            if instant > after:
                return slot, instant
    return None


def _dates(first: date, count: int) -> Iterator[date]:
    for offset in range(count):
        yield first + timedelta(days=offset)
