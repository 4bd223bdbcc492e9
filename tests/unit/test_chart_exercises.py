"""Guided exercises finished in the Mini App are part of the chart's facts, so the PNG (and
the Mini App's SVG, from the same columns) show them; a paused day shows none."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.insight import DayPoint
from bot.texts.content import Content, load_catalog
from bot.views.chart_facts import chart_days
from bot.views.charts import chart_png
from content import CONTENT_ROOT
from tests.factories import make_checkin

START = date(2026, 11, 23)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_catalog(CONTENT_ROOT, "en")


def _days(paused_day: int | None = None) -> list[DayPoint]:
    return [
        DayPoint(START + timedelta(days=n - 1), n, n == paused_day, make_checkin(day=n), ())
        for n in range(1, 8)
    ]


def test_each_column_carries_the_exercises_of_its_plan_day(content: Content) -> None:
    done = {4: ["eyes"], 5: ["eyes", "breathing"], 6: ["breathing"], 9: ["eyes"]}

    columns = chart_days(_days(paused_day=6), content.ui.insight, "en", done)

    assert [c.exercises for c in columns] == [
        (),
        (),
        (),
        ("eyes",),
        ("breathing", "eyes"),
        (),  # paused
        (),
    ]


def test_the_png_marks_the_days_with_an_exercise(content: Content) -> None:
    words = content.ui.insight
    plain = chart_png(_days(), words, "en")

    assert chart_png(_days(), words, "en", exercises={}) == plain
    assert chart_png(_days(), words, "en", exercises={4: ["eyes"]}) != plain
