"""Red flags end to end: every level reached by taps, the "I'm safe" button, and /urgent."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.models import Pause, Profile, Reason, Status
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import SIGNS_DONE, SIGNS_NONE, check_in, enrol, keyspace

SAFE = "✅ I'm safe now"
SEE_DOCTOR = "Time to get this checked"
PAIN_LINE = "The twitch hurts"
SOS = "🚨 I have one of these signs"


async def profile_of(bot: Harness, user: int = USER) -> Profile:
    profile = await bot.store.get_profile(user)
    assert profile is not None
    return profile


def buttons_of(bot: Harness, message_id: int) -> list[str]:
    message = next(m for m in bot.messages() if m.message_id == message_id)
    return [text for row in message.button_values for text, _ in row]


@pytest.mark.parametrize(
    ("zone", "number"), [("london", "999"), ("America/New_York", "911"), ("Europe/Berlin", "112")]
)
async def test_an_emergency_sign_calls_for_help_at_once_and_holds_nudges(
    bot: Harness, zone: str, number: str
) -> None:
    await enrol(bot, zone=zone)
    bot.advance(hours=4)  # 12:00 UTC: day 1 has begun (after wake time) in every zone here
    checkin_id = await check_in(bot, signs=("Eyelid or face drooping",))

    alarm = bot.last()
    assert alarm.message_id == checkin_id + 1  # straight after the check-in, before any tip
    assert f"Please call {number} now" in alarm.text
    assert "Drooping of the eyelid or face" in alarm.text
    assert buttons_of(bot, alarm.message_id) == [SAFE]
    profile = await profile_of(bot)
    assert profile.emergency_hold
    assert Reason.DROOPING in profile.advised_reasons
    [record] = await bot.store.list_checkins(USER)
    assert record.checkin.drooping

    await bot.tap(SAFE)
    assert not (await profile_of(bot)).emergency_hold
    assert "glad you're safe" in bot.last().text
    assert buttons_of(bot, alarm.message_id) == []


async def test_a_repeated_emergency_sign_alarms_again(bot: Harness) -> None:
    await enrol(bot)
    await check_in(bot, signs=("Slurred or muddled speech",))
    await bot.tap(SAFE)
    bot.advance(days=1)
    await check_in(bot, signs=("Slurred or muddled speech",))
    assert "Please call 999 now" in bot.last().text  # it may be a new stroke
    assert (await profile_of(bot)).emergency_hold


async def test_see_doctor_advice_is_given_once_per_new_reason(bot: Harness) -> None:
    await enrol(bot)
    await check_in(bot, signs=("Pain with the twitch",))
    advice = bot.last().text
    assert SEE_DOCTOR in advice
    assert PAIN_LINE in advice
    assert "This isn't a diagnosis" in advice
    profile = await profile_of(bot)
    assert profile.advised_reasons == (Reason.PAINFUL,)
    assert not profile.emergency_hold

    bot.advance(days=1)
    before = len(bot.messages())
    await check_in(bot, signs=("Pain with the twitch",))
    assert len(bot.messages()) == before + 1  # only the check-in message itself
    assert not any(SEE_DOCTOR in t for t in bot.texts()[before:])

    bot.advance(days=1)
    await check_in(bot, signs=("Pain with the twitch", "Twitch spreading to new areas"))
    advice = bot.last().text
    assert "The twitch is spreading" in advice
    assert PAIN_LINE not in advice
    assert (await profile_of(bot)).advised_reasons == (Reason.PAINFUL, Reason.SPREADING)


async def test_no_improvement_by_day_seven_advises_a_gp(bot: Harness) -> None:
    await enrol(bot)
    await check_in(bot, count="3 to 5", longest="⏱️ A few seconds")
    bot.advance(days=5)
    await check_in(bot, count="6 to 10", longest="⏱️ A few seconds")  # day 6: not judged yet
    assert not any("No improvement" in t for t in bot.texts())

    bot.advance(days=1)
    await check_in(bot, count="6 to 10", longest="⏱️ A few seconds")
    records = await bot.store.list_checkins(USER)
    assert [r.checkin.day for r in records] == [1, 6, 7]
    assert "No improvement after the 7-day plan" in bot.last().text
    assert Reason.NOT_IMPROVING in (await profile_of(bot)).advised_reasons


async def test_improving_by_day_seven_gives_no_advice(bot: Harness) -> None:
    await enrol(bot)
    await check_in(bot, count="6 to 10")
    bot.advance(days=6)
    await check_in(bot, count="1 or 2")
    assert not any(SEE_DOCTOR in t for t in bot.texts())
    assert (await profile_of(bot)).advised_reasons == ()


async def test_urgent_without_a_profile_advises_and_stores_nothing(bot: Harness) -> None:
    await bot.send("/urgent")
    assert "New or worrying symptoms?" in bot.last().text
    await bot.tap("⬜ Eyelid or face drooping")
    assert "☑️ Eyelid or face drooping" in buttons_of(bot, bot.last().message_id)
    await bot.tap("⬜ Pain with the twitch")
    await bot.tap(SIGNS_DONE)

    alarm, advice = bot.texts()[-2:]
    assert "Please call your local emergency number (for example 112, 911 or 999) now" in alarm
    assert "Drooping of the eyelid or face" in alarm
    assert SEE_DOCTOR in advice
    assert PAIN_LINE in advice
    assert await keyspace(bot) == []  # not even a conversation state

    await bot.tap(SAFE)
    assert "glad you're safe" in bot.last().text
    assert await keyspace(bot) == []


@pytest.mark.parametrize("status", [Status.PAUSED, Status.STOPPED])
async def test_urgent_works_when_paused_or_stopped_and_is_stored(
    bot: Harness, status: Status
) -> None:
    await enrol(bot)
    bot.advance(days=2)

    def away(profile: Profile) -> Profile:
        pauses = (Pause(first_day=date(2026, 3, 21)),) if status is Status.PAUSED else ()
        return profile.model_copy(update={"status": status, "pauses": pauses})

    await bot.store.update_profile(USER, away)
    await bot.send("/urgent")
    await bot.tap("⬜ Red eye or discharge")
    await bot.tap(SIGNS_DONE)

    assert "Red eye or discharge" in bot.last().text
    assert SEE_DOCTOR in bot.last().text
    [report] = await bot.store.list_reports(USER)
    assert report.signs == ("eye_redness_or_discharge",)
    assert report.local_date == date(2026, 3, 22)
    assert report.day == (1 if status is Status.PAUSED else 3)  # paused days do not count
    profile = await profile_of(bot)
    assert profile.advised_reasons == (Reason.EYE_REDNESS_OR_DISCHARGE,)
    assert profile.status is status


async def test_urgent_repeats_advice_for_what_was_just_ticked(bot: Harness) -> None:
    await enrol(bot)
    await check_in(bot, signs=("Pain with the twitch",))
    await bot.send("/urgent")
    await bot.tap("⬜ Pain with the twitch")
    await bot.tap(SIGNS_DONE)
    assert PAIN_LINE in bot.last().text  # asked for it, so it is said again
    assert len(await bot.store.list_reports(USER)) == 1


async def test_urgent_none_of_these_is_calm_and_stores_nothing(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/urgent")
    message_id = bot.last().message_id
    await bot.tap("⬜ Pain with the twitch")
    await bot.tap(SIGNS_NONE)
    assert bot.last().message_id == message_id  # the checklist became the answer
    assert "contact your GP, or NHS 111" in bot.last().text  # London: the UK's own services
    assert "emergency number" in bot.last().text
    assert await bot.store.list_reports(USER) == []
    assert (await profile_of(bot)).advised_reasons == ()


async def test_urgent_sos_button_gives_the_number_at_once(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/urgent")
    await bot.tap(SOS)
    assert "Please call 999 now" in bot.last().text
    assert (await profile_of(bot)).emergency_hold
    await bot.tap(SAFE)
    assert not (await profile_of(bot)).emergency_hold


async def test_urgent_from_help_keeps_a_check_in_in_progress(bot: Harness) -> None:
    await enrol(bot)
    await check_in(bot, finish=None)  # at the warning-sign step
    await bot.send("/help")
    await bot.tap("🚨 New or worrying symptoms")
    assert "New or worrying symptoms?" in bot.last().text
    await bot.tap(SIGNS_NONE, message_id=bot.last().message_id)

    await bot.send("/checkin")  # the check-in is still there
    assert "Have you noticed any of these" in bot.last().text
    await bot.tap(SIGNS_DONE, message_id=bot.last().message_id)
    assert len(await bot.store.list_checkins(USER)) == 1


async def test_forged_urgent_buttons_are_answered_politely(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/urgent")
    message_id = bot.last().message_id
    for data in ["1:ur_sign:99999:DONE", "1:ur_sign:1:nope", "1:ur_sign:x:DONE", "1:safe:x"]:
        await bot.tap_raw(data, message_id)
        assert bot.last_answer() == "This button has expired. Please use the latest message."
    assert await bot.store.list_reports(USER) == []
