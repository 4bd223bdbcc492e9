"""Redis restarted in the middle of a check-in: nothing half-written, and the next tap works.

The bot talks to Redis through a proxy (tests/faults/proxy.py) that restarts the AOF-backed
server at the exact moment the check-in's one atomic write (profile + check-in + end of the
conversation, bot/storage/store.py's compare-and-set script) is on its way: just before Redis
gets it, or just after Redis applied it but before the bot hears back. A third test restarts
Redis between two answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest

from bot.domain.flows import Flow
from bot.storage.client import connect, drop_idle_connections
from bot.storage.store import _CAS_PROFILE
from tests.e2e.harness import USER, Harness, harness_for
from tests.e2e.steps import SIGNS_DONE, check_in, enrol
from tests.faults.proxy import Cut, RedisProxy, proxy_for
from tests.redis_server import RedisServer

UNAVAILABLE = "⏳ I'm temporarily unavailable. Please try again in a minute."
STALE = "This button has expired. Please use the latest message."
ALL_DONE = "All done"
CAS = hashlib.sha1(_CAS_PROFILE.encode()).hexdigest().encode()  # noqa: S324 - Redis' script id


@pytest.fixture
async def proxy(durable_redis: RedisServer) -> AsyncIterator[RedisProxy]:
    async with proxy_for(durable_redis) as running:
        yield running


@pytest.fixture
async def bot(durable_redis: RedisServer, proxy: RedisProxy) -> AsyncIterator[Harness]:
    """The bot reaches Redis through the proxy; the test reads Redis directly."""
    client = await connect(durable_redis.url)
    try:
        async with harness_for(proxy.url, client) as harness:
            yield harness
    finally:
        await client.aclose()


async def answered_all_but_done(bot: Harness) -> tuple[int, Flow]:
    """Enrolled, and every check-in question answered; only Done is left to tap."""
    await enrol(bot)
    message_id = await check_in(bot, finish=None)
    flow = await bot.store.get_flow(USER)
    assert flow is not None
    assert flow.kind == "checkin"
    assert await bot.store.list_checkins(USER) == []
    return message_id, flow


async def reconnect(bot: Harness) -> None:
    """The test's own client drops connections to the old server process."""
    await drop_idle_connections(bot.redis)


def told_unavailable(bot: Harness) -> bool:
    answer = bot.emu.callback_answers[-1]
    return answer.text == UNAVAILABLE and answer.show_alert


async def test_redis_restarts_before_the_write_reaches_it(bot: Harness, proxy: RedisProxy) -> None:
    message_id, flow = await answered_all_but_done(bot)
    trap = proxy.arm(CAS, Cut.BEFORE)

    await bot.tap(SIGNS_DONE, message_id=message_id)

    assert await trap.sprung()
    assert told_unavailable(bot)
    await reconnect(bot)
    assert await bot.store.list_checkins(USER) == []  # nothing half-written
    assert await bot.store.get_flow(USER) == flow  # every answer kept
    await bot.tap(SIGNS_DONE, message_id=message_id)  # the next tap works
    assert ALL_DONE in bot.last().text
    assert len(await bot.store.list_checkins(USER)) == 1
    assert await bot.store.get_flow(USER) is None


async def test_redis_restarts_after_the_write_before_the_reply(
    bot: Harness, proxy: RedisProxy
) -> None:
    message_id, _ = await answered_all_but_done(bot)
    before = await bot.store.get_profile(USER)
    assert before is not None
    trap = proxy.arm(CAS, Cut.AFTER)

    await bot.tap(SIGNS_DONE, message_id=message_id)

    assert await trap.sprung()
    assert told_unavailable(bot)
    await reconnect(bot)
    # All of it landed together: the check-in, the profile change and the end of the flow.
    (record,) = await bot.store.list_checkins(USER)
    assert record.checkin.twitch_location == "eyelid"
    assert await bot.store.get_flow(USER) is None
    after = await bot.store.get_profile(USER)
    assert after is not None
    assert after.version == before.version + 1
    await bot.tap(SIGNS_DONE, message_id=message_id)  # tapping again cannot store it twice
    assert bot.last_answer() == STALE
    assert len(await bot.store.list_checkins(USER)) == 1


async def test_redis_restarts_between_two_answers(bot: Harness, durable_redis: RedisServer) -> None:
    await enrol(bot)
    message_id = await check_in(bot, command="/checkin", finish=None, coffee="1")
    flow = await bot.store.get_flow(USER)
    durable_redis.restart()
    await reconnect(bot)
    assert await bot.store.get_flow(USER) == flow  # the AOF kept the answers so far

    await bot.tap(SIGNS_DONE, message_id=message_id)
    if bot.emu.callback_answers[-1].text == UNAVAILABLE:  # at most one "try again"
        await bot.tap(SIGNS_DONE, message_id=message_id)

    assert ALL_DONE in bot.last().text
    assert len(await bot.store.list_checkins(USER)) == 1
