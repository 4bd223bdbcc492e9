"""The emergency number follows the person's country, not their time zone (issue 13).

A zone can span countries (tzdata's zone1970.tab puts north Vietnam on Asia/Bangkok), so the
country comes from the typed place, the shared location, or the person's answer.
"""

from __future__ import annotations

import pytest

from bot.domain.models import Profile
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import enrol

SOS = "🚨 I have one of these signs"
HANOI = (21.0285, 105.8542)
SKIP = "Skip (I'll give a general emergency line)"


async def profile_of(bot: Harness) -> Profile:
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    return profile


async def emergency(bot: Harness) -> str:
    """Report an emergency sign through /urgent; the alarm's text."""
    await bot.send("/urgent")
    await bot.tap(SOS)
    return next(t for t in reversed(bot.texts()) if "Please call" in t)


@pytest.mark.parametrize(
    ("place", "number"), [("Hanoi", "115"), ("Norway", "113"), ("Oslo", "113"), ("Bangkok", "1669")]
)
async def test_a_typed_place_gives_its_country_s_number(
    bot: Harness, place: str, number: str
) -> None:
    await enrol(bot, zone=place)
    assert f"Please call {number} now" in await emergency(bot)


async def test_a_location_in_hanoi_is_vietnam(bot: Harness) -> None:
    await bot.send("/start")
    await bot.tap("✅ I understand, let's start")
    await bot.share_location(*HANOI)
    await bot.send("07:00")
    await bot.send("23:00")
    await bot.tap("Yesterday")
    profile = await profile_of(bot)
    assert (profile.zone, profile.country) == ("Asia/Bangkok", "VN")
    assert "Please call 115 now" in await emergency(bot)


async def test_an_uncertain_place_asks_the_country_once_with_buttons(bot: Harness) -> None:
    await bot.send("/start")
    await bot.tap("✅ I understand, let's start")
    await bot.send("hanio")  # a typo: Bangkok's zone, shared by five countries
    question = bot.last()
    assert "Which country are you in?" in question.text
    labels = [label for row in question.button_values for label, _ in row]
    assert labels == ["Thailand", "Christmas Island", "Cambodia", "Laos", "Vietnam", SKIP]
    await bot.tap("Vietnam")
    await bot.send("07:00")
    await bot.send("23:00")
    await bot.tap("Yesterday")
    assert (await profile_of(bot)).country == "VN"
    assert sum("Which country are you in?" in t for t in bot.texts()) == 1
    assert "Please call 115 now" in await emergency(bot)


async def test_a_typed_country_answers_the_question(bot: Harness) -> None:
    await bot.send("/start")
    await bot.tap("✅ I understand, let's start")
    await bot.send("UTC")  # no country at all
    await bot.send("Atlantis")
    assert "I couldn't find a country called “Atlantis”" in bot.last().text
    await bot.send("norway")
    await bot.send("07:00")
    await bot.send("23:00")
    await bot.tap("Yesterday")
    assert (await profile_of(bot)).country == "NO"
    assert "Please call 113 now" in await emergency(bot)


async def test_skipping_the_country_gives_the_generic_line_and_how_to_set_it(
    bot: Harness,
) -> None:
    await enrol(bot, zone="UTC", country=SKIP)
    assert (await profile_of(bot)).country is None
    alarm = await emergency(bot)
    assert "Please call your local emergency number" in alarm
    assert "set your country in /settings" in alarm


async def test_settings_change_the_country(bot: Harness) -> None:
    await enrol(bot, zone="hanio", country="Thailand")
    await bot.send("/settings")
    await bot.tap("🆘 Country", message_id=bot.last().message_id)
    await bot.tap("Vietnam")
    assert (await profile_of(bot)).country == "VN"
    assert "Country (for the emergency number): Vietnam" in bot.last().text
    assert "Please call 115 now" in await emergency(bot)


async def test_a_new_zone_in_the_same_countries_keeps_the_country(bot: Harness) -> None:
    await enrol(bot, zone="hanio", country="Vietnam")
    await bot.send("/settings")
    await bot.tap("🌍 Time zone", message_id=bot.last().message_id)
    await bot.share_location(13.7563, 100.5018)  # Bangkok: a trip, the answer is the outline's
    assert (await profile_of(bot)).country == "TH"
