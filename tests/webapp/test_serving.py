"""Where the Mini App is served: under /app of the webhook server, and in polling mode by a
small uvicorn server of its own; /healthz and /metrics only on the internal ops listener."""

from __future__ import annotations

import asyncio
import logging

import httpx
import uvicorn

from bot.ops.app import build_application
from bot.ops.polling_web import polling_app
from bot.storage.client import RedisClient
from devtools.emulator import BotApiEmulator
from devtools.manual_clock import ManualClock
from tests.e2e.harness import START, USER, settings_for
from tests.e2e.replicas import QuietServer, bound_socket, cluster, url_of
from tests.webapp.initdata import signed_init_data
from tests.webapp.server import TOKEN

PAGE = "https://twitchcare.example/app/"


def _auth(clock: ManualClock) -> dict[str, str]:
    signed = signed_init_data(TOKEN, USER, auth_date=int(clock.now().timestamp()))
    return {"Authorization": f"tma {signed}"}


async def test_webhook_mode_serves_the_mini_app_under_app(
    redis_url: str, redis_client: RedisClient
) -> None:
    async with cluster(redis_url, redis_client, webapp_url=PAGE) as bots:
        replica = bots.replicas[0]
        async with httpx.AsyncClient(base_url=replica.base_url) as client:
            page = await client.get("/app/")
            texts = await client.get("/app/api/texts", headers=_auth(bots.clock))
            metrics = await client.get("/metrics")
        assert page.status_code == 200
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert texts.status_code == 200
        assert texts.json()["locale"] == "en"
        assert metrics.status_code == 404
        assert (await replica.ops("/metrics")).status_code == 200


async def test_polling_mode_serves_the_mini_app_and_stops_with_the_bot(
    redis_url: str, redis_client: RedisClient
) -> None:
    clock = ManualClock(START)
    async with BotApiEmulator(clock) as emu:
        emu.add_user(USER, first_name="Robin")
        settings = settings_for(emu, redis_url).model_copy(update={"webapp_url": PAGE})
        app = build_application(settings, clock=clock)
        public, ops = bound_socket(), bound_socket()
        config = uvicorn.Config(
            polling_app(app, settings, ops_sockets=[ops]), lifespan="on", log_config=None
        )
        server = QuietServer(config)
        task = asyncio.create_task(server.serve(sockets=[public]))
        try:
            async with httpx.AsyncClient(base_url=url_of(public), timeout=30) as client:
                page = await client.get("/app/")
                health = await client.get("/healthz")
                texts = await client.get("/app/api/texts", headers=_auth(clock))
            async with httpx.AsyncClient(base_url=url_of(ops), timeout=30) as client:
                ops_health = await client.get("/healthz")
            assert app.updater is not None
            assert app.updater.running  # it polls
        finally:
            server.handle_exit(15, None)  # what SIGTERM does
            await asyncio.wait_for(task, 30)
            public.close()
            ops.close()
        assert (page.status_code, health.status_code, texts.status_code) == (200, 404, 200)
        assert ops_health.status_code == 200
        # The ops listener leaves the process-wide access log on for the public server.
        assert logging.getLogger("uvicorn.access").propagate
        assert not app.updater.running
        assert not app.running
