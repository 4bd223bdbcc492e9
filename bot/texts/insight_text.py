"""The insight in words, rendered from content (pure): the chart's caption, trigger patterns and
the week's summary. Every message stays within Telegram's limits.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable, Sequence

from bot.domain.episode_insight import MIN_EPISODES_FOR_TIMES, EpisodeInsight, Trigger
from bot.domain.flows import CheckinStep
from bot.domain.insight import (
    DayPoint,
    NextStep,
    Pattern,
    RedFlagAnswer,
    Verdict,
    WeekInsight,
    plan_days,
)
from bot.domain.models import CheckIn, Duration, Profile, Reason, TwitchLocation
from bot.domain.plan import PLAN_DAYS
from bot.texts.content import Content, render, render_plain
from bot.texts.emergency_numbers import number_to_call

# `number` is re-exported for the doctor's PDF (bot/views/report_pdf.py).
from bot.texts.formats import number as number
from bot.texts.formats import short_date
from bot.texts.telegram_html import utf16_length, visible_length, visible_text

MAX_MESSAGE = 4096
MAX_CAPTION = 1024


def plain_label(label: str) -> str:
    """A button label without its emoji, for use inside a sentence, the chart or the PDF."""
    kept = "".join(ch for ch in label if unicodedata.category(ch)[0] in "LNPZ")
    return " ".join(kept.split())


def duration_word(content: Content, duration: Duration) -> str:
    return str(getattr(content.ui.insight.durations, duration.value))


def episodes_phrase(content: Content, checkin: CheckIn) -> str:
    """ "about 4 twitching episodes, the longest lasting minutes", or "no twitching"."""
    words = content.ui.insight
    if checkin.episodes_per_day == 0:
        return words.no_episodes
    return render_plain(
        words.episodes,
        count=checkin.episodes_per_day,
        duration=duration_word(content, checkin.worst_duration),
    )


def _day_facts(content: Content, checkin: CheckIn) -> dict[str, str | int]:
    return {
        "episodes": episodes_phrase(content, checkin),
        "sleep": number(checkin.sleep_hours, content.locale),
        "caffeine": checkin.caffeine_drinks,
        "stress": checkin.stress_level,
    }


def location_name(content: Content, location: TwitchLocation) -> str:
    question = content.checkin.step(CheckinStep.WHERE)
    labels = {str(a.value): a.label for a in getattr(question, "answers", [])}
    return plain_label(labels.get(location.value, location.value))


def red_flag_names(content: Content, reasons: Iterable[Reason]) -> list[str]:
    """The person's own answers, as the check-in worded them (without emoji)."""
    toggles = {t.field: t.label for t in content.checkin.warning_signs.toggles}
    longest = content.checkin.step(CheckinStep.LONGEST)
    constant = next(
        (a.label for a in getattr(longest, "answers", []) if a.value == Duration.CONSTANT.value),
        Duration.CONSTANT.value,
    )
    names: list[str] = []
    for reason in reasons:
        if reason.value in toggles:
            names.append(plain_label(toggles[reason.value]))
        elif reason.value in TwitchLocation.__members__.values():
            names.append(location_name(content, TwitchLocation(reason.value)))
        elif reason is Reason.CONSTANT:
            names.append(plain_label(constant))
    return names


# --- the chart's caption -----------------------------------------------------------------------


def chart_caption(content: Content, days: Sequence[DayPoint]) -> str:
    """The chart in words for screen readers; the oldest days give way to stay within 1,024."""
    words = content.ui.insight
    if not days:
        return ""
    header = render(
        words.caption_header,
        first=short_date(days[0].local_date, content.locale),
        last=short_date(days[-1].local_date, content.locale),
    )
    lines = [_caption_line(content, point) for point in days]
    text = "\n".join([header, *lines])
    while visible_length(text) > MAX_CAPTION and lines:
        lines.pop(0)
        text = "\n".join([header, *lines, words.caption_more])
    return text


def _caption_line(content: Content, point: DayPoint) -> str:
    words = content.ui.insight
    when = short_date(point.local_date, content.locale)
    if point.paused:
        line = render(words.caption_paused, date=when)
    elif point.checkin is None:
        line = render(words.caption_no_checkin, date=when, day=point.day)
    else:
        line = render(
            words.caption_day, date=when, day=point.day, **_day_facts(content, point.checkin)
        )
    return f"{line} {words.caption_red_flag}" if point.red_flags else line


# --- trigger patterns --------------------------------------------------------------------------


def patterns_text(content: Content, patterns: Sequence[Pattern]) -> str:
    """The header, one line per factor, and the note that this is association only."""
    words = content.ui.insight
    lines = [words.patterns_header, *(_pattern_line(content, p) for p in patterns)]
    return "\n".join([*lines, words.patterns_note])


def _pattern_line(content: Content, pattern: Pattern) -> str:
    words = content.ui.insight
    values: dict[str, str | int] = {
        "factor": str(getattr(words.factors, pattern.factor.value)),
        "days_with": pattern.days_with,
        "days_without": pattern.days_without,
        "mean_with": number(pattern.mean_with or 0, content.locale),
        "mean_without": number(pattern.mean_without or 0, content.locale),
    }
    template = {
        Verdict.NOT_ENOUGH_DATA: words.pattern_not_enough,
        Verdict.MORE_WITH: words.pattern_more,
        Verdict.FEWER_WITH: words.pattern_fewer,
        Verdict.NO_CLEAR_DIFFERENCE: words.pattern_same,
    }[pattern.verdict]
    return render(template, **values)


# --- the week's summary ------------------------------------------------------------------------


def week_summary(
    content: Content,
    profile: Profile,
    insight: WeekInsight,
    days_done: int,
    checkins: int,
    episodes: EpisodeInsight | None = None,
) -> list[str]:
    """The summary as messages of at most 4,096 characters each, in order; with logged
    episodes, what their times and "just before" answers show comes after the patterns."""
    parts = content.plan.summary
    header = render(parts.header, days_done=days_done, checkins=checkins)
    sections = [
        "\n\n".join([header, getattr(parts, insight.change.value)]),
        _changed(content, insight),
        _steps(content, insight),
        patterns_text(content, insight.patterns),
        *([episodes_text(content, episodes)] if episodes is not None and episodes.total else []),
        _red_flags(content, insight),
        _next(content, profile, insight),
        parts.keep_going,
        parts.follow_up_note,
    ]
    return pack(sections)


def episodes_text(content: Content, insight: EpisodeInsight) -> str:
    """When the logged episodes came and what stood out just before them; below the threshold,
    "not enough logged episodes yet"."""
    words = content.twitch
    lines = [words.times_header]
    if not insight.enough:
        needed = MIN_EPISODES_FOR_TIMES
        lines.append(render(words.times_not_enough, total=insight.total, needed=needed))
        return "\n".join(lines)
    cluster = insight.cluster
    if cluster is None:
        lines.append(render(words.times_spread, total=insight.total))
    else:
        lines.append(
            render(
                words.times_cluster,
                start=f"{cluster.start_hour:02d}:00",
                end=f"{cluster.end_hour:02d}:00",
                count=cluster.count,
                total=cluster.total,
            )
        )
    lines += [_trigger_line(content, t) for t in insight.triggers] or [words.triggers_none]
    return "\n".join([*lines, words.times_note])


def _trigger_line(content: Content, trigger: Trigger) -> str:
    before = str(getattr(content.twitch.before_words, trigger.before.value))
    return render(
        content.twitch.trigger_line,
        before=before[:1].upper() + before[1:],
        count=trigger.count,
        total=trigger.total,
        days_with=trigger.days_with,
        days=trigger.days,
    )


def _changed(content: Content, insight: WeekInsight) -> str:
    words = content.ui.insight
    first, last = insight.first, insight.last
    if first is None or last is None or first.checkin is None or last.checkin is None:
        return words.changed_none
    lines = [render(words.changed_header, first_day=first.day, last_day=last.day)]
    for point, checkin in ((first, first.checkin), (last, last.checkin)):
        facts = _day_facts(content, checkin)
        date_text = short_date(point.local_date, content.locale)
        lines.append(render(words.changed_day, date=date_text, day=point.day, **facts))
    return "\n".join(lines)


def _steps(content: Content, insight: WeekInsight) -> str:
    words = content.ui.insight
    done = set(insight.steps_done)
    lines = [render(words.steps_header, done=len(done), total=PLAN_DAYS)]
    for day in plan_days():
        template = words.step_done if day in done else words.step_missed
        lines.append(render(template, day=day, title=content.plan.day(day).title))
    return "\n".join(lines)


def answers_text(content: Content, answer: RedFlagAnswer) -> str:
    """The answers of one red-flag entry, as plain text ("Pain with the twitch, Cheek")."""
    words = content.ui.insight
    answers = ", ".join(red_flag_names(content, answer.reasons))
    if answer.urgent:
        answers = f"{answers} ({words.red_flag_urgent})"
    return answers


def _red_flags(content: Content, insight: WeekInsight) -> str:
    words = content.ui.insight
    lines = [words.red_flags_header] if insight.red_flags else [words.red_flags_none]
    lines += [
        render(
            words.red_flag_line,
            date=short_date(a.local_date, content.locale),
            day=a.day,
            answers=answers_text(content, a),
        )
        for a in insight.red_flags
    ]
    advice = advice_lines(content, insight.advice)
    if advice:
        lines += ["", words.advice_header, *advice]
    return "\n".join(lines)


def advice_lines(content: Content, reasons: Sequence[Reason]) -> list[str]:
    """What the red-flag messages said for each reason (Telegram HTML)."""
    return [content.redflags.see_doctor[r] for r in reasons if r in content.redflags.see_doctor]


def _next(content: Content, profile: Profile, insight: WeekInsight) -> str:
    words = content.ui.insight
    lines = [words.next_header]
    if insight.next_step is NextStep.EMERGENCY:
        lines.append(render(words.next_emergency, number=number_to_call(content, profile)))
    if insight.doctors:
        kinds = [str(getattr(words.doctors, d.value)) for d in insight.doctors]
        lines.append(render(words.next_doctor, doctors=words.doctors_joiner.join(kinds)))
    if insight.next_step is NextStep.KEEP_HABITS:
        lines.append(words.next_keep)
    return "\n".join(lines)


def pack(sections: Iterable[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Join sections with blank lines into as few messages as fit; split long ones at lines.

    Each line of content closes its own tags, so a split between lines keeps valid HTML.
    """
    messages: list[str] = []
    current = ""
    for piece in _pieces(sections, limit):
        joined = f"{current}\n\n{piece}" if current else piece
        if visible_length(joined) <= limit:
            current = joined
            continue
        messages.append(current)
        current = piece
    return [*messages, current] if current else messages


def _pieces(sections: Iterable[str], limit: int) -> list[str]:
    """Sections, with any too long for one message broken into runs of whole lines."""
    pieces: list[str] = []
    for section in sections:
        if visible_length(section) <= limit:
            pieces.append(section)
            continue
        run = ""
        for line in section.split("\n"):
            line = _clip(line, limit)
            candidate = f"{run}\n{line}" if run else line
            if run and visible_length(candidate) > limit:
                pieces.append(run)
                candidate = line
            run = candidate
        pieces.append(run)
    return pieces


def _clip(line: str, limit: int) -> str:
    """A single line longer than a message (never from our content) is cut, as plain text."""
    if visible_length(line) <= limit:
        return line
    text = visible_text(line)[: limit - 1]
    while utf16_length(text) > limit - 1:
        text = text[:-1]
    return html.escape(text) + "…"
