"""The progress chart, drawn with matplotlib's object API (no pyplot, so no global figure state).

`chart_png` is CPU-bound (~0.1-0.3 s): handlers call it through `asyncio.to_thread` so the event
loop keeps serving other people. Each call builds its own `Figure`, which is safe across threads.
The font is DejaVu Sans, which ships with matplotlib; it has no emoji, so every text drawn goes
through `printable`.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bot.domain.episode_insight import EpisodeInsight
from bot.domain.insight import SLEEP_HOURS_UNDER, DayPoint
from bot.domain.models import Duration
from bot.texts.content_twitch import TwitchContent
from bot.texts.content_ui import InsightUi
from bot.texts.telegram_html import visible_text
from bot.views.chart_facts import SLEEP_TOP, ChartDay, caffeine_top, chart_days, episodes_top

# 1080 x 1350 px (4:5) fills a phone screen's width without scaling the text down much.
WIDTH_PX, HEIGHT_PX, DPI = 1080, 1350, 150
FONT = "DejaVu Sans"
# Room for the title and the legend above the top panel, the axis labels on both sides, the
# two-line day labels below, and the legend between the panels (figure fractions).
_GRID: dict[str, Any] = {
    "height_ratios": (3, 2),
    "left": 0.11,
    "right": 0.89,
    "top": 0.87,
    "bottom": 0.08,
    "hspace": 0.2,
}
# The hour-of-day panel under the chart, once there are logged episodes.
HOURS_PX = 450
_HOURS_GRID: dict[str, Any] = {"left": 0.11, "right": 0.89, "top": 0.84, "bottom": 0.16}
# Legends sit above their panel, so they never hide a bar or a flag.
_LEGEND_ABOVE: dict[str, Any] = {
    "loc": "lower left",
    "bbox_to_anchor": (0, 1.0),
    "fontsize": 9,
    "ncols": 2,
    "frameon": False,
}

EXERCISE = "#27ae60"  # a guided exercise finished in the Mini App
DURATION_COLOURS: dict[Duration, str] = {
    Duration.SECONDS: "#85c1e9",
    Duration.MINUTES: "#2e86c1",
    Duration.CONSTANT: "#1b2631",
}
RED_FLAG = "#c0392b"
PAUSED = "#d5d8dc"
SLEEP = "#6c3483"
CAFFEINE = "#d68910"
MUTED = "#7f8c8d"


_EMOJI_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


@cache
def _font_codepoints() -> frozenset[int]:
    path = font_manager.findfont(FontProperties(family=FONT), fallback_to_default=True)
    return frozenset(FT2Font(path).get_charmap())


def printable(text: str) -> str:
    """Text as the chart font can draw it: no HTML, no emoji, single spaces."""
    known = _font_codepoints()
    # Emoji presentation selectors and joiners are in the font but draw as boxes on their own.
    kept = "".join(
        ch if ord(ch) in known and ch not in _EMOJI_JOINERS else " " for ch in visible_text(text)
    )
    return " ".join(kept.split())


@dataclass(frozen=True)
class HourPanel:
    """Logged episodes per local hour (0..23), with the panel's title and axis label."""

    by_hour: Sequence[int]
    title: str
    axis: str


def hour_panel(words: TwitchContent, logged: EpisodeInsight) -> HourPanel | None:
    """The hour-of-day panel, once any episode was logged (the PNG and the SVG alike)."""
    if not logged.total:
        return None
    return HourPanel(logged.by_hour, words.chart_hours_title, words.chart_hours_axis)


def chart_png(
    days: Sequence[DayPoint],
    words: InsightUi,
    locale: str,
    hours: HourPanel | None = None,
    exercises: Mapping[int, Collection[str]] | None = None,
) -> bytes:
    """The chart as a WIDTH_PX x HEIGHT_PX PNG with `locale`'s dates; with logged episodes,
    taller by an hour-of-day panel below (HOURS_PX); `exercises` (plan day -> kinds) marks
    the days a guided exercise was finished."""
    if hours is None:
        figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        draw_chart(figure, days, words, locale, exercises)
    else:
        figure = Figure(figsize=(WIDTH_PX / DPI, (HEIGHT_PX + HOURS_PX) / DPI), dpi=DPI)
        grid = figure.add_gridspec(2, 1, height_ratios=(HEIGHT_PX, HOURS_PX))
        draw_chart(figure.add_subfigure(grid[0]), days, words, locale, exercises)
        draw_hours(figure.add_subfigure(grid[1]), hours)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def draw_hours(figure: Figure | SubFigure, hours: HourPanel) -> None:
    """One bar per local hour: when in the day the logged episodes came."""
    axes = figure.subplots(1, 1, gridspec_kw=_HOURS_GRID)
    # Each bar fills its hour, 07:00 to 08:00 for the 07 hour, so it reads against the ticks.
    axes.bar(range(24), hours.by_hour, color=DURATION_COLOURS[Duration.MINUTES], width=0.9,
             align="edge")  # fmt: skip
    axes.set_title(printable(hours.title), fontsize=12, fontweight="bold", family=FONT)
    axes.set_ylabel(printable(hours.axis), fontsize=12, family=FONT)
    ticks = range(0, 25, 3)
    axes.set_xticks(ticks, [f"{h:02d}:00" for h in ticks], fontsize=10, family=FONT)
    axes.set_xlim(-0.2, 24.2)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color=PAUSED, linewidth=0.6)
    axes.set_axisbelow(True)


def draw_chart(
    figure: Figure | SubFigure,
    days: Sequence[DayPoint],
    words: InsightUi,
    locale: str = "en",
    exercises: Mapping[int, Collection[str]] | None = None,
) -> None:
    """Episodes (coloured by the longest episode) above; sleep and caffeine below; dates as
    `locale` writes them."""
    # Fixed margins: a layout engine would double the drawing time (it measures every text).
    episodes, habits = figure.subplots(2, 1, sharex=True, gridspec_kw=_GRID)
    figure.suptitle(
        printable(words.chart_title), y=0.985, fontsize=15, fontweight="bold", family=FONT
    )
    columns = chart_days(days, words, locale, exercises)
    for axes in (episodes, habits):
        _mark_paused(axes, columns)
    _draw_episodes(episodes, columns, words)
    _draw_habits(habits, columns, words)
    _label_days(habits, columns)


def _mark_paused(axes: Axes, columns: Sequence[ChartDay]) -> None:
    for column in columns:
        if column.paused:
            axes.axvspan(column.index - 0.5, column.index + 0.5, facecolor=PAUSED, hatch="//",
                         edgecolor="white")  # fmt: skip


def _draw_episodes(axes: Axes, columns: Sequence[ChartDay], words: InsightUi) -> None:
    top = episodes_top(columns)
    for column in columns:
        index, count = column.index, column.episodes
        if count is None or column.longest is None:
            if not column.paused:
                note = printable(words.chart_no_checkin)
                axes.text(index, top * 0.02, note, rotation=90, ha="center", va="bottom",
                          fontsize=9, color=MUTED, family=FONT)  # fmt: skip
            continue
        colour = DURATION_COLOURS[column.longest]
        axes.bar(index, count, width=0.7, color=colour, edgecolor="black", linewidth=0.6)
        axes.text(index, count + top * 0.02, str(count), ha="center", va="bottom",
                  fontsize=11, fontweight="bold", family=FONT)  # fmt: skip
    flagged = [c for c in columns if c.flagged]
    axes.plot([c.index for c in flagged], [(c.episodes or 0) + top * 0.13 for c in flagged],
              linestyle="none", marker="v", markersize=12, color=RED_FLAG)  # fmt: skip
    axes.set_ylim(0, top)
    axes.set_ylabel(printable(words.chart_episodes_axis), fontsize=12, family=FONT)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(handles=_episode_legend(words), **_LEGEND_ABOVE)


def _episode_legend(words: InsightUi) -> list[Patch | Line2D]:
    longest = printable(words.chart_longest)
    handles: list[Patch | Line2D] = [
        Patch(
            facecolor=colour,
            edgecolor="black",
            label=f"{longest}: {printable(getattr(words.durations, duration.value))}",
        )
        for duration, colour in DURATION_COLOURS.items()
    ]
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="v",
            markersize=10,
            color=RED_FLAG,
            label=printable(words.chart_red_flag),
        )  # fmt: skip
    )
    handles.append(
        Patch(facecolor=PAUSED, hatch="//", edgecolor="white", label=printable(words.chart_paused))
    )
    return handles


def _draw_habits(axes: Axes, columns: Sequence[ChartDay], words: InsightUi) -> None:
    known = [c for c in columns if c.sleep is not None and c.caffeine is not None]
    drinks = axes.twinx()
    drinks.bar([c.index for c in known], [c.caffeine or 0 for c in known], width=0.45,
               color=CAFFEINE, alpha=0.55, zorder=1)  # fmt: skip
    drinks.set_ylim(0, caffeine_top(columns))
    drinks.set_ylabel(printable(words.chart_caffeine_axis), fontsize=12, color=CAFFEINE,
                      family=FONT)  # fmt: skip
    axes.plot([c.index for c in known], [c.sleep or 0.0 for c in known], marker="o",
              markersize=7, linewidth=2.5, color=SLEEP, zorder=3)  # fmt: skip
    axes.axhline(SLEEP_HOURS_UNDER, color=SLEEP, linestyle="--", linewidth=1, alpha=0.6)
    axes.set_ylim(0, SLEEP_TOP)
    axes.set_ylabel(printable(words.chart_sleep_axis), fontsize=12, color=SLEEP, family=FONT)
    axes.set_zorder(drinks.get_zorder() + 1)  # the sleep line stays in front of the bars
    axes.patch.set_visible(False)
    handles = [
        Line2D([], [], color=SLEEP, marker="o", linewidth=2.5,
               label=printable(words.chart_sleep_axis)),
        Patch(facecolor=CAFFEINE, alpha=0.55, label=printable(words.chart_caffeine_axis)),
    ]  # fmt: skip
    done = [c for c in columns if c.exercises]
    if done:
        # A star near the top of the sleep axis for each day with a guided exercise done.
        axes.plot([c.index for c in done], [SLEEP_TOP * 0.93] * len(done), linestyle="none",
                  marker="*", markersize=13, color=EXERCISE, zorder=4)  # fmt: skip
        handles.append(Line2D([], [], linestyle="none", marker="*", markersize=11,
                              color=EXERCISE, label=printable(words.chart_exercises)))  # fmt: skip
    axes.legend(handles=handles, **_LEGEND_ABOVE)


def _label_days(axes: Axes, columns: Sequence[ChartDay]) -> None:
    """ "Day 3" and the date under each day; every n-th one when there are many."""
    labelled = [c for c in columns if c.labelled]
    labels = [f"{printable(c.first_line)}\n{printable(c.date)}" for c in labelled]
    axes.set_xticks([c.index for c in labelled], labels, fontsize=10, family=FONT)
    axes.set_xlim(-0.6, max(len(columns), 1) - 0.4)
