"""/settings end to end: time zone by city or location, wake time and bedtime, Done, stale taps."""

from __future__ import annotations

from datetime import time

from bot.domain.flows import FlowKind, SettingsStep
from bot.domain.models import Profile
from bot.texts.content import Content, render, render_plain
from devtools.emulator import ChatMessage
from devtools.emulator.htmltext import parse_html
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import enrol, same_step

ZONE_BUTTON = "🌍 Time zone"
COUNTRY_BUTTON = "🆘 Country"
WAKE_BUTTON = "⏰ Wake time"
BED_BUTTON = "🌙 Bedtime"
DONE_BUTTON = "✅ Done"


def content_of(bot: Harness) -> Content:
    return bot.app.bot_data.services.content


def seen(html: str) -> str:
    return parse_html(html).text


def menu_text(
    bot: Harness, zone: str, wake: str, bedtime: str, country: str = "Britain (UK)"
) -> str:
    ui = content_of(bot).ui
    values = {"zone": zone, "wake": wake, "bedtime": bedtime, "country": country}
    return seen(render(ui.settings_menu, **values))


def updated_menu(
    bot: Harness, zone: str, wake: str, bedtime: str, country: str = "Britain (UK)"
) -> str:
    menu = menu_text(bot, zone, wake, bedtime, country)
    return f"{seen(content_of(bot).ui.settings_updated)}\n\n{menu}"


async def profile_of(bot: Harness) -> Profile:
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    return profile


async def open_settings(bot: Harness) -> ChatMessage:
    await bot.send("/settings")
    return bot.last()


async def test_menu_shows_current_settings(bot: Harness) -> None:
    await enrol(bot)
    menu = await open_settings(bot)
    assert menu.text == menu_text(bot, "London (Europe)", "07:00", "23:00")
    labels = [text for row in menu.button_values for text, _ in row]
    assert labels == [ZONE_BUTTON, COUNTRY_BUTTON, WAKE_BUTTON, BED_BUTTON, DONE_BUTTON]
    flow = await bot.store.get_flow(USER)
    assert flow is not None
    assert (flow.kind, flow.step) == (FlowKind.SETTINGS, SettingsStep.MENU)


async def test_change_zone_by_typing_an_ambiguous_city(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)
    menu = await open_settings(bot)
    await bot.tap(ZONE_BUTTON, message_id=menu.message_id)
    assert bot.last().text == seen(ui.ask_zone)
    assert bot.emu.chat(USER)[-1].buttons == ()  # the menu's buttons are gone

    await bot.send("san")
    assert bot.last().text == seen(render(ui.zone_suggestions, query="san"))
    assert (await profile_of(bot)).zone == "Europe/London"  # nothing saved yet

    await bot.tap("Los Angeles (America)")
    assert (await profile_of(bot)).zone == "America/Los_Angeles"
    zone_set, saved = bot.texts()[-2:]
    assert zone_set.startswith("🌍 Time zone set: Los Angeles (America)")
    assert saved == updated_menu(bot, "Los Angeles (America)", "07:00", "23:00", "United States")
    flow = await bot.store.get_flow(USER)
    assert flow is not None
    assert flow.step == "menu"  # the saved change shows the menu again


async def test_change_zone_by_typing_a_unique_city(bot: Harness) -> None:
    await enrol(bot)
    menu = await open_settings(bot)
    await bot.tap(ZONE_BUTTON, message_id=menu.message_id)
    await bot.send("Berlin")
    assert (await profile_of(bot)).zone == "Europe/Berlin"
    assert bot.last().text == updated_menu(bot, "Berlin (Europe)", "07:00", "23:00", "Germany")


async def test_change_zone_by_sharing_a_location(bot: Harness) -> None:
    await enrol(bot)
    menu = await open_settings(bot)
    await bot.tap(ZONE_BUTTON, message_id=menu.message_id)
    await bot.share_location(28.61, 77.21)
    assert (await profile_of(bot)).zone == "Asia/Kolkata"
    # 08:00 UTC is 13:30 in India.
    assert "Kolkata (Asia)" in bot.texts()[-2]
    assert "13:30" in bot.texts()[-2]


async def test_unknown_place_changes_nothing(bot: Harness) -> None:
    await enrol(bot)
    menu = await open_settings(bot)
    await bot.tap(ZONE_BUTTON, message_id=menu.message_id)
    before = await profile_of(bot)
    await bot.send("springfield")
    assert bot.last().text == seen(render(content_of(bot).ui.zone_not_found, query="springfield"))
    await bot.share_location(0.0, -30.0)  # the middle of the Atlantic
    assert bot.last().text == seen(content_of(bot).ui.zone_location_failed)
    assert await profile_of(bot) == before


async def test_change_wake_time_by_button(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)
    menu = await open_settings(bot)
    await bot.tap(WAKE_BUTTON, message_id=menu.message_id)
    question = bot.last()
    assert question.message_id == menu.message_id  # the menu turns into the question
    assert question.text == seen(ui.ask_wake)

    await bot.tap("06:30", message_id=question.message_id)
    assert (await profile_of(bot)).wake_time == time(6, 30)
    assert bot.emu.chat(USER)[-2].buttons == ()  # the answered question's buttons are gone
    assert bot.last().text == updated_menu(bot, "London (Europe)", "06:30", "23:00")


async def test_change_bedtime_by_typing(bot: Harness) -> None:
    await enrol(bot)
    menu = await open_settings(bot)
    await bot.tap(BED_BUTTON, message_id=menu.message_id)
    assert bot.last().text == seen(content_of(bot).ui.ask_bedtime)
    await bot.send("10:30 pm")
    assert (await profile_of(bot)).bedtime == time(22, 30)
    assert bot.last().text == updated_menu(bot, "London (Europe)", "07:00", "22:30")


async def test_change_bedtime_by_button_and_wake_time_by_typing(bot: Harness) -> None:
    await enrol(bot)
    await bot.tap(BED_BUTTON, message_id=(await open_settings(bot)).message_id)
    await bot.tap("00:00")
    await bot.tap(WAKE_BUTTON)  # on the menu shown again after saving
    await bot.send("8:15")
    profile = await profile_of(bot)
    assert (profile.wake_time, profile.bedtime) == (time(8, 15), time(0, 0))


async def test_free_text_where_a_time_is_expected(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)
    await bot.tap(WAKE_BUTTON, message_id=(await open_settings(bot)).message_id)
    before = await profile_of(bot)
    flow_before = await bot.store.get_flow(USER)

    await bot.send("banana")
    assert bot.last().text == seen(render(ui.invalid_time, text="banana"))
    assert await profile_of(bot) == before
    assert same_step(await bot.store.get_flow(USER), flow_before)  # still waiting for a time

    await bot.send("6:45")
    assert (await profile_of(bot)).wake_time == time(6, 45)


async def test_bedtime_too_close_to_wake_time_is_rejected(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)
    await bot.tap(BED_BUTTON, message_id=(await open_settings(bot)).message_id)
    before = await profile_of(bot)

    await bot.send("07:30")
    assert bot.last().text == seen(ui.times_too_close)
    assert await profile_of(bot) == before
    await bot.tap("22:00")  # the retry offers the buttons again
    assert (await profile_of(bot)).bedtime == time(22, 0)


async def test_wake_time_too_close_to_bedtime_is_rejected(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)
    await bot.tap(WAKE_BUTTON, message_id=(await open_settings(bot)).message_id)
    before = await profile_of(bot)

    await bot.send("22:30")
    assert bot.last().text == seen(ui.wake_too_close)
    assert await profile_of(bot) == before
    flow = await bot.store.get_flow(USER)
    assert flow is not None
    assert flow.step == "wake"


async def test_done_closes_and_old_buttons_are_stale(bot: Harness) -> None:
    ui = content_of(bot).ui
    await enrol(bot)
    menu = await open_settings(bot)
    zone_data = dict(menu.button_values[0])[ZONE_BUTTON]
    assert zone_data is not None

    await bot.tap(DONE_BUTTON, message_id=menu.message_id)
    closed = bot.last()
    assert closed.message_id == menu.message_id
    assert (closed.text, closed.buttons) == (seen(ui.settings_closed), ())
    assert await bot.store.get_flow(USER) is None

    before = bot.texts()
    await bot.tap_raw(zone_data, menu.message_id)
    assert bot.last_answer() == render_plain(ui.stale_button)
    assert bot.texts() == before
    assert await bot.store.get_flow(USER) is None


async def test_an_answered_question_button_is_stale(bot: Harness) -> None:
    await enrol(bot)
    menu = await open_settings(bot)
    await bot.tap(WAKE_BUTTON, message_id=menu.message_id)
    six = dict(bot.last().button_values[0])["06:00"]
    assert six is not None
    await bot.send("06:30")

    await bot.tap_raw(six, menu.message_id)
    assert bot.last_answer() == render_plain(content_of(bot).ui.stale_button)
    assert (await profile_of(bot)).wake_time == time(6, 30)


async def test_forged_settings_buttons(bot: Harness) -> None:
    await enrol(bot)
    menu = await open_settings(bot)
    flow = await bot.store.get_flow(USER)
    assert flow is not None
    before = await profile_of(bot)
    stale = render_plain(content_of(bot).ui.stale_button)
    for data in (
        f"1:set_menu:{flow.nonce}:colour",
        f"1:set_time:{flow.nonce}:0630",  # right nonce, but no time was asked for
        f"1:set_zone:{flow.nonce}:Mars.Olympus",
        "1:set_menu:zzz:wake",
    ):
        await bot.tap_raw(data, menu.message_id)
        assert bot.last_answer() == stale, data
    await bot.tap(WAKE_BUTTON, message_id=menu.message_id)
    await bot.tap_raw(f"1:set_time:{flow.nonce}:2561", menu.message_id)
    assert bot.last_answer() == stale
    assert await profile_of(bot) == before


async def test_typing_while_the_menu_shows(bot: Harness) -> None:
    await enrol(bot)
    await open_settings(bot)
    before = await profile_of(bot)
    await bot.send("Berlin")
    assert bot.last().text.endswith(seen(content_of(bot).ui.unknown_text))
    assert await profile_of(bot) == before
