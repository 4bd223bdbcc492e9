"""What each scheduled send says, rendered from content (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.content import Content, render
from bot.daily import Today, instruction
from bot.models import CheckInRecord, Profile, Reason
from bot.plan import SlotKind, plan_day
from bot.progress import days_done, trend
from bot.replies import button, columns, keyboard
from scheduler.timing import Due


@dataclass(frozen=True)
class Outgoing:
    """One message to send."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def render_due(
    content: Content, profile: Profile, due: Due, records: Sequence[CheckInRecord]
) -> list[Outgoing]:
    """The messages for a due slot, in the order they are sent."""
    kind = due.slot.kind
    if kind is SlotKind.MORNING:
        return _morning(content, profile, due)
    if kind is SlotKind.EVENING:
        return [_evening(content, profile, due)]
    if kind is SlotKind.SUMMARY:
        return [summary(content, profile, due, records)]
    return [_follow_up(content, profile, due)]


def _day(profile: Profile, due: Due) -> int:
    assert profile.start_date is not None
    return plan_day(profile.start_date, profile.pauses, due.slot.local_date)


def _morning(content: Content, profile: Profile, due: Due) -> list[Outgoing]:
    text, markup = instruction(content, _day(profile, due))
    question = content.checkin.morning_sleep
    date_arg = due.slot.local_date.strftime("%Y%m%d")
    buttons = [button(a.label, "sleep", date_arg, a.id) for a in question.answers]
    return [Outgoing(text, markup), Outgoing(question.prompt, keyboard(columns(buttons, 2)))]


def _evening(content: Content, profile: Profile, due: Due) -> Outgoing:
    ui = content.ui
    kind, date_arg = str(due.slot.kind), due.slot.local_date.strftime("%Y%m%d")
    rows = [
        [button(ui.checkin_button, "checkin_now")],
        [
            button(ui.snooze_button_30, "snooze", kind, date_arg, "30"),
            button(ui.snooze_button_60, "snooze", kind, date_arg, "60"),
        ],
    ]
    return Outgoing(content.plan.day(_day(profile, due)).evening, keyboard(rows))


def _follow_up(content: Content, profile: Profile, due: Due) -> Outgoing:
    follow = content.plan.follow_up
    since = (due.slot.local_date - profile.onset_date).days if profile.onset_date else 14
    template = follow.day_14 if since < 21 else follow.day_21
    markup = keyboard([[button(follow.checkin_button, "checkin_now")]])
    return Outgoing(render(template, days_since_onset=since), markup)


def summary(
    content: Content, profile: Profile, due: Due, records: Sequence[CheckInRecord]
) -> Outgoing:
    """The end-of-plan summary: what changed, what was advised, what to keep doing."""
    parts = content.plan.summary
    today = Today(local_date=due.slot.local_date, day=_day(profile, due))
    header = render(
        parts.header, days_done=days_done(profile, today, records), checkins=len(records)
    )
    sections = [header, getattr(parts, trend(records).value)]
    advised = _advice_lines(content, profile.advised_reasons)
    if advised:
        sections.append("\n".join([parts.see_doctor, *advised]))
    sections += [parts.keep_going, parts.follow_up_note]
    return Outgoing("\n\n".join(sections))


def _advice_lines(content: Content, reasons: Sequence[Reason]) -> list[str]:
    return [content.redflags.see_doctor[r] for r in reasons if r in content.redflags.see_doctor]
