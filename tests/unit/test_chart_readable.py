"""The /progress chart as a phone shows it: every text big enough to read, and the hour-of-day
panel's bars standing on the hours they count."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bench.report_pdf import sample_report
from bot.domain.episode_insight import episode_insight
from bot.views.charts import DPI, HEIGHT_PX, HOURS_PX, WIDTH_PX, HourPanel, draw_chart, draw_hours

# Smaller text is hard to read once Telegram fits the 1080 px photo to a phone's width.
MIN_FONT_PT = 9


@pytest.fixture(scope="module")
def figure() -> Figure:
    """The chart with its hour panel, drawn as chart_png draws it."""
    sample = sample_report(7)
    zone = sample.profile.zone or "UTC"
    logged = episode_insight(zone, sample.profile.wake_time, sample.episodes, [])
    words = sample.content.twitch
    figure = Figure(figsize=(WIDTH_PX / DPI, (HEIGHT_PX + HOURS_PX) / DPI), dpi=DPI)
    grid = figure.add_gridspec(2, 1, height_ratios=(HEIGHT_PX, HOURS_PX))
    draw_chart(figure.add_subfigure(grid[0]), sample.insight.days, sample.content.ui.insight)
    panel = HourPanel(logged.by_hour, words.chart_hours_title, words.chart_hours_axis)
    draw_hours(figure.add_subfigure(grid[1]), panel)
    figure.canvas.draw()
    return figure


def test_no_text_is_too_small_to_read_on_a_phone(figure: Figure) -> None:
    small = [
        (t.get_text(), t.get_fontsize())
        for t in figure.findobj(Text)
        if t.get_text() and t.get_visible() and float(t.get_fontsize()) < MIN_FONT_PT
    ]
    assert small == []


def test_an_hours_bar_stands_between_its_hour_and_the_next() -> None:
    figure = Figure()
    by_hour = [0] * 24
    by_hour[7] = 3
    draw_hours(figure, HourPanel(by_hour, "Logged episodes by hour", "Episodes"))
    (axes,) = figure.axes
    bars = [p for p in axes.patches if isinstance(p, Rectangle) and p.get_height() > 0]
    assert len(bars) == 1
    assert 7 <= bars[0].get_x() < bars[0].get_x() + bars[0].get_width() <= 8
    ticks = dict(
        zip(axes.get_xticks(), (t.get_text() for t in axes.get_xticklabels()), strict=True)
    )
    assert ticks[6] == "06:00"
    assert ticks[9] == "09:00"
