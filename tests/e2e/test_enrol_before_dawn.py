"""Finding 6: someone who enrols before wake time on day 1 gets that day's step once.

Enrolment sends day 1's morning message (the step with the sleep question under it) at once
when day 1 is today. At 05:25 the 07:00 morning send is still to come: it must not repeat it,
and nothing but the direct replies may arrive in the quiet hours before it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.storage.client import RedisClient
from tests.e2e.harness import USER, Harness, harness_for
from tests.e2e.steps import enrol, headline, sent_since, timeline, walk

DAWN = datetime(2026, 3, 20, 5, 25, tzinfo=UTC)  # Friday, London (GMT)
STEP_1 = "☀️ Day 1: notice your twitch"
SLEEP = "😴 One quick question before you go: how did you sleep?"
WIND_DOWN = "🌙 Time to start winding down"
STEP_2 = "☕ Day 2: ease off the stimulants"


@pytest.fixture
async def early(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    async with harness_for(redis_url, redis_client, start=DAWN) as h:
        yield h


async def test_a_step_sent_at_enrolment_is_not_sent_again_that_morning(early: Harness) -> None:
    await enrol(early)
    assert headline(early.last()) == STEP_1  # the direct reply: day 1 is today
    assert SLEEP in early.last().text  # with the sleep question under it
    enrolled = len(early.messages())

    await walk(early, DAWN.replace(hour=6, minute=59))
    assert sent_since(early, enrolled) == []  # quiet hours: nothing unasked for

    await walk(early, DAWN + timedelta(days=1, hours=2), at=[DAWN.replace(hour=7, minute=0)])
    assert timeline(sent_since(early, enrolled), "Europe/London") == [
        ("2026-03-20 22:00", WIND_DOWN),
        ("2026-03-21 07:00", STEP_2),
    ]
    assert [headline(m) for m in early.messages()].count(STEP_1) == 1


async def test_the_sleep_question_sent_before_wake_time_is_answered_for_that_day(
    early: Harness,
) -> None:
    """At 05:25 the plan day (wake time to wake time) is still Thursday's, but the message is
    Friday's morning: the answer is kept for Friday's check-in, not refused as an old one."""
    await enrol(early)
    morning = early.last()

    await early.tap("6 to 7 hours", message_id=morning.message_id)

    assert early.last_answer() == "Thanks, noted for tonight's check-in. Have a good day!"
    assert await early.store.sleep_on(USER, date(2026, 3, 20)) == 6.5
    edited = next(m for m in early.messages() if m.message_id == morning.message_id)
    assert edited.text.endswith("😴 Slept: 6 to 7 hours ✓")
