"""Webhook replicas for end-to-end tests: real Applications behind real uvicorn servers.

Each replica is the production `WebhookServer` served by uvicorn on its own 127.0.0.1 port, with
its internal ops listener (/healthz, /metrics) on another; all of them share one Redis, one
emulator and one clock. The emulator delivers updates over HTTP
with the secret header, and the test plays the load balancer by choosing the replica.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field

import httpx
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.core.config import Settings
from bot.core.context import App
from bot.ops.app import build_application
from bot.ops.webhook import SECRET_HEADER, WebhookServer, uvicorn_config
from bot.storage.client import RedisClient
from bot.storage.store import Store
from devtools.emulator import BotApiEmulator
from devtools.manual_clock import ManualClock
from tests.e2e.harness import START, USER, Harness, settings_for

SECRET = "s3cret_Webhook-token-for-tests"
PUBLIC_URL = "https://twitchcare.example/telegram"


class QuietServer(uvicorn.Server):
    """uvicorn without signal handlers: several run in one test process, and the test stops
    each one exactly as uvicorn's SIGTERM handler does, by setting should_exit."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Replica:
    """One webhook replica: its Application, its server and where it listens."""

    app: App
    server: WebhookServer
    base_url: str
    ops_url: str
    uvicorn: uvicorn.Server
    task: asyncio.Task[None]

    @property
    def webhook(self) -> str:
        return self.base_url + self.server.path

    async def get(self, path: str) -> httpx.Response:
        """A GET on the public server."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            return await client.get(path)

    async def ops(self, path: str) -> httpx.Response:
        """A GET on the internal ops listener (/healthz, /metrics)."""
        async with httpx.AsyncClient(base_url=self.ops_url, timeout=30) as client:
            return await client.get(path)

    async def post(
        self, body: bytes | str, secret: str | None = SECRET, path: str | None = None
    ) -> httpx.Response:
        """A raw call to the webhook, as Telegram (or anyone else) could make it."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            return await client.post(path or self.server.path, content=body, headers=headers)

    async def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """/metrics parsed: (sample name, sorted labels) -> value."""
        response = await self.ops("/metrics")
        assert response.status_code == 200, response.text
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }

    def stop(self) -> None:
        """What SIGTERM does: uvicorn stops accepting, drains, then runs the shut-down."""
        self.uvicorn.handle_exit(15, None)


def webhook_settings(emu: BotApiEmulator, redis_url: str, **changes: object) -> Settings:
    return settings_for(emu, redis_url).model_copy(
        update={"webhook_secret": SecretStr(SECRET), **changes}
    )


@asynccontextmanager
async def replica(
    settings: Settings, clock: ManualClock, public_url: str | None = PUBLIC_URL
) -> AsyncIterator[Replica]:
    """Start a replica; returns once it has started up (its /healthz answered)."""
    app = build_application(settings, clock=clock)
    listener, ops = bound_socket(), bound_socket()
    server = WebhookServer(app, settings, url=public_url, ops_sockets=[ops])
    runner = QuietServer(uvicorn_config(server, settings))
    task = asyncio.create_task(runner.serve(sockets=[listener]))
    running = Replica(app, server, url_of(listener), url_of(ops), runner, task)
    try:
        # The ops listener serves only once start-up is complete; until then calls wait.
        ready = asyncio.create_task(running.ops("/healthz"))
        await asyncio.wait({ready, task}, return_when=asyncio.FIRST_COMPLETED)
        assert ready.done(), "the replica did not start"
        await ready
        yield running
    finally:
        running.stop()
        await task
        listener.close()
        ops.close()


def bound_socket() -> socket.socket:
    """A listening socket on a free 127.0.0.1 port: calls wait in its backlog until served."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def url_of(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


@dataclass
class Cluster(Harness):
    """A Harness whose updates reach the bot by webhook, spread over the replicas in turn."""

    replicas: Sequence[Replica] = ()
    _turn: Iterator[int] = field(default_factory=lambda: itertools.count())

    async def settle(self, update_id: int) -> None:
        """Deliver the update to the next replica; it answers only once it has handled it."""
        target = self.replicas[next(self._turn) % len(self.replicas)]
        status = await self.emu.deliver(update_id, target.webhook)
        assert status == 200, f"update {update_id} got HTTP {status}"


@asynccontextmanager
async def cluster(
    redis_url: str, redis: RedisClient, count: int = 2, **changes: object
) -> AsyncIterator[Cluster]:
    """`count` replicas on one Redis, one emulator and one clock, and a person called Robin."""
    clock = ManualClock(START)
    async with BotApiEmulator(clock) as emu, AsyncExitStack() as stack:
        emu.add_user(USER, first_name="Robin")
        settings = webhook_settings(emu, redis_url, **changes)
        replicas = [await stack.enter_async_context(replica(settings, clock)) for _ in range(count)]
        yield Cluster(
            emu=emu,
            app=replicas[0].app,
            clock=clock,
            redis=redis,
            store=Store(redis),
            replicas=replicas,
        )
