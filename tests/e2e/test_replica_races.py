"""Races between two real webhook replica processes on one Redis, each repeated RACES times.

The person taps twice, or taps while confirming /delete, and the load balancer sends the two
updates to different replicas at the same moment. Each replica is `python -m bot run --webhook`
in its own process (tests/e2e/processes.py), so the two handle their updates truly in parallel,
not interleaved at awaits as two Applications in one process would be. The replicas are reused
across the races; between races the test puts the person back through the Store and has the bot
show the conversation again, so every tap is a real tap on a message that shows its button.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.flows import Flow
from bot.domain.models import Profile
from bot.storage.client import RedisClient
from bot.views.keyboards import new_nonce
from tests.backends import ON_BOTH
from tests.e2e.harness import START, USER
from tests.e2e.processes import ProcessCluster, process_cluster
from tests.factories import make_profile

RACES = 50
DONE = "✅ Done"
YES_DELETE = "🗑️ Yes, delete everything"
SAVED = ("✅ Check-in saved. Thank you!", "✅ Today's check-in is updated.")
ALREADY_SAVED = "✅ This check-in is already saved."
# The second tap read the conversation only after the first had closed it.
EXPIRED = "This button has expired. Please use the latest message."

pytestmark = [ON_BOTH, pytest.mark.timeout(180)]


@pytest.fixture
async def bots(
    redis_url: str, redis_client: RedisClient, tmp_path: Path
) -> AsyncIterator[ProcessCluster]:
    async with process_cluster(redis_url, redis_client, tmp_path) as running:
        yield running


async def enrolled(bots: ProcessCluster) -> Profile:
    """Robin, on day 1 of the plan (enrolment itself is tested elsewhere)."""
    profile = make_profile(USER, consent_at=START, start_date=START.date())
    return await bots.store.save_profile(profile, expected_version=0)


async def show_checkin(bots: ProcessCluster, to: int) -> Flow:
    """/checkin: the bot shows the open check-in in a new message; returns it, as stored."""
    await bots.send("/checkin", to=to)
    flow = await bots.store.get_flow(USER)
    assert flow is not None
    assert flow.message_id is not None
    return flow


async def reopen(bots: ProcessCluster, flow: Flow, to: int) -> Flow:
    """The same conversation as a new one (a new nonce), shown anew by the bot."""
    await bots.store.set_flow(USER, flow.replaced(nonce=new_nonce()))
    return await show_checkin(bots, to)


async def to_the_warning_signs(bots: ProcessCluster) -> Flow:
    """/checkin, then the first answer to every question, alternating replicas."""
    flow = await show_checkin(bots, 0)
    assert flow.message_id is not None
    for turn in range(20):
        shown = bots.message(flow.message_id)
        if any(text == DONE for row in shown.button_values for text, _ in row):
            return await bots.store.get_flow(USER) or flow
        first = shown.button_values[0][0][1]
        assert first is not None
        await bots.tap(flow.message_id, first, to=turn % 2)
    raise AssertionError("the check-in never reached the warning signs")


async def test_two_done_taps_on_two_replica_processes_store_one_checkin(
    bots: ProcessCluster,
) -> None:
    """Finding 3: two taps on the same "Done" (two callback queries, two update ids), one per
    replica at the same moment: one check-in stored, and neither tap told it saved twice."""
    await enrolled(bots)
    waiting = await to_the_warning_signs(bots)
    told: Counter[str] = Counter()

    for race in range(RACES):
        flow = await reopen(bots, waiting, race % 2)
        assert flow.message_id is not None
        stored = len(await bots.store.list_checkins(USER))
        answered = len(bots.emu.callback_answers)
        first, second = [await bots.emu.tap(USER, flow.message_id, DONE) for _ in "12"]

        await bots.at_the_same_moment((first, race % 2), (second, 1 - race % 2))

        assert len(await bots.store.list_checkins(USER)) == stored + 1, f"race {race}"
        assert await bots.store.get_flow(USER) is None
        toasts = sorted(str(a.text) for a in bots.emu.callback_answers[answered:])
        assert len(toasts) == 2, toasts
        saved = [toast for toast in toasts if toast in SAVED]
        assert len(saved) == 1, f"race {race}: the taps were told {toasts}"
        toasts.remove(saved[0])
        assert toasts[0] in (ALREADY_SAVED, EXPIRED), f"race {race}: told {toasts[0]}"
        told[toasts[0]] += 1
    # Both replicas found the check-in open in some races: they really ran at the same moment.
    assert told[ALREADY_SAVED] > 0, f"the taps never overlapped: {dict(told)}"


async def test_a_checkin_answer_racing_yes_delete_on_two_replica_processes(
    bots: ProcessCluster,
) -> None:
    """Finding 4: "Yes, delete" on one replica and a check-in answer on the other, at the same
    moment, each replica taking each role in turn, and either request sent first: nothing of
    the person's survives, however the two interleave."""
    profile = await enrolled(bots)
    opened = await show_checkin(bots, 0)

    for race in range(RACES):
        deleting, tapping = race % 2, 1 - race % 2
        if await bots.store.get_profile(USER) is None:
            await bots.store.save_profile(profile, expected_version=0)
        flow = await reopen(bots, opened, tapping)
        assert flow.message_id is not None
        await bots.send("/delete", to=deleting)
        confirm = bots.emu.last_bot_message(USER)
        yes = await bots.emu.tap(USER, confirm.message_id, YES_DELETE)
        first_answer = bots.message(flow.message_id).button_values[0][0][1]
        assert first_answer is not None
        tap = await bots.emu.tap(USER, flow.message_id, first_answer)
        both = [(yes, deleting), (tap, tapping)]

        await bots.at_the_same_moment(*(both if race % 4 < 2 else reversed(both)))

        survivors = [key async for key in bots.redis.scan_iter(f"u:{{{USER}}}:*")]
        assert survivors == [], f"race {race}: data survived /delete"
