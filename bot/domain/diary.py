"""The week as the Mini App shows it: one row per plan day (ARCHITECTURE §11).

Pure: the same records the chat's summary and chart read (`bot/domain/insight.py`), arranged
by plan day instead of by date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.episodes import Episode, day_start
from bot.domain.insight import latest_per_date
from bot.domain.models import WARNING_SIGN_FIELDS, CheckIn, CheckInRecord, Profile
from bot.domain.plan import PLAN_DAYS, is_paused, plan_day

# How far past the start a paused plan's day 7 may be looked for.
_SEARCH_DAYS = 366
EXERCISE_KINDS = ("breathing", "eyes")
# The plan days whose step is a guided exercise the Mini App can lead, and which one.
EXERCISE_DAYS = {4: "eyes", 5: "breathing"}


@dataclass(frozen=True)
class DiaryDay:
    """One plan day: its date, the day's latest check-in, signs answered, episodes, exercises."""

    day: int
    local_date: date
    checkin: CheckIn | None
    signs: tuple[str, ...]
    episodes: int
    exercises: tuple[str, ...]


def plan_dates(profile: Profile) -> dict[int, date]:
    """The local date of each plan day 1..7 (paused dates do not count)."""
    start = profile.start_date
    found: dict[int, date] = {}
    if start is None:
        return found
    for offset in range(_SEARCH_DAYS):
        local = start + timedelta(days=offset)
        if is_paused(profile.pauses, local):
            continue
        day = plan_day(start, profile.pauses, local)
        if 1 <= day <= PLAN_DAYS:
            found.setdefault(day, local)
        if len(found) == PLAN_DAYS:
            break
    return found


def signs_of(checkin: CheckIn) -> tuple[str, ...]:
    """The warning signs answered "yes", in their fixed order."""
    return tuple(field for field in WARNING_SIGN_FIELDS if getattr(checkin, field))


def diary_days(
    profile: Profile,
    records: Sequence[CheckInRecord],
    episodes: Sequence[Episode],
    exercises: Mapping[int, Sequence[str]],
) -> list[DiaryDay]:
    """One row per plan day, in order; a day's latest check-in answers (an update replaces)."""
    latest = {record.local_date: record.checkin for record in latest_per_date(records)}
    zone = profile.zone or "UTC"
    rows = []
    for day, local in sorted(plan_dates(profile).items()):
        checkin = latest.get(local)
        begins = day_start(zone, local, profile.wake_time)
        ends = day_start(zone, local + timedelta(days=1), profile.wake_time)
        rows.append(
            DiaryDay(
                day=day,
                local_date=local,
                checkin=checkin,
                signs=signs_of(checkin) if checkin else (),
                episodes=_count_between(episodes, begins, ends),
                exercises=tuple(k for k in EXERCISE_KINDS if k in exercises.get(day, ())),
            )
        )
    return rows


def _count_between(episodes: Sequence[Episode], begins: datetime, ends: datetime) -> int:
    return sum(1 for episode in episodes if begins <= episode.at < ends)
