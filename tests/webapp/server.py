"""The whole bot's web server for tests: the real Mini App on uvicorn, the real PTB Application
on the emulator, a real Redis (ARCHITECTURE §11).

`webapp_server` yields a `WebApp`: the base URL (the page is at `<base_url>/app/`), the e2e
harness (the emulator's chat, the ManualClock, Redis), and helpers to sign initData and call
the API. The socket is bound before the bot starts, so its port is known for
TWITCHCARE_WEBAPP_URL, and connections wait in its backlog until uvicorn serves: no polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from bot.core.config import Settings
from bot.storage.client import RedisClient
from bot.storage.store import Store
from bot.webapp.server import public_app
from devtools.emulator import BotApiEmulator
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.manual_clock import ManualClock
from tests.e2e.harness import START, USER, Harness, running_bot, settings_for
from tests.webapp.initdata import signed_init_data

TOKEN = DEFAULT_TOKEN


@dataclass
class WebApp:
    """A running bot with its Mini App: what API and browser tests act through."""

    base_url: str
    harness: Harness
    client: httpx.AsyncClient

    @property
    def page_url(self) -> str:
        return f"{self.base_url}/app/"

    def init_data(self, user_id: int = USER, *, language_code: str = "en", age: int = 0) -> str:
        """initData signed now (by the bot's clock, `age` seconds ago) with the test token."""
        auth_date = int(self.harness.clock.now().timestamp()) - age
        return signed_init_data(TOKEN, user_id, auth_date=auth_date, language_code=language_code)

    def auth(self, user_id: int = USER, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"tma {self.init_data(user_id, **kwargs)}"}

    async def get(
        self, path: str, user_id: int = USER, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.get(
            f"/app/api/{path}", headers={**self.auth(user_id), **(headers or {})}
        )

    async def post(
        self,
        path: str,
        body: object,
        user_id: int = USER,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """A write as the page sends it: signed, JSON, with a fresh nonce."""
        sent = {
            **self.auth(user_id),
            "X-TwitchCare-Nonce": secrets.token_hex(16),
            **(headers or {}),
        }
        return await self.client.post(f"/app/api/{path}", json=body, headers=sent)


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def _with_webapp_url(settings: Settings, url: str, **overrides: Any) -> Settings:
    return Settings(**{**dict(settings), "webapp_url": url, **overrides, "_env_file": None})


@asynccontextmanager
async def serving(
    redis_url: str, redis: RedisClient, start: Any = START, **overrides: Any
) -> AsyncIterator[WebApp]:
    """Start the emulator, the bot (polling) and its Mini App server; stop them all after.
    `overrides`: settings to change, e.g. rate_limit=True."""
    sock = _bound_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    clock = ManualClock(start)
    try:
        async with BotApiEmulator(clock) as emu:
            emu.add_user(USER, first_name="Robin")
            url = f"{base_url}/app/"
            settings = _with_webapp_url(settings_for(emu, redis_url), url, **overrides)
            async with running_bot(emu, settings, clock) as app:
                config = uvicorn.Config(public_app(app), lifespan="off", log_config=None)
                server = uvicorn.Server(config)
                task = asyncio.create_task(server.serve(sockets=[sock]))
                harness = Harness(emu=emu, app=app, clock=clock, redis=redis, store=Store(redis))
                try:
                    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
                        yield WebApp(base_url=base_url, harness=harness, client=client)
                finally:
                    server.should_exit = True
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.wait_for(task, timeout=30)
    finally:
        sock.close()


@pytest.fixture
async def webapp(redis_url: str, redis_client: RedisClient) -> AsyncIterator[WebApp]:
    """The bot with its Mini App served on a free port; Robin (USER) in the emulator."""
    async with serving(redis_url, redis_client) as running:
        yield running
