"""How a person's week is going, as plain values (pure): days done and the trend."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.domain.models import CheckInRecord, Profile
from bot.domain.plan import PLAN_DAYS, is_paused
from bot.domain.redflags import is_improving
from bot.domain.today import Today


class Trend(StrEnum):
    """The first check-in against the latest; the values name content keys."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"
    NOT_ENOUGH_DATA = "not_enough_data"


def days_done(profile: Profile, today: Today, records: Sequence[CheckInRecord]) -> int:
    """Plan days finished, 0..7: the ones before today, plus today once its check-in is in.

    This is what people expect from "days done": on day 3 before the evening check-in, two days
    are done; after it, three. A paused date is not a plan day, so every counted day before it
    is done. Missed check-ins on earlier days do not take days away: the plan moved on anyway.
    """
    day = today.day or 0
    if day < 1:
        return 0
    if is_paused(profile.pauses, today.local_date):
        finished = day
    else:
        checked_in_today = any(r.local_date == today.local_date for r in records)
        finished = day - 1 + int(checked_in_today)
    return min(finished, PLAN_DAYS)


def trend(records: Sequence[CheckInRecord]) -> Trend:
    """The first check-in against the latest one; needs check-ins on two different days."""
    if len(records) < 2 or records[0].local_date == records[-1].local_date:
        return Trend.NOT_ENOUGH_DATA
    first, latest = records[0].checkin, records[-1].checkin
    if first.episodes_per_day == 0 and latest.episodes_per_day == 0:
        return Trend.SAME  # nothing to improve on: still no twitching
    if is_improving(first, latest):
        return Trend.BETTER
    more = latest.episodes_per_day > first.episodes_per_day
    longer = latest.worst_duration.rank > first.worst_duration.rank
    return Trend.WORSE if more or longer else Trend.SAME
