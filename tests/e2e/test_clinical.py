"""Clinical wording end to end: advice at enrolment, the lasting follow-up, what an emergency
check-in shows, "tonight" in the person's own time, and plain words for everyone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.models import Reason
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import SIGNS_NONE, check_in, enrol, headline, sent_since, walk_due

LASTING = "It has lasted more than 2 weeks."
UK_WORDS = ("GP", "111", "optician", "eye casualty")


async def test_three_weeks_ago_gets_advice_at_once_and_a_lasting_follow_up(bot: Harness) -> None:
    await enrol(bot, onset="3 weeks ago or more")  # Friday 20 March, 08:00 in London: day 1
    advice = next(m for m in bot.messages() if LASTING in m.text)
    assert "routine appointment" in advice.text
    assert "Day 1" in bot.last().text  # the plan still runs: its first step follows
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert Reason.LASTING_OVER_TWO_WEEKS in profile.advised_reasons

    before = len(bot.messages())
    day_after_plan = datetime(2026, 3, 27, 22, 1, tzinfo=UTC)  # 22:00 is the evening slot
    await walk_due(bot, day_after_plan)
    follow_up = [m for m in sent_since(bot, before) if "since your twitching started" in m.text]
    assert [headline(m) for m in follow_up] == ["👋 Three-week check"]
    assert follow_up[0].date == datetime(2026, 3, 27, 22, 0, tzinfo=UTC)
    assert "If it's still happening, book a routine appointment" in follow_up[0].text


async def test_the_follow_up_comes_on_day_15_and_says_what_to_do(bot: Harness) -> None:
    await enrol(bot, onset="Today")  # onset Friday 20 March: day 15 is Saturday 4 April
    before = len(bot.messages())
    await walk_due(bot, datetime(2026, 4, 4, 21, 1, tzinfo=UTC))  # 22:00 BST
    [follow_up] = [m for m in sent_since(bot, before) if "since your twitching started" in m.text]
    assert follow_up.date == datetime(2026, 4, 4, 21, 0, tzinfo=UTC)
    assert "about 15 days" in follow_up.text
    assert "If it's still there, please book a routine appointment" in follow_up.text


async def test_an_emergency_check_in_shows_only_the_emergency(bot: Harness) -> None:
    await enrol(bot)
    bot.advance(hours=13)  # 21:00 in London: "tonight" would fit, but not beside an emergency
    message_id = await check_in(bot, signs=("Eyelid or face drooping",))
    text = next(m.text for m in bot.messages() if m.message_id == message_id)
    assert "Please call 999 now" in text
    assert "All done" not in text
    assert "Rest well" not in text


async def test_rest_well_tonight_follows_the_persons_clock(bot: Harness) -> None:
    await enrol(bot)  # Friday, 08:00 in London
    bot.advance(hours=13)  # 21:00
    evening = await check_in(bot)
    assert "Rest well tonight" in next(m.text for m in bot.messages() if m.message_id == evening)
    bot.advance(hours=32, minutes=30)  # Sunday, 05:30: no check-in yet for Saturday or Sunday
    early = await check_in(bot)
    text = next(m.text for m in bot.messages() if m.message_id == early)
    assert "All done" in text
    assert "tonight" not in text


async def test_a_check_in_the_day_before_day_1_is_kept_as_the_baseline(bot: Harness) -> None:
    bot.advance(hours=5)  # 13:00 in London: the plan starts tomorrow
    await enrol(bot)
    await check_in(bot, count="6 to 10")
    [record] = await bot.store.list_checkins(USER)
    assert (record.local_date, record.checkin.day) == (date(2026, 3, 20), 0)
    # Day 7 with as many episodes as the day before day 1: not improving, against that baseline.
    bot.advance(days=7)
    await check_in(bot, count="6 to 10")
    assert any("No improvement after the 7-day plan" in text for text in bot.texts())


async def test_urgent_none_of_these_in_new_york_gives_no_uk_services(bot: Harness) -> None:
    await enrol(bot, zone="New York")
    await bot.send("/urgent")
    await bot.tap(SIGNS_NONE)
    text = bot.last().text
    assert "contact your doctor" in text
    assert [word for word in UK_WORDS if word in text] == []
