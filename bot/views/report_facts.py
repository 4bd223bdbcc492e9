"""What the doctor's PDF says, as plain printable strings (no layout): the headline (onset and
duration, the trend, each warning sign answered yes or no, the advice), the day table's rows and
the logged episodes. `report_pdf.py` lays them out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from bot.domain.episodes import Episode
from bot.domain.insight import ANSWERED_SIGNS, Change, DayPoint, WeekInsight
from bot.domain.localtime import local_now
from bot.domain.models import Profile, Reason
from bot.texts.content import Content, render_plain
from bot.texts.insight_text import (
    advice_lines,
    duration_word,
    location_name,
    number,
    red_flag_names,
)
from bot.views.charts import printable

# Hour bands of the day for the episode summary: (content key, first hour of the band).
HOUR_BANDS: tuple[tuple[str, int], ...] = (
    ("night", 0),
    ("morning", 6),
    ("afternoon", 12),
    ("evening", 18),
)
# A warning sign answered yes on more dates than this shows the count, the first and the last.
SIGN_DATES_LISTED = 2
# The events table lists the latest days with logged episodes, so a long log cannot push the
# chart onto a third page; earlier ones are counted in the summary line.
EPISODE_DAYS_LISTED = 10
# A day with more logged episodes than this is summed up in one line (how many, first to last,
# the COMMONEST_LISTED commonest "just before" answers and places, with their counts), so a busy
# log stays a table a doctor can read and the chart keeps its room on the page.
EPISODES_LISTED_PER_DAY = 5
COMMONEST_LISTED = 2


@dataclass(frozen=True)
class Sign:
    """One warning sign as the check-in words it, and the answer: "yes: <dates>" or "no"."""

    name: str
    answer: str
    yes: bool


@dataclass(frozen=True)
class Headline:
    """The first things a doctor reads."""

    onset: str
    period: str
    trend: str
    signs: tuple[Sign, ...]
    advice: tuple[str, ...]


def headline(
    content: Content, profile: Profile, insight: WeekInsight, made_at: datetime
) -> Headline:
    return Headline(
        onset=_onset(content, profile, made_at),
        period=_period(content, profile, insight),
        trend=_trend(content, insight),
        signs=_signs(content, insight),
        advice=tuple(printable(line) for line in advice_lines(content, insight.advice))
        or (printable(content.ui.insight.pdf_advice_none),),
    )


def _onset(content: Content, profile: Profile, made_at: datetime) -> str:
    words = content.ui.insight
    if profile.onset_date is None:
        return printable(render_plain(words.pdf_onset_unknown))
    today = local_now(profile.zone or "UTC", made_at).date()
    days = max(0, (today - profile.onset_date).days)
    onset = profile.onset_date.isoformat()
    return printable(render_plain(words.pdf_onset, onset=onset, days_since_onset=days))


def _period(content: Content, profile: Profile, insight: WeekInsight) -> str:
    words = content.ui.insight
    days = insight.days
    first = days[0].local_date.isoformat() if days else "-"
    last = days[-1].local_date.isoformat() if days else "-"
    start = profile.start_date.isoformat() if profile.start_date else words.pdf_unknown
    return printable(render_plain(words.pdf_period, first=first, last=last, start=start))


def _trend(content: Content, insight: WeekInsight) -> str:
    words = content.ui.insight
    first, last = insight.first, insight.last
    if insight.change is Change.NOT_ENOUGH_DATA or first is None or last is None:
        return printable(words.pdf_trend_none)
    trend = str(getattr(words.pdf_trends, insight.change.value))
    text = render_plain(words.pdf_trend, first_day=first.day, last_day=last.day, trend=trend)
    return printable(text)


def _signs(content: Content, insight: WeekInsight) -> tuple[Sign, ...]:
    """Every warning sign the check-in asks about, in the order asked: yes with its dates, or no."""
    dates: dict[Reason, list[date]] = {}
    for answer in insight.red_flags:
        for reason in answer.reasons:
            dates.setdefault(reason, []).append(answer.local_date)
    rows = []
    for reason in ANSWERED_SIGNS:
        name = printable(red_flag_names(content, [reason])[0])
        when = sorted(set(dates.get(reason, [])))
        rows.append(Sign(name, printable(_sign_answer(content, when)), bool(when)))
    return tuple(rows)


def _sign_answer(content: Content, when: Sequence[date]) -> str:
    """ "no", "yes: <date>, <date>", or with more dates than that, how many and the first and
    last (the day table has each)."""
    words = content.ui.insight
    if not when:
        return words.pdf_sign_no
    if len(when) <= SIGN_DATES_LISTED:
        return render_plain(words.pdf_sign_yes, date=", ".join(d.isoformat() for d in when))
    first, last = when[0].isoformat(), when[-1].isoformat()
    return render_plain(words.pdf_sign_yes_many, count=len(when), first=first, last=last)


def day_row(content: Content, point: DayPoint) -> tuple[str, ...]:
    """One row of the day table, in the order of the column headings."""
    words = content.ui.insight
    day = printable(words.chart_paused) if point.paused else str(point.day)
    signs = ", ".join(printable(n) for n in red_flag_names(content, point.red_flags)) or "-"
    checkin = point.checkin
    if checkin is None:
        return (point.local_date.isoformat(), day, "-", "-", "-", "-", "-", "-", signs)
    longest = duration_word(content, checkin.worst_duration) if checkin.episodes_per_day else "-"
    return (
        point.local_date.isoformat(),
        day,
        printable(location_name(content, checkin.twitch_location)),
        str(checkin.episodes_per_day),
        printable(longest),
        number(checkin.sleep_hours, content.locale),
        str(checkin.caffeine_drinks),
        str(checkin.stress_level),
        signs,
    )


def column_headings(content: Content) -> tuple[str, ...]:
    columns = content.ui.insight.pdf_columns
    return tuple(printable(str(getattr(columns, name))) for name in type(columns).model_fields)


# --- episodes logged at the moment ------------------------------------------------------------


def episodes_summary(content: Content, zone: str, episodes: Sequence[Episode]) -> str:
    """One line: how many were logged, and how many in each band of the day."""
    words = content.ui.insight
    if not episodes:
        return printable(words.pdf_events_none)
    bands = Counter(_band(local_now(zone, e.at).hour) for e in episodes)
    counts = ", ".join(
        f"{printable(str(getattr(words.pdf_bands, key)))}: {bands[key]}" for key, _ in HOUR_BANDS
    )
    return printable(render_plain(words.pdf_events_summary, count=len(episodes), answers=counts))


def _band(hour: int) -> str:
    return [key for key, first in HOUR_BANDS if hour >= first][-1]


def episode_rows(content: Content, zone: str, episodes: Sequence[Episode]) -> list[tuple[str, str]]:
    """(local date, that day's episodes as "09:12 after screens, Cheek; 15:40"), for the latest
    EPISODE_DAYS_LISTED days with any, then a row counting the earlier ones left out."""
    local = sorted(((local_now(zone, e.at), e) for e in episodes), key=lambda pair: pair[0])
    days = [
        (day.isoformat(), list(group))
        for day, group in groupby(local, key=lambda pair: pair[0].date())
    ]
    listed = [(day, _day_text(content, group)) for day, group in days[-EPISODE_DAYS_LISTED:]]
    earlier = sum(len(group) for _, group in days[:-EPISODE_DAYS_LISTED])
    if earlier:
        note = render_plain(content.ui.insight.pdf_events_earlier, count=earlier)
        listed.insert(0, ("...", printable(note)))
    return listed


def _day_text(content: Content, day: Sequence[tuple[datetime, Episode]]) -> str:
    """One day's episodes, each with its time, or summed up when there are many."""
    if len(day) <= EPISODES_LISTED_PER_DAY:
        return "; ".join(_episode(content, at, e) for at, e in day)
    words = content.ui.insight
    befores = Counter(str(getattr(words.pdf_before, e.before.value)) for _, e in day if e.before)
    places = Counter(location_name(content, e.where) for _, e in day if e.where)
    span = render_plain(
        words.pdf_events_busy_day,
        count=len(day),
        first=f"{day[0][0]:%H:%M}",
        last=f"{day[-1][0]:%H:%M}",
    )
    counted = [
        ", ".join(f"{name} ({n})" for name, n in c.most_common(COMMONEST_LISTED))
        for c in (befores, places)
    ]
    return printable("; ".join([span, *(part for part in counted if part)]))


def _episode(content: Content, at: datetime, episode: Episode) -> str:
    words = content.ui.insight
    parts = [f"{at:%H:%M}"]
    if episode.before is not None:
        parts.append(str(getattr(words.pdf_before, episode.before.value)))
    text = " ".join(parts)
    if episode.where is not None:
        text = f"{text}, {location_name(content, episode.where)}"
    return printable(text)
