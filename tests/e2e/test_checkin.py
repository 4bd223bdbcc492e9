"""The daily check-in end to end: one message edited in place, answers kept in Redis."""

from __future__ import annotations

from datetime import date

from bot.domain.callbacks import Action, encode
from bot.domain.flows import CheckinAnswers, CheckinFlow, CheckinStep, FlowKind
from bot.domain.models import Duration, TwitchLocation
from tests.backends import ON_BOTH
from tests.e2e.harness import START, USER, Harness
from tests.e2e.steps import NO_EPISODES, SIGNS_DONE, SIGNS_NONE, check_in, enrol

pytestmark = ON_BOTH

STALE = "This button has expired. Please use the latest message."


def buttons_of(bot: Harness, message_id: int) -> list[str]:
    message = next(m for m in bot.messages() if m.message_id == message_id)
    return [text for row in message.button_values for text, _ in row]


def text_of(bot: Harness, message_id: int) -> str:
    return next(m for m in bot.messages() if m.message_id == message_id).text


async def test_a_full_check_in_edits_one_message_and_stores_one_record(bot: Harness) -> None:
    await enrol(bot)  # onset yesterday, day 1 today (Friday 20 March, London)
    await bot.send("/checkin")
    message = bot.last()
    assert "Daily check-in" in message.text
    assert "Question 1 of 7" in message.text
    assert "Where did your face twitch" in message.text
    sent_before = len(bot.messages())

    steps = [
        ("👁️ Eyelid", "Question 2 of 7"),
        ("3 to 5", "Question 3 of 7"),
        ("⏳ Minutes", "Question 4 of 7"),
        ("7 to 8 hours", "Question 5 of 7"),
        ("1", "Question 6 of 7"),
        ("🙂 2 · A little", "Question 7 of 7"),
    ]
    for label, progress in steps:
        await bot.tap(label, message_id=message.message_id)
        assert progress in text_of(bot, message.message_id)
        assert len(bot.messages()) == sent_before  # edited in place, nothing new
    assert "Have you noticed any of these" in text_of(bot, message.message_id)
    assert await bot.store.list_checkins(USER) == []  # nothing stored before the end

    await bot.tap(SIGNS_DONE, message_id=message.message_id)
    assert "All done, thank you" in text_of(bot, message.message_id)
    assert buttons_of(bot, message.message_id) == []
    assert bot.last_answer() == "✅ Check-in saved. Thank you!"
    assert len(bot.messages()) == sent_before  # no tip or advice was due

    [record] = await bot.store.list_checkins(USER)
    assert record.at == START
    assert record.local_date == date(2026, 3, 20)
    c = record.checkin
    assert (c.day, c.days_since_onset) == (1, 1)
    assert c.twitch_location is TwitchLocation.EYELID
    assert (c.episodes_per_day, c.worst_duration) == (4, Duration.MINUTES)
    assert (c.sleep_hours, c.caffeine_drinks, c.stress_level) == (7.5, 1, 2)
    assert not any([c.painful, c.drooping, c.spreading, c.eye_redness_or_discharge])
    assert await bot.store.get_flow(USER) is None


async def test_no_episodes_skips_the_duration_question(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/checkin")
    message_id = bot.last().message_id
    await bot.tap("👁️ Eyelid", message_id=message_id)
    await bot.tap(NO_EPISODES, message_id=message_id)
    text = text_of(bot, message_id)
    assert "Question 3 of 6" in text
    assert "How much did you sleep" in text

    await check_in(bot, command=None, count=NO_EPISODES, sleep="5 to 6 hours", answered=2)
    [record] = await bot.store.list_checkins(USER)
    assert record.checkin.episodes_per_day == 0
    assert record.checkin.worst_duration is Duration.SECONDS  # value_if_skipped
    assert record.checkin.sleep_hours == 5.5
    tip = bot.last().text
    assert "No twitching today" in tip
    assert "Sleep was short" in tip  # 5.5 hours


async def test_warning_signs_toggle_in_place_and_done_stores_them(bot: Harness) -> None:
    await enrol(bot)
    await check_in(bot, finish=None)  # stops at the warning-sign step
    message_id = bot.last().message_id
    assert "⬜ Pain with the twitch" in buttons_of(bot, message_id)

    await bot.tap("⬜ Pain with the twitch", message_id=message_id)
    assert "☑️ Pain with the twitch" in buttons_of(bot, message_id)
    assert (await bot.store.get_flow(USER)).signs == ("painful",)  # type: ignore[union-attr]
    await bot.tap("☑️ Pain with the twitch", message_id=message_id)
    assert "⬜ Pain with the twitch" in buttons_of(bot, message_id)
    await bot.tap("⬜ Red eye or discharge", message_id=message_id)
    assert bot.last().message_id == message_id

    await bot.tap(SIGNS_DONE, message_id=message_id)
    [record] = await bot.store.list_checkins(USER)
    assert record.checkin.eye_redness_or_discharge
    assert not record.checkin.painful


async def test_none_of_these_finishes_with_no_signs(bot: Harness) -> None:
    await enrol(bot)
    await check_in(bot, signs=("Pain with the twitch",), finish=SIGNS_NONE)
    [record] = await bot.store.list_checkins(USER)
    assert not record.checkin.painful
    assert not any("Time to get this checked" in t for t in bot.texts())
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.advised_reasons == ()


async def test_checkin_without_a_plan_is_refused_politely(bot: Harness) -> None:
    await bot.send("/checkin")
    assert "You haven't started the plan yet" in bot.last().text
    assert await bot.store.get_flow(USER) is None
    assert await bot.store.get_profile(USER) is None

    await bot.send("/start")
    await bot.tap("✅ I understand, let's start")  # consented, enrolment not finished
    await bot.send("/checkin")
    assert "You're still setting up your plan" in bot.last().text
    flow = await bot.store.get_flow(USER)
    assert flow is not None
    assert flow.kind is FlowKind.ENROL  # enrolment is left where it was


async def test_check_in_now_button_under_the_days_step(bot: Harness) -> None:
    await enrol(bot)
    await bot.tap("📝 Check in now")
    assert "Question 1 of 7" in bot.last().text
    await check_in(bot, command=None)
    [record] = await bot.store.list_checkins(USER)
    assert record.checkin.day == 1


async def test_checkin_again_mid_way_resumes_at_the_same_question(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/checkin")
    first = bot.last().message_id
    await bot.tap("Cheek", message_id=first)
    await bot.tap("6 to 10", message_id=first)
    flow = await bot.store.get_flow(USER)
    assert flow is not None
    old_button = encode(Action.CHECKIN_ANSWER, flow.nonce, "longest", "seconds")

    await bot.send("/checkin")  # e.g. after the bot restarted, or the message scrolled away
    resumed = bot.last()
    assert resumed.message_id != first
    assert "Question 3 of 7" in resumed.text
    assert "How long did the longest episode last" in resumed.text
    assert buttons_of(bot, first) == []  # the old copy no longer offers answers
    await bot.tap_raw(old_button, first)
    assert bot.last_answer() == STALE

    await check_in(bot, command=None, longest="⏱️ A few seconds", answered=2)
    [record] = await bot.store.list_checkins(USER)
    assert record.checkin.twitch_location is TwitchLocation.CHEEK
    assert record.checkin.episodes_per_day == 8
    assert record.checkin.worst_duration is Duration.SECONDS


async def test_stale_and_forged_buttons_are_answered_politely(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/checkin")
    message_id = bot.last().message_id
    nonce = (await bot.store.get_flow(USER)).nonce  # type: ignore[union-attr]
    forged = [
        encode(Action.CHECKIN_ANSWER, "zzzzzz", "where", "eyelid"),  # wrong nonce
        encode(Action.CHECKIN_ANSWER, nonce, "stress", "s1"),  # not the current question
        encode(Action.CHECKIN_ANSWER, nonce, "where", "nose"),  # no such answer
        encode(Action.CHECKIN_ANSWER, nonce, "where"),  # too few arguments
        encode(Action.CHECKIN_SIGN, nonce, "DONE"),  # not at the warning-sign step yet
        "1:ci:" + nonce + ":where:eyelid:extra",
        "garbage",
    ]
    for data in forged:
        await bot.tap_raw(data, message_id)
        assert bot.last_answer() == STALE, data
    flow = await bot.store.get_flow(USER)
    assert isinstance(flow, CheckinFlow)
    assert (flow.step, flow.answers) == (CheckinStep.WHERE, CheckinAnswers())
    assert "Question 1 of 7" in text_of(bot, message_id)

    await check_in(bot, command=None)
    await bot.tap_raw(
        encode(Action.CHECKIN_ANSWER, nonce, "where", "eyelid"), message_id
    )  # finished flow
    assert bot.last_answer() == STALE
    await bot.tap_raw(encode(Action.CHECKIN_SIGN, nonce, "DONE"), message_id)
    assert bot.last_answer() == STALE
    assert len(await bot.store.list_checkins(USER)) == 1


async def test_a_second_check_in_on_the_same_day_is_added(bot: Harness) -> None:
    await enrol(bot)
    await check_in(bot, count="3 to 5")
    await bot.send("/checkin")
    offer = bot.last()
    assert "already checked in today" in offer.text
    await bot.tap("✏️ Update today's answers")
    assert bot.last().message_id == offer.message_id
    assert "Question 1 of 7" in bot.last().text

    await check_in(bot, command=None, count="1 or 2")
    assert bot.last_answer() == "✅ Today's check-in is updated."
    records = await bot.store.list_checkins(USER)
    assert [r.checkin.episodes_per_day for r in records] == [4, 2]
    assert {r.local_date for r in records} == {date(2026, 3, 20)}


async def test_check_in_after_day_seven_still_works(bot: Harness) -> None:
    await enrol(bot, onset="About a week ago")
    bot.advance(days=13)  # day 14 of the plan, three weeks after onset
    await check_in(bot, count="1 or 2")
    [record] = await bot.store.list_checkins(USER)
    assert (record.checkin.day, record.checkin.days_since_onset) == (14, 20)
    assert "It has lasted more than 2 weeks" in bot.last().text
