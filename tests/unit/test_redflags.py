"""Table tests for the red-flag checker: every rule of ARCHITECTURE §4 and its boundaries."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.domain.models import WARNING_SIGN_FIELDS, CheckIn, Level, Reason
from bot.domain.redflags import assess, is_improving
from tests.factories import make_checkin

N, DOC, EMG = Level.NONE, Level.SEE_DOCTOR, Level.EMERGENCY


def seq(*overrides: dict[str, Any]) -> list[CheckIn]:
    """Check-ins on consecutive days unless a day is given."""
    return [make_checkin(**{"day": i + 1, **o}) for i, o in enumerate(overrides)]


SINGLE_SIGN_CASES = [
    ("slurred_speech", EMG, Reason.SLURRED_SPEECH),
    ("drooping", EMG, Reason.DROOPING),
    ("sudden_weakness_or_numbness", EMG, Reason.SUDDEN_WEAKNESS_OR_NUMBNESS),
    ("confusion", EMG, Reason.CONFUSION),
    ("vision_change", EMG, Reason.VISION_CHANGE),
    ("spreading", DOC, Reason.SPREADING),
    ("painful", DOC, Reason.PAINFUL),
    ("cannot_close_eye", DOC, Reason.CANNOT_CLOSE_EYE),
    ("eye_redness_or_discharge", DOC, Reason.EYE_REDNESS_OR_DISCHARGE),
    ("eyelid_clamps_shut", DOC, Reason.EYELID_CLAMPS_SHUT),  # AAO, Mayo Clinic
]


def test_every_warning_sign_has_a_rule() -> None:
    assert {field for field, _, _ in SINGLE_SIGN_CASES} == set(WARNING_SIGN_FIELDS)


@pytest.mark.parametrize(("field", "level", "reason"), SINGLE_SIGN_CASES)
def test_each_warning_sign_alone(field: str, level: Level, reason: Reason) -> None:
    result = assess(seq({field: True}))
    assert result.level is level
    assert result.reasons == (reason,)


@pytest.mark.parametrize(
    "field", ["slurred_speech", "drooping", "sudden_weakness_or_numbness", "confusion"]
)
def test_emergency_holds_without_any_twitching(field: str) -> None:
    result = assess(seq({field: True, "episodes_per_day": 0}))
    assert result.level is EMG


CASES: list[tuple[str, list[CheckIn], Level, tuple[Reason, ...]]] = [
    ("nothing at all", [], N, ()),
    ("one ordinary day", seq({}), N, ()),
    (
        "location several face areas",
        seq({"twitch_location": "multiple_face_areas"}),
        DOC,
        (Reason.MULTIPLE_FACE_AREAS,),
    ),
    (
        "location elsewhere in the body",
        seq({"twitch_location": "other_body_part"}),
        DOC,
        (Reason.OTHER_BODY_PART,),
    ),
    ("constant duration", seq({"worst_duration": "constant"}), DOC, (Reason.CONSTANT,)),
    ("minutes duration is not a flag", seq({"worst_duration": "minutes"}), N, ()),
    (
        "two locations while twitching",
        seq({}, {"twitch_location": "cheek"}),
        DOC,
        (Reason.SEVERAL_LOCATIONS,),
    ),
    (
        "second location with no episodes does not count",
        seq({}, {"twitch_location": "cheek", "episodes_per_day": 0}),
        N,
        (),
    ),
    (
        "first location with no episodes does not count",
        seq({"episodes_per_day": 0}, {"twitch_location": "chin"}),
        N,
        (),
    ),
    ("same location twice", seq({}, {}), N, ()),
    ("onset 14 days, still twitching", seq({"days_since_onset": 14}), N, ()),
    (
        "onset 15 days, still twitching",
        seq({"days_since_onset": 15}),
        DOC,
        (Reason.LASTING_OVER_TWO_WEEKS,),
    ),
    ("onset 15 days but 0 episodes", seq({"days_since_onset": 15, "episodes_per_day": 0}), N, ()),
    ("onset 40 days but 0 episodes", seq({"days_since_onset": 40, "episodes_per_day": 0}), N, ()),
    (
        "an emergency sign that later goes away",
        seq({"drooping": True}, {}, {}),
        EMG,
        (Reason.DROOPING,),
    ),
    ("levels only go up: doctor then calm", seq({"painful": True}, {}), DOC, (Reason.PAINFUL,)),
    (
        "doctor signs never add up to emergency",
        seq(
            {
                "painful": True,
                "spreading": True,
                "cannot_close_eye": True,
                "eye_redness_or_discharge": True,
                "worst_duration": "constant",
                "twitch_location": "other_body_part",
                "days_since_onset": 30,
            }
        ),
        DOC,
        (
            Reason.SPREADING,
            Reason.PAINFUL,
            Reason.CANNOT_CLOSE_EYE,
            Reason.EYE_REDNESS_OR_DISCHARGE,
            Reason.OTHER_BODY_PART,
            Reason.CONSTANT,
            Reason.LASTING_OVER_TWO_WEEKS,
        ),
    ),
    (
        "emergency reasons listed first",
        seq({"painful": True}, {"confusion": True}),
        EMG,
        (Reason.CONFUSION, Reason.PAINFUL),
    ),
    (
        "sleep, caffeine and stress never escalate",
        seq({"sleep_hours": 0.0, "caffeine_drinks": 20, "stress_level": 5}),
        N,
        (),
    ),
]


@pytest.mark.parametrize(
    ("checkins", "level", "reasons"),
    [pytest.param(c, lv, r, id=name) for name, c, lv, r in CASES],
)
def test_rules(checkins: list[CheckIn], level: Level, reasons: tuple[Reason, ...]) -> None:
    result = assess(checkins)
    assert result.level is level
    assert result.reasons == reasons


def plan_week(last: dict[str, Any], last_day: int = 7) -> list[CheckIn]:
    """A baseline of 4 episodes lasting minutes on day 1, then `last` on `last_day`."""
    first = make_checkin(day=1, episodes_per_day=4, worst_duration="minutes")
    return [first, make_checkin(**{"day": last_day, **last})]


IMPROVING_CASES = [
    ("zero episodes", {"episodes_per_day": 0, "worst_duration": "constant"}, True),
    ("fewer, same duration", {"episodes_per_day": 2, "worst_duration": "minutes"}, True),
    ("fewer, shorter", {"episodes_per_day": 2, "worst_duration": "seconds"}, True),
    ("fewer but longer", {"episodes_per_day": 2, "worst_duration": "constant"}, False),
    ("same count, shorter", {"episodes_per_day": 4, "worst_duration": "seconds"}, True),
    ("same count, same duration", {"episodes_per_day": 4, "worst_duration": "minutes"}, False),
    ("more, shorter", {"episodes_per_day": 8, "worst_duration": "seconds"}, False),
    ("more, same duration", {"episodes_per_day": 8, "worst_duration": "minutes"}, False),
]


@pytest.mark.parametrize(
    ("last", "improving"), [pytest.param(last, imp, id=name) for name, last, imp in IMPROVING_CASES]
)
def test_improving_definition(last: dict[str, Any], improving: bool) -> None:
    baseline, later = plan_week(last)
    assert is_improving(baseline, later) is improving
    result = assess([baseline, later])
    assert (Reason.NOT_IMPROVING in result.reasons) is (not improving)


@pytest.mark.parametrize(("day", "flagged"), [(6, False), (7, True), (8, True)])
def test_not_improving_only_from_day_7(day: int, flagged: bool) -> None:
    checkins = plan_week({"episodes_per_day": 4, "worst_duration": "minutes"}, last_day=day)
    assert (Reason.NOT_IMPROVING in assess(checkins).reasons) is flagged


def test_not_improving_compares_with_first_checkin_of_earlier_day() -> None:
    # Day 1 baseline 4 episodes; a better day 3 must not become the baseline.
    checkins = [
        make_checkin(day=1, episodes_per_day=4, worst_duration="minutes"),
        make_checkin(day=3, episodes_per_day=1, worst_duration="seconds"),
        make_checkin(day=7, episodes_per_day=2, worst_duration="seconds"),
    ]
    assert assess(checkins).level is N


def test_day_7_without_an_earlier_day_has_no_baseline() -> None:
    checkins = [make_checkin(day=7), make_checkin(day=7)]
    assert assess(checkins).level is N


@pytest.mark.parametrize(
    "bad",
    [
        {"day": -1},
        {"episodes_per_day": -1},
        {"stress_level": 0},
        {"stress_level": 6},
        {"caffeine_drinks": -1},
        {"days_since_onset": -1},
        {"sleep_hours": -0.5},
        {"sleep_hours": float("nan")},
        {"twitch_location": "nose"},
        {"worst_duration": "hours"},
        {"unknown_field": True},
    ],
)
def test_checkin_rejects_out_of_range_values(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make_checkin(**bad)


def test_assessment_serialises_level_names() -> None:
    result = assess(seq({"painful": True}))
    assert result.model_dump(mode="json") == {"level": "see_doctor", "reasons": ["painful"]}
