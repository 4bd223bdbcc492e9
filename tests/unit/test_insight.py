"""Table tests for the insight: trigger-pattern cut-offs, the timeline, the week's facts, and
the words (caption and summary within Telegram's limits)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from bot.domain.insight import (
    Change,
    Doctor,
    Factor,
    NextStep,
    Verdict,
    answered_red_flags,
    compare,
    timeline,
    trigger_patterns,
    week_insight,
)
from bot.domain.models import WARNING_SIGN_FIELDS, CheckIn, CheckInRecord, Pause, Reason, SignReport
from bot.texts.content import Content, load_content
from bot.texts.insight_text import chart_caption, pack, week_summary
from bot.texts.telegram_html import html_problem, visible_length
from bot.views.charts import printable
from content import CONTENT_ROOT
from tests.factories import make_checkin, make_profile

START = date(2026, 3, 20)  # make_profile's start date


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(CONTENT_ROOT, "en")


def days(table: list[tuple[int, float, int, int]]) -> list[CheckIn]:
    """Check-ins from rows of (caffeine drinks, sleep hours, stress, episodes)."""
    return [
        make_checkin(day=n, caffeine_drinks=c, sleep_hours=s, stress_level=st, episodes_per_day=e)
        for n, (c, s, st, e) in enumerate(table, start=1)
    ]


# --- trigger patterns: the cut-offs -----------------------------------------------------------

#                    caffeine  sleep  stress  episodes
CLEAR_CAFFEINE = [
    (4, 7.5, 2, 8),
    (3, 7.5, 2, 8),
    (4, 7.5, 2, 12),
    (1, 7.5, 2, 2),
    (0, 7.5, 2, 2),
    (1, 7.5, 2, 0),
]
NO_ASSOCIATION = [
    (4, 7.5, 2, 4),
    (3, 7.5, 2, 2),
    (4, 7.5, 2, 4),
    (1, 7.5, 2, 4),
    (0, 7.5, 2, 2),
    (1, 7.5, 2, 4),
]
TOO_FEW_WITH = [  # only 2 caffeine-heavy days, however striking
    (4, 7.5, 2, 12),
    (4, 7.5, 2, 12),
    (0, 7.5, 2, 0),
    (0, 7.5, 2, 0),
    (0, 7.5, 2, 0),
    (0, 7.5, 2, 0),
]
TOO_FEW_WITHOUT = [  # 4 with, 2 without
    (3, 7.5, 2, 12),
    (3, 7.5, 2, 12),
    (3, 7.5, 2, 12),
    (3, 7.5, 2, 12),
    (2, 7.5, 2, 0),
    (2, 7.5, 2, 0),
]
LESS_WITH = [
    (3, 7.5, 2, 0),
    (3, 7.5, 2, 2),
    (3, 7.5, 2, 0),
    (0, 7.5, 2, 8),
    (0, 7.5, 2, 8),
    (0, 7.5, 2, 4),
]
SMALL_GAP = [  # 4.0 against 3.33: under one episode a day apart
    (3, 7.5, 2, 4),
    (3, 7.5, 2, 4),
    (3, 7.5, 2, 4),
    (0, 7.5, 2, 4),
    (0, 7.5, 2, 4),
    (0, 7.5, 2, 2),
]
BIG_ABSOLUTE_SMALL_RELATIVE = [  # 12 against 10.67: more than 1 apart, but under 25 %
    (3, 7.5, 2, 12),
    (3, 7.5, 2, 12),
    (3, 7.5, 2, 12),
    (0, 7.5, 2, 12),
    (0, 7.5, 2, 12),
    (0, 7.5, 2, 8),
]


@pytest.mark.parametrize(
    ("table", "verdict", "with_without", "means"),
    [
        pytest.param([], Verdict.NOT_ENOUGH_DATA, (0, 0), (None, None), id="no-days"),
        pytest.param(TOO_FEW_WITH, Verdict.NOT_ENOUGH_DATA, (2, 4), (12, 0), id="2-with"),
        pytest.param(TOO_FEW_WITHOUT, Verdict.NOT_ENOUGH_DATA, (4, 2), (12, 0), id="2-without"),
        pytest.param(CLEAR_CAFFEINE, Verdict.MORE_WITH, (3, 3), (28 / 3, 4 / 3), id="clear"),
        pytest.param(NO_ASSOCIATION, Verdict.NO_CLEAR_DIFFERENCE, (3, 3), (10 / 3, 10 / 3),
                     id="none"),
        pytest.param(LESS_WITH, Verdict.FEWER_WITH, (3, 3), (2 / 3, 20 / 3), id="less"),
        pytest.param(SMALL_GAP, Verdict.NO_CLEAR_DIFFERENCE, (3, 3), (4, 10 / 3), id="small"),
        pytest.param(BIG_ABSOLUTE_SMALL_RELATIVE, Verdict.NO_CLEAR_DIFFERENCE, (3, 3),
                     (12, 32 / 3), id="relative"),
    ],
)  # fmt: skip
def test_caffeine_cut_offs(
    table: list[tuple[int, float, int, int]],
    verdict: Verdict,
    with_without: tuple[int, int],
    means: tuple[float | None, float | None],
) -> None:
    pattern = compare(Factor.CAFFEINE, days(table))
    assert pattern.verdict is verdict
    assert (pattern.days_with, pattern.days_without) == with_without
    assert (pattern.mean_with, pattern.mean_without) == pytest.approx(means)


@pytest.mark.parametrize(
    ("caffeine", "sleep", "stress", "present"),
    [
        (2, 6.0, 3, set()),
        (3, 6.0, 3, {Factor.CAFFEINE}),
        (2, 5.5, 3, {Factor.SHORT_SLEEP}),
        (2, 6.0, 4, {Factor.STRESS}),
        (4, 4.5, 5, {Factor.CAFFEINE, Factor.SHORT_SLEEP, Factor.STRESS}),
    ],
)
def test_factor_thresholds(caffeine: int, sleep: float, stress: int, present: set[Factor]) -> None:
    patterns = trigger_patterns(days([(caffeine, sleep, stress, 2)]))
    assert {p.factor for p in patterns if p.days_with == 1} == present


def test_every_factor_is_compared_and_late_screens_are_not() -> None:
    assert [p.factor.value for p in trigger_patterns([])] == ["caffeine", "short_sleep", "stress"]


# --- red-flag answers and the timeline --------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "reasons"),
    [
        ({}, ()),
        ({"painful": True}, (Reason.PAINFUL,)),
        ({"drooping": True, "twitch_location": "cheek"}, (Reason.DROOPING,)),
        ({"twitch_location": "other_body_part"}, (Reason.OTHER_BODY_PART,)),
        ({"worst_duration": "constant", "spreading": True}, (Reason.SPREADING, Reason.CONSTANT)),
        ({"days_since_onset": 30}, ()),  # derived, not an answer
    ],
)
def test_answered_red_flags(answers: dict[str, Any], reasons: tuple[Reason, ...]) -> None:
    assert answered_red_flags(make_checkin(**answers)) == reasons


@pytest.mark.parametrize("field", WARNING_SIGN_FIELDS)
def test_every_warning_sign_is_an_answered_red_flag(field: str) -> None:
    assert Reason(field) in answered_red_flags(make_checkin(**{field: True}))


def record(on: date, **answers: Any) -> CheckInRecord:
    day = (on - START).days + 1
    checkin = make_checkin(day=day, **answers)
    return CheckInRecord(
        at=datetime.combine(on, time(20), tzinfo=UTC), local_date=on, checkin=checkin
    )


def test_timeline_marks_paused_missing_and_flagged_days() -> None:
    profile = make_profile(pauses=(Pause(first_day=date(2026, 3, 22), until=date(2026, 3, 23)),))
    records = [
        record(date(2026, 3, 20), episodes_per_day=8),
        record(date(2026, 3, 20), episodes_per_day=4),  # an update: the latest answers count
    ]
    report = SignReport(
        at=datetime(2026, 3, 24, 9, tzinfo=UTC),
        local_date=date(2026, 3, 24),
        day=4,
        signs=("vision_change",),
    )
    points = timeline(profile, records, [report], today=date(2026, 3, 24))
    assert [(p.local_date.day, p.day, p.paused) for p in points] == [
        (20, 1, False),
        (21, 2, False),
        (22, 2, True),
        (23, 3, False),
        (24, 4, False),
    ]
    assert points[0].checkin is not None
    assert points[0].checkin.episodes_per_day == 4
    assert [p.checkin is None for p in points] == [False, True, True, True, True]
    assert points[-1].red_flags == (Reason.VISION_CHANGE,)


def test_timeline_before_the_start_is_empty() -> None:
    assert timeline(make_profile(), [], [], today=date(2026, 3, 19)) == ()


def week(**day_answers: dict[str, Any]) -> list[CheckInRecord]:
    """Seven daily check-ins from 20 March; `d3={"painful": True}` changes day 3's answers."""
    return [record(START + timedelta(days=n), **day_answers.get(f"d{n + 1}", {})) for n in range(7)]


@pytest.mark.parametrize(
    ("records", "advised", "step", "doctors"),
    [
        pytest.param(
            week(d1={"episodes_per_day": 8}, d7={"episodes_per_day": 0}),
            (),
            NextStep.KEEP_HABITS,
            (),
            id="better",
        ),
        pytest.param(week(), (), NextStep.SEE_DOCTOR, (Doctor.GP,), id="no-change"),
        pytest.param(
            week(d1={"episodes_per_day": 8}, d2={"eye_redness_or_discharge": True},
                 d7={"episodes_per_day": 0}),
            (Reason.EYE_REDNESS_OR_DISCHARGE,),
            NextStep.SEE_DOCTOR,
            (Doctor.EYE,),
            id="eye",
        ),
        pytest.param(
            week(d1={"episodes_per_day": 8}, d3={"slurred_speech": True},
                 d7={"episodes_per_day": 0}),
            (Reason.SLURRED_SPEECH,),
            NextStep.EMERGENCY,
            (),
            id="emergency",
        ),
    ],
)  # fmt: skip
def test_what_to_do_next(
    records: list[CheckInRecord],
    advised: tuple[Reason, ...],
    step: NextStep,
    doctors: tuple[Doctor, ...],
) -> None:
    profile = make_profile(advised_reasons=advised)
    insight = week_insight(profile, records, [], today=date(2026, 3, 27))
    assert insight.next_step is step
    assert insight.doctors == doctors
    assert insight.steps_done == (1, 2, 3, 4, 5, 6, 7)


def test_week_facts_compare_day_1_with_day_7() -> None:
    records = week(d1={"episodes_per_day": 8}, d4={"painful": True}, d7={"episodes_per_day": 2})
    del records[4]  # no check-in on day 5
    insight = week_insight(make_profile(), records, [], today=date(2026, 3, 27))
    assert insight.first is not None
    assert insight.last is not None
    assert (insight.first.day, insight.last.day) == (1, 7)
    assert insight.change is Change.IMPROVED
    assert insight.steps_done == (1, 2, 3, 4, 6, 7)
    assert [(a.local_date.day, a.reasons) for a in insight.red_flags] == [(23, (Reason.PAINFUL,))]
    assert Reason.PAINFUL in insight.advice


# --- the words ---------------------------------------------------------------------------------


def test_caption_stays_within_telegrams_limit_and_keeps_the_latest_days(content: Content) -> None:
    start = date(2026, 1, 1)
    profile = make_profile(start_date=start)
    records = [
        CheckInRecord(
            at=datetime.combine(start + timedelta(days=n), time(20), tzinfo=UTC),
            local_date=start + timedelta(days=n),
            checkin=make_checkin(day=n + 1, painful=True),
        )
        for n in range(40)
    ]
    points = timeline(profile, records, [], today=start + timedelta(days=39))
    caption = chart_caption(content, points)
    assert visible_length(caption) <= 1024
    assert "Earlier days are in the PDF from /export." in caption
    assert "Mon 9 Feb" in caption  # the last day is kept


def test_summary_messages_stay_within_telegrams_limit(content: Content) -> None:
    every_sign = dict.fromkeys(("painful", "spreading", "drooping", "confusion"), True)
    records = [record(START + timedelta(days=n), **every_sign) for n in range(120)]
    insight = week_insight(make_profile(), records, [], today=date(2026, 3, 27))
    assert len(insight.red_flags) == 120  # one line each, far more than one message holds
    messages = week_summary(content, make_profile(), insight, 7, len(records))
    assert len(messages) > 1
    assert all(visible_length(m) <= 4096 for m in messages)
    assert all(html_problem(m) is None for m in messages)
    assert "Fri 17 Jul (day 120)" in messages[-2] + messages[-1]


@pytest.mark.parametrize(
    ("sections", "limit", "expected"),
    [
        (["a", "b"], 10, ["a\n\nb"]),
        (["aaaa", "bbbb"], 6, ["aaaa", "bbbb"]),
        (["aaa\nbbb\nccc"], 8, ["aaa\nbbb", "ccc"]),
        ([], 10, []),
    ],
)
def test_pack(sections: list[str], limit: int, expected: list[str]) -> None:
    assert pack(sections, limit) == expected


@pytest.mark.parametrize(
    ("text", "drawn"),
    [
        ("🚨 <b>Call now</b>", "Call now"),
        ("Sleep (hours)", "Sleep (hours)"),
        ("▫️ Day 4 · rest", "▫ Day 4 · rest"),
    ],
)
def test_printable_drops_what_the_chart_font_cannot_draw(text: str, drawn: str) -> None:
    assert printable(text) == drawn
