"""Late nights end to end: a plan day runs from wake time to the next wake time, so what a
person does after midnight but before bedtime still belongs to the day it started on.

Robin is in London (GMT until 29 March 2026, so local time is UTC) and starts on Friday 20
March: day 5 is Tuesday 24 March, day 7 is Thursday 26 March.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.e2e.harness import USER, Harness
from tests.e2e.steps import check_in, enrol, headline, sent_since, timeline, walk_due

LONDON = "Europe/London"
MORNING_6 = "🥗 Day 6: take stock and look at your food"
EVENING_1 = "🌙 Time to start winding down"
EVENING_5 = "🌙 Breathe out the day"
EVENING_6 = "🌙 Nearly there"
EVENING_7 = "🌙 Last check-in of the plan"
SUMMARY = "🏁 You've finished the 7-day plan."
CHECK_IN_NOW = "📝 Check in now"
SNOOZE_30 = "⏰ Remind me in 30 min"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def test_a_check_in_after_midnight_counts_for_the_day_it_belongs_to(bot: Harness) -> None:
    await enrol(bot, bed="00:30")
    await walk_due(bot, utc("2026-03-24 23:30"))
    assert headline(bot.last()) == EVENING_5

    bot.clock.set(utc("2026-03-25 00:08"))  # before the 00:30 bedtime: still day 5
    await check_in(bot)
    records = await bot.store.list_checkins(USER)
    assert [(r.local_date, r.checkin.day) for r in records] == [(date(2026, 3, 24), 5)]

    before = len(bot.messages())
    await walk_due(bot, utc("2026-03-25 23:31"))
    # Day 6 has no check-in yet, so its wind-down nudge (and check-in) still comes.
    assert timeline(sent_since(bot, before), LONDON) == [
        ("2026-03-25 07:00", MORNING_6),
        ("2026-03-25 23:30", EVENING_6),
    ]


async def test_a_snooze_may_cross_midnight_before_a_late_bedtime(bot: Harness) -> None:
    await enrol(bot, bed="00:30")
    await walk_due(bot, utc("2026-03-20 23:30"))
    nudge = bot.last()
    assert headline(nudge) == EVENING_1
    # 00:00 still falls before the 00:30 bedtime; an hour would land on it.
    assert [[text for text, _ in row] for row in nudge.button_values] == [
        [CHECK_IN_NOW],
        [SNOOZE_30],
    ]

    await bot.tap(SNOOZE_30, message_id=nudge.message_id)
    assert bot.last_answer() == "👍 I'll remind you again at 00:00."
    before = len(bot.messages())
    await walk_due(bot, utc("2026-03-21 00:01"))
    assert timeline(sent_since(bot, before), LONDON) == [("2026-03-21 00:00", EVENING_1)]


async def test_day_7_says_truly_when_the_summary_comes(bot: Harness) -> None:
    await enrol(bot)
    await walk_due(bot, utc("2026-03-26 22:00"))
    last_nudge = bot.last()
    assert headline(last_nudge) == EVENING_7
    assert "summary comes when you wake up" in last_nudge.text

    before = len(bot.messages())
    await bot.tap(CHECK_IN_NOW, message_id=last_nudge.message_id)
    await check_in(bot, command=None)
    assert all(headline(m) != SUMMARY for m in sent_since(bot, before))
    await walk_due(bot, utc("2026-03-27 07:01"))
    summary = [m for m in sent_since(bot, before) if headline(m) == SUMMARY]
    assert timeline(summary, LONDON) == [("2026-03-27 07:00", SUMMARY)]
