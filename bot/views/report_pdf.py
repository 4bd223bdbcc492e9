"""The doctor's PDF: the day-by-day timeline table, the chart, and every red-flag answer with its
date, built with matplotlib's PdfPages (no extra dependency). CPU-bound: call it in a thread.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from bot.domain.insight import DayPoint, WeekInsight
from bot.domain.models import Profile
from bot.texts.content import Content, render_plain
from bot.texts.insight_text import (
    advice_lines,
    answers_text,
    duration_word,
    location_name,
    number,
    red_flag_names,
)
from bot.views.charts import FONT, draw_chart, printable

A4_INCHES = (8.27, 11.69)
ROWS_PER_PAGE = 22
LINES_PER_PAGE = 52
WRAP_COLUMNS = 95  # characters per line of body text at 9.5 pt on A4
SIGNS_WRAP = 26  # characters per line in the warning-signs column
_COLUMN_WIDTHS = (0.105, 0.07, 0.13, 0.08, 0.08, 0.08, 0.08, 0.105, 0.27)
WHERE_WRAP = 16  # characters per line in the location column
_ROW_HEIGHT = 0.028  # axes fraction per line of a table row
_T = TypeVar("_T")
Line = tuple[str, float, bool]  # text, font size, bold


def report_pdf(
    content: Content, profile: Profile, insight: WeekInsight, made_at: datetime
) -> bytes:
    """The whole report as PDF bytes: table pages, a chart page, a red-flag page."""
    out = io.BytesIO()
    words = content.ui.insight
    metadata = {
        "Title": printable(words.pdf_title),
        "Creator": "TwitchCare",
        "CreationDate": made_at,
    }
    with PdfPages(out, metadata=metadata) as pdf:
        rows = [_row(content, point) for point in insight.days]
        for index, chunk in enumerate(_chunks(rows, ROWS_PER_PAGE) or [[]]):
            pdf.savefig(_table_page(content, profile, insight, chunk, made_at, first=index == 0))
        pdf.savefig(_chart_page(content, insight.days))
        for lines in _chunks(_red_flag_lines(content, insight), LINES_PER_PAGE):
            pdf.savefig(_text_page(lines))
    return out.getvalue()


def _chunks(items: Sequence[_T], size: int) -> list[list[_T]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _row(content: Content, point: DayPoint) -> tuple[str, ...]:
    words = content.ui.insight
    day = printable(words.chart_paused) if point.paused else str(point.day)
    signs = "\n".join(textwrap.wrap(", ".join(_sign_names(content, point)), SIGNS_WRAP)) or "-"
    checkin = point.checkin
    if checkin is None:
        return (point.local_date.isoformat(), day, "-", "-", "-", "-", "-", "-", signs)
    longest = duration_word(content, checkin.worst_duration) if checkin.episodes_per_day else "-"
    return (
        point.local_date.isoformat(),
        day,
        "\n".join(textwrap.wrap(location_name(content, checkin.twitch_location), WHERE_WRAP)),
        str(checkin.episodes_per_day),
        printable(longest),
        number(checkin.sleep_hours),
        str(checkin.caffeine_drinks),
        str(checkin.stress_level),
        signs,
    )


def _sign_names(content: Content, point: DayPoint) -> list[str]:
    return [printable(name) for name in red_flag_names(content, point.red_flags)]


def _page() -> Figure:
    return Figure(figsize=A4_INCHES)


def _table_page(
    content: Content,
    profile: Profile,
    insight: WeekInsight,
    rows: Sequence[tuple[str, ...]],
    made_at: datetime,
    *,
    first: bool,
) -> Figure:
    words = content.ui.insight
    figure = _page()
    figure.text(0.06, 0.95, printable(words.pdf_title), fontsize=16, weight="bold", family=FONT)
    if first:
        figure.text(0.06, 0.925, _period(content, profile, insight), fontsize=9.5, family=FONT)
    made = render_plain(words.pdf_made, date=made_at.date().isoformat())
    figure.text(0.06, 0.905, printable(made), fontsize=8, color="#555555", family=FONT)
    axes = figure.add_axes((0.04, 0.06, 0.92, 0.83))
    axes.axis("off")
    if rows:
        _table(axes, content, rows)
    return figure


def _period(content: Content, profile: Profile, insight: WeekInsight) -> str:
    words = content.ui.insight
    days = insight.days
    first = days[0].local_date.isoformat() if days else "-"
    last = days[-1].local_date.isoformat() if days else "-"
    start = profile.start_date.isoformat() if profile.start_date else words.pdf_unknown
    onset = profile.onset_date.isoformat() if profile.onset_date else words.pdf_unknown
    period = render_plain(words.pdf_period, first=first, last=last, start=start, onset=onset)
    return printable(period)


def _table(axes: Axes, content: Content, rows: Sequence[tuple[str, ...]]) -> None:
    columns = content.ui.insight.pdf_columns
    headings = [printable(str(getattr(columns, name))) for name in type(columns).model_fields]
    table = axes.table(
        cellText=[list(row) for row in rows],
        colLabels=headings,
        colWidths=list(_COLUMN_WIDTHS),
        loc="upper center",
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    heights = [1] + [max(cell.count("\n") + 1 for cell in row) for row in rows]
    for (row, _column), cell in table.get_celld().items():
        cell.set_height(_ROW_HEIGHT * heights[row])
        if row == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#eaecee")


def _chart_page(content: Content, days: Sequence[DayPoint]) -> Figure:
    figure = Figure(figsize=A4_INCHES)
    draw_chart(figure, days, content.ui.insight)
    return figure


def _red_flag_lines(content: Content, insight: WeekInsight) -> list[Line]:
    """(text, size, bold) lines: the red-flag answers by date, the advice given, the note."""
    words = content.ui.insight
    lines: list[Line] = [(printable(words.pdf_red_flags_title), 13, True)]
    entries = [
        render_plain(
            words.pdf_red_flag_line,
            date=answer.local_date.isoformat(),
            day=answer.day,
            answers=answers_text(content, answer),
        )
        for answer in insight.red_flags
    ] or [words.pdf_none]
    lines += _wrapped(entries)
    advice = advice_lines(content, insight.advice)
    if advice:
        lines += [("", 9.5, False), (printable(words.pdf_advice_title), 13, True)]
        lines += _wrapped(advice)
    lines += [("", 9.5, False), *_wrapped([words.pdf_note])]
    return lines


def _wrapped(texts: Sequence[str]) -> Iterator[Line]:
    for text in texts:
        for line in textwrap.wrap(printable(text), WRAP_COLUMNS, subsequent_indent="  "):
            yield (line, 9.5, False)


def _text_page(lines: Sequence[Line]) -> Figure:
    figure = _page()
    y = 0.95
    for text, size, bold in lines:
        figure.text(0.06, y, text, fontsize=size, weight="bold" if bold else "normal", family=FONT)
        y -= 0.017 * (1.5 if bold else 1)
    return figure
