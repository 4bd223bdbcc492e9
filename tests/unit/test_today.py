"""One definition of "today": a plan date runs from wake time to the next wake time.

Bedtimes after midnight across DST changes, with literal dates, and the rule that ties it to
the schedule: whatever slot is sent, "today" at that moment is the plan date the slot is for.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.today import resume_date, today_of
from scheduler.timing import next_due
from tests.factories import make_profile

LONDON, NEW_YORK = "Europe/London", "America/New_York"


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "wake", "bed", "now", "plan_date"),
    [
        # London springs forward on Sun 29 March 2026 at 01:00 UTC (01:00 GMT -> 02:00 BST).
        (LONDON, time(8), time(0, 30), utc(2026, 3, 28, 0, 8), date(2026, 3, 27)),  # 00:08 GMT
        (LONDON, time(8), time(0, 30), utc(2026, 3, 29, 0, 8), date(2026, 3, 28)),  # 00:08 GMT
        (LONDON, time(9), time(2), utc(2026, 3, 29, 1, 30), date(2026, 3, 28)),  # 02:30 BST
        (LONDON, time(9), time(2), utc(2026, 3, 29, 7, 59), date(2026, 3, 28)),  # 08:59 BST
        (LONDON, time(9), time(2), utc(2026, 3, 29, 8, 0), date(2026, 3, 29)),  # 09:00 BST
        # London falls back on Sun 25 October 2026 at 01:00 UTC (02:00 BST -> 01:00 GMT).
        (LONDON, time(8), time(2), utc(2026, 10, 25, 0, 30), date(2026, 10, 24)),  # 01:30 BST
        (LONDON, time(8), time(2), utc(2026, 10, 25, 1, 30), date(2026, 10, 24)),  # 01:30 GMT
        (LONDON, time(8), time(0, 30), utc(2026, 10, 25, 7, 59), date(2026, 10, 24)),  # 07:59
        (LONDON, time(8), time(0, 30), utc(2026, 10, 25, 8, 0), date(2026, 10, 25)),  # 08:00
        # New York springs forward on Sun 8 March 2026 at 07:00 UTC (02:00 EST -> 03:00 EDT).
        (NEW_YORK, time(9), time(2), utc(2026, 3, 8, 6, 30), date(2026, 3, 7)),  # 01:30 EST
        (NEW_YORK, time(9), time(2), utc(2026, 3, 8, 7, 30), date(2026, 3, 7)),  # 03:30 EDT
        (NEW_YORK, time(9), time(2), utc(2026, 3, 8, 12, 59), date(2026, 3, 7)),  # 08:59 EDT
        (NEW_YORK, time(9), time(2), utc(2026, 3, 8, 13, 0), date(2026, 3, 8)),  # 09:00 EDT
        (NEW_YORK, time(7), time(0, 30), utc(2026, 3, 8, 5, 8), date(2026, 3, 7)),  # 00:08 EST
        # New York falls back on Sun 1 November 2026 at 06:00 UTC (02:00 EDT -> 01:00 EST).
        (NEW_YORK, time(7), time(2), utc(2026, 11, 1, 5, 30), date(2026, 10, 31)),  # 01:30 EDT
        (NEW_YORK, time(7), time(2), utc(2026, 11, 1, 6, 30), date(2026, 10, 31)),  # 01:30 EST
        (NEW_YORK, time(7), time(0, 30), utc(2026, 11, 1, 11, 59), date(2026, 10, 31)),  # 06:59
        (NEW_YORK, time(7), time(0, 30), utc(2026, 11, 1, 12, 0), date(2026, 11, 1)),  # 07:00
    ],
)
def test_today_runs_from_wake_time_to_wake_time(
    zone: str, wake: time, bed: time, now: datetime, plan_date: date
) -> None:
    start = plan_date - timedelta(days=2)
    profile = make_profile(zone=zone, wake_time=wake, bedtime=bed, start_date=start)
    today = today_of(profile, now)
    assert (today.local_date, today.day) == (plan_date, 3)


@pytest.mark.parametrize("bed", [time(0, 30), time(2)])
@pytest.mark.parametrize(
    ("zone", "start"),
    [
        (LONDON, date(2026, 3, 25)),
        (LONDON, date(2026, 10, 21)),
        (NEW_YORK, date(2026, 3, 4)),
        (NEW_YORK, date(2026, 10, 28)),
    ],
)
def test_every_slot_is_sent_on_the_plan_date_it_belongs_to(
    zone: str, start: date, bed: time
) -> None:
    """Over a plan week across a DST change, "today" at each send is the slot's own plan date:
    so a check-in made just after a nudge is stored under that nudge's day."""
    profile = make_profile(
        zone=zone, wake_time=time(8), bedtime=bed, start_date=start, onset_date=None
    )
    after = datetime.combine(start, time(0), tzinfo=UTC) - timedelta(days=1)
    sent = 0
    while (due := next_due(profile, after)) is not None:
        for moment in (due.at, due.at + timedelta(minutes=59)):
            assert today_of(profile, moment).local_date == due.slot.local_date, (due, moment)
        after, sent = due.at, sent + 1
    assert sent == 15  # 7 mornings, 7 evenings, the summary


@pytest.mark.parametrize(
    ("now", "first_counted"),
    [
        (utc(2026, 3, 24, 10), date(2026, 3, 24)),  # awake: today counts again
        (utc(2026, 3, 25, 0, 10), date(2026, 3, 24)),  # 00:10, before the 00:30 bedtime
        (utc(2026, 3, 25, 0, 40), date(2026, 3, 25)),  # after bedtime: the day that comes next
        (utc(2026, 3, 25, 6), date(2026, 3, 25)),  # before wake time: the day about to begin
    ],
)
def test_a_plan_picks_up_on_a_day_the_person_is_awake_for(
    now: datetime, first_counted: date
) -> None:
    profile = make_profile(wake_time=time(7), bedtime=time(0, 30))
    assert resume_date(profile, now) == first_counted
