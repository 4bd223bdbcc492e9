"""The 7-day plan: start date, plan day with pauses, slots, quiet hours, walking a whole plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain.localtime import local_now
from bot.domain.models import Pause
from bot.domain.plan import (
    Slot,
    SlotKind,
    evening_time,
    in_quiet_hours,
    is_evening,
    is_paused,
    next_slot,
    plan_day,
    slots_on,
    start_date_for,
    times_are_valid,
)

LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")

# The week of 2026-03-16 (a Monday); London moves to BST on Sunday 2026-03-29.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 3, 16) + timedelta(days=i) for i in range(7))
NEXT_MON = date(2026, 3, 23)

MORNING, EVENING, SUMMARY, FOLLOW_UP = (
    SlotKind.MORNING,
    SlotKind.EVENING,
    SlotKind.SUMMARY,
    SlotKind.FOLLOW_UP,
)
WAKE, BED = time(7), time(23)
ONSET = date(2026, 3, 10)  # +15 = Wed 03-25 (day 10), +21 = Tue 03-31 (day 16)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- start date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("enrolled_at_local", "expected"),
    [
        pytest.param(datetime(2026, 3, 16, 0, 0, tzinfo=LONDON), MON, id="midnight"),
        pytest.param(datetime(2026, 3, 16, 11, 59, tzinfo=LONDON), MON, id="11:59"),
        pytest.param(datetime(2026, 3, 16, 11, 59, 59, 999999, tzinfo=LONDON), MON, id="just-bf"),
        pytest.param(datetime(2026, 3, 16, 12, 0, tzinfo=LONDON), TUE, id="12:00"),
        pytest.param(datetime(2026, 3, 16, 23, 59, tzinfo=LONDON), TUE, id="23:59"),
        pytest.param(datetime(2026, 3, 31, 12, 0, tzinfo=LONDON), date(2026, 4, 1), id="month"),
        pytest.param(datetime(2026, 3, 16, 11, 0, tzinfo=KOLKATA), MON, id="kolkata-11:00"),
    ],
)
def test_start_date_for(enrolled_at_local: datetime, expected: date) -> None:
    assert start_date_for(enrolled_at_local) == expected


def test_start_date_for_uses_the_given_local_time_not_utc() -> None:
    # 11:00 in Kolkata is 05:30 UTC and 13:00 in Kolkata is 07:30 UTC: both "morning" in UTC
    assert start_date_for(datetime(2026, 3, 16, 13, 0, tzinfo=KOLKATA)) == TUE


def test_start_date_for_rejects_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        start_date_for(datetime(2026, 3, 16, 9))  # noqa: DTZ001 - deliberately naive


# --- plan day and pauses --------------------------------------------------------------------

THU_TO_SAT = Pause(first_day=THU, until=SAT)  # Thu and Fri paused, Sat counts again
OPEN_FROM_THU = Pause(first_day=THU)
ONLY_TUE = Pause(first_day=TUE, until=WED)
FRI_SAT = Pause(first_day=FRI, until=SUN)
SAME_DAY = Pause(first_day=WED, until=WED)  # paused and resumed on the same day


@pytest.mark.parametrize(
    ("pauses", "local_date", "expected"),
    [
        pytest.param((), MON, 1, id="none-mon"),
        pytest.param((), WED, 3, id="none-wed"),
        pytest.param((), SUN, 7, id="none-sun"),
        pytest.param((), NEXT_MON, 8, id="none-day8"),
        pytest.param((), date(2026, 3, 15), 0, id="day-before-start"),
        pytest.param((), date(2026, 3, 10), -5, id="week-before-start"),
        pytest.param((THU_TO_SAT,), WED, 3, id="closed-wed"),
        pytest.param((THU_TO_SAT,), THU, 3, id="closed-thu-frozen"),
        pytest.param((THU_TO_SAT,), FRI, 3, id="closed-fri-frozen"),
        pytest.param((THU_TO_SAT,), SAT, 4, id="closed-sat-resumed"),
        pytest.param((THU_TO_SAT,), SUN, 5, id="closed-sun"),
        pytest.param((OPEN_FROM_THU,), WED, 3, id="open-wed"),
        pytest.param((OPEN_FROM_THU,), THU, 3, id="open-thu"),
        pytest.param((OPEN_FROM_THU,), date(2026, 5, 1), 3, id="open-weeks-later"),
        pytest.param((ONLY_TUE, FRI_SAT), MON, 1, id="two-mon"),
        pytest.param((ONLY_TUE, FRI_SAT), TUE, 1, id="two-tue"),
        pytest.param((ONLY_TUE, FRI_SAT), WED, 2, id="two-wed"),
        pytest.param((ONLY_TUE, FRI_SAT), THU, 3, id="two-thu"),
        pytest.param((ONLY_TUE, FRI_SAT), SAT, 3, id="two-sat"),
        pytest.param((ONLY_TUE, FRI_SAT), SUN, 4, id="two-sun"),
        pytest.param((FRI_SAT, ONLY_TUE), SUN, 4, id="two-unsorted"),
        pytest.param((SAME_DAY,), WED, 3, id="resume-same-day"),
        pytest.param((SAME_DAY,), SUN, 7, id="resume-same-day-sun"),
        pytest.param(
            (Pause(first_day=TUE, until=THU), Pause(first_day=WED, until=FRI)),
            FRI,
            2,
            id="overlapping-count-once",
        ),
        pytest.param((Pause(first_day=date(2026, 3, 1), until=TUE),), MON, 0, id="from-before"),
        pytest.param((Pause(first_day=date(2026, 3, 1), until=TUE),), TUE, 1, id="from-before-2"),
        pytest.param(
            (Pause(first_day=date(2026, 3, 1), until=THU),),
            date(2026, 3, 14),
            -1,
            id="before-start-ignores-pause",
        ),
        pytest.param(
            (Pause(first_day=date(2026, 3, 1), until=date(2026, 3, 5)),),
            WED,
            3,
            id="pause-wholly-before-start",
        ),
    ],
)
def test_plan_day(pauses: tuple[Pause, ...], local_date: date, expected: int) -> None:
    assert plan_day(MON, pauses, local_date) == expected


@pytest.mark.parametrize(
    ("pauses", "local_date", "expected"),
    [
        pytest.param((), THU, False, id="no-pauses"),
        pytest.param((THU_TO_SAT,), WED, False, id="closed-before"),
        pytest.param((THU_TO_SAT,), THU, True, id="closed-first-day"),
        pytest.param((THU_TO_SAT,), FRI, True, id="closed-inside"),
        pytest.param((THU_TO_SAT,), SAT, False, id="closed-until-exclusive"),
        pytest.param((OPEN_FROM_THU,), date(2027, 1, 1), True, id="open"),
        pytest.param((OPEN_FROM_THU,), WED, False, id="open-before"),
        pytest.param((SAME_DAY,), WED, False, id="same-day-empty"),
        pytest.param((ONLY_TUE, FRI_SAT), SAT, True, id="second-of-two"),
    ],
)
def test_is_paused(pauses: tuple[Pause, ...], local_date: date, expected: bool) -> None:
    assert is_paused(pauses, local_date) is expected


# --- slots ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bedtime", "expected"),
    [
        pytest.param(time(23), time(22), id="23:00"),
        pytest.param(time(22, 15), time(21, 15), id="22:15"),
        pytest.param(time(0, 0), time(23, 0), id="midnight"),
        pytest.param(time(0, 30), time(23, 30), id="00:30"),
        pytest.param(time(1, 0), time(0, 0), id="01:00"),
        pytest.param(time(1, 30), time(0, 30), id="01:30"),
    ],
)
def test_evening_time(bedtime: time, expected: time) -> None:
    assert evening_time(bedtime) == expected


def day_slots(local_date: date, evening: time = time(22)) -> list[Slot]:
    return [Slot(MORNING, local_date, WAKE), Slot(EVENING, local_date, evening)]


@pytest.mark.parametrize(
    ("local_date", "pauses", "onset_date", "expected"),
    [
        *[
            pytest.param(d, (), ONSET, day_slots(d), id=f"day{i + 1}")
            for i, d in enumerate((MON, TUE, WED, THU, FRI, SAT, SUN))
        ],
        pytest.param(date(2026, 3, 15), (), ONSET, [], id="before-start"),
        pytest.param(NEXT_MON, (), ONSET, [Slot(SUMMARY, NEXT_MON, WAKE)], id="summary-day8"),
        pytest.param(
            date(2026, 3, 25),
            (),
            ONSET,
            [Slot(FOLLOW_UP, date(2026, 3, 25), time(22))],
            id="follow-up-onset+15",
        ),
        pytest.param(
            date(2026, 3, 31),
            (),
            ONSET,
            [Slot(FOLLOW_UP, date(2026, 3, 31), time(22))],
            id="follow-up-onset+21",
        ),
        pytest.param(date(2026, 3, 24), (), ONSET, [], id="onset+14-no-follow-up-yet"),
        pytest.param(date(2026, 3, 26), (), ONSET, [], id="after-plan-quiet"),
        pytest.param(date(2026, 4, 7), (), ONSET, [], id="onset+28-nothing"),
        pytest.param(date(2026, 3, 24), (), None, [], id="no-onset-no-follow-up"),
        pytest.param(FRI, (), date(2026, 3, 5), day_slots(FRI), id="onset+15-inside-plan"),
        pytest.param(
            NEXT_MON,
            (),
            date(2026, 3, 5),
            [Slot(SUMMARY, NEXT_MON, WAKE), Slot(FOLLOW_UP, NEXT_MON, time(22))],
            id="onset+15-inside-plan-comes-the-day-after-it",
        ),
        pytest.param(
            NEXT_MON,
            (),
            MON - timedelta(days=21),
            [Slot(SUMMARY, NEXT_MON, WAKE), Slot(FOLLOW_UP, NEXT_MON, time(22))],
            id="3-weeks-before-enrolling-once-after-the-plan",
        ),
        pytest.param(
            date(2026, 3, 24), (), MON - timedelta(days=21), [], id="3-weeks-before-only-once"
        ),
        pytest.param(
            date(2026, 3, 26),
            (),
            date(2026, 3, 5),
            [Slot(FOLLOW_UP, date(2026, 3, 26), time(22))],
            id="onset+21-after-plan",
        ),
        pytest.param(
            NEXT_MON,
            (),
            date(2026, 3, 8),
            [Slot(SUMMARY, NEXT_MON, WAKE), Slot(FOLLOW_UP, NEXT_MON, time(22))],
            id="summary-and-follow-up",
        ),
        pytest.param(THU, (THU_TO_SAT,), ONSET, [], id="paused-thu"),
        pytest.param(FRI, (THU_TO_SAT,), ONSET, [], id="paused-fri"),
        pytest.param(SAT, (THU_TO_SAT,), ONSET, day_slots(SAT), id="resumed-sat-day4"),
        pytest.param(NEXT_MON, (THU_TO_SAT,), ONSET, day_slots(NEXT_MON), id="paused-shifts-7"),
        pytest.param(
            date(2026, 3, 24),
            (THU_TO_SAT,),
            ONSET,
            day_slots(date(2026, 3, 24)),
            id="onset+14-is-now-day7",
        ),
        pytest.param(
            date(2026, 3, 25),
            (THU_TO_SAT,),
            ONSET,
            [Slot(SUMMARY, date(2026, 3, 25), WAKE), Slot(FOLLOW_UP, date(2026, 3, 25), time(22))],
            id="paused-shifts-summary-onto-onset+15",
        ),
        pytest.param(
            date(2026, 3, 24),
            (Pause(first_day=NEXT_MON, until=date(2026, 3, 25)),),
            ONSET,
            [],
            id="follow-up-date-paused",
        ),
        pytest.param(
            date(2026, 3, 25),
            (Pause(first_day=NEXT_MON, until=date(2026, 3, 25)),),
            ONSET,
            [Slot(SUMMARY, date(2026, 3, 25), WAKE), Slot(FOLLOW_UP, date(2026, 3, 25), time(22))],
            id="summary-after-pause",
        ),
        pytest.param(date(2026, 3, 31), (OPEN_FROM_THU,), ONSET, [], id="open-pause-nothing"),
    ],
)
def test_slots_on(
    local_date: date, pauses: tuple[Pause, ...], onset_date: date | None, expected: list[Slot]
) -> None:
    slots = slots_on(
        local_date,
        start_date=MON,
        pauses=pauses,
        onset_date=onset_date,
        wake_time=WAKE,
        bedtime=BED,
    )
    assert slots == expected


def test_slots_on_bedtime_after_midnight_sends_evening_next_calendar_date() -> None:
    slots = slots_on(
        MON, start_date=MON, pauses=(), onset_date=ONSET, wake_time=time(9), bedtime=time(1, 30)
    )
    assert slots == [
        Slot(MORNING, MON, time(9)),
        Slot(EVENING, MON, time(0, 30), after_midnight=True),
    ]
    assert [s.send_date for s in slots] == [MON, TUE]


def test_slot_is_frozen() -> None:
    slot = Slot(MORNING, MON, WAKE)
    with pytest.raises(AttributeError):
        slot.kind = EVENING  # type: ignore[misc]


# --- quiet hours ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_time", "wake", "bed", "expected"),
    [
        # bedtime before midnight: 23:00 -> 07:00
        pytest.param(time(22, 59), time(7), time(23), False, id="evening-before-bed"),
        pytest.param(time(23, 0), time(7), time(23), True, id="bedtime-inclusive"),
        pytest.param(time(0, 0), time(7), time(23), True, id="midnight"),
        pytest.param(time(6, 59), time(7), time(23), True, id="just-before-wake"),
        pytest.param(time(7, 0), time(7), time(23), False, id="wake-exclusive"),
        pytest.param(time(12, 0), time(7), time(23), False, id="noon"),
        # bedtime after midnight: 01:00 -> 09:00
        pytest.param(time(23, 0), time(9), time(1), False, id="late-23:00"),
        pytest.param(time(0, 59), time(9), time(1), False, id="late-00:59"),
        pytest.param(time(1, 0), time(9), time(1), True, id="late-bedtime-inclusive"),
        pytest.param(time(8, 59), time(9), time(1), True, id="late-before-wake"),
        pytest.param(time(9, 0), time(9), time(1), False, id="late-wake-exclusive"),
        pytest.param(time(15, 0), time(9), time(1), False, id="late-afternoon"),
        # bedtime exactly midnight
        pytest.param(time(0, 0), time(8), time(0), True, id="midnight-bed"),
        pytest.param(time(23, 59), time(8), time(0), False, id="midnight-bed-23:59"),
        pytest.param(time(7, 59), time(8), time(0), True, id="midnight-bed-07:59"),
    ],
)
def test_in_quiet_hours(local_time: time, wake: time, bed: time, expected: bool) -> None:
    assert in_quiet_hours(local_time, wake, bed) is expected


@pytest.mark.parametrize(
    ("wake", "bed", "expected"),
    [
        pytest.param(time(7), time(23), True, id="usual"),
        pytest.param(time(9), time(1, 30), True, id="night-owl"),
        pytest.param(time(7), time(8, 1), True, id="61-minutes"),
        pytest.param(time(7), time(8), False, id="60-minutes"),
        pytest.param(time(23, 30), time(0, 15), False, id="45-minutes-across-midnight"),
        pytest.param(time(7), time(7), False, id="equal"),
    ],
)
def test_times_are_valid(wake: time, bed: time, expected: bool) -> None:
    assert times_are_valid(wake, bed) is expected


@pytest.mark.parametrize(
    ("local", "bed", "expected"),
    [
        (time(5, 30), time(23), False),  # just woken up: no "rest well tonight"
        (time(12), time(23), False),
        (time(18, 59), time(23), False),
        (time(19), time(23), True),
        (time(23, 30), time(23), True),  # a late check-in after bedtime
        (time(1, 59), time(23), True),
        (time(2), time(23), False),
        (time(0, 30), time(1, 30), True),  # bedtime after midnight
        (time(21), time(1, 30), False),
    ],
)
def test_is_evening_follows_the_persons_bedtime(local: time, bed: time, expected: bool) -> None:
    assert is_evening(local, bed) is expected


quarter_hours = st.integers(0, 24 * 4 - 1).map(lambda q: time(q // 4, q % 4 * 15))


@given(wake=quarter_hours, bed=quarter_hours)
def test_no_slot_falls_in_quiet_hours(wake: time, bed: time) -> None:
    assume(times_are_valid(wake, bed))
    onset = MON - timedelta(days=7)  # follow-ups land on days 8 and 15
    for offset in range(21):
        local_date = MON + timedelta(days=offset)
        slots = slots_on(
            local_date, start_date=MON, pauses=(), onset_date=onset, wake_time=wake, bedtime=bed
        )
        for slot in slots:
            assert not in_quiet_hours(slot.wall_time, wake, bed)


# --- next_slot: walking a whole plan -------------------------------------------------------

Sent = tuple[SlotKind, date, datetime]


def walk(after: datetime, zone: str, pauses: tuple[Pause, ...]) -> list[Sent]:
    """Follow next_slot from `after` until it returns None, as the scheduler would."""
    sent: list[Sent] = []
    while (
        found := next_slot(
            after,
            zone=zone,
            start_date=MON,
            pauses=pauses,
            onset_date=ONSET,
            wake_time=WAKE,
            bedtime=BED,
        )
    ) is not None:
        slot, after = found
        sent.append((slot.kind, slot.local_date, after))
        assert len(sent) < 40, "runaway walk"
    return sent


ENROLLED = datetime(2026, 3, 15, 13, 0, tzinfo=LONDON)  # after noon: day 1 is Monday 03-16

WHOLE_PLAN: list[Sent] = [
    (MORNING, MON, utc(2026, 3, 16, 7)),
    (EVENING, MON, utc(2026, 3, 16, 22)),
    (MORNING, TUE, utc(2026, 3, 17, 7)),
    (EVENING, TUE, utc(2026, 3, 17, 22)),
    (MORNING, WED, utc(2026, 3, 18, 7)),
    (EVENING, WED, utc(2026, 3, 18, 22)),
    (MORNING, THU, utc(2026, 3, 19, 7)),
    (EVENING, THU, utc(2026, 3, 19, 22)),
    (MORNING, FRI, utc(2026, 3, 20, 7)),
    (EVENING, FRI, utc(2026, 3, 20, 22)),
    (MORNING, SAT, utc(2026, 3, 21, 7)),
    (EVENING, SAT, utc(2026, 3, 21, 22)),
    (MORNING, SUN, utc(2026, 3, 22, 7)),
    (EVENING, SUN, utc(2026, 3, 22, 22)),
    (SUMMARY, NEXT_MON, utc(2026, 3, 23, 7)),
    (FOLLOW_UP, date(2026, 3, 25), utc(2026, 3, 25, 22)),
    (FOLLOW_UP, date(2026, 3, 31), utc(2026, 3, 31, 21)),  # BST from 03-29
]

WITH_PAUSE: list[Sent] = [  # Thu and Fri paused: onset+15 (03-25) is now the summary's day
    (MORNING, MON, utc(2026, 3, 16, 7)),
    (EVENING, MON, utc(2026, 3, 16, 22)),
    (MORNING, TUE, utc(2026, 3, 17, 7)),
    (EVENING, TUE, utc(2026, 3, 17, 22)),
    (MORNING, WED, utc(2026, 3, 18, 7)),
    (EVENING, WED, utc(2026, 3, 18, 22)),
    (MORNING, SAT, utc(2026, 3, 21, 7)),
    (EVENING, SAT, utc(2026, 3, 21, 22)),
    (MORNING, SUN, utc(2026, 3, 22, 7)),
    (EVENING, SUN, utc(2026, 3, 22, 22)),
    (MORNING, NEXT_MON, utc(2026, 3, 23, 7)),
    (EVENING, NEXT_MON, utc(2026, 3, 23, 22)),
    (MORNING, date(2026, 3, 24), utc(2026, 3, 24, 7)),
    (EVENING, date(2026, 3, 24), utc(2026, 3, 24, 22)),
    (SUMMARY, date(2026, 3, 25), utc(2026, 3, 25, 7)),
    (FOLLOW_UP, date(2026, 3, 25), utc(2026, 3, 25, 22)),
    (FOLLOW_UP, date(2026, 3, 31), utc(2026, 3, 31, 21)),
]


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        pytest.param((), WHOLE_PLAN, id="no-pause"),
        pytest.param((THU_TO_SAT,), WITH_PAUSE, id="pause-thu-fri"),
        pytest.param((OPEN_FROM_THU,), WHOLE_PLAN[:6], id="open-pause-stops"),
    ],
)
def test_walk_whole_plan(pauses: tuple[Pause, ...], expected: list[Sent]) -> None:
    assert start_date_for(ENROLLED) == MON
    sent = walk(ENROLLED, "Europe/London", pauses)
    assert sent == expected
    for _, _, instant in sent:
        assert not in_quiet_hours(local_now("Europe/London", instant).time(), WAKE, BED)


def test_walk_from_mid_plan_after_resume() -> None:
    resumed = (Pause(first_day=THU, until=SAT),)
    sent = walk(utc(2026, 3, 20, 12), "Europe/London", resumed)  # paused Friday afternoon
    assert sent[0] == (MORNING, SAT, utc(2026, 3, 21, 7))


def test_next_slot_bedtime_after_midnight_finds_yesterdays_evening() -> None:
    # wake 09:00, bed 01:30 -> evening 00:30 the next calendar date; it is now 00:10 on Tuesday
    found = next_slot(
        datetime(2026, 3, 17, 0, 10, tzinfo=LONDON),
        zone="Europe/London",
        start_date=MON,
        pauses=(),
        onset_date=ONSET,
        wake_time=time(9),
        bedtime=time(1, 30),
    )
    assert found == (Slot(EVENING, MON, time(0, 30), after_midnight=True), utc(2026, 3, 17, 0, 30))


def test_next_slot_in_another_zone() -> None:
    sent = walk(datetime(2026, 3, 15, 13, 0, tzinfo=KOLKATA), "Asia/Kolkata", ())
    assert sent[:2] == [
        (MORNING, MON, utc(2026, 3, 16, 1, 30)),
        (EVENING, MON, utc(2026, 3, 16, 16, 30)),
    ]
    assert sent[-1] == (FOLLOW_UP, date(2026, 3, 31), utc(2026, 3, 31, 16, 30))


def test_next_slot_after_the_end_is_none() -> None:
    found = next_slot(
        utc(2026, 3, 31, 21),
        zone="Europe/London",
        start_date=MON,
        pauses=(),
        onset_date=ONSET,
        wake_time=WAKE,
        bedtime=BED,
    )
    assert found is None


def test_next_slot_exactly_at_a_slot_is_strictly_after() -> None:
    found = next_slot(
        utc(2026, 3, 16, 7),
        zone="Europe/London",
        start_date=MON,
        pauses=(),
        onset_date=ONSET,
        wake_time=WAKE,
        bedtime=BED,
    )
    assert found == (Slot(EVENING, MON, time(22)), utc(2026, 3, 16, 22))
