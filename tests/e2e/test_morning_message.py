"""The one morning message: the day's step with "how did you sleep?" under it (issue 15).

Robin in London (GMT until 29 March) enrols on Friday 20 March at 08:00: day 1 is that Friday,
wake 07:00, bedtime 23:00. Saturday 07:00 brings day 2's one message; the answer is edited into
it, feeds that evening's check-in, and the chart and insight read the stored hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.insight import Factor, week_insight
from bot.storage.store import OUTBOX, person_key
from devtools.emulator import ChatMessage
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import SIGNS_DONE, due_at, enrol, photos, sent_since, timeline, walk

STEP_2 = "☕ Day 2: ease off the stimulants"
STEP_3 = "🛌 Day 3: plan your wind-down"
WIND_DOWN = "🌙 Time to start winding down"
EVENING_2 = "🌙 Wind-down time"
PROMPT = (
    "😴 One quick question before you go: how did you sleep? "
    "Tap roughly how many hours you got last night."
)
WHY, CHECK_IN_NOW = "💡 Why this helps", "📝 Check in now"
HOURS = ["Under 5 hours", "5 to 6 hours", "6 to 7 hours", "7 to 8 hours", "8 hours or more"]
SAVED = "Thanks, noted for tonight's check-in. Have a good day!"
LONDON = "Europe/London"
SATURDAY, SUNDAY = date(2026, 3, 21), date(2026, 3, 22)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def labels(message: ChatMessage) -> list[list[str]]:
    return [[text for text, _ in row] for row in message.button_values]


def now_of(bot: Harness, message_id: int) -> ChatMessage:
    """A message as it stands now (after any edits)."""
    return next(m for m in bot.messages() if m.message_id == message_id)


async def morning_of_day_2(bot: Harness) -> ChatMessage:
    """Enrol, then walk to Saturday 07:00; the one message sent then."""
    await enrol(bot)
    enrolled = len(bot.messages())
    await walk(bot, utc("2026-03-21 07:00"))
    sent = sent_since(bot, enrolled)
    assert timeline(sent, LONDON) == [("2026-03-20 22:00", WIND_DOWN), ("2026-03-21 07:00", STEP_2)]
    return sent[-1]


async def test_one_message_carries_the_step_the_question_and_why_this_helps(bot: Harness) -> None:
    morning = await morning_of_day_2(bot)

    assert morning.text.endswith(f"\n\n{PROMPT}")
    assert labels(morning) == [HOURS[0:2], HOURS[2:4], HOURS[4:], [WHY, CHECK_IN_NOW]]

    # "Why this helps" answers below and leaves the unanswered question as it was.
    await bot.tap(WHY, message_id=morning.message_id)
    assert bot.last().text.startswith("💡 Why this helps")
    assert now_of(bot, morning.message_id) == morning

    await bot.tap("5 to 6 hours", message_id=morning.message_id)
    assert bot.last_answer() == SAVED
    answered = now_of(bot, morning.message_id)
    step = morning.text.removesuffix(f"\n\n{PROMPT}")
    assert answered.text == f"{step}\n\n😴 Slept: 5 to 6 hours ✓"  # edited in place
    assert labels(answered) == [[WHY, CHECK_IN_NOW]]
    assert await bot.store.sleep_on(USER, SATURDAY) == 5.5

    await bot.tap(WHY, message_id=morning.message_id)  # still reachable after the answer
    assert bot.last().text.startswith("💡 Why this helps")


async def test_the_answer_feeds_the_evening_check_in_the_chart_and_insight(bot: Harness) -> None:
    morning = await morning_of_day_2(bot)
    await bot.tap("Under 5 hours", message_id=morning.message_id)

    await walk(bot, utc("2026-03-21 22:00"))
    nudge = bot.last()
    await bot.tap(CHECK_IN_NOW, message_id=nudge.message_id)
    form = bot.last()
    seen = [form.text]
    for label in ["👁️ Eyelid", "1 or 2", "⏳ Minutes", "1", "🙂 2 · A little", SIGNS_DONE]:
        await bot.tap(label, message_id=form.message_id)
        seen.append(now_of(bot, form.message_id).text)
    assert not [text for text in seen if "How much did you sleep" in text]  # prefilled

    [record] = await bot.store.list_checkins(USER)
    assert (record.local_date, record.checkin.day, record.checkin.sleep_hours) == (SATURDAY, 2, 4.5)

    profile = await bot.store.get_profile(USER)
    assert profile is not None
    insight = week_insight(profile, [record], [], SATURDAY)
    [point] = [p for p in insight.days if p.checkin is not None]
    assert (point.day, point.checkin.sleep_hours if point.checkin else None) == (2, 4.5)
    short_sleep = next(p for p in insight.patterns if p.factor is Factor.SHORT_SLEEP)
    assert short_sleep.days_with == 1

    await bot.send("/progress")
    [chart] = photos(bot)
    [line] = [line for line in (chart.caption or "").split("\n") if "day 2" in line]
    assert line.startswith("Sat 21 Mar, day 2: ")
    assert "slept 4.5 h;" in line


async def test_a_second_answer_keeps_the_first_and_says_so(bot: Harness) -> None:
    morning = await morning_of_day_2(bot)
    await bot.send("/today")  # a second copy of the same morning, with the same buttons
    copy = bot.last()
    assert (copy.text, labels(copy)) == (morning.text, labels(morning))

    await bot.tap("6 to 7 hours", message_id=morning.message_id)
    await bot.tap("8 hours or more", message_id=copy.message_id)

    assert bot.last_answer() == "Already noted: 6 to 7 hours. Have a good day!"
    assert await bot.store.sleep_on(USER, SATURDAY) == 6.5
    assert now_of(bot, copy.message_id).text.endswith("😴 Slept: 6 to 7 hours ✓")
    assert labels(now_of(bot, copy.message_id)) == [[WHY, CHECK_IN_NOW]]
    await bot.send("/today")  # and /today now shows the answer too
    assert (bot.last().text, labels(bot.last())) == (
        now_of(bot, morning.message_id).text,
        [[WHY, CHECK_IN_NOW]],
    )


async def test_a_forged_repeat_of_an_answered_button_stores_nothing(bot: Harness) -> None:
    morning = await morning_of_day_2(bot)
    data = str(dict(morning.button_values[0])["Under 5 hours"])
    await bot.tap("7 to 8 hours", message_id=morning.message_id)

    await bot.tap_raw(data, message_id=morning.message_id)  # the button is no longer shown

    assert bot.last_answer() == "This button has expired. Please use the latest message."
    assert await bot.store.sleep_on(USER, SATURDAY) == 7.5


async def test_an_earlier_mornings_button_gets_a_kind_word_and_stores_nothing(
    bot: Harness,
) -> None:
    saturday = await morning_of_day_2(bot)
    await walk(bot, utc("2026-03-22 07:00"))
    sunday = bot.last()
    assert sunday.text.startswith(STEP_3)

    await bot.tap("7 to 8 hours", message_id=saturday.message_id)

    assert bot.last_answer() == (
        "That question was for an earlier morning. Today's is in this morning's message."
    )
    assert await bot.store.sleep_on(USER, SATURDAY) is None
    assert await bot.store.sleep_on(USER, SUNDAY) is None
    # Saturday's message keeps its own "why" (day 2's) and "check in", unchanged.
    assert now_of(bot, saturday.message_id).button_values == saturday.button_values[-1:]
    assert now_of(bot, sunday.message_id) == sunday  # today's question is still open


# --- an upgrade from the two-message morning ----------------------------------------------------


@pytest.mark.parametrize(
    "old_outbox",
    [
        {"morning#0:2026-03-21": "sent"},  # the step went out; the question had not yet
        {"morning#0:2026-03-21": "sent", "morning#1:2026-03-21": "pending:0:1774076400.0"},
    ],
    ids=["step-sent", "question-in-flight"],
)
async def test_a_morning_half_sent_before_the_upgrade_is_not_sent_again(
    bot: Harness, old_outbox: dict[str, str]
) -> None:
    """The old bot sent a morning as two messages under "morning#0" (the step) and "morning#1"
    (the question). Upgraded between the two, the one new message is not sent: its marker is the
    step's, and the step already went out. Nothing crashes; the evening comes as usual."""
    await enrol(bot)
    await walk(bot, utc("2026-03-20 22:00"))
    for field, value in old_outbox.items():
        await bot.redis.hset(person_key(USER, OUTBOX), field, value)
    before = len(bot.messages())

    await walk(bot, utc("2026-03-21 22:00"))

    assert timeline(sent_since(bot, before), LONDON) == [("2026-03-21 22:00", EVENING_2)]
    assert await due_at(bot) == utc("2026-03-22 07:00")
    assert await bot.app.bot_data.services.queue.parked_count() == 0
    assert await bot.redis.keys("due:*:fails") == []  # no failed try on the way either
