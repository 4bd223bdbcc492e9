"""Table tests for combining check-ins with /urgent reports, and for what counts as new."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.models import Level, Reason, SignReport
from bot.domain.triage import assess_person, triage
from tests.factories import make_checkin

AT = datetime(2026, 3, 22, 12, 0, tzinfo=UTC)


def report(*signs: str, day: int = 3) -> SignReport:
    return SignReport(at=AT, local_date=date(2026, 3, 22), day=day, signs=signs)


@pytest.mark.parametrize(
    ("reports", "level", "reasons"),
    [
        ([], Level.NONE, ()),
        ([report()], Level.NONE, ()),
        ([report("painful")], Level.SEE_DOCTOR, (Reason.PAINFUL,)),
        ([report("confusion")], Level.EMERGENCY, (Reason.CONFUSION,)),
        (
            [report("painful"), report("vision_change")],
            Level.EMERGENCY,
            (Reason.VISION_CHANGE, Reason.PAINFUL),
        ),
    ],
)
def test_reports_add_their_signs(
    reports: list[SignReport], level: Level, reasons: tuple[Reason, ...]
) -> None:
    result = assess_person([make_checkin(day=1)], reports)
    assert result.level is level
    assert result.reasons == reasons


def test_a_report_never_becomes_the_not_improving_baseline() -> None:
    checkins = [
        make_checkin(day=1, episodes_per_day=4),
        make_checkin(day=7, episodes_per_day=2),
    ]
    result = assess_person(checkins, [report(day=1)])
    assert result.level is Level.NONE


def test_a_report_is_not_a_second_twitch_location() -> None:
    result = assess_person([make_checkin(twitch_location="cheek")], [report("painful")])
    assert Reason.SEVERAL_LOCATIONS not in result.reasons


@pytest.mark.parametrize(
    ("advised", "latest", "new", "emergency_now"),
    [
        ((), (), (Reason.DROOPING, Reason.PAINFUL), True),
        ((Reason.PAINFUL,), (), (Reason.DROOPING,), True),
        ((Reason.PAINFUL, Reason.DROOPING), (), (), False),
        ((Reason.PAINFUL, Reason.DROOPING), ("drooping",), (), True),
        ((Reason.DROOPING,), ("painful",), (Reason.PAINFUL,), False),
    ],
)
def test_only_new_reasons_are_advised_but_emergencies_repeat(
    advised: tuple[Reason, ...],
    latest: tuple[str, ...],
    new: tuple[Reason, ...],
    emergency_now: bool,
) -> None:
    assessment = assess_person([make_checkin(drooping=True, painful=True)], [])
    result = triage(assessment, advised, latest)
    assert result.new_reasons == new
    assert result.emergency_now is emergency_now
    assert result.new_doctor_reasons == tuple(r for r in new if r is Reason.PAINFUL)
