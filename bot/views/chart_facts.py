"""What the progress chart shows, as plain values: one source for the PNG (`charts.py`) and the
Mini App's SVG (`bot/webapp/chart_svg.py`), so the two can never disagree about a day."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.diary import EXERCISE_KINDS
from bot.domain.insight import DayPoint
from bot.domain.models import Duration
from bot.texts.content_ui import InsightUi
from bot.texts.formats import day_month

MAX_LABELS = 10  # more x labels than this would overlap on a phone
SLEEP_TOP = 12  # hours: the sleep axis always runs 0..12
MIN_TOP = 4  # the episode and caffeine axes show at least 0..4
EPISODES_HEADROOM = 1.3  # the episode axis runs this far above the highest bar


@dataclass(frozen=True)
class ChartDay:
    """One column of the chart. `episodes`, `longest`, `sleep` and `caffeine` are None
    without a check-in; `labelled` days carry their two label lines under the axis;
    `exercises` are the guided exercises finished in the Mini App that plan day."""

    index: int
    day: int  # the plan day
    first_line: str  # "Day 3", or "paused"
    date: str  # in the locale's words
    labelled: bool
    paused: bool
    flagged: bool
    episodes: int | None
    longest: Duration | None
    sleep: float | None
    caffeine: int | None
    exercises: tuple[str, ...] = ()


def chart_days(
    days: Sequence[DayPoint],
    words: InsightUi,
    locale: str,
    exercises: Mapping[int, Collection[str]] | None = None,
) -> list[ChartDay]:
    """The chart's columns, in order, from the same day points as the captions and the PDF;
    `exercises` maps a plan day to the exercise kinds finished on it (none on paused days)."""
    done = exercises or {}
    step = max(1, math.ceil(len(days) / MAX_LABELS))
    columns = []
    for index, point in enumerate(days):
        checkin = point.checkin
        columns.append(
            ChartDay(
                index=index,
                day=point.day,
                first_line=words.chart_paused
                if point.paused
                else words.chart_day.format(day=point.day),
                date=day_month(point.local_date, locale),
                labelled=index % step == 0,
                paused=point.paused,
                flagged=bool(point.red_flags),
                episodes=checkin.episodes_per_day if checkin else None,
                longest=checkin.worst_duration if checkin else None,
                sleep=checkin.sleep_hours if checkin else None,
                caffeine=checkin.caffeine_drinks if checkin else None,
                exercises=()
                if point.paused
                else tuple(k for k in EXERCISE_KINDS if k in done.get(point.day, ())),
            )
        )
    return columns


def episodes_top(columns: Sequence[ChartDay]) -> float:
    """The top of the episode axis: room above the highest bar for its count and a flag."""
    return max([*(c.episodes or 0 for c in columns), MIN_TOP]) * EPISODES_HEADROOM


def caffeine_top(columns: Sequence[ChartDay]) -> int:
    """The top of the caffeine axis: one drink above the most."""
    return max([*(c.caffeine or 0 for c in columns), MIN_TOP]) + 1
