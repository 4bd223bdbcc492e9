"""The doctor's PDF, a clinical one-pager for a week: the headline first (onset and duration, the
trend, every warning sign answered yes or no, the advice given), then the day table, the
episodes logged as they happened and the chart. Longer diaries flow onto a second page under the
same header, the table's headings repeated.

Laid out with fpdf2; the text is DejaVu Sans (shipped with matplotlib), embedded as a TrueType
subset without text shaping, so no ligature breaks extraction ("Caffeine" stays "Caffeine").
The chart is matplotlib's progress chart drawn to the space left. CPU-bound: call it in a thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from functools import cache
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.table import Table
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from bot.domain.episodes import Episode
from bot.domain.insight import WeekInsight
from bot.domain.models import Profile
from bot.texts.content import Content, render_plain
from bot.views import report_facts
from bot.views.charts import FONT, draw_chart, printable

FAMILY = "DejaVu"
MARGIN = 10.0  # mm, every side
FOOTER = 9.0  # mm kept above the bottom margin for the note and the page number
BODY, LINE = 8.0, 3.6  # pt and mm of body text
# Mm widths of the day table's columns (date, day, where, episodes, longest, sleep, caffeine,
# stress, warning signs) and of the other tables; each adds up to A4's text width (190 mm).
DAY_COLUMNS = (19.5, 12.0, 27.0, 16.5, 16.0, 14.0, 16.5, 16.5, 52.0)
EVENT_COLUMNS = (19.5, 170.5)
SIGN_COLUMNS = (56.0, 39.0, 56.0, 39.0)  # warning signs in two columns of (sign, answer)
# The chart takes the rest of the page, between these heights (mm); with less room left it goes
# to the next page. It is drawn CHART_SCALE times larger than printed, so its fonts print smaller.
CHART_MIN, CHART_MAX = 60.0, 105.0
CHART_SCALE = 1.4
CHART_DPI = 200
# A wide, short chart keeps fixed room (inches as drawn) for the title and the one-row legend
# above the top panel, between the panels, and for the two-line day labels below.
CHART_TOP_IN, CHART_GAP_IN, CHART_BOTTOM_IN = 0.62, 0.45, 0.5
CHART_FLAG_SIZE = 8
LEGEND_ONE_ROW: dict[str, Any] = {
    "loc": "lower left",
    "bbox_to_anchor": (0, 1.0),
    "fontsize": 8,
    "columnspacing": 1.2,
    "frameon": False,
}
GREY = (90, 90, 90)
SHADE = (236, 239, 241)


def report_pdf(
    content: Content,
    profile: Profile,
    insight: WeekInsight,
    made_at: datetime,
    *,
    episodes: Sequence[Episode] = (),
) -> bytes:
    """The whole report as PDF bytes; `episodes` are the ones logged as they happened."""
    words = content.ui.insight
    made = render_plain(words.pdf_made, date=made_at.date().isoformat())
    pdf = _Report(printable(words.pdf_title), printable(made), printable(words.pdf_note))
    pdf.set_creation_date(made_at)
    pdf.add_page()
    _headline(pdf, content, report_facts.headline(content, profile, insight, made_at))
    _days(pdf, content, insight)
    _episodes(pdf, content, profile.zone or "UTC", episodes)
    _chart(pdf, content, insight)
    return bytes(pdf.output())


class _Report(FPDF):
    """A4 with the title and page number on every page and the note at the foot."""

    def __init__(self, title: str, made: str, note: str) -> None:
        super().__init__(format="A4")
        self.report_title, self.made, self.note = title, made, note
        self.set_title(title)
        self.set_creator("TwitchCare")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + FOOTER)
        self.add_font(FAMILY, "", _font_file("normal"))
        self.add_font(FAMILY, "B", _font_file("bold"))

    def header(self) -> None:
        self.set_font(FAMILY, "B", 14)
        self.cell(0, 6, self.report_title)
        self.set_font(FAMILY, "", BODY)
        self.set_text_color(*GREY)
        made = f"{self.made}   {self.page_no()}/{{nb}}"
        self.cell(0, 6, made, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.line(MARGIN, self.get_y() + 1, self.w - MARGIN, self.get_y() + 1)
        self.ln(2.5)

    def footer(self) -> None:
        self.set_xy(MARGIN, -(MARGIN + FOOTER) + 1.5)
        self.set_font(FAMILY, "", 6.5)
        self.set_text_color(*GREY)
        self.multi_cell(0, 3, self.note)
        self.set_text_color(0)


@cache
def _font_file(weight: str) -> str:
    return str(font_manager.findfont(FontProperties(family=FONT, weight=weight)))


def _title(pdf: FPDF, text: str) -> None:
    pdf.ln(1)
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")


def _paragraph(pdf: FPDF, text: str, *, size: float = BODY, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, LINE * size / BODY, text, new_x="LMARGIN", new_y="NEXT")


def _headline(pdf: FPDF, content: Content, head: report_facts.Headline) -> None:
    words = content.ui.insight
    _paragraph(pdf, head.onset, size=11, bold=True)
    _paragraph(pdf, head.trend, size=11, bold=True)
    _paragraph(pdf, head.period)
    _title(pdf, printable(words.pdf_signs_title))
    half = (len(head.signs) + 1) // 2
    pairs = zip(head.signs[:half], (*head.signs[half:], None), strict=True)
    with _table(pdf, SIGN_COLUMNS, headings=False, borders="NONE") as table:
        for left, right in pairs:
            row = table.row()
            for sign in (left, right):
                row.cell(sign.name if sign else "")
                style = FontFace(emphasis="BOLD" if sign and sign.yes else None)
                row.cell(sign.answer if sign else "", style=style)
    _title(pdf, printable(words.pdf_advice_title))
    for line in head.advice:
        _paragraph(pdf, line)


def _table(
    pdf: FPDF, widths: Sequence[float], *, headings: bool = True, borders: str = "ALL"
) -> AbstractContextManager[Table]:
    pdf.set_font(FAMILY, "", BODY)
    return pdf.table(
        col_widths=tuple(widths),
        width=sum(widths),
        align="LEFT",
        text_align="LEFT",
        v_align="TOP",
        line_height=LINE,
        padding=(0.4, 1) if borders == "ALL" else (0.1, 1),
        first_row_as_headings=headings,
        headings_style=FontFace(emphasis="BOLD", fill_color=SHADE),
        borders_layout=borders,
        repeat_headings=1,
    )


def _days(pdf: FPDF, content: Content, insight: WeekInsight) -> None:
    _title(pdf, printable(content.ui.insight.pdf_days_title))
    rows = [report_facts.day_row(content, point) for point in insight.days]
    _rows(pdf, DAY_COLUMNS, [report_facts.column_headings(content), *rows])


def _rows(
    pdf: FPDF, widths: Sequence[float], rows: Sequence[Sequence[str]], *, headings: bool = True
) -> None:
    with _table(pdf, widths, headings=headings) as table:
        for row in rows:
            table.row(row)


def _episodes(pdf: FPDF, content: Content, zone: str, episodes: Sequence[Episode]) -> None:
    words = content.ui.insight
    _title(pdf, printable(words.pdf_events_title))
    _paragraph(pdf, report_facts.episodes_summary(content, zone, episodes))
    rows = report_facts.episode_rows(content, zone, episodes)
    if rows:
        pdf.ln(1)
        _rows(pdf, EVENT_COLUMNS, rows, headings=False)


def _chart(pdf: FPDF, content: Content, insight: WeekInsight) -> None:
    if not insight.days:
        return
    room = pdf.page_break_trigger - pdf.get_y() - 2
    if room < CHART_MIN:
        pdf.add_page()
        room = pdf.page_break_trigger - pdf.get_y() - 2
    height = min(room, CHART_MAX)
    pdf.ln(2)
    pdf.image(_chart_png(content, insight, pdf.epw, height), w=pdf.epw, h=height)


def _chart_png(content: Content, insight: WeekInsight, width: float, height: float) -> io.BytesIO:
    """The progress chart at the printed size, with its panels moved down for the legends."""
    inches = (width * CHART_SCALE / 25.4, height * CHART_SCALE / 25.4)
    figure = Figure(figsize=inches, dpi=CHART_DPI / CHART_SCALE)
    draw_chart(figure, insight.days, content.ui.insight, content.locale)
    _widen(figure, inches[1])
    out = io.BytesIO()
    figure.savefig(out, format="png")
    out.seek(0)
    return out


def _widen(figure: Figure, height: float) -> None:
    """Legends in one row, and the panels moved to leave the fixed room they and the labels
    need (the phone chart's margins are fractions of a tall figure)."""
    for line in figure.axes[0].get_lines():
        line.set_markersize(CHART_FLAG_SIZE)  # the warning-sign flags, on a shorter panel
    for axes in figure.axes:
        legend = axes.get_legend()
        if legend is not None:
            handles = [h for h in legend.legend_handles if h is not None]
            labels = [text.get_text() for text in legend.texts]
            axes.legend(handles, labels, ncols=len(handles), **LEGEND_ONE_ROW)
    grid = figure.axes[0].get_gridspec()
    assert grid is not None  # draw_chart lays its panels out on a grid
    gaps = grid.nrows - 1
    panel = (height - CHART_TOP_IN - CHART_BOTTOM_IN - CHART_GAP_IN * gaps) / grid.nrows
    grid.update(
        top=1 - CHART_TOP_IN / height, bottom=CHART_BOTTOM_IN / height, hspace=CHART_GAP_IN / panel
    )
    for axes in figure.axes:
        spec = axes.get_subplotspec()
        if spec is not None:
            axes.set_position(spec.get_position(figure))
