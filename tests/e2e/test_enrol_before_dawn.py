"""Finding 6: someone who enrols before wake time on day 1 gets that day's step once.

Enrolment sends day 1's step at once when day 1 is today. At 05:25 the 07:00 morning send is
still to come: it must bring only what was not sent yet (the sleep question), and nothing but
the direct replies may arrive in the quiet hours before it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage.client import RedisClient
from tests.e2e.harness import Harness, harness_for
from tests.e2e.steps import enrol, headline, sent_since, timeline, walk

DAWN = datetime(2026, 3, 20, 5, 25, tzinfo=UTC)  # Friday, London (GMT)
STEP_1 = "☀️ Day 1: notice your twitch"
SLEEP = "😴 How did you sleep? Roughly how many hours last night?"
WIND_DOWN = "🌙 Time to start winding down"
STEP_2 = "☕ Day 2: ease off the stimulants"


@pytest.fixture
async def early(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    async with harness_for(redis_url, redis_client, start=DAWN) as h:
        yield h


async def test_a_step_sent_at_enrolment_is_not_sent_again_that_morning(early: Harness) -> None:
    await enrol(early)
    assert headline(early.last()) == STEP_1  # the direct reply: day 1 is today
    enrolled = len(early.messages())

    await walk(early, DAWN.replace(hour=6, minute=59))
    assert sent_since(early, enrolled) == []  # quiet hours: nothing unasked for

    await walk(early, DAWN + timedelta(days=1, hours=2), at=[DAWN.replace(hour=7, minute=0)])
    assert timeline(sent_since(early, enrolled), "Europe/London") == [
        ("2026-03-20 07:00", SLEEP),
        ("2026-03-20 22:00", WIND_DOWN),
        ("2026-03-21 07:00", STEP_2),
        ("2026-03-21 07:00", SLEEP),
    ]
    assert [headline(m) for m in early.messages()].count(STEP_1) == 1
