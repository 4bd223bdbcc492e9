"""Replies that match the person's state: what an old button, a stray message, a typed answer
or a forged tap gets, and how a time zone is shown (issue 12, finding 11)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.domain.callbacks import Action, encode
from bot.domain.flows import EnrolFlow, EnrolStep
from devtools.emulator import ChatMessage
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import CONSENT_BUTTON, check_in, enrol, send_sticker

SAFE = "✅ I'm safe now"
STALE = "This button has expired. Please use the latest message."
BACK_ON = "reminders are back on"
WAKE = "07:30"


def message(bot: Harness, message_id: int) -> ChatMessage:
    return next(m for m in bot.messages() if m.message_id == message_id)


def buttons(bot: Harness, message_id: int) -> list[str]:
    return [text for row in message(bot, message_id).button_values for text, _ in row]


# --- "I'm safe now" says what happens to the reminders ------------------------------------------


async def _alarm(bot: Harness) -> int:
    await enrol(bot)
    await check_in(bot, signs=("Eyelid or face drooping",))
    return bot.message_with(SAFE).message_id


async def test_im_safe_after_delete_does_not_promise_reminders(bot: Harness) -> None:
    alarm = await _alarm(bot)
    await bot.send("/delete")
    await bot.tap("🗑️ Yes, delete everything")
    await bot.tap(SAFE, message_id=alarm)
    assert "glad you're safe" in bot.last().text
    assert BACK_ON not in bot.last().text
    assert await bot.store.get_profile(USER) is None  # nothing brought back


async def test_im_safe_while_paused_does_not_promise_reminders(bot: Harness) -> None:
    alarm = await _alarm(bot)
    await bot.send("/pause")
    await bot.tap(SAFE, message_id=alarm)
    assert "glad you're safe" in bot.last().text
    assert BACK_ON not in bot.last().text


async def test_im_safe_on_the_plan_turns_reminders_back_on(bot: Harness) -> None:
    alarm = await _alarm(bot)
    await bot.tap(SAFE, message_id=alarm)
    assert BACK_ON in bot.last().text


# --- stray messages -----------------------------------------------------------------------------


@pytest.mark.parametrize("stray", ["text", "sticker"])
async def test_a_stray_message_without_a_plan_points_to_start(bot: Harness, stray: str) -> None:
    if stray == "text":
        await bot.send("hello there")
    else:
        await send_sticker(bot)
    text = bot.last().text
    assert "/start" in text
    assert "/today" not in text
    assert "/checkin" not in text


async def test_a_stray_message_on_the_plan_points_to_today(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("hello there")
    assert "/today" in bot.last().text


# --- one way to show a time zone ---------------------------------------------------------------


async def test_the_time_zone_is_shown_the_same_way_everywhere(bot: Harness) -> None:
    await enrol(bot, zone="Europe/Berlin")
    await bot.send("/settings")
    shown = [m.text for m in bot.messages() if "Time zone" in m.text]
    assert len(shown) == 3  # "time zone set", the enrolment summary and the settings menu
    assert all("Berlin (Europe)" in text for text in shown)
    assert not any("Europe/Berlin" in text for text in shown)


# --- typed answers retire the keyboard they answer ----------------------------------------------


async def _at_enrolment_wake(bot: Harness) -> None:
    await bot.send("/start")
    await bot.tap(CONSENT_BUTTON)
    await bot.send("london")


async def _at_enrolment_bed(bot: Harness) -> None:
    await _at_enrolment_wake(bot)
    await bot.send("07:00")


async def _at_enrolment_zone_choice(bot: Harness) -> None:
    await bot.send("/start")
    await bot.tap(CONSENT_BUTTON)
    await bot.send("san")  # several places match: suggestions as buttons


async def _at_settings_wake(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/settings")
    await bot.tap("⏰ Wake time")


async def _at_settings_bed(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/settings")
    await bot.tap("🌙 Bedtime")


@pytest.mark.parametrize(
    ("reach", "typed"),
    [
        (_at_enrolment_wake, "06:45"),
        (_at_enrolment_wake, "half past banana"),  # refused: asked again, with new buttons
        (_at_enrolment_bed, "23:15"),
        (_at_enrolment_zone_choice, "london"),
        (_at_settings_wake, "06:45"),
        (_at_settings_bed, "23:15"),
        (_at_settings_bed, "banana"),
    ],
)
async def test_a_typed_answer_retires_the_buttons_it_answers(
    bot: Harness, reach: Callable[[Harness], Awaitable[None]], typed: str
) -> None:
    await reach(bot)
    question = bot.last()
    assert question.button_values, "the question should offer buttons"
    await bot.send(typed)
    assert buttons(bot, question.message_id) == []


async def test_an_old_wake_button_cannot_answer_the_bedtime_question(bot: Harness) -> None:
    await _at_enrolment_wake(bot)
    wake_question = bot.last()
    [old_data] = [d for row in wake_question.button_values for text, d in row if text == WAKE]
    assert old_data is not None
    await bot.send("07:00")  # typed: the bedtime question comes next
    await bot.tap_raw(old_data, wake_question.message_id)  # a client that kept the old button
    assert bot.last_answer() == STALE
    flow = await bot.store.get_flow(USER)
    assert isinstance(flow, EnrolFlow)
    assert (flow.step, flow.bedtime) == (EnrolStep.BED, None)


# --- a tap acts only on a message that shows that button ----------------------------------------


@pytest.mark.parametrize("action", list(Action))
async def test_a_forged_tap_leaves_an_unrelated_message_alone(bot: Harness, action: Action) -> None:
    await enrol(bot)
    await bot.send("/help")
    unrelated = bot.last()
    shown = {data for row in unrelated.button_values for _, data in row}
    for data in {encode(action, "1"), encode(action)} - shown:
        await bot.tap_raw(data, unrelated.message_id)
    after = message(bot, unrelated.message_id)
    assert (after.text, after.button_values, after.edited) == (
        unrelated.text,
        unrelated.button_values,
        False,
    )
    assert bot.last().message_id == unrelated.message_id  # nothing new was said either
    assert bot.last_answer() == STALE


async def test_a_forged_sos_tap_does_not_overwrite_a_message(bot: Harness) -> None:
    await enrol(bot)
    summary = next(m for m in bot.messages() if "Time zone" in m.text)
    await bot.tap_raw(encode(Action.URGENT_SOS), summary.message_id)
    assert message(bot, summary.message_id).text == summary.text
    assert bot.last_answer() == STALE
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert not profile.emergency_hold
