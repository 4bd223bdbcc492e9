"""What a person's check-ins add up to, as plain values (pure): the day-by-day timeline, trigger
patterns, and the facts of the week's summary.

Trigger patterns compare the twitching on days with and without a factor. They show what went
together in one person's days, never what causes what: the wording lives in content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.models import (
    EMERGENCY_REASONS,
    CheckIn,
    CheckInRecord,
    Duration,
    Level,
    Profile,
    Reason,
    SignReport,
    TwitchLocation,
)
from bot.domain.plan import PLAN_DAYS, is_paused, plan_day
from bot.domain.progress import Trend, trend
from bot.domain.triage import assess_person

# Fewer days than this on either side and a comparison says nothing: "not enough data yet".
MIN_DAYS_EACH_SIDE = 3
# A difference counts as "more" or "less" only if it is at least one episode a day AND at least
# this share of the larger average; smaller gaps are within what bucketed answers blur anyway.
MIN_EPISODE_GAP = 1.0
MIN_RELATIVE_GAP = 0.25
CAFFEINE_DRINKS_AT_LEAST = 3
SLEEP_HOURS_UNDER = 6.0
STRESS_AT_LEAST = 4
# A chart with more days than this would be unreadable on a phone: the latest days are kept.
MAX_TIMELINE_DAYS = 42
# How far to look for the date of plan day 7 (pauses can push it out).
_SEARCH_DAYS = 366


class Factor(StrEnum):
    """A possible trigger the check-in asks about; the values name content keys.

    Late-evening screens would be one too, but the check-in does not ask about them.
    """

    CAFFEINE = "caffeine"
    SHORT_SLEEP = "short_sleep"
    STRESS = "stress"


_PRESENT: dict[Factor, Callable[[CheckIn], bool]] = {
    Factor.CAFFEINE: lambda c: c.caffeine_drinks >= CAFFEINE_DRINKS_AT_LEAST,
    Factor.SHORT_SLEEP: lambda c: c.sleep_hours < SLEEP_HOURS_UNDER,
    Factor.STRESS: lambda c: c.stress_level >= STRESS_AT_LEAST,
}


class Verdict(StrEnum):
    NOT_ENOUGH_DATA = "not_enough_data"
    MORE_WITH = "more_with"  # more twitching went with the factor
    FEWER_WITH = "fewer_with"
    NO_CLEAR_DIFFERENCE = "no_clear_difference"


@dataclass(frozen=True)
class Pattern:
    """Episodes a day, on average, on days with and without one factor."""

    factor: Factor
    days_with: int
    days_without: int
    mean_with: float | None
    mean_without: float | None
    verdict: Verdict


def trigger_patterns(checkins: Sequence[CheckIn]) -> tuple[Pattern, ...]:
    """One pattern per factor; pass one check-in per day (the latest answers of each date)."""
    return tuple(compare(factor, checkins) for factor in Factor)


def compare(factor: Factor, checkins: Sequence[CheckIn]) -> Pattern:
    """Compare episodes on days with and without `factor`."""
    present = _PRESENT[factor]
    with_ = [c.episodes_per_day for c in checkins if present(c)]
    without = [c.episodes_per_day for c in checkins if not present(c)]
    mean_with, mean_without = _mean(with_), _mean(without)
    verdict = Verdict.NOT_ENOUGH_DATA
    enough = min(len(with_), len(without)) >= MIN_DAYS_EACH_SIDE
    if enough and mean_with is not None and mean_without is not None:
        verdict = _verdict(mean_with, mean_without)
    return Pattern(factor, len(with_), len(without), mean_with, mean_without, verdict)


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _verdict(mean_with: float, mean_without: float) -> Verdict:
    gap = mean_with - mean_without
    if abs(gap) < MIN_EPISODE_GAP or abs(gap) < MIN_RELATIVE_GAP * max(mean_with, mean_without):
        return Verdict.NO_CLEAR_DIFFERENCE
    return Verdict.MORE_WITH if gap > 0 else Verdict.FEWER_WITH


# --- red-flag answers --------------------------------------------------------------------------

_SIGN_FIELDS_AS_REASONS: tuple[Reason, ...] = (
    Reason.DROOPING,
    Reason.SLURRED_SPEECH,
    Reason.SUDDEN_WEAKNESS_OR_NUMBNESS,
    Reason.CONFUSION,
    Reason.VISION_CHANGE,
    Reason.PAINFUL,
    Reason.SPREADING,
    Reason.CANNOT_CLOSE_EYE,
    Reason.EYELID_CLAMPS_SHUT,
    Reason.EYE_REDNESS_OR_DISCHARGE,
)
_LOCATION_REASONS: dict[TwitchLocation, Reason] = {
    TwitchLocation.MULTIPLE_FACE_AREAS: Reason.MULTIPLE_FACE_AREAS,
    TwitchLocation.OTHER_BODY_PART: Reason.OTHER_BODY_PART,
}
# Every red flag a check-in answer can be, in the order the check-in asks (the doctor's PDF
# lists each with yes or no).
ANSWERED_SIGNS: tuple[Reason, ...] = (
    *_SIGN_FIELDS_AS_REASONS,
    *_LOCATION_REASONS.values(),
    Reason.CONSTANT,
)


def answered_red_flags(checkin: CheckIn) -> tuple[Reason, ...]:
    """The answers of one check-in that are red flags by themselves (signs, where, how long)."""
    found = [reason for reason in _SIGN_FIELDS_AS_REASONS if getattr(checkin, reason.value)]
    if checkin.twitch_location in _LOCATION_REASONS:
        found.append(_LOCATION_REASONS[checkin.twitch_location])
    if checkin.worst_duration is Duration.CONSTANT:
        found.append(Reason.CONSTANT)
    return tuple(found)


@dataclass(frozen=True)
class RedFlagAnswer:
    """Red-flag answers given on one date, in a check-in or through /urgent."""

    local_date: date
    day: int
    reasons: tuple[Reason, ...]
    urgent: bool = False


def red_flag_answers(
    records: Sequence[CheckInRecord], reports: Sequence[SignReport]
) -> tuple[RedFlagAnswer, ...]:
    """Every red-flag answer in date order, including ones a later update took back.

    A doctor wants to know a sign was reported even if the person changed their answer.
    """
    found: list[tuple[object, RedFlagAnswer]] = []
    for record in records:
        reasons = answered_red_flags(record.checkin)
        if reasons:
            found.append((record.at, RedFlagAnswer(record.local_date, record.checkin.day, reasons)))
    for report in reports:
        reasons = tuple(Reason(sign) for sign in report.signs)
        if reasons:
            found.append((report.at, RedFlagAnswer(report.local_date, report.day, reasons, True)))
    ordered = sorted(found, key=lambda pair: (pair[1].local_date, str(pair[0])))
    return tuple(dict.fromkeys(answer for _, answer in ordered))  # the same answers twice: once


# --- the timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayPoint:
    """One local date: its plan day, whether it was paused, its check-in and any red flags."""

    local_date: date
    day: int
    paused: bool
    checkin: CheckIn | None
    red_flags: tuple[Reason, ...] = ()


def latest_per_date(records: Iterable[CheckInRecord]) -> list[CheckInRecord]:
    """One record per local date, the latest answers (an update replaces the day's answers)."""
    latest: dict[date, CheckInRecord] = {}
    for record in records:
        latest[record.local_date] = record
    return [latest[day] for day in sorted(latest)]


def last_plan_date(profile: Profile) -> date | None:
    """The local date of plan day 7 (later when paused), or None without a start date."""
    start = profile.start_date
    if start is None:
        return None
    for offset in range(_SEARCH_DAYS):
        local = start + timedelta(days=offset)
        counted = not is_paused(profile.pauses, local)
        if counted and plan_day(start, profile.pauses, local) >= PLAN_DAYS:
            return local
    return None


def timeline(
    profile: Profile,
    records: Sequence[CheckInRecord],
    reports: Sequence[SignReport],
    today: date,
) -> tuple[DayPoint, ...]:
    """Every date from day 1 to today (or day 7 once past it), and any later check-in date."""
    start = profile.start_date
    if start is None:
        return ()
    end = min(today, last_plan_date(profile) or today)
    dated = [r.local_date for r in records] + [r.local_date for r in reports]
    end = max([end, *dated])
    if end < start:
        return ()
    eve = start - timedelta(days=1)  # a check-in the day before day 1 is part of the week
    begin = eve if any(r.local_date == eve for r in records) else start
    first = max(begin, end - timedelta(days=MAX_TIMELINE_DAYS - 1))
    by_date = {r.local_date: r.checkin for r in latest_per_date(records)}
    flags: dict[date, list[Reason]] = {}
    for answer in red_flag_answers(records, reports):
        flags.setdefault(answer.local_date, []).extend(answer.reasons)
    return tuple(
        DayPoint(
            local_date=local,
            day=plan_day(start, profile.pauses, local),
            paused=is_paused(profile.pauses, local),
            checkin=by_date.get(local),
            red_flags=tuple(dict.fromkeys(flags.get(local, []))),
        )
        for local in _dates(first, end)
    )


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --- the week's summary ------------------------------------------------------------------------


class NextStep(StrEnum):
    KEEP_HABITS = "keep_habits"
    SEE_DOCTOR = "see_doctor"
    EMERGENCY = "emergency"


class Change(StrEnum):
    """Day 1 against day 7 as the summary words it; the values name content keys."""

    IMPROVED = "improved"
    SAME = "same"
    NO_TWITCHING = "no_twitching"  # no twitching at either end: nothing to improve on
    WORSE = "worse"
    NOT_ENOUGH_DATA = "not_enough_data"


_CHANGE_OF_TREND = {
    Trend.BETTER: Change.IMPROVED,
    Trend.SAME: Change.SAME,
    Trend.WORSE: Change.WORSE,
    Trend.NOT_ENOUGH_DATA: Change.NOT_ENOUGH_DATA,
}


class Doctor(StrEnum):
    """Which kind of doctor; the values name content keys."""

    GP = "gp"
    EYE = "eye"


@dataclass(frozen=True)
class WeekInsight:
    """The facts of the week's summary, the chart and the doctor's PDF.

    `change`, `advice`, `next_step` and `doctors` are one verdict (see `_verdict`), so the
    summary's lines cannot disagree with each other.
    """

    days: tuple[DayPoint, ...]
    first: DayPoint | None  # the first plan day (0..7) with a check-in
    last: DayPoint | None  # the last one, on a later date than `first`
    change: Change
    steps_done: tuple[int, ...]  # plan days 1..7 with a check-in
    patterns: tuple[Pattern, ...]
    red_flags: tuple[RedFlagAnswer, ...]
    advice: tuple[Reason, ...]  # advised earlier, or found now; emergency ones first
    next_step: NextStep
    doctors: tuple[Doctor, ...]


def week_insight(
    profile: Profile,
    records: Sequence[CheckInRecord],
    reports: Sequence[SignReport],
    today: date,
) -> WeekInsight:
    """Everything the summary says, from the stored check-ins and /urgent reports."""
    days = timeline(profile, records, reports, today)
    daily = latest_per_date(records)
    plan_points = [d for d in days if d.checkin is not None and _on_plan_day(d)]
    first = plan_points[0] if plan_points else None
    last = plan_points[-1] if len(plan_points) > 1 else None
    change = _change(daily, first, last)
    advice = _advice(profile.advised_reasons, [r.checkin for r in daily], reports, change)
    next_step, doctors = _next_step(advice)
    return WeekInsight(
        days=days,
        first=first,
        last=last,
        change=change,
        steps_done=tuple(sorted({d.day for d in plan_points if d.day >= 1})),
        patterns=trigger_patterns([r.checkin for r in daily]),
        red_flags=red_flag_answers(records, reports),
        advice=advice,
        next_step=next_step,
        doctors=doctors,
    )


def _on_plan_day(point: DayPoint) -> bool:
    """Days 1 to 7, and a check-in made the day before day 1 (it can be the baseline)."""
    return not point.paused and 0 <= point.day <= PLAN_DAYS


def _change(
    daily: Sequence[CheckInRecord], first: DayPoint | None, last: DayPoint | None
) -> Change:
    """Day 1 (or the first plan day checked in) against day 7 (or the last one)."""
    if first is None or last is None:
        return Change.NOT_ENOUGH_DATA
    ends = [r for r in daily if r.local_date in (first.local_date, last.local_date)]
    if all(r.checkin.episodes_per_day == 0 for r in ends):
        return Change.NO_TWITCHING
    return _CHANGE_OF_TREND[trend(ends)]


def _advice(
    advised: Sequence[Reason],
    checkins: Sequence[CheckIn],
    reports: Sequence[SignReport],
    change: Change,
) -> tuple[Reason, ...]:
    """Every reason advised or found, with "not improving" decided by the week's change alone:
    the latest answers of day 1 and day 7 overrule an older answer that was updated since."""
    found = assess_person(checkins, reports).reasons
    reasons: dict[Reason, None] = dict.fromkeys(
        r for r in (*advised, *found) if r is not Reason.NOT_IMPROVING
    )
    if change in (Change.SAME, Change.WORSE):
        reasons[Reason.NOT_IMPROVING] = None
    return tuple(sorted(reasons, key=lambda r: r.level is not Level.EMERGENCY))


def _next_step(advice: Sequence[Reason]) -> tuple[NextStep, tuple[Doctor, ...]]:
    """Emergency signs first; then which doctors the reasons point to."""
    doctors = [_DOCTOR_FOR.get(r, Doctor.GP) for r in advice if r not in EMERGENCY_REASONS]
    unique = tuple(sorted(set(doctors), key=list(Doctor).index))
    if any(r in EMERGENCY_REASONS for r in advice):
        return NextStep.EMERGENCY, unique
    return (NextStep.SEE_DOCTOR, unique) if unique else (NextStep.KEEP_HABITS, ())


# An eye problem is for an optician (or a GP); every other see-doctor reason starts with a GP,
# who refers on to a neurologist where needed (the red-flag advice says so).
_DOCTOR_FOR: dict[Reason, Doctor] = {Reason.EYE_REDNESS_OR_DISCHARGE: Doctor.EYE}


def plan_days() -> range:
    """Plan days 1..7."""
    return range(1, PLAN_DAYS + 1)
