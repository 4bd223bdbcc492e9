"""Webhook replicas as real processes: `python -m bot run --webhook URL`, two of them, one Redis.

Races between replicas are races between processes: two event loops, two connection pools, no
shared memory, real parallelism on the machine's cores. Each replica is the production command
line, started with its own TWITCHCARE_WEBHOOK_PORT and TWITCHCARE_OPS_PORT on 127.0.0.1 and the
same secret, against the test's Redis and the Bot API emulator, which runs in the test process.
The test plays the load balancer: it delivers each update (emu.deliver) to the replica it
chooses.

A replica runs on its own clock (real time from START; ticks off: the scheduler stays out of
the races), so tests must not depend on its exact time. Waiting is event-driven: a replica is
ready once uvicorn logs that it is serving and its /healthz (ops port) answers 200, never after a
sleep. Every replica dies with the test process (die_with_parent) and is stopped (SIGTERM, then
SIGKILL) when the fixture ends.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bot.storage.child_process import die_with_parent
from bot.storage.client import RedisClient
from bot.storage.store import Store
from devtools.emulator import BotApiEmulator, ChatMessage
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.manual_clock import ManualClock
from tests.e2e.harness import START, USER
from tests.e2e.replicas import PUBLIC_URL, SECRET

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60.0  # generous: a process imports, loads content and connects to Redis first
STOP_SECONDS = 30.0
SERVING = "Uvicorn running on"  # uvicorn's line once its socket is bound, after start-up


@dataclass
class ProcessReplica:
    """One `twitchcare run --webhook` process and where it listens."""

    process: asyncio.subprocess.Process
    base_url: str
    ops_url: str  # the internal ops listener's: /healthz, /metrics
    log: list[str] = field(default_factory=list)
    serving: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def webhook(self) -> str:
        return self.base_url + "/telegram"

    def tail(self) -> str:
        return "".join(self.log[-40:])


@dataclass
class ProcessCluster:
    """Two replica processes on one Redis, one emulator, and a person called Robin."""

    emu: BotApiEmulator
    clock: ManualClock  # the emulator's: message dates, not the replicas' time
    redis: RedisClient
    store: Store
    replicas: tuple[ProcessReplica, ...]

    async def deliver(self, update_id: int, to: int = 0) -> None:
        """Deliver one update to replica `to`; it answers 200 only once it has handled it."""
        await self.at_the_same_moment((update_id, to))

    async def at_the_same_moment(self, *deliveries: tuple[int, int]) -> None:
        """Deliver updates at once, each (update id, replica index) to its replica."""
        statuses = await asyncio.gather(
            *(self.emu.deliver(update, self.replicas[to].webhook) for update, to in deliveries)
        )
        logs = "\n".join(replica.tail() for replica in self.replicas)
        assert statuses == [200] * len(deliveries), f"{statuses}\n{logs}"

    async def send(
        self, text: str, to: int = 0, user: int = USER, chat_id: int | None = None
    ) -> None:
        await self.deliver(await self.emu.send_text(user, text, chat_id), to)

    async def tap(self, message_id: int, button: str, to: int = 0, user: int = USER) -> None:
        await self.deliver(await self.emu.tap(user, message_id, button), to)

    def message(self, message_id: int, chat_id: int = USER) -> ChatMessage:
        """A message as the person sees it now."""
        found = [m for m in self.emu.chat(chat_id) if m.message_id == message_id]
        assert found, f"message {message_id} is not visible in chat {chat_id}"
        return found[0]


def free_port() -> int:
    """A port nothing listens on right now (the replica binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def replica_env(
    emu: BotApiEmulator,
    redis_url: str,
    data_dir: Path,
    port: int,
    admins: Iterable[int],
    ops_port: int,
) -> dict[str, str]:
    """The environment of one replica: ours without any TWITCHCARE_* setting, then the test's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TWITCHCARE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        TWITCHCARE_BOT_TOKEN=DEFAULT_TOKEN,
        TWITCHCARE_REDIS_URL=redis_url,
        TWITCHCARE_API_BASE_URL=emu.base_url,
        TWITCHCARE_API_FILE_URL=emu.base_file_url,
        TWITCHCARE_WEBHOOK_SECRET=SECRET,
        TWITCHCARE_WEBHOOK_LISTEN="127.0.0.1",
        TWITCHCARE_WEBHOOK_PORT=str(port),
        TWITCHCARE_OPS_PORT=str(ops_port),
        TWITCHCARE_CLOCK_START=START.isoformat(),
        TWITCHCARE_CLOCK_RESUME="false",
        TWITCHCARE_TICK_SECONDS="0",  # no scheduler: only the updates the test delivers
        TWITCHCARE_RATE_LIMIT="false",  # Telegram's per-chat pace would make 50 races minutes
        TWITCHCARE_DATA_DIR=str(data_dir),
        TWITCHCARE_ADMIN_USER_IDS=",".join(str(admin) for admin in admins),
        TWITCHCARE_LOG_LEVEL="INFO",
    )
    return env


async def _read_log(replica: ProcessReplica) -> None:
    """Keep the replica's stderr drained (a full pipe would block it) and note when it serves."""
    stream = replica.process.stderr
    assert stream is not None
    while line := (await stream.readline()).decode(errors="replace"):
        replica.log.append(line)
        if SERVING in line:
            replica.serving.set()


@asynccontextmanager
async def replica_process(
    emu: BotApiEmulator, redis_url: str, data_dir: Path, admins: Iterable[int] = ()
) -> AsyncIterator[ProcessReplica]:
    """Start `python -m bot run --webhook` (yielded while it starts up: see `serves`), and stop
    it after."""
    port, ops_port = free_port(), free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "run", "--webhook", PUBLIC_URL),
        cwd=data_dir.parent,  # the test's own folder: no .env of the developer's is read
        env=replica_env(emu, redis_url, data_dir, port, admins, ops_port),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=die_with_parent,
    )
    replica = ProcessReplica(process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ops_port}")
    reader = asyncio.create_task(_read_log(replica))
    try:
        yield replica
    finally:
        await _stop(process)
        await reader


async def serves(replica: ProcessReplica) -> bool:
    """Wait until the replica serves and its /healthz says it is healthy (True), or it exits,
    takes too long or is unhealthy (False, with /healthz's answer in its log)."""
    waiting = asyncio.ensure_future(replica.serving.wait())
    exited = asyncio.ensure_future(replica.process.wait())
    await asyncio.wait({waiting, exited}, timeout=START_SECONDS, return_when="FIRST_COMPLETED")
    for task in (waiting, exited):
        task.cancel()
    if not replica.serving.is_set():
        return False
    async with httpx.AsyncClient(base_url=replica.ops_url, timeout=START_SECONDS) as client:
        health = await client.get("/healthz")  # the socket is bound: answered, never refused
    replica.log.append(f"/healthz: {health.status_code} {health.text}\n")
    return health.status_code == 200


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (a graceful shut-down), SIGKILL if it does not end in time."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()


@asynccontextmanager
async def process_cluster(
    redis_url: str, redis: RedisClient, data_dir: Path, admins: Iterable[int] = ()
) -> AsyncIterator[ProcessCluster]:
    """Two replica processes on one Redis and the emulator, starting up side by side."""
    clock = ManualClock(START)
    async with BotApiEmulator(clock) as emu, AsyncExitStack() as stack:
        emu.add_user(USER, first_name="Robin")
        starting = [replica_process(emu, redis_url, data_dir / n, admins) for n in ("one", "two")]
        replicas = tuple([await stack.enter_async_context(replica) for replica in starting])
        ready = await asyncio.gather(*map(serves, replicas))
        for replica in (r for r, ok in zip(replicas, ready, strict=True) if not ok):
            code = replica.process.returncode
            pytest.fail(f"a replica did not start (exit {code}):\n{replica.tail()}")
        yield ProcessCluster(
            emu=emu, clock=clock, redis=redis, store=Store(redis), replicas=replicas
        )
