"""The Mini App in the chat: the menu button after enrolment and on /start, a button under
/progress, and the exercise buttons in the mornings of day 4 and 5; none of them when
TWITCHCARE_WEBAPP_URL is not set. The emulator checks them as Telegram does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo
from telegram.error import BadRequest

from bot.storage.client import RedisClient
from devtools.emulator import ChatMessage
from tests.e2e.harness import USER, Harness, harness_for
from tests.e2e.steps import check_in, enrol, walk_due
from tests.webapp.server import WebApp

GROUP = -100777
# Day 1 is the day of enrolment (Friday 20 March 2026, London); mornings are at 07:00.
DAY_4_MORNING = datetime(2026, 3, 23, 7, 0, tzinfo=UTC)
DAY_5_MORNING = datetime(2026, 3, 24, 7, 0, tzinfo=UTC)


def web_apps(message: ChatMessage) -> list[str]:
    return [b.web_app for row in message.buttons for b in row if b.web_app is not None]


def all_web_apps(bot: Harness) -> list[str]:
    return [url for message in bot.messages() for url in web_apps(message)]


async def mornings(bot: Harness, until: datetime) -> ChatMessage:
    """Walk the plan to `until` (checking in each evening); the morning sent at `until`."""
    seen = len(bot.messages())
    await walk_due(bot, until)
    sent = bot.messages()[seen:]
    assert sent, "no morning message"
    return sent[-1]


async def test_enrolment_and_start_set_the_menu_button_to_the_diary(webapp: WebApp) -> None:
    bot = webapp.harness
    await enrol(bot)

    expected = {"type": "web_app", "text": "📖 My diary", "web_app": {"url": webapp.page_url}}
    assert bot.emu.menu_button(USER) == expected
    await bot.send("/start")
    assert len(bot.emu.requests_for("setChatMenuButton")) == 2  # again for the enrolled


async def test_progress_has_a_button_that_opens_the_diary(webapp: WebApp) -> None:
    bot = webapp.harness
    await enrol(bot)
    await check_in(bot)

    await bot.send("/progress")

    assert web_apps(bot.last()) == [webapp.page_url]


async def test_mornings_4_and_5_open_their_exercise(webapp: WebApp) -> None:
    bot = webapp.harness
    await enrol(bot)

    day_4 = await mornings(bot, DAY_4_MORNING)
    assert web_apps(day_4) == [f"{webapp.page_url}#exercise=eyes"]
    await bot.tap(next(v for row in day_4.button_values for _, v in row if v))  # sleep answer
    edited = next(m for m in bot.messages() if m.message_id == day_4.message_id)
    assert web_apps(edited) == web_apps(day_4)  # the edit keeps it
    await bot.send("/today")
    assert web_apps(bot.last()) == web_apps(day_4)  # /today is the same morning

    day_5 = await mornings(bot, DAY_5_MORNING)
    assert web_apps(day_5) == [f"{webapp.page_url}#exercise=breathing"]
    exercise_links = [u for u in all_web_apps(bot) if "#exercise=" in u]
    assert len(exercise_links) == 3  # day 4, its /today copy, day 5: no other morning


async def test_without_the_url_the_chat_has_no_mini_app(
    redis_url: str, redis_client: RedisClient
) -> None:
    async with harness_for(redis_url, redis_client) as bot:
        await enrol(bot)
        await check_in(bot)
        await bot.send("/progress")
        await bot.send("/start")
        await mornings(bot, DAY_5_MORNING)

        assert all_web_apps(bot) == []
        assert bot.emu.requests_for("setChatMenuButton") == []
        assert bot.emu.menu_button(USER) == {"type": "commands"}


@pytest.mark.parametrize(
    "url",
    ["http://example.org/app/", "ftp://127.0.0.1/app/", "https:///app/", "javascript:alert(1)"],
)
async def test_the_emulator_refuses_what_telegram_refuses(webapp: WebApp, url: str) -> None:
    bot = webapp.harness.app.bot
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("open", web_app=WebAppInfo(url))]])
    with pytest.raises(BadRequest, match="(?i)only https links are allowed"):
        await bot.send_message(USER, "x", reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)only https links are allowed"):
        await bot.set_chat_menu_button(USER, MenuButtonWebApp("open", WebAppInfo(url)))


async def test_the_emulator_keeps_menu_buttons_for_private_chats_only(webapp: WebApp) -> None:
    emu, bot = webapp.harness.emu, webapp.harness.app.bot
    emu.add_group(GROUP, "Book club")
    page = "https://twitchcare.example/app/"
    await bot.set_chat_menu_button(menu_button=MenuButtonWebApp("Diary", WebAppInfo(page)))
    with pytest.raises(BadRequest, match="(?i)chat is not private"):
        await bot.set_chat_menu_button(GROUP, MenuButtonWebApp("Diary", WebAppInfo(page)))

    shown = await bot.get_chat_menu_button(USER)  # no button of its own: the bot's default
    assert isinstance(shown, MenuButtonWebApp)
    assert shown.web_app.url == page
    assert emu.menu_button(USER)["text"] == "Diary"
