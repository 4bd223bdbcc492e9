"""Enrolment end to end: disclaimer, consent, zone, times, onset, confirmation."""

from __future__ import annotations

from datetime import date, time

from bot.domain.models import Status
from tests.e2e.harness import USER, Harness


async def test_full_enrolment_by_taps_and_typing(bot: Harness) -> None:
    await bot.send("/start")
    assert "not a doctor" in bot.last().text.lower()
    assert await bot.store.get_profile(USER) is None  # nothing before consent

    await bot.tap("✅ I understand, let's start")
    assert "Where are you?" in bot.last().text
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.status is Status.ONBOARDING

    await bot.send("london")
    assert "Time zone set" in bot.texts()[-2]
    assert "wake up" in bot.last().text

    await bot.tap("07:00")
    assert "go to bed" in bot.last().text
    await bot.send("23:00")
    assert "When did the twitching start" in bot.last().text
    await bot.tap("Yesterday")

    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.status is Status.ACTIVE
    assert profile.zone == "Europe/London"
    assert (profile.wake_time, profile.bedtime) == (time(7), time(23))
    assert profile.start_date == date(2026, 3, 20)  # 08:00 in London: before noon
    assert profile.onset_date == date(2026, 3, 19)
    assert await bot.store.get_flow(USER) is None
    summary, first_step = bot.texts()[-2:]
    assert "You're all set" in summary
    assert "Day 1" in first_step
