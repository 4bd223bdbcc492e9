"""A dispatcher process killed with SIGKILL mid-dispatch loses nothing and sends nothing twice.

The dispatcher under test runs in a separate process against the in-process Bot API emulator
and the test Redis, on a clock that starts just after three people's 07:00 morning slot. They
sit in three shards, which a tick handles in order: BEFORE's shard (3) is claimed, sent and
completed before HUNG's (8), and AFTER's (9) is never reached while HUNG's send is stuck (the
JobQueue skips a tick while the previous one still runs: APScheduler's max_instances=1).

After the kill, a fresh dispatcher (in this process, on a manual clock) takes over once the
dead worker's lease has run out. Waiting is event-driven (the emulator's held-request count, a
line on the worker's stdout, the process's exit), never a sleep; real time passes meanwhile,
which is fine: the worker's lease is two minutes of its own clock.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from bot.ops.app import build_application, running
from bot.storage.child_process import die_with_parent
from bot.storage.client import RedisClient
from bot.storage.store import OUTBOX, Store, person_key
from devtools.emulator import BotApiEmulator, FaultKind
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.manual_clock import ManualClock
from scheduler.queue import DueQueue
from scheduler.sync import QueueSync
from tests.backends import ON_BOTH
from tests.e2e.harness import settings_for
from tests.e2e.worker import CLAIMED
from tests.factories import make_profile

pytestmark = ON_BOTH

ROOT = Path(__file__).resolve().parents[2]
SLOT = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)  # everyone's day-1 morning (London, GMT)
EVENING = datetime(2026, 3, 20, 22, 0, tzinfo=UTC)  # an hour before their 23:00 bedtime
NEXT_MORNING = SLOT + timedelta(days=1)
BEFORE, HUNG, AFTER = 1603, 1608, 1609  # shards 3, 8 and 9 of 16
PEOPLE = (BEFORE, HUNG, AFTER)
MORNING_MARKER = b"morning#0:2026-03-20"  # one message: the step with the sleep question
EVENING_MARKER = b"evening#0:2026-03-20"
MORNING_SENT = {MORNING_MARKER: b"sent"}
WAIT = 30.0  # generous: a process has to start up (imports, content, Redis) first
T = TypeVar("T")
DAY_ONE = ("Day 1: notice your twitch", "Time to start winding down")


@dataclass
class Scene:
    emu: BotApiEmulator
    clock: ManualClock
    store: Store
    queue: DueQueue
    redis: RedisClient
    redis_url: str
    tmp_path: Path
    workers: list[asyncio.subprocess.Process] = field(default_factory=list)


@pytest.fixture
async def scene(redis_url: str, redis_client: RedisClient, tmp_path: Path) -> AsyncIterator[Scene]:
    """Three enrolled people on day 1, all due at 07:00 UTC; the clock an hour before."""
    clock = ManualClock(SLOT - timedelta(hours=1))
    async with BotApiEmulator(clock) as emu:
        queue = DueQueue(redis_client)
        assert [queue.shard_of(user_id) for user_id in PEOPLE] == [3, 8, 9]
        store = Store(redis_client, QueueSync(queue, clock))
        for user_id in PEOPLE:
            emu.add_user(user_id)
            await store.save_profile(make_profile(user_id), expected_version=0)
        assert [await queue.due_at(user_id) for user_id in PEOPLE] == [SLOT] * 3
        scene = Scene(emu, clock, store, queue, redis_client, redis_url, tmp_path)
        try:
            yield scene
        finally:  # a failed assertion must not leave a worker running
            for worker in scene.workers:
                if worker.returncode is None:
                    worker.kill()
                    await worker.wait()


async def test_killed_while_a_send_is_in_flight(scene: Scene) -> None:
    """`twitchcare run` claims HUNG, writes the pending marker and starts the send, which the
    emulator holds without delivering; SIGKILL then. The successor takes the pending marker
    over once the lease has run out and delivers the slot exactly once."""
    scene.emu.inject_fault("sendMessage", chat_id=HUNG, kind=FaultKind.HANG)
    worker = await start(scene, "bot", "run")
    await first(scene.emu.wait_hung(1), worker, scene)

    outbox = await outboxes(scene)
    assert outbox[BEFORE] == MORNING_SENT
    assert outbox[HUNG] == {MORNING_MARKER: outbox[HUNG][MORNING_MARKER]}
    assert outbox[HUNG][MORNING_MARKER][:8] == b"pending:"
    assert outbox[AFTER] == {}
    assert delivered(scene, HUNG) == []
    await kill(worker)

    await take_over(scene)
    assert len(sends_to(scene, HUNG)) == 3  # the one lost with the worker, then the day's 2
    assert [len(sends_to(scene, user_id)) for user_id in (BEFORE, AFTER)] == [2, 2]


async def test_killed_between_the_claim_and_the_outbox_marker(scene: Scene) -> None:
    """The worker stalls right after claiming HUNG, before it reads the profile or writes a
    marker (tests/e2e/worker.py says so on stdout, then waits), and is killed there. Only the
    lease is left behind; once it runs out, the successor sends the slot exactly once."""
    worker = await start(scene, "tests.e2e.worker", "--stall-on", str(HUNG))
    assert worker.stdout is not None
    line = await first(worker.stdout.readline(), worker, scene)
    assert line.decode().split() == [CLAIMED, str(HUNG)]

    outbox = await outboxes(scene)
    assert outbox == {BEFORE: MORNING_SENT, HUNG: {}, AFTER: {}}
    assert sends_to(scene, HUNG) == []
    await kill(worker)

    await take_over(scene)
    assert [len(sends_to(scene, user_id)) for user_id in PEOPLE] == [2, 2, 2]


async def take_over(scene: Scene, hung_so_far: list[str] | None = None) -> None:
    """What the dead worker left, then a successor's ticks: the lease first holds, then runs
    out; by the evening everyone has had each day-1 message exactly once."""
    leased = await scene.queue.due_at(HUNG)
    assert leased is not None
    assert leased > SLOT + timedelta(seconds=100), "the worker's claim should hold a lease"
    assert await scene.queue.due_at(BEFORE) == EVENING
    assert await scene.queue.due_at(AFTER) == SLOT, "the stuck tick never reached shard 9"

    settings = settings_for(scene.emu, scene.redis_url)
    async with running(build_application(settings, clock=scene.clock)) as app:
        dispatcher = app.bot_data.dispatcher
        scene.clock.set(SLOT + timedelta(seconds=30))  # the dead worker's lease still holds
        await dispatcher.tick()
        assert delivered(scene, HUNG) == (hung_so_far or [])
        assert len(delivered(scene, AFTER)) == 1

        scene.clock.set(leased + timedelta(minutes=5))
        await dispatcher.tick()
        scene.clock.set(EVENING)
        await dispatcher.tick()

    for user_id in PEOPLE:
        assert delivered(scene, user_id) == list(DAY_ONE), user_id
    sent = {**MORNING_SENT, EVENING_MARKER: b"sent"}
    assert await outboxes(scene) == dict.fromkeys(PEOPLE, sent)
    assert [await scene.queue.due_at(user_id) for user_id in PEOPLE] == [NEXT_MORNING] * 3


async def start(scene: Scene, module: str, *args: str) -> asyncio.subprocess.Process:
    """A dispatcher process against the emulator and the test Redis, its clock at 07:00:01."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TWITCHCARE_")}
    env.update(
        TWITCHCARE_BOT_TOKEN=DEFAULT_TOKEN,
        TWITCHCARE_REDIS_URL=scene.redis_url,
        TWITCHCARE_API_BASE_URL=scene.emu.base_url,
        TWITCHCARE_API_FILE_URL=scene.emu.base_file_url,
        TWITCHCARE_CLOCK_START=(SLOT + timedelta(seconds=1)).isoformat(),
        TWITCHCARE_TICK_SECONDS="0.2",
        TWITCHCARE_DATA_DIR=str(scene.tmp_path / "data"),
        TWITCHCARE_LOG_LEVEL="WARNING",
    )
    with (scene.tmp_path / "worker.log").open("ab") as log:
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            *args,
            cwd=scene.tmp_path,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
            preexec_fn=die_with_parent,
        )
    scene.workers.append(worker)
    return worker


async def first(event: Awaitable[T], worker: asyncio.subprocess.Process, scene: Scene) -> T:
    """Wait for `event`; fail (with the worker's log) if the worker exits first or it is late."""
    waiting = asyncio.ensure_future(event)
    exited = asyncio.ensure_future(worker.wait())
    done, _ = await asyncio.wait({waiting, exited}, timeout=WAIT, return_when="FIRST_COMPLETED")
    if waiting in done:
        exited.cancel()
        return waiting.result()
    waiting.cancel()
    exited.cancel()
    if worker.returncode is None:
        worker.kill()
        await worker.wait()
    log = (scene.tmp_path / "worker.log").read_text(errors="replace")
    pytest.fail(f"the worker never got there (exit code {worker.returncode}):\n{log[-3000:]}")


async def kill(worker: asyncio.subprocess.Process) -> None:
    """SIGKILL: no shutdown code runs, nothing is released or settled."""
    worker.kill()
    assert await worker.wait() == -signal.SIGKILL


async def outboxes(scene: Scene) -> dict[int, dict[bytes | str, bytes | str]]:
    """Each person's outbox markers (field -> state)."""
    return {user_id: await scene.redis.hgetall(person_key(user_id, OUTBOX)) for user_id in PEOPLE}


def delivered(scene: Scene, user_id: int) -> list[str]:
    """Which of the day-1 messages the person can see, in order (a phrase from each)."""
    texts = [m.text for m in scene.emu.bot_messages(user_id)]
    return [next((p for p in DAY_ONE if p in text), text[:40]) for text in texts]


def sends_to(scene: Scene, user_id: int) -> list[str]:
    """Every sendMessage request to the person's chat, delivered or not (the emulator's log)."""
    return [
        str(r.params.get("text", ""))
        for r in scene.emu.requests_for("sendMessage")
        if int(r.params["chat_id"]) == user_id
    ]


async def test_sigterm_during_a_send_finishes_it_and_sends_nothing_twice(scene: Scene) -> None:
    """A real SIGTERM to `twitchcare run` while HUNG's send is in flight: the process waits for
    the send (released here, it is retried once after the dropped connection and delivered),
    claims nothing more, closes Redis last and exits cleanly. A successor then sends whatever
    is still due, and everyone has each day-1 message exactly once."""
    scene.emu.inject_fault("sendMessage", chat_id=HUNG, kind=FaultKind.HANG)
    worker = await start(scene, "bot", "run")
    await first(scene.emu.wait_hung(1), worker, scene)

    worker.send_signal(signal.SIGTERM)
    scene.emu.release_hung()
    assert await first(worker.wait(), worker, scene) == 0

    outbox = await outboxes(scene)
    assert outbox[HUNG] == MORNING_SENT  # finished, not abandoned
    assert delivered(scene, HUNG) == list(DAY_ONE[:1])
    assert await scene.queue.due_at(HUNG) == EVENING

    settings = settings_for(scene.emu, scene.redis_url)
    async with running(build_application(settings, clock=scene.clock)) as app:
        for moment in (SLOT + timedelta(seconds=30), EVENING):
            scene.clock.set(moment)
            await app.bot_data.dispatcher.tick()
    for user_id in PEOPLE:
        assert delivered(scene, user_id) == list(DAY_ONE), user_id
