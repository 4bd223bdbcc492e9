"""`twitchcare demo --speed 1440` walked from enrolment to the end-of-plan summary.

The person reads each answer and taps buttons by the numbers shown, as at a terminal; `>>`
jumps straight to each scheduled send. They enrol at 08:00 on Friday 20 March (London, GMT all
week), so day 1 is that Friday, and each later day brings a 07:00 morning step and a 22:00
wind-down nudge. Each morning is one message: the step with "how did you sleep?" under it.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.domain.models import Status
from bot.storage.client import connect
from bot.storage.embedded_redis import EmbeddedRedis
from bot.storage.store import Store
from tests.e2e.demo_driver import DemoDriver
from tests.e2e.test_demo import START, enrol

USER = 100_000_001  # bot.demo.DEMO_USER
DAY_ONE = date(2026, 3, 20)
SKIP = ">>"
# On the wind-down message: Check in now. Then where: Eyelid; how many: "3 to 5" (which asks
# how long: a few seconds) or "None today" (which skips it); sleep: 7 to 8 hours; caffeine: one
# drink; stress: a little; warning signs: Done. (label, whether it must match exactly)
TWITCHY_EVENING = [("Eyelid", False), ("3 to 5", False), ("A few seconds", False)]
CALM_EVENING = [("Eyelid", False), ("None today", False)]
REST_OF_EVENING = [("7 to 8 hours", False), ("1", True), ("A little", False), ("Done", False)]
TWITCHY_DAYS = (1, 2)


def check_in(demo: DemoDriver, day: int) -> None:
    demo.tap("Check in now", "Question 1 of 7")
    for label, exact in TWITCHY_EVENING if day in TWITCHY_DAYS else CALM_EVENING:
        demo.tap(label, exact=exact)
    for label, exact in REST_OF_EVENING:
        demo.tap(label, exact=exact)
    demo.expect("Your check-in is saved")


def walk(demo: DemoDriver) -> None:
    """Enrol, then each day: skip to the morning step (from day 2), skip to the evening nudge
    and check in; finally skip to the summary."""
    enrol(demo)
    for day in range(1, 8):
        if day > 1:
            demo.say(SKIP, "Day")
        demo.say(SKIP, "Check in now")
        check_in(demo, day)
    demo.say(SKIP, "finished the 7-day plan")


def skips() -> list[str]:
    """The "⏩" line of every `>>`: day 1's evening, then each morning and evening up to day 8's
    morning (the summary)."""
    moments = [(DAY_ONE, "22:00")]
    for offset in range(1, 8):
        moments.append((DAY_ONE + timedelta(days=offset), "07:00"))
        if offset < 7:
            moments.append((DAY_ONE + timedelta(days=offset), "22:00"))
    return [f"⏩ {day:%A %-d %B}, {at} (Europe/London)" for day, at in moments]


@pytest.mark.timeout(600)
async def test_the_demo_walks_the_whole_plan(tmp_path: Path) -> None:
    with DemoDriver(tmp_path / "data", START, "--speed", "1440") as demo:
        await asyncio.to_thread(walk, demo)
        assert await asyncio.to_thread(demo.close) == 0

    assert "Traceback" not in demo.screen
    out = demo.screen
    assert re.findall(r"^⏩ .*$", out, flags=re.MULTILINE) == skips()
    # The transcript cut at each skip: enrolment, day 1's evening, day 2's morning, ...
    sections = re.split(r"^⏩ ", out, flags=re.MULTILINE)
    mornings, evenings, summary = [sections[0], *sections[2:14:2]], sections[1:14:2], sections[14]
    for day, section in enumerate(mornings, start=1):
        assert re.findall(r"^🤖 \S+ Day (\d):", section, flags=re.MULTILINE) == [str(day)]
        # One message: the step with the sleep question under it (day 1's at enrolment).
        assert section.count("how did you sleep?") == 1, f"day {day} morning"
    for day, section in enumerate(evenings, start=1):
        bot_lines = re.findall(r"^🤖 .*$", section, flags=re.MULTILINE)
        assert bot_lines[0].startswith("🤖 🌙"), f"day {day}'s evening opens with the wind-down"
        assert "Question 1 of 7" in section, f"day {day}"
        assert ("Question 3 of 7" in section) == (day in TWITCHY_DAYS), f"day {day}"
        assert section.count("Your check-in is saved") == 1, f"day {day}"
    assert len(evenings) == 7
    assert summary.startswith("Friday 27 March, 07:00")
    assert "You've finished the 7-day plan." in summary
    assert out.count("You've finished the 7-day plan.") == 1
    await assert_stored(tmp_path / "data" / "demo")


async def assert_stored(data_dir: Path) -> None:
    """What the demo's own Redis kept: one check-in per plan day, each on its own date."""
    async with EmbeddedRedis(data_dir) as server:
        redis = await connect(server.url)
        try:
            store = Store(redis)
            profile = await store.get_profile(USER)
            records = await store.list_checkins(USER)
            outbox = await store.sent_slots(USER)
        finally:
            await redis.aclose()
    assert profile is not None
    assert profile.status in (Status.ACTIVE, Status.COMPLETED)
    assert profile.start_date == DAY_ONE
    assert [r.local_date for r in records] == [DAY_ONE + timedelta(days=n) for n in range(7)]
    assert [r.checkin.day for r in records] == list(range(1, 8))
    assert [r.checkin.episodes_per_day > 0 for r in records] == [True, True] + [False] * 5
    assert "summary:2026-03-27" in outbox
