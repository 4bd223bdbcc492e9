"""Two dispatchers (two replicas) share one Redis over a simulated day with 1,000 people.

Each replica is a full Application (its own Redis client, its own ExtBot and HTTP pool, its own
Dispatcher) talking to the same Bot API emulator; neither polls, both tick by hand at the same
moments, concurrently, as two processes' JobQueue jobs would.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core.context import App
from bot.domain.models import Profile
from bot.domain.plan import SlotKind
from bot.ops.app import build_application, running
from bot.storage.client import RedisClient
from bot.storage.store import OUTBOX, Store, person_key
from devtools.emulator import BotApiEmulator
from devtools.manual_clock import ManualClock
from scheduler.dispatcher import TickStats
from scheduler.render import render_due
from scheduler.timing import Due, next_due
from tests.backends import ON_BOTH
from tests.e2e.harness import settings_for
from tests.factories import make_profile

pytestmark = ON_BOTH

PEOPLE = 1000
FIRST_USER = 7_000_000
DAY_START = datetime(2026, 3, 21, 0, 0, tzinfo=UTC)
DAY_END = DAY_START + timedelta(days=1)
# Every wall time below is on the 5-minute grid (and so is every zone's offset), so each send
# is ticked exactly when due, as the real 1 s tick would.
STEP = timedelta(minutes=5)
Replicas = tuple[App, App, BotApiEmulator, ManualClock]
ZONES = (
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Asia/Tokyo",
    "UTC",
)


def person(index: int) -> Profile:
    """A spread of zones, wake and bed times (some after midnight) and plan days 1 to 9
    (day 8 brings the summary, days 8 and 9 a follow-up 14 days after onset)."""
    wake = time(5 + index % 5, (index * 7) % 12 * 5)
    bed = time((21 + index % 5) % 24, (index * 13) % 12 * 5)
    plan_day = 1 + index % 9
    start = date(2026, 3, 21) - timedelta(days=plan_day - 1)
    onset = date(2026, 3, 21) - timedelta(days=15) if plan_day >= 8 else start - timedelta(days=3)
    return make_profile(
        FIRST_USER + index,
        zone=ZONES[index % len(ZONES)],
        wake_time=wake,
        bedtime=bed,
        start_date=start,
        onset_date=onset,
        consent_at=DAY_START - timedelta(days=plan_day),
    )


def expected_dues(profile: Profile) -> list[Due]:
    """Every send of the person due in (DAY_START, DAY_END], from the pure timing rules."""
    dues: list[Due] = []
    due = next_due(profile, DAY_START)
    while due is not None and due.at <= DAY_END:
        dues.append(due)
        due = next_due(profile, due.at)
    return dues


@pytest.fixture
async def replicas(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Replicas]:
    """Two started Applications on one clock, one emulator and one Redis (no polling)."""
    clock = ManualClock(DAY_START)
    async with AsyncExitStack() as stack:
        emu = await stack.enter_async_context(BotApiEmulator(clock))
        for index in range(PEOPLE):
            emu.add_user(FIRST_USER + index)
        settings = settings_for(emu, redis_url)
        apps = [
            await stack.enter_async_context(running(build_application(settings, clock=clock)))
            for _ in range(2)
        ]
        yield apps[0], apps[1], emu, clock


async def seed(store: Store, profiles: list[Profile]) -> None:
    """Save every profile; the store's listener (QueueSync) puts each one in the due queue."""
    for chunk in range(0, len(profiles), 100):
        batch = profiles[chunk : chunk + 100]
        await asyncio.gather(*(store.save_profile(p, expected_version=0) for p in batch))


def sent(stats: list[TickStats]) -> int:
    return sum(s.outcomes.get("sent", 0) for s in stats)


async def test_two_replicas_send_every_due_message_exactly_once(
    replicas: Replicas,
) -> None:
    first, second, emu, clock = replicas
    services = first.bot_data.services
    profiles = [person(index) for index in range(PEOPLE)]
    await seed(services.store, profiles)

    one, two = first.bot_data.dispatcher, second.bot_data.dispatcher
    stats: tuple[list[TickStats], list[TickStats]] = ([], [])
    while clock.now() < DAY_END:
        clock.advance(STEP)
        a, b = await asyncio.gather(one.tick(), two.tick())
        stats[0].append(a)
        stats[1].append(b)

    per_chat = Counter(int(r.params["chat_id"]) for r in emu.requests_for("sendMessage"))
    expected = {p.user_id: expected_dues(p) for p in profiles}
    content = services.content
    for profile in profiles:
        dues = expected[profile.user_id]
        counts = {due: len(render_due(content, profile, due, [])) for due in dues}
        assert per_chat[profile.user_id] == sum(counts.values()), (profile.user_id, dues)
        outbox = await services.store.redis.hgetall(person_key(profile.user_id, OUTBOX))
        markers = {
            f"{due.message_marker(i)}:{due.slot.local_date.isoformat()}".encode()
            for due, count in counts.items()
            for i in range(count)
        }
        assert outbox == dict.fromkeys(markers, b"sent"), profile.user_id
        # Nothing is left behind either: each person waits in the queue for their next send.
        following = next_due(profile, DAY_END)
        assert await services.queue.due_at(profile.user_id) == (following and following.at)

    total = sum(len(dues) for dues in expected.values())
    kinds = Counter(due.slot.kind for dues in expected.values() for due in dues)
    # The day really exercised every kind of send, and both replicas did a share of the work.
    assert total > 1.5 * PEOPLE
    assert {SlotKind.MORNING, SlotKind.EVENING, SlotKind.SUMMARY, SlotKind.FOLLOW_UP} <= set(kinds)
    assert sent(stats[0]) + sent(stats[1]) == total
    assert sent(stats[0]) > total // 10
    assert sent(stats[1]) > total // 10
    assert sum(sum(s.outcomes.values()) for s in (*stats[0], *stats[1])) == total
    assert_samples(emu)


def assert_samples(emu: BotApiEmulator) -> None:
    """Literal expectations for a few people, worked out by hand from `person()`."""
    # #0: London (GMT), wake 05:00, bed 21:00, plan day 1.
    assert sends(emu, 0) == [
        ("05:00", "Day 1: notice your twitch"),
        ("20:00", "Time to start winding down"),
    ]
    # #3: Kolkata (UTC+5:30), wake 08:45, bed 00:15 (evening 23:15), plan day 4.
    assert sends(emu, 3) == [
        ("03:15", "Day 4:"),
        ("17:45", "Evening compress"),
    ]
    # #7: São Paulo (UTC-3), wake 07:05, bed 23:35, plan day 8: day 7's evening (22:35 on the
    # 20th local is 01:35 UTC on the 21st), then the summary at wake time; the follow-up (onset
    # + 14) is at 01:35 UTC on the 22nd, after the simulated day.
    assert sends(emu, 7) == [
        ("01:35", "Last check-in of the plan"),
        ("10:05", "finished the 7-day plan"),
    ]


def sends(emu: BotApiEmulator, index: int) -> list[tuple[str, str]]:
    """(UTC time, the sampled phrase if the message has it) of each message the person got."""
    phrases = (  # the most specific first: the summary mentions every day's title
        "finished the 7-day plan",
        "Day 1: notice your twitch",
        "Day 4:",
        "Time to start winding down",
        "Evening compress",
        "Last check-in of the plan",
    )
    return [
        (f"{m.date:%H:%M}", next((p for p in phrases if p in m.text), ""))
        for m in emu.bot_messages(FIRST_USER + index)
    ]
