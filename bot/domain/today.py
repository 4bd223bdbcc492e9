"""What day it is for a person: their plan date and plan day, and whether they are on the plan.

Pure: one definition of "today" (a plan day runs from wake time to the next wake time) that the
check-in, the scheduler, summaries and charts all use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.localtime import local_now
from bot.domain.models import Profile, Status
from bot.domain.plan import in_quiet_hours, plan_date_at, plan_day


@dataclass(frozen=True)
class Today:
    """The person's local date and plan day (None before enrolment is complete)."""

    local_date: date
    day: int | None


def today_of(profile: Profile, now: datetime) -> Today:
    """The person's plan date (from wake time to the next wake time, in their zone) and the
    plan day it is (pauses frozen)."""
    local_date = plan_date_at(local_now(profile.zone or "UTC", now), profile.wake_time)
    if profile.start_date is None:
        return Today(local_date=local_date, day=None)
    return Today(
        local_date=local_date, day=plan_day(profile.start_date, profile.pauses, local_date)
    )


def resume_date(profile: Profile, now: datetime) -> date:
    """The first plan date that counts when a paused or stopped plan picks up at `now`: today's
    while the person is awake; after bedtime, the one that begins at the next wake time."""
    today = today_of(profile, now).local_date
    wake, bed = profile.wake_time, profile.bedtime
    local = local_now(profile.zone or "UTC", now).time()
    if wake is not None and bed is not None and in_quiet_hours(local, wake, bed):
        return today + timedelta(days=1)
    return today


# Statuses of a person who is not on the plan, whatever their start date; the store's
# enrolled-only writes check the same ones inside Redis.
NOT_ON_PLAN: tuple[Status, ...] = (Status.ONBOARDING, Status.STOPPED, Status.INACTIVE)


def is_enrolled(profile: Profile | None) -> bool:
    """Enrolment finished and the plan not stopped."""
    return (
        profile is not None and profile.start_date is not None and profile.status not in NOT_ON_PLAN
    )
