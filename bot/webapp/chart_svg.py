"""The progress chart as SVG for the Mini App: the same columns as the PNG
(`bot/views/chart_facts.py`), drawn by the server so the page needs no charting library.

Built with ElementTree, so every text is escaped. Shapes carry CSS classes (the page's app.css
gives them the Telegram theme's colours; CSP forbids a `<style>` inside the SVG) and the PNG's
colours as presentation attributes, so the file alone still reads. Each mark carries its values
as `data-*` attributes for tests and assistive tools.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from bot.domain.diary import EXERCISE_KINDS
from bot.domain.insight import SLEEP_HOURS_UNDER, DayPoint
from bot.domain.models import Duration
from bot.texts.content import Content
from bot.views.chart_facts import (
    EPISODES_HEADROOM,
    SLEEP_TOP,
    ChartDay,
    caffeine_top,
    chart_days,
    episodes_top,
)
from bot.views.charts import CAFFEINE, DURATION_COLOURS, MUTED, PAUSED, RED_FLAG, SLEEP, HourPanel

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 360
LEFT, RIGHT = 34, 326  # the plot area's x range; the axis labels sit outside it
EPISODES_Y = (56, 196)  # top and bottom of the episode panel
HABITS_Y = (232, 322)
LABELS_Y = 338
EXERCISES_Y = 378
HOURS_Y = (410, 500)


@dataclass(frozen=True)
class _Frame:
    """Maps a column and a value to the panel's coordinates."""

    count: int
    top: float
    bottom: float

    def x(self, index: float) -> float:
        return LEFT + (index + 0.5) * (RIGHT - LEFT) / max(self.count, 1)

    @property
    def column_width(self) -> float:
        return (RIGHT - LEFT) / max(self.count, 1)

    def y(self, value: float, scale: float) -> float:
        return self.bottom - (self.bottom - self.top) * value / scale


def chart_svg(
    days: Sequence[DayPoint],
    content: Content,
    hours: HourPanel | None = None,
    exercises: Mapping[int, Collection[str]] | None = None,
) -> str:
    """The chart as an SVG document in `content`'s words; `exercises` maps a plan day to the
    guided exercises finished on it; `hours`, when given, adds the hour-of-day panel."""
    columns = chart_days(days, content.ui.insight, content.locale)
    height = HOURS_Y[1] + 24 if hours is not None else EXERCISES_Y + 20
    svg = ET.Element(
        "svg",
        {"xmlns": SVG_NS, "viewBox": f"0 0 {WIDTH} {height}", "class": "tc-chart"},
        role="img",
    )
    words = content.ui.insight
    ET.SubElement(svg, "title").text = words.chart_title
    _text(svg, WIDTH / 2, 18, words.chart_title, "chart-title", anchor="middle")
    _legend(svg, content)
    _paused(svg, columns)
    _episodes(svg, columns, content)
    _habits(svg, columns, content)
    _labels(svg, columns)
    _exercises(svg, columns, content, exercises or {})
    if hours is not None:
        _hours(svg, hours)
    return ET.tostring(svg, encoding="unicode")


def _text(
    parent: ET.Element, x: float, y: float, text: str, cls: str, anchor: str = "start"
) -> ET.Element:
    node = ET.SubElement(
        parent, "text", {"x": _n(x), "y": _n(y), "class": cls, "text-anchor": anchor}
    )
    node.text = text
    return node


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _rect(
    parent: ET.Element, x: float, y: float, w: float, h: float, cls: str, fill: str
) -> ET.Element:
    return ET.SubElement(
        parent,
        "rect",
        {"x": _n(x), "y": _n(y), "width": _n(w), "height": _n(h), "class": cls, "fill": fill},
    )


def _legend(svg: ET.Element, content: Content) -> None:
    words = content.ui.insight
    group = ET.SubElement(svg, "g", {"class": "legend"})
    entries = [
        (f"{words.chart_longest}: {getattr(words.durations, d.value)}", f"dur-{d.value}", c)
        for d, c in DURATION_COLOURS.items()
    ]
    entries.append((words.chart_red_flag, "flag", RED_FLAG))
    for n, (label, cls, colour) in enumerate(entries):
        x, y = LEFT + (n % 2) * 150, 30 + (n // 2) * 11
        _rect(group, x, y - 7, 8, 8, cls, colour)
        _text(group, x + 11, y, label, "legend-label")


def _paused(svg: ET.Element, columns: Sequence[ChartDay]) -> None:
    frame = _Frame(len(columns), EPISODES_Y[0], HABITS_Y[1])
    for column in columns:
        if column.paused:
            left = frame.x(column.index) - frame.column_width / 2
            _rect(svg, left, frame.top, frame.column_width, frame.bottom - frame.top, "paused",
                  PAUSED)  # fmt: skip


def _episodes(svg: ET.Element, columns: Sequence[ChartDay], content: Content) -> None:
    words = content.ui.insight
    group = ET.SubElement(svg, "g", {"class": "episodes"})
    frame, top = _Frame(len(columns), *EPISODES_Y), episodes_top(columns)
    _axis_label(group, frame, words.chart_episodes_axis, "axis-label")
    most = round(top / EPISODES_HEADROOM)
    _ticks(group, frame, [(0, 0), (most, most / top)], LEFT - 4, "end")
    width = frame.column_width * 0.7
    for column in columns:
        x = frame.x(column.index)
        if column.episodes is None or column.longest is None:
            if not column.paused:
                note = _text(group, x + 3, frame.bottom - 4, words.chart_no_checkin, "no-checkin")
                note.set("transform", f"rotate(-90 {_n(x + 3)} {_n(frame.bottom - 4)})")
            continue
        y = frame.y(column.episodes, top)
        colour = DURATION_COLOURS[column.longest]
        bar = _rect(group, x - width / 2, y, width, frame.bottom - y,
                    f"bar dur-{column.longest.value}", colour)  # fmt: skip
        bar.set("data-day", str(column.day))
        bar.set("data-episodes", str(column.episodes))
        _text(group, x, y - 3, str(column.episodes), "count", "middle")
        if column.flagged:
            flag = ET.SubElement(group, "path", {"class": "flag", "fill": RED_FLAG})
            flag.set("d", f"M{_n(x - 5)} {_n(y - 22)}h10l-5 8z")
    _baseline(group, frame)


def _axis_label(group: ET.Element, frame: _Frame, text: str, cls: str) -> None:
    _text(group, LEFT, frame.top - 4, text, cls)


def _key(group: ET.Element, frame: _Frame, parts: Sequence[tuple[str, str]]) -> None:
    """A panel's label that is also its legend: each series' name in that series' colour."""
    label = _text(group, LEFT, frame.top - 4, "", "axis-label key")
    for words, colour in parts:
        part = ET.SubElement(label, "tspan", {"fill": colour, "class": "key-part"})
        part.text = words


def _ticks(
    group: ET.Element,
    frame: _Frame,
    ticks: Sequence[tuple[int, float]],
    x: float,
    anchor: str,
    cls: str = "tick",
) -> None:
    """Axis values: (the number shown, its height as a fraction of the panel)."""
    for value, fraction in ticks:
        _text(group, x, frame.y(fraction, 1) + 3, str(value), cls, anchor)


def _baseline(group: ET.Element, frame: _Frame) -> None:
    ET.SubElement(
        group,
        "line",
        {"x1": _n(LEFT), "x2": _n(RIGHT), "y1": _n(frame.bottom), "y2": _n(frame.bottom),
         "class": "axis", "stroke": MUTED},
    )  # fmt: skip


def _habits(svg: ET.Element, columns: Sequence[ChartDay], content: Content) -> None:
    words = content.ui.insight
    group = ET.SubElement(svg, "g", {"class": "habits"})
    frame, drinks_top = _Frame(len(columns), *HABITS_Y), caffeine_top(columns)
    _key(group, frame, [(f"● {words.chart_sleep_axis}", SLEEP),
                        (f"  ▮ {words.chart_caffeine_axis}", CAFFEINE)])  # fmt: skip
    sleep_ticks = [(h, h / SLEEP_TOP) for h in (0, SLEEP_TOP // 2, SLEEP_TOP)]
    _ticks(group, frame, sleep_ticks, LEFT - 4, "end", "sleep-tick")
    drinks = [(0, 0), (drinks_top - 1, (drinks_top - 1) / drinks_top)]
    _ticks(group, frame, drinks, RIGHT + 4, "start", "caffeine-tick")
    under = frame.y(SLEEP_HOURS_UNDER, SLEEP_TOP)
    ET.SubElement(
        group,
        "line",
        {"x1": _n(LEFT), "x2": _n(RIGHT), "y1": _n(under), "y2": _n(under),
         "class": "sleep-under", "stroke": SLEEP, "stroke-dasharray": "4 3"},
    )  # fmt: skip
    points = []
    for column in columns:
        if column.sleep is None or column.caffeine is None:
            continue
        x, width = frame.x(column.index), frame.column_width * 0.45
        y = frame.y(column.caffeine, drinks_top)
        drink = _rect(group, x - width / 2, y, width, frame.bottom - y, "caffeine", CAFFEINE)
        drink.set("data-caffeine", str(column.caffeine))
        points.append((x, frame.y(column.sleep, SLEEP_TOP), column.sleep))
    line = " ".join(f"{_n(x)},{_n(y)}" for x, y, _ in points)
    ET.SubElement(group, "polyline", {"points": line, "class": "sleep", "fill": "none",
                                      "stroke": SLEEP})  # fmt: skip
    for x, y, hours in points:
        dot = ET.SubElement(group, "circle", {"cx": _n(x), "cy": _n(y), "r": "3",
                                              "class": "sleep-dot", "fill": SLEEP})  # fmt: skip
        dot.set("data-sleep", f"{hours:g}")
    _baseline(group, frame)


def _labels(svg: ET.Element, columns: Sequence[ChartDay]) -> None:
    group = ET.SubElement(svg, "g", {"class": "days"})
    frame = _Frame(len(columns), *HABITS_Y)
    for column in columns:
        if column.labelled:
            x = frame.x(column.index)
            _text(group, x, LABELS_Y, column.first_line, "day-label", "middle")
            _text(group, x, LABELS_Y + 12, column.date, "date-label", "middle")


def _exercises(
    svg: ET.Element,
    columns: Sequence[ChartDay],
    content: Content,
    done: Mapping[int, Collection[str]],
) -> None:
    """A dot per guided exercise finished, under its day (paused days have none)."""
    group = ET.SubElement(svg, "g", {"class": "exercises"})
    frame = _Frame(len(columns), *HABITS_Y)
    names = {"breathing": content.webapp.breathing_title, "eyes": content.webapp.eyes_title}
    if any(done.get(c.day) for c in columns if not c.paused):
        _text(group, LEFT, EXERCISES_Y - 10, content.webapp.exercises_done, "axis-label")
    for column in columns:
        kinds = [k for k in EXERCISE_KINDS if not column.paused and k in done.get(column.day, ())]
        for n, kind in enumerate(kinds):
            x = frame.x(column.index) + (n - (len(kinds) - 1) / 2) * 9
            dot = ET.SubElement(group, "circle", {"cx": _n(x), "cy": _n(EXERCISES_Y), "r": "4",
                                                  "class": f"exercise ex-{kind}"})  # fmt: skip
            dot.set("data-day", str(column.day))
            dot.set("data-kind", kind)
            ET.SubElement(dot, "title").text = names[kind]


def _hours(svg: ET.Element, hours: HourPanel) -> None:
    group = ET.SubElement(svg, "g", {"class": "hours"})
    frame = _Frame(24, *HOURS_Y)
    _axis_label(group, frame, hours.title, "axis-label")
    top = max([*hours.by_hour, 1])
    for hour, count in enumerate(hours.by_hour):
        y = frame.y(count, top)
        bar = _rect(group, frame.x(hour) - frame.column_width * 0.45, y, frame.column_width * 0.9,
                    frame.bottom - y, "hour", DURATION_COLOURS[Duration.MINUTES])  # fmt: skip
        bar.set("data-hour", str(hour))
        bar.set("data-count", str(count))
    for hour in range(0, 25, 6):
        _text(group, LEFT + hour * frame.column_width, frame.bottom + 12, f"{hour:02d}:00",
              "date-label", "middle")  # fmt: skip
    _baseline(group, frame)
