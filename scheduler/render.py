"""What each scheduled send says, rendered from content (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.domain.callbacks import Action
from bot.domain.country import country_of
from bot.domain.episode_insight import episode_insight
from bot.domain.episodes import Episode
from bot.domain.insight import week_insight
from bot.domain.models import CheckInRecord, Profile, SignReport
from bot.domain.plan import FOLLOW_UP_DAYS_AFTER_ONSET, SlotKind, plan_day
from bot.domain.progress import days_done
from bot.domain.today import Today
from bot.texts.content import Content, render
from bot.texts.insight_text import week_summary
from bot.views.daily import morning_message
from bot.views.keyboards import Button, button, keyboard
from scheduler.timing import SNOOZE_CHOICES, Due, routine_of, snooze_until


@dataclass(frozen=True)
class Outgoing:
    """One message to send."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def render_due(
    content: Content,
    profile: Profile,
    due: Due,
    records: Sequence[CheckInRecord],
    reports: Sequence[SignReport] = (),
    episodes: Sequence[Episode] = (),
    *,
    webapp: str | None = None,
) -> list[Outgoing]:
    """The messages for a due slot, in the order they are sent; /urgent `reports` feed the
    summary's list of red-flag answers, logged `episodes` its times and "just before" section.
    The texts are in the person's language, with the words of their country; `webapp` is the
    Mini App's page (None: off) that exercise mornings link to."""
    content = content.in_locale(profile.locale).local(country_of(profile))
    kind = due.slot.kind
    if kind is SlotKind.MORNING:
        return _morning(content, profile, due, webapp)
    if kind is SlotKind.EVENING:
        return [_evening(content, profile, due)]
    if kind is SlotKind.SUMMARY:
        return summary(content, profile, due, records, reports, episodes)
    return [_follow_up(content, profile, due)]


def _day(profile: Profile, due: Due) -> int:
    assert profile.start_date is not None
    return plan_day(profile.start_date, profile.pauses, due.slot.local_date)


def _morning(content: Content, profile: Profile, due: Due, webapp: str | None) -> list[Outgoing]:
    """One message: the day's step with "how did you sleep?" under it (ARCHITECTURE §3)."""
    day = _day(profile, due)
    text, markup = morning_message(content, day, due.slot.local_date, webapp=webapp)
    return [Outgoing(text, markup)]


def _evening(content: Content, profile: Profile, due: Due) -> Outgoing:
    rows = [[button(content.ui.checkin_button, Action.CHECKIN_NOW)]]
    snoozes = _snooze_buttons(content, profile, due)
    if snoozes:
        rows.append(snoozes)
    return Outgoing(content.plan.day(_day(profile, due)).evening, keyboard(rows))


def _snooze_buttons(content: Content, profile: Profile, due: Due) -> list[Button]:
    """Only the snoozes that could be kept: one landing in quiet hours is not offered (the
    wind-down comes an hour before bedtime, so "in 1 hour" only shows when it still fits)."""
    routine = routine_of(profile)
    if routine is None:
        return []
    labels = {"30": content.ui.snooze_button_30, "60": content.ui.snooze_button_60}
    kind, date_arg = str(due.slot.kind), due.slot.local_date.strftime("%Y%m%d")
    return [
        button(labels[arg], Action.SNOOZE, kind, date_arg, arg)
        for arg, delay in SNOOZE_CHOICES.items()
        if arg in labels and snooze_until(routine, due.at, delay) is not None
    ]


def _follow_up(content: Content, profile: Profile, due: Due) -> Outgoing:
    follow = content.plan.follow_up
    last = FOLLOW_UP_DAYS_AFTER_ONSET[-1]
    since = (due.slot.local_date - profile.onset_date).days if profile.onset_date else last
    template = follow.day_15 if since < last else follow.day_21
    markup = keyboard([[button(follow.checkin_button, Action.CHECKIN_NOW)]])
    return Outgoing(render(template, days_since_onset=since), markup)


def summary(
    content: Content,
    profile: Profile,
    due: Due,
    records: Sequence[CheckInRecord],
    reports: Sequence[SignReport] = (),
    episodes: Sequence[Episode] = (),
) -> list[Outgoing]:
    """The end-of-plan summary: what changed from day 1 to day 7, which steps were done, trigger
    patterns, every red-flag answer and the advice given, and what to do next."""
    today = Today(local_date=due.slot.local_date, day=_day(profile, due))
    insight = week_insight(profile, records, reports, today.local_date)
    finished = days_done(profile, today, records)
    logged = episode_insight(profile.zone or "UTC", profile.wake_time, episodes, records)
    texts = week_summary(content, profile, insight, finished, len(records), logged)
    return [Outgoing(text) for text in texts]
