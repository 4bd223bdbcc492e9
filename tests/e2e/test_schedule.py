"""The scheduler end to end: what each person receives, and when, in their own time zone.

The real Application polls the Bot API emulator, the dispatcher ticks against real Redis, and a
ManualClock moves. Other tests `walk` the clock with a tick every 15 minutes plus one minute
before, at and one minute after each expected send: a send due at a wrong waking-hours time
still goes out at the next tick (a morning one holds all day, an evening one for 30 minutes),
stamped with that tick's time, and the exact comparison of each person's whole timeline catches
it. Walking every minute of the 41 days below would take nearly 60,000 ticks, so that test uses
`walk_due`, which ticks exactly as a tick a minute would, skipping only minutes in which nothing
in the due queue is due (such a tick claims nothing, so it can send nothing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.models import Status
from bot.storage.client import RedisClient
from devtools.emulator import ChatMessage, FaultKind, RateLimits
from scheduler.ratelimit import PAUSE_KEY
from tests.backends import ON_BOTH
from tests.e2e.harness import USER, Harness, harness_for
from tests.e2e.steps import (
    chat_sends,
    due_at,
    enrol,
    headline,
    rate_limited_harness,
    sent_since,
    timeline,
    walk,
    walk_due,
)

pytestmark = ON_BOTH

MORNING = {
    1: "☀️ Day 1: notice your twitch",
    2: "☕ Day 2: ease off the stimulants",
    3: "🛌 Day 3: plan your wind-down",
    4: "👀 Day 4: eye care and a warm compress",
    5: "🫁 Day 5: box breathing",
    6: "🥗 Day 6: take stock and look at your food",
    7: "🏁 Day 7: how did the week go?",
}
EVENING = {
    1: "🌙 Time to start winding down",
    2: "🌙 Wind-down time",
    3: "🌙 Screens off now",
    4: "🌙 Evening compress",
    5: "🌙 Breathe out the day",
    6: "🌙 Nearly there",
    7: "🌙 Last check-in of the plan",
}
SUMMARY = "🏁 You've finished the 7-day plan."
FOLLOW_UP_15 = "👋 Hello again"
FOLLOW_UP_21 = "👋 Three-week check"

NEW_YORK, LONDON, KOLKATA = 1001, 1002, 1003
ZONES = {NEW_YORK: "America/New_York", LONDON: "Europe/London", KOLKATA: "Asia/Kolkata"}


Sent = tuple[str, str]  # (local wall time "YYYY-MM-DD HH:MM", first line)


# Where nothing may be sent at all (the queue entry is gone), an hourly tick is enough: it
# still lands on every 07:00 and 22:00 the person would otherwise have had.
HOUR = timedelta(hours=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def plan_week(first: str, wake: str, evening: str, evening_next_day: bool = False) -> list[Sent]:
    """Days 1-7 from local date `first`: the morning message (the step with the sleep question
    under it) at `wake`, wind-down at `evening` (on the next calendar date when bedtime is after
    midnight)."""
    sends: list[Sent] = []
    for day in range(1, 8):
        local_date = date.fromisoformat(first) + timedelta(days=day - 1)
        evening_date = local_date + timedelta(days=int(evening_next_day))
        sends += [
            (f"{local_date} {wake}", MORNING[day]),
            (f"{evening_date} {evening}", EVENING[day]),
        ]
    return sends


# New York: enrols Wed 4 March 13:00 EST; days 1-7 are Thu 5 - Wed 11 March, across the spring
# forward on Sun 8 March (day 4). Onset Tue 3 March, so follow-ups on 18 and 24 March.
EXPECTED_NEW_YORK = [
    *plan_week("2026-03-05", "06:30", "21:30"),
    ("2026-03-12 06:30", SUMMARY),
    ("2026-03-18 21:30", FOLLOW_UP_15),
    ("2026-03-24 21:30", FOLLOW_UP_21),
]
# London: bedtime 01:30, so the wind-down goes at 00:30 the next calendar date. Enrols Wed 25
# March 13:00 GMT; days 1-7 are Thu 26 March - Wed 1 April, across the spring forward on Sun 29
# March (day 4). Onset Tue 24 March: follow-ups belong to 8 and 14 April and go just after
# midnight.
EXPECTED_LONDON = [
    *plan_week("2026-03-26", "08:00", "00:30", evening_next_day=True),
    ("2026-04-02 08:00", SUMMARY),
    ("2026-04-09 00:30", FOLLOW_UP_15),
    ("2026-04-15 00:30", FOLLOW_UP_21),
]
# Kolkata (no DST): enrols Wed 25 March 18:30 IST, alongside London.
EXPECTED_KOLKATA = [
    *plan_week("2026-03-26", "06:00", "21:00"),
    ("2026-04-02 06:00", SUMMARY),
    ("2026-04-08 21:00", FOLLOW_UP_15),
    ("2026-04-14 21:00", FOLLOW_UP_21),
]
EXPECTED = {NEW_YORK: EXPECTED_NEW_YORK, LONDON: EXPECTED_LONDON, KOLKATA: EXPECTED_KOLKATA}
# (wake, bedtime): nothing may arrive from bedtime up to wake time.
QUIET = {
    NEW_YORK: (time(6, 30), time(22, 30)),
    LONDON: (time(8, 0), time(1, 30)),
    KOLKATA: (time(6, 0), time(22, 0)),
}


def instants(user: int) -> list[datetime]:
    zone = ZoneInfo(ZONES[user])
    return [datetime.fromisoformat(when).replace(tzinfo=zone) for when, _ in EXPECTED[user]]


def in_quiet_hours(user: int, message: ChatMessage) -> bool:
    wake, bed = QUIET[user]
    local = message.date.astimezone(ZoneInfo(ZONES[user])).time()
    if bed < wake:  # bedtime after midnight
        return bed <= local < wake
    return local >= bed or local < wake


async def test_seven_days_in_three_zones_across_dst(
    redis_url: str, redis_client: RedisClient
) -> None:
    start = utc("2026-03-04 18:00")  # 13:00 in New York: day 1 is tomorrow
    async with harness_for(redis_url, redis_client, start) as bot:
        for user in ZONES:
            bot.emu.add_user(user)
        await enrol(bot, zone="new york", wake="06:30", bed="22:30", user=NEW_YORK)
        enrolment = {NEW_YORK: len(bot.messages(NEW_YORK))}
        await walk_due(bot, utc("2026-03-25 13:00"), at=instants(NEW_YORK))
        # 13:00 in London and 18:30 in Kolkata: both start tomorrow.
        await enrol(bot, zone="london", wake="08:00", bed="01:30", user=LONDON)
        await enrol(bot, zone="kolkata", wake="06:00", bed="22:00", user=KOLKATA)
        enrolment |= {user: len(bot.messages(user)) for user in (LONDON, KOLKATA)}
        await walk_due(bot, utc("2026-04-15 02:00"), at=instants(LONDON) + instants(KOLKATA))

        for user, expected in EXPECTED.items():
            sent = sent_since(bot, enrolment[user], user)
            assert timeline(sent, ZONES[user]) == expected, ZONES[user]
            assert all(m.date.second == 0 for m in sent)  # at the tick on the minute
            assert not [m for m in sent if in_quiet_hours(user, m)]
            assert await due_at(bot, user) is None  # plan and follow-ups over: out of the queue
        assert_dst_shifts_the_utc_instant(bot)
        assert_follow_ups_count_days_since_onset(bot)
        assert per_local_date(sent_since(bot, enrolment[NEW_YORK], NEW_YORK), NEW_YORK) == {
            **{f"2026-03-{day:02}": 2 for day in range(5, 12)},  # incl. 8 March, 23 hours long
            "2026-03-12": 1,
            "2026-03-18": 1,
            "2026-03-24": 1,
        }
        # London's wind-down falls after midnight: 1 on the first date, 2 a date after that.
        assert per_local_date(sent_since(bot, enrolment[LONDON], LONDON), LONDON) == {
            "2026-03-26": 1,
            **{f"2026-03-{day:02}": 2 for day in range(27, 32)},
            "2026-04-01": 2,
            "2026-04-02": 2,
            "2026-04-09": 1,
            "2026-04-15": 1,
        }


def per_local_date(messages: list[ChatMessage], user: int) -> dict[str, int]:
    return dict(Counter(when[:10] for when, _ in timeline(messages, ZONES[user])))


def assert_dst_shifts_the_utc_instant(bot: Harness) -> None:
    """The same local wall time is an hour earlier in UTC once the clocks have gone forward."""

    def sent_at(user: int, text: str) -> list[datetime]:
        return [m.date for m in bot.messages(user) if headline(m) == text]

    assert sent_at(NEW_YORK, MORNING[3]) == [utc("2026-03-07 11:30")]  # 06:30 EST
    assert sent_at(NEW_YORK, MORNING[4]) == [utc("2026-03-08 10:30")]  # 06:30 EDT
    assert sent_at(LONDON, MORNING[3]) == [utc("2026-03-28 08:00")]  # 08:00 GMT
    assert sent_at(LONDON, MORNING[4]) == [utc("2026-03-29 07:00")]  # 08:00 BST
    assert sent_at(LONDON, EVENING[3]) == [utc("2026-03-29 00:30")]  # 00:30 GMT, before 01:00
    assert sent_at(LONDON, EVENING[4]) == [utc("2026-03-29 23:30")]  # 00:30 BST
    assert sent_at(KOLKATA, MORNING[3]) == [utc("2026-03-28 00:30")]
    assert sent_at(KOLKATA, MORNING[4]) == [utc("2026-03-29 00:30")]


def assert_follow_ups_count_days_since_onset(bot: Harness) -> None:
    for user in ZONES:
        follow_ups = [
            m.text for m in bot.messages(user) if headline(m) in (FOLLOW_UP_15, FOLLOW_UP_21)
        ]
        assert len(follow_ups) == 2
        assert "It's been about 15 days since your twitching started" in follow_ups[0]
        assert "It's been about 21 days since your twitching started" in follow_ups[1]


# --- late sends after downtime -----------------------------------------------------------------


async def test_late_sends_after_downtime(bot: Harness) -> None:
    await enrol(bot)  # London, Fri 20 March 08:00: day 1 today, wake 07:00, bed 23:00
    enrolled = len(bot.messages())
    await walk(bot, utc("2026-03-21 06:00"))  # Friday's wind-down goes at 22:00

    bot.clock.set(utc("2026-03-21 12:00"))  # no tick for six hours over Saturday morning
    await bot.tick()
    assert [headline(m) for m in sent_since(bot, enrolled)][-1:] == [MORNING[2]]
    assert await due_at(bot) == utc("2026-03-21 22:00")

    for _ in range(3):  # ticking again sends nothing twice
        await bot.tick()
    queue = bot.app.bot_data.services.queue
    await queue.schedule(USER, utc("2026-03-21 07:00"))  # even if the entry were put back
    stats = await bot.tick()
    assert stats.outcomes == {"duplicate": 1}  # the outbox marker holds
    assert await due_at(bot) == utc("2026-03-21 22:00")

    bot.clock.set(utc("2026-03-21 22:31"))  # the wind-down is 31 minutes late: dropped
    assert (await bot.tick()).outcomes == {"dropped": 1}
    assert await due_at(bot) == utc("2026-03-22 07:00")

    await walk(bot, utc("2026-03-22 21:59"))
    bot.clock.set(utc("2026-03-22 22:30"))  # 30 minutes late is still on time
    await bot.tick()

    bot.clock.set(utc("2026-03-24 06:00"))  # down all Monday: its sends are gone
    await bot.tick()
    assert await due_at(bot) == utc("2026-03-24 07:00")
    bot.clock.set(utc("2026-03-24 22:10"))  # down again all Tuesday until after 22:00
    await bot.tick()
    await bot.tick()

    assert timeline(sent_since(bot, enrolled), "Europe/London") == [
        ("2026-03-20 22:00", EVENING[1]),
        ("2026-03-21 12:00", MORNING[2]),
        ("2026-03-22 07:00", MORNING[3]),
        ("2026-03-22 22:30", EVENING[3]),
        ("2026-03-24 22:10", MORNING[5]),  # Monday was day 4; Tuesday's step still goes
        ("2026-03-24 22:10", EVENING[5]),
    ]


# --- a person who blocks the bot ----------------------------------------------------------------


async def test_blocking_the_bot_marks_the_person_inactive(bot: Harness) -> None:
    await enrol(bot)
    assert await due_at(bot) == utc("2026-03-20 22:00")
    sends = chat_sends(bot, USER)

    await bot.settle(await bot.emu.block_bot(USER))  # 403 from now on, and a my_chat_member

    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.status is Status.INACTIVE
    assert await due_at(bot) is None
    await walk(bot, utc("2026-03-23 08:00"), every=HOUR)
    assert chat_sends(bot, USER) == sends  # not even tried


async def test_a_403_on_a_scheduled_send_marks_the_person_inactive(bot: Harness) -> None:
    await enrol(bot)
    messages = len(bot.messages())
    sends = chat_sends(bot, USER)
    # Telegram answers 403 without a my_chat_member update (it was lost, or came long ago).
    bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.FORBIDDEN)

    await walk(bot, utc("2026-03-20 22:00"))

    assert chat_sends(bot, USER) == sends + 1  # the evening nudge, refused
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert profile.status is Status.INACTIVE
    assert await due_at(bot) is None
    await walk(bot, utc("2026-03-23 08:00"), every=HOUR)
    assert chat_sends(bot, USER) == sends + 1
    assert len(bot.messages()) == messages


# --- a storm of 429s ----------------------------------------------------------------------------

EARLY_RISERS = range(5001, 5021)
# Telegram stricter than the limiter expects: one message per 4 s per chat. Everyone asks for
# /today right at 07:00, so their morning message, due at the same instant, meets a 429
# retry_after=4, which the dispatcher waits out (ARCHITECTURE §5) while every replica pauses.
STRICT = RateLimits(per_chat_rate=0.25, per_chat_burst=1.0, global_rate=30.0, global_burst=30.0)


@pytest.fixture
async def limited_bot(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    async with rate_limited_harness(redis_url, redis_client) as harness:
        yield harness


async def test_a_storm_of_429s_pauses_sending_and_loses_nothing(limited_bot: Harness) -> None:
    bot = limited_bot
    bot.clock.set(utc("2026-03-20 13:00"))  # after noon in London: day 1 is tomorrow
    for user in EARLY_RISERS:
        bot.emu.add_user(user)
        await enrol(bot, user=user)  # all wake at 07:00
    bot.emu.set_limits(STRICT)

    bot.clock.set(utc("2026-03-21 06:59"))
    await bot.tick()
    bot.clock.set(utc("2026-03-21 07:00"))
    for user in EARLY_RISERS:
        await bot.send("/today", user=user)
    asked = {user: len(bot.messages(user)) for user in EARLY_RISERS}
    stats = await bot.tick()

    assert (stats.claimed, stats.outcomes) == (20, {"sent": 20})
    sent = {user: sent_since(bot, asked[user], user) for user in EARLY_RISERS}
    refused = {user: chat_sends(bot, user) - asked[user] - 1 for user in EARLY_RISERS}
    for user, messages in sent.items():
        assert [headline(m) for m in messages] == [MORNING[1]], user
        assert refused[user] in (0, 1)  # at most one 429 each: nobody hammers Telegram
    assert sum(refused.values()) >= 1
    # Nothing is sent while a pause holds: every send is at the end of a pause, a whole number
    # of retry_after periods after 07:00 (a 5xx-style backoff, 1 s then 4 s, would put some
    # at odd seconds), and none before the first pause ended.
    dates = sorted(m.date for messages in sent.values() for m in messages)
    offsets = {(d - utc("2026-03-21 07:00")).total_seconds() for d in dates}
    assert {offset % 4 for offset in offsets} == {0.0}
    assert min(offsets) >= 4
    pause_until = int(await bot.redis.get(PAUSE_KEY) or 0)
    assert pause_until == (dates[-1] - utc("1970-01-01 00:00")) // timedelta(microseconds=1)

    for _ in range(2):
        await bot.tick()
    assert all(len(sent_since(bot, asked[u], u)) == 1 for u in EARLY_RISERS)
