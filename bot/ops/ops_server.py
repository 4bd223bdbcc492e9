"""The internal ops listener: /healthz and /metrics, and nothing else (ARCHITECTURE §7).

The public server (the webhook, the Mini App) must not tell the internet how the bot is doing,
so these two answer on their own port, `TWITCHCARE_OPS_LISTEN:TWITCHCARE_OPS_PORT`
(127.0.0.1:9090 by default), for the load balancer, Docker's healthcheck and Prometheus.
It runs exactly while the Application runs: started after start-up, stopped before shut-down.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Final

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.config import Settings
from bot.core.context import App
from bot.ops.health import check, refresh_gauges

METRICS_CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
# How long the listener may take to finish its calls in flight at shut-down.
STOP_SECONDS: Final = 10.0


def ops_app(app: App, settings: Settings) -> Starlette:
    """/healthz (200 with the findings when healthy, 503 otherwise) and /metrics."""

    async def healthz(_: Request) -> Response:
        health = await check(app, settings.health_max_lag_seconds)
        return JSONResponse(health.as_json(), status_code=200 if health.healthy else 503)

    async def metrics(_: Request) -> Response:
        await refresh_gauges(app)  # gauges are refreshed on each scrape
        return Response(app.bot_data.metrics.exposition(), media_type=METRICS_CONTENT_TYPE)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )


class _Listener(uvicorn.Server):
    """A second uvicorn in the process: the main server owns SIGTERM and stops this one."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def ops_listener(
    app: App, settings: Settings, sockets: Sequence[socket.socket] | None = None
) -> AsyncIterator[None]:
    """Serve the ops app while the block runs (on `sockets` if given, as tests do)."""
    config = uvicorn.Config(
        ops_app(app, settings),
        lifespan="off",
        log_config=None,
        # No access_log=False: uvicorn would apply it to the process-wide "uvicorn.access"
        # logger and silence the public server's access log too.
        server_header=False,
    )
    # Bound here, so a port in use fails the start-up with a clear error.
    owned = [] if sockets else [_bind(settings.ops_listen, settings.ops_port)]
    server = _Listener(config)
    task = asyncio.create_task(server.serve(sockets=[*(sockets or ()), *owned]))
    try:
        yield
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, STOP_SECONDS)
        for sock in owned:
            sock.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)
