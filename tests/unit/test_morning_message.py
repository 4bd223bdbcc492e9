"""The one morning message (the day's step with "how did you sleep?" under it), over every plan
day, every country's words and every state of the sleep question (ARCHITECTURE §3, §6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from telegram import InlineKeyboardMarkup

from bot.domain.callbacks import Action, decode
from bot.domain.plan import PLAN_DAYS, Slot, SlotKind
from bot.texts.content import Content, load_content
from bot.texts.telegram_html import html_problem, utf16_length, visible_length
from bot.views.daily import morning_message, today_message
from content import CONTENT_ROOT
from scheduler.render import render_due
from scheduler.timing import Due
from tests.factories import make_profile

MORNING = date(2026, 3, 21)
WAKE = time(7, 0)
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit


def _contents() -> list[tuple[str, Content]]:
    plain = load_content(Path(CONTENT_ROOT), "en")
    return [("plain", plain), *sorted(plain.variants.items())]


CONTENTS = _contents()
SLEPT = [None, *(float(a.value) for a in CONTENTS[0][1].checkin.morning_sleep.answers)]


def _actions(markup: InlineKeyboardMarkup) -> list[list[Action]]:
    rows = []
    for row in markup.inline_keyboard:
        decoded = [decode(b.callback_data, list(Action)) for b in row]
        assert all(d is not None for d in decoded), row
        rows.append([d.action for d in decoded if d is not None])
    return rows


@pytest.mark.parametrize(("words", "content"), CONTENTS, ids=[name for name, _ in CONTENTS])
@pytest.mark.parametrize("slept", SLEPT)
@pytest.mark.parametrize("day", range(1, PLAN_DAYS + 1))
def test_every_morning_is_one_valid_telegram_message(
    words: str, content: Content, slept: float | None, day: int
) -> None:
    text, markup = morning_message(content, day, MORNING, slept)

    assert html_problem(text) is None, words
    assert visible_length(text) < 4096
    assert utf16_length(text) < 4096 * 2  # markup included, far inside the request size
    assert text.startswith(content.plan.day(day).morning)
    datas = [str(b.callback_data) for row in markup.inline_keyboard for b in row]
    assert all(len(data.encode()) <= CALLBACK_DATA_LIMIT for data in datas)


@pytest.mark.parametrize("day", range(1, PLAN_DAYS + 1))
def test_the_sleep_answers_sit_under_the_step_until_one_is_chosen(day: int) -> None:
    content = CONTENTS[0][1]
    question = content.checkin.morning_sleep

    text, markup = morning_message(content, day, MORNING)
    *answers, last = _actions(markup)
    assert text.endswith(question.prompt)
    assert {a for row in answers for a in row} == {Action.SLEEP}
    assert sum(len(row) for row in answers) == len(question.answers)
    assert last == [Action.WHY, Action.CHECKIN_NOW]  # "why this helps" stays reachable

    chosen = question.answers[2]
    text, markup = morning_message(content, day, MORNING, float(chosen.value))
    assert text.endswith(f"Slept: {chosen.label} ✓")
    assert question.prompt not in text
    assert _actions(markup) == [[Action.WHY, Action.CHECKIN_NOW]]


@pytest.mark.parametrize("day", range(1, PLAN_DAYS + 1))
def test_today_shows_the_scheduled_morning_message(day: int) -> None:
    """/today and the morning send show the same message, buttons and all."""
    content = CONTENTS[0][1]
    start = date(2026, 3, 20)
    profile = make_profile(start_date=start, wake_time=WAKE)
    local_date = start + timedelta(days=day - 1)
    at = datetime.combine(local_date, WAKE, tzinfo=UTC)  # London is on GMT until 29 March
    due = Due(slot=Slot(kind=SlotKind.MORNING, local_date=local_date, wall_time=WAKE), at=at)

    [scheduled] = render_due(content, profile, due, ())
    shown = today_message(content, profile, at)

    assert (scheduled.text, scheduled.markup) == shown
