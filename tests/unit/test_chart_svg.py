"""The Mini App's SVG chart: well-formed, escaped, and showing exactly what the PNG shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from xml.etree import ElementTree as ET

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bot.domain.insight import DayPoint
from bot.domain.models import Reason
from bot.texts.content import Content, load_catalog
from bot.views.charts import HourPanel, draw_chart
from bot.webapp.chart_svg import chart_svg
from content import CONTENT_ROOT
from tests.factories import make_checkin

NS = {"s": "http://www.w3.org/2000/svg"}
START = date(2026, 11, 23)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_catalog(CONTENT_ROOT, "en")


def _week() -> list[DayPoint]:
    """Day 1..7: day 3 spreading, day 4 paused, day 6 without a check-in."""
    points = []
    for n in range(7):
        paused = n == 3
        checkin = None
        if not paused and n != 5:
            checkin = make_checkin(day=n + 1, episodes_per_day=n + 2, sleep_hours=5 + n / 2,
                                   caffeine_drinks=n % 4, worst_duration=("seconds", "minutes",
                                   "constant")[n % 3], spreading=n == 2)  # fmt: skip
        flags = (Reason.SPREADING,) if n == 2 else ()
        points.append(DayPoint(START + timedelta(days=n), n + 1, paused, checkin, flags))
    return points


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_svg_is_a_scalable_document_with_a_title(content: Content) -> None:
    root = _parse(chart_svg(_week(), content))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.findtext("s:title", namespaces=NS) == content.ui.insight.chart_title


def test_each_check_in_is_a_bar_with_its_count_duration_and_day(content: Content) -> None:
    days = _week()
    root = _parse(chart_svg(days, content))
    bars = root.findall(".//s:rect[@data-episodes]", NS)
    expected = [(p.day, p.checkin) for p in days if p.checkin is not None]
    assert [int(b.get("data-day", "0")) for b in bars] == [day for day, _ in expected]
    assert [int(b.get("data-episodes", "0")) for b in bars] == [
        c.episodes_per_day for _, c in expected
    ]
    assert [b.get("class") for b in bars] == [f"bar dur-{c.worst_duration}" for _, c in expected]
    sleep = [float(d.get("data-sleep", "0")) for d in root.findall(".//s:circle[@data-sleep]", NS)]
    assert sleep == [c.sleep_hours for _, c in expected]
    drinks = root.findall(".//s:rect[@data-caffeine]", NS)
    assert [int(d.get("data-caffeine", "0")) for d in drinks] == [
        c.caffeine_drinks for _, c in expected
    ]


def test_flags_pauses_and_missing_days_are_marked(content: Content) -> None:
    root = _parse(chart_svg(_week(), content))
    assert len(root.findall(".//s:path[@class='flag']", NS)) == 1
    assert len(root.findall(".//s:rect[@class='paused']", NS)) == 1
    missing = root.findall(".//s:text[@class='no-checkin']", NS)
    assert [t.text for t in missing] == [content.ui.insight.chart_no_checkin]
    labels = [t.text for t in root.findall(".//s:text[@class='day-label']", NS)]
    assert labels == ["Day 1", "Day 2", "Day 3", "paused", "Day 5", "Day 6", "Day 7"]


def test_the_svg_and_the_png_show_the_same_bars(content: Content) -> None:
    """Both are drawn from bot/views/chart_facts.py: the same heights in the same columns."""
    days = _week()
    figure = Figure()
    draw_chart(figure, days, content.ui.insight)
    episodes = figure.axes[0]
    png = sorted(
        (round(p.get_x() + p.get_width() / 2), round(p.get_height()))
        for p in episodes.patches
        if isinstance(p, Rectangle) and p.get_height() > 0 and p.get_width() < 1
    )
    root = _parse(chart_svg(days, content))
    columns = {p.day: i for i, p in enumerate(days)}
    svg = sorted(
        (columns[int(b.get("data-day", "0"))], int(b.get("data-episodes", "0")))
        for b in root.findall(".//s:rect[@data-episodes]", NS)
    )
    assert svg == png


def test_texts_are_escaped_not_markup(content: Content) -> None:
    hostile = '<script>alert("x")</script> & <b>'
    words = content.ui.insight.model_copy(update={"chart_title": hostile})
    svg = chart_svg(_week(), replace(content, ui=content.ui.model_copy(update={"insight": words})))
    root = _parse(svg)
    assert "<script>" not in svg
    assert root.findall(".//s:script", NS) == []
    assert root.findtext("s:title", namespaces=NS) == hostile


def test_finished_exercises_show_under_their_day(content: Content) -> None:
    root = _parse(chart_svg(_week(), content, exercises={4: {"eyes"}, 5: {"breathing", "eyes"}}))
    dots = [(d.get("data-day"), d.get("data-kind")) for d in root.findall(".//s:circle", NS)
            if d.get("data-kind")]  # fmt: skip
    # day 4 is paused in this week, so its exercise has no column to stand under
    assert dots == [("5", "breathing"), ("5", "eyes")]
    assert root.findtext(".//s:circle[@data-kind='eyes']/s:title", namespaces=NS) == (
        content.webapp.eyes_title
    )


def test_the_hours_panel_has_a_bar_per_hour(content: Content) -> None:
    by_hour = [0] * 24
    by_hour[7] = 3
    root = _parse(chart_svg(_week(), content, hours=HourPanel(by_hour, "By hour", "Episodes")))
    bars = root.findall(".//s:rect[@data-hour]", NS)
    assert [int(b.get("data-count", "0")) for b in bars] == by_hour


@pytest.mark.parametrize("locale", ["de", "ru"])
def test_dates_and_words_follow_the_locale(content: Content, locale: str) -> None:
    local = content.in_locale(locale)
    root = _parse(chart_svg(_week(), local))
    assert root.findtext("s:title", namespaces=NS) == local.ui.insight.chart_title
    assert root.findall(".//s:text[@class='date-label']", NS)


def test_the_sleep_and_caffeine_panel_names_each_series_in_its_colour(content: Content) -> None:
    """The line is sleep and the bars are drinks: the label says which is which by colour."""
    root = _parse(chart_svg(_week(), content))
    words = content.ui.insight
    parts = {
        (part.text or "").strip(): part.get("fill")
        for part in root.findall(".//s:g[@class='habits']/s:text/s:tspan", NS)
    }
    line = root.find(".//s:polyline[@class='sleep']", NS)
    bar = root.find(".//s:rect[@data-caffeine]", NS)
    assert line is not None
    assert bar is not None
    assert parts == {
        f"● {words.chart_sleep_axis}": line.get("stroke"),
        f"▮ {words.chart_caffeine_axis}": bar.get("fill"),
    }
