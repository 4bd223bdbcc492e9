"""Graceful shutdown during a dispatch: no message lost, none sent twice, Redis closed last.

SIGTERM is delivered the way uvicorn's own signal handler takes it (`Server.handle_exit`), in
this process, so the test can hold a send in the emulator while the shut-down runs.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.domain.callbacks import Action, encode
from bot.ops.runtime import Runtime
from bot.storage.client import RedisClient
from devtools.emulator import FaultKind
from scheduler.dispatcher import TickStats
from scheduler.queue import DueQueue
from tests.e2e.harness import USER, Harness, harness_for
from tests.e2e.replicas import cluster, replica, webhook_settings
from tests.e2e.steps import enrol

# In the same queue shard as USER (16 shards), so one claim takes both.
NEIGHBOUR = USER + 16
# The next morning's message (enrolment on Friday sent Friday's): its sleep buttons carry its date.
MORNING = encode(Action.SLEEP, "20260321")


@dataclass
class Closes:
    """Watches Runtime.close (Redis going away): were the watched ticks over by then?"""

    ticks: list[asyncio.Task[TickStats]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    def note(self) -> None:
        over = all(tick.done() for tick in self.ticks)
        self.seen.append("redis closed after the tick" if over else "redis closed mid-tick")


@pytest.fixture
def closes(monkeypatch: pytest.MonkeyPatch) -> Closes:
    watch = Closes()
    original = Runtime.close

    async def close(self: Runtime) -> None:
        watch.note()
        await original(self)

    monkeypatch.setattr(Runtime, "close", close)
    return watch


def _mornings(bots: Harness, user: int) -> int:
    """How many of Saturday's morning messages (their sleep buttons) the person has seen."""
    return sum(
        any(MORNING in (value or "") for row in m.button_values for _, value in row)
        for m in bots.messages(user)
    )


def _sends(stats: TickStats) -> dict[str, int]:
    """What became of the sends (not the slots dropped as too late or already done)."""
    return {k: v for k, v in stats.outcomes.items() if k not in ("dropped", "skipped")}


async def test_sigterm_mid_dispatch_finishes_the_send_and_releases_the_rest(
    redis_url: str, redis_client: RedisClient, closes: Closes
) -> None:
    async with cluster(redis_url, redis_client, count=1, send_concurrency=1) as bots:
        bots.emu.add_user(NEIGHBOUR, first_name="Sam")
        await enrol(bots, wake="06:00")
        await enrol(bots, wake="06:30", user=NEIGHBOUR)
        bots.clock.set(bots.clock.now() + timedelta(days=1) - timedelta(hours=1))  # 07:00
        # Our own view of the queue: the replica's Redis client is closed by the shut-down.
        queue = DueQueue(redis_client, shards=bots.app.bot_data.services.queue.shards)
        neighbour_due = await queue.due_at(NEIGHBOUR)
        dispatcher = bots.app.bot_data.dispatcher
        (worker,) = bots.replicas
        # USER's morning message arrives, but its HTTP answer is held.
        bots.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.TIMEOUT)
        tick = asyncio.create_task(bots.tick())
        await bots.emu.wait_hung(1)
        closes.ticks.append(tick)

        worker.stop()  # SIGTERM
        await dispatcher.stopping.wait()
        assert not tick.done()
        bots.emu.release_hung()
        await worker.task

        stats = tick.result()
        assert stats.claimed == 2
        assert _sends(stats) == {"sent": 1, "released": 1}
        assert closes.seen == ["redis closed after the tick"]
        assert _mornings(bots, USER) == 1
        assert _mornings(bots, NEIGHBOUR) == 0
        # The neighbour was given back at once, not left to a lease running out.
        assert await queue.due_at(NEIGHBOUR) == neighbour_due

        # Another replica takes over: the neighbour gets theirs, USER nothing twice.
        settings = webhook_settings(bots.emu, redis_url, send_concurrency=1)
        async with replica(settings, bots.clock) as other:
            stats = await other.app.bot_data.dispatcher.tick()
        assert _sends(stats) == {"sent": 1}
        assert _mornings(bots, USER) == 1
        assert _mornings(bots, NEIGHBOUR) == 1


async def test_polling_shutdown_waits_for_the_tick_in_flight(
    redis_url: str, redis_client: RedisClient, closes: Closes
) -> None:
    async with AsyncExitStack() as stack:
        bot = await stack.enter_async_context(harness_for(redis_url, redis_client))
        await enrol(bot, wake="06:00")
        bot.clock.set(bot.clock.now() + timedelta(days=1) - timedelta(hours=1))
        dispatcher = bot.app.bot_data.dispatcher
        bot.emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.TIMEOUT)
        tick = asyncio.create_task(bot.tick())
        await bot.emu.wait_hung(1)
        closes.ticks.append(tick)

        stopping = asyncio.create_task(stack.aclose())  # what run_polling does on SIGTERM
        await dispatcher.stopping.wait()
        assert closes.seen == []
        bot.emu.release_hung()
        await stopping

    assert _sends(tick.result()) == {"sent": 1}
    assert closes.seen == ["redis closed after the tick"]
    assert _mornings(bot, USER) == 1
    assert await dispatcher.tick() == TickStats()  # a stopped dispatcher claims nothing
