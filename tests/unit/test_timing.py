"""Table tests for the scheduler's timing rules: next due send, late sends, snoozes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from bot.domain.models import Pause, Snooze, Status
from bot.domain.plan import SlotKind
from scheduler.timing import (
    EVENING_GRACE,
    next_due,
    routine_of,
    snooze_until,
    worth_sending,
)
from tests.factories import make_profile

# make_profile: Europe/London, wake 07:00, bed 23:00, start Fri 20 March 2026 (GMT, UTC+0).
FRI = date(2026, 3, 20)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


APRIL_1_22_BST = datetime(2026, 4, 1, 21, tzinfo=UTC)  # make_profile's onset + 15 days


@pytest.mark.parametrize(
    ("overrides", "schedulable"),
    [
        ({}, True),
        ({"status": Status.PAUSED}, True),  # the pauses, not the status, hold the days
        ({"status": Status.STOPPED}, False),
        ({"status": Status.INACTIVE}, False),
        ({"status": Status.ONBOARDING}, False),
        ({"emergency_hold": True}, False),
        ({"zone": None}, False),
        ({"start_date": None}, False),
    ],
)
def test_who_gets_nudges(overrides: dict[str, Any], schedulable: bool) -> None:
    assert (routine_of(make_profile(**overrides)) is not None) is schedulable


@pytest.mark.parametrize(
    ("after", "kind", "at"),
    [
        (utc(20, 6), SlotKind.MORNING, utc(20, 7)),
        (utc(20, 7), SlotKind.EVENING, utc(20, 22)),
        (utc(20, 22), SlotKind.MORNING, utc(21, 7)),
        (utc(26, 22), SlotKind.SUMMARY, utc(27, 7)),
        (utc(27, 7), SlotKind.FOLLOW_UP, APRIL_1_22_BST),  # onset + 15 days
    ],
)
def test_next_due(after: datetime, kind: SlotKind, at: datetime) -> None:
    due = next_due(make_profile(), after)
    assert due is not None
    assert (due.slot.kind, due.at) == (kind, at)


def test_next_due_across_the_spring_change() -> None:
    # Sunday 29 March: clocks go forward; 07:00 BST is 06:00 UTC.
    due = next_due(make_profile(start_date=date(2026, 3, 26)), utc(28, 22))
    assert due is not None
    assert (due.slot.kind, due.at) == (SlotKind.MORNING, utc(29, 6))


def test_pending_snooze_comes_before_the_next_slot() -> None:
    snooze = Snooze(kind="evening", local_date=FRI, until=utc(20, 22, 30))
    due = next_due(make_profile(snooze=snooze), utc(20, 22))
    assert due is not None
    assert (due.at, due.snoozed, due.slot.kind) == (utc(20, 22, 30), True, SlotKind.EVENING)
    assert due.marker == "evening+snooze"


@pytest.mark.parametrize(
    ("kind", "slot_at", "now", "send"),
    [
        (SlotKind.MORNING, utc(20, 7), utc(20, 7), True),
        (SlotKind.MORNING, utc(20, 7), utc(20, 15), True),  # late, same local day
        (SlotKind.MORNING, utc(20, 7), utc(20, 23, 30), False),  # quiet hours
        (SlotKind.MORNING, utc(20, 7), utc(21, 8), False),  # the next day
        (SlotKind.EVENING, utc(20, 22), utc(20, 22) + EVENING_GRACE, True),
        (SlotKind.EVENING, utc(20, 22), utc(20, 22, 31), False),  # stale
        (SlotKind.EVENING, utc(20, 22), utc(21, 9), False),
        (SlotKind.FOLLOW_UP, APRIL_1_22_BST, APRIL_1_22_BST + timedelta(minutes=20), True),
    ],
)
def test_worth_sending_after_downtime(
    kind: SlotKind, slot_at: datetime, now: datetime, send: bool
) -> None:
    profile = make_profile()
    due = next_due(profile, slot_at - timedelta(milliseconds=1))
    assert due is not None
    assert (due.at, due.slot.kind) == (slot_at, kind)
    routine = routine_of(profile)
    assert routine is not None
    assert worth_sending(due, now, routine) is send


@pytest.mark.parametrize(
    ("now", "minutes", "until"),
    [
        (utc(20, 22), 30, utc(20, 22, 30)),
        (utc(20, 22), 60, None),  # 23:00 is bedtime: quiet hours
        (utc(20, 12), 60, utc(20, 13)),
        (utc(20, 6), 30, None),  # 06:30 is still quiet: wake is 07:00
    ],
)
def test_snooze_never_lands_in_quiet_hours(
    now: datetime, minutes: int, until: datetime | None
) -> None:
    routine = routine_of(make_profile())
    assert routine is not None
    assert snooze_until(routine, now, timedelta(minutes=minutes)) == until


@pytest.mark.parametrize(
    ("bed", "now", "minutes", "until"),
    [
        (time(0, 30), utc(20, 23, 30), 30, utc(21, 0)),  # past midnight, before bedtime
        (time(0, 30), utc(20, 23, 30), 60, None),  # 00:30 is bedtime
        (time(2), utc(20, 23, 50), 60, utc(21, 0, 50)),
        (time(2), utc(21, 1), 60, None),  # 02:00 is bedtime
        (time(2), utc(21, 6, 40), 30, None),  # still quiet at 06:40, and a new day at 07:10
    ],
)
def test_snooze_crosses_midnight_when_bedtime_is_after_it(
    bed: time, now: datetime, minutes: int, until: datetime | None
) -> None:
    routine = routine_of(make_profile(bedtime=bed))
    assert routine is not None
    assert snooze_until(routine, now, timedelta(minutes=minutes)) == until


def test_paused_days_push_the_next_send() -> None:
    profile = make_profile(pauses=(Pause(first_day=date(2026, 3, 21), until=date(2026, 3, 23)),))
    due = next_due(profile, utc(20, 22))
    assert due is not None
    assert due.at == utc(23, 7)


def test_pausing_keeps_the_rest_of_today_and_holds_everything_after() -> None:
    profile = make_profile(status=Status.PAUSED, pauses=(Pause(first_day=date(2026, 3, 21)),))
    due = next_due(profile, utc(20, 12))
    assert due is not None
    assert (due.slot.kind, due.at) == (SlotKind.EVENING, utc(20, 22))
    assert next_due(profile, utc(20, 22)) is None


def test_a_late_send_just_after_local_midnight_is_still_sent() -> None:
    # Bedtime 00:59: follow-ups and wind-downs are at 23:59; a tick at 00:00 is one minute late.
    profile = make_profile(bedtime=time(0, 59))
    due = next_due(profile, APRIL_1_22_BST + timedelta(hours=1))  # onset + 15 days
    assert due is not None
    assert due.slot.kind is SlotKind.FOLLOW_UP
    routine = routine_of(profile)
    assert routine is not None
    assert worth_sending(due, due.at + timedelta(minutes=1), routine)
