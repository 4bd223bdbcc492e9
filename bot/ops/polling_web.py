"""Polling mode with the Mini App (TWITCHCARE_WEBAPP_URL set): the bot polls Telegram while a
small uvicorn server serves /app on TWITCHCARE_WEBHOOK_LISTEN:TWITCHCARE_WEBAPP_PORT, and the ops
listener serves /healthz and /metrics (ARCHITECTURE §11).

uvicorn owns the process's life, as in webhook mode: its lifespan starts the bot, then polling,
then the ops listener; on SIGTERM/SIGINT it stops accepting, finishes the calls in flight, and
the lifespan stops them in reverse order (polling before the Application's shut-down).
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import uvicorn
from starlette.applications import Starlette
from telegram import Update

from bot.core.config import Settings
from bot.core.context import App
from bot.ops.app import running
from bot.ops.ops_server import ops_listener
from bot.ops.webhook import public_config
from bot.webapp.server import public_app


def polling_app(
    app: App, settings: Settings, ops_sockets: Sequence[socket.socket] | None = None
) -> Starlette:
    """The Mini App at /app, whose lifespan runs the bot by polling (and the ops listener, on
    `ops_sockets` if given, as tests do)."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with running(app):
            updater = app.updater
            assert updater is not None, "the Application is built with an updater"
            await updater.start_polling(allowed_updates=Update.ALL_TYPES)
            try:
                async with ops_listener(app, settings, ops_sockets):
                    yield
            finally:
                await updater.stop()

    return public_app(app, lifespan)


async def serve_polling(app: App, settings: Settings) -> bool:
    """Poll and serve the Mini App until SIGTERM/SIGINT. False if start-up failed."""
    server = uvicorn.Server(
        public_config(polling_app(app, settings), settings, settings.webapp_port)
    )
    await server.serve()
    return server.started
