"""Webhook mode: a small Starlette app around the Application, served by uvicorn (ARCHITECTURE §7).

Many replicas run this behind a load balancer, sharing one Redis. Each Telegram call
  * must carry the secret token in `X-Telegram-Bot-Api-Secret-Token` (403 otherwise);
  * is taken once across all replicas: its update_id is claimed with `SET NX` and a TTL, so a
    retry that lands on another replica is dropped, not handled twice;
  * is answered 200 only after `process_update` has finished, so a replica that dies mid-update
    leaves Telegram to retry it (python-telegram-bot's built-in webhook answers first).
With TWITCHCARE_WEBAPP_URL set, the same server serves the Mini App under /app (ARCHITECTURE
§11). /healthz and /metrics are not public: the internal ops listener answers them
(bot/ops/ops_server.py).

This is python-telegram-bot's "custom webhook" pattern; start-up and shut-down go through
`bot.app.running`, as in polling mode. On SIGTERM uvicorn stops accepting, waits for the calls
in flight, then runs the shut-down: the dispatcher claims nothing more, the sends in flight
finish, unstarted claims are released, and Redis is closed last.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import socket
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from enum import Enum
from typing import Final
from urllib.parse import urlsplit

import uvicorn
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from telegram import Update
from telegram.error import TelegramError

from bot.core.config import Settings
from bot.core.context import App
from bot.core.metrics import update_type
from bot.ops.app import running
from bot.ops.ops_server import ops_listener
from bot.storage.client import RedisClient
from bot.webapp.server import MOUNT, build_webapp

log = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH: Final = "/telegram"
# Telegram's updates are a few kilobytes; anything this big is not one.
MAX_BODY_BYTES: Final = 1 << 20
# Telegram's updates nest a few levels (a quoted reply in a message in a tap); JSON nested
# deeper is not one, and parsing it (json, then PTB's de_json) recurses once per level.
MAX_JSON_DEPTH: Final = 32
# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_JSON_STRUCTURE: Final = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# How long one replica holds an update while handling it. A replica that dies mid-update stops
# blocking Telegram's retries after this long.
PROCESSING_SECONDS: Final = 120
# How long a handled update id is remembered. Telegram gives up retrying within a day.
REMEMBER_SECONDS: Final = 24 * 3600

# KEYS[1] the update's key; ARGV[1] its lease in seconds. Returns 'new' after claiming it,
# otherwise what a replica wrote there: 'processing' or 'done'.
_TAKE: Final = """
if redis.call('SET', KEYS[1], 'processing', 'NX', 'EX', ARGV[1]) then
  return 'new'
end
return redis.call('GET', KEYS[1])
"""


class Taken(Enum):
    NEW = "new"  # this replica handles it
    BUSY = "processing"  # another replica is handling it right now
    DONE = "done"  # already handled


class UpdateLedger:
    """Which update ids a replica has taken. Keys are `upd:{<id mod shards>}:<id>`: no person's
    data, hash-tagged so that they spread over a Redis Cluster."""

    def __init__(self, redis: RedisClient, shards: int) -> None:
        self._redis = redis
        self._shards = shards
        self._take = redis.register_script(_TAKE)

    def key(self, update_id: int) -> str:
        return f"upd:{{{update_id % self._shards}}}:{update_id}"

    async def take(self, update_id: int) -> Taken:
        reply = await self._take(keys=[self.key(update_id)], args=[PROCESSING_SECONDS])
        state = reply.decode() if isinstance(reply, bytes) else str(reply)
        return Taken.DONE if state == Taken.DONE.value else Taken(state)

    async def done(self, update_id: int) -> None:
        await self._redis.set(self.key(update_id), Taken.DONE.value, ex=REMEMBER_SECONDS)

    async def forget(self, update_id: int) -> None:
        await self._redis.delete(self.key(update_id))


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether the JSON text opens more than `limit` arrays or objects inside each other;
    read before parsing, and stops counting as soon as it knows."""
    depth = 0
    for match in _JSON_STRUCTURE.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def keys_are_integers(update: Update) -> bool:
    """PTB builds updates without checking types, then keys its per-user and per-chat data,
    and we our per-chat order, on these ids: an id that is a list or a string is no update."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    ids = [
        update.update_id,
        *(() if user is None else (user.id,)),
        *(() if chat is None else (chat.id,)),
        *(() if message is None else (message.message_id,)),
    ]
    return all(type(value) is int for value in ids)


def webhook_path(settings: Settings, url: str | None) -> str:
    """The configured path, else the webhook URL's path, else /telegram."""
    if settings.webhook_path:
        return settings.webhook_path
    path = urlsplit(url).path if url else ""
    return path if path not in ("", "/") else DEFAULT_PATH


class WebhookServer:
    """The ASGI app of one replica: /telegram (or the configured path) and, with
    TWITCHCARE_WEBAPP_URL, the Mini App under /app; its ops listener runs beside it."""

    def __init__(
        self,
        app: App,
        settings: Settings,
        *,
        url: str | None = None,
        ops_sockets: Sequence[socket.socket] | None = None,
    ) -> None:
        if settings.webhook_secret is None:
            raise ValueError("TWITCHCARE_WEBHOOK_SECRET is not set; webhook mode needs it")
        self.app = app
        self.settings = settings
        self.url = url
        self.path = webhook_path(settings, url)
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self._ledger: UpdateLedger | None = None
        self._ops_sockets = ops_sockets
        routes: list[BaseRoute] = [Route(self.path, self._telegram, methods=["POST"])]
        if settings.webapp_url is not None:
            routes.append(Mount(MOUNT, build_webapp(app)))
        self.asgi = Starlette(routes=routes, lifespan=self._lifespan)

    @asynccontextmanager
    async def _lifespan(self, _: Starlette) -> AsyncIterator[None]:
        async with running(self.app):
            services = self.app.bot_data.services
            self._ledger = UpdateLedger(services.store.redis, services.settings.queue_shards)
            if self.url is not None:
                await self._register(self.url)
            async with ops_listener(self.app, self.settings, self._ops_sockets):
                yield

    async def _register(self, url: str) -> None:
        """Point Telegram at us; every replica does it, which is harmless (same URL, secret)."""
        try:
            await self.app.bot.set_webhook(
                url=url,
                secret_token=self._secret.decode(),
                allowed_updates=Update.ALL_TYPES,
            )
        except TelegramError as exc:
            log.error("could not register the webhook: %s", exc.message)
            raise
        log.info("webhook registered; serving %s", self.path)

    # --- /telegram ------------------------------------------------------------------------

    async def _telegram(self, request: Request) -> Response:
        """One update from Telegram: checked, taken once across replicas, then handled."""
        metrics = self.app.bot_data.metrics
        if not self._secret_ok(request.headers.get(SECRET_HEADER)):
            metrics.webhook("forbidden")
            return Response(status_code=403)
        update = await self._parse(request)
        if update is None:
            metrics.webhook("bad_request")
            return Response(status_code=400)
        return await self._handle(update)

    def _secret_ok(self, given: str | None) -> bool:
        # Constant time, so the secret cannot be guessed byte by byte from response times.
        return given is not None and hmac.compare_digest(given.encode(), self._secret)

    async def _parse(self, request: Request) -> Update | None:
        """The update in the body, or None for anything that is not one (never an exception)."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            return None
        body = await request.body()
        if len(body) > MAX_BODY_BYTES or nested_deeper_than(body, MAX_JSON_DEPTH):
            return None
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return None
            update = Update.de_json(data, self.app.bot)
            if not keys_are_integers(update):
                return None
        except Exception as exc:  # whatever cannot be built (a date in year 10**12...) is a 400
            log.info("webhook: a body that is not an update (%s)", type(exc).__name__)
            return None
        return update if update.update_id >= 0 else None

    async def _handle(self, update: Update) -> Response:
        metrics = self.app.bot_data.metrics
        assert self._ledger is not None, "requests are only served after start-up"
        try:
            taken = await self._ledger.take(update.update_id)
        except (RedisError, OSError) as exc:
            # Telegram retries until Redis is back: nothing is lost.
            log.warning("webhook: Redis unavailable (%s); Telegram will retry", type(exc).__name__)
            metrics.webhook("unavailable")
            return Response(status_code=503, headers={"Retry-After": "5"})
        if taken is Taken.DONE:
            metrics.webhook("duplicate")
            return Response(status_code=200)
        if taken is Taken.BUSY:
            # Another replica has it; if that one dies, the retry after its lease gets it.
            metrics.webhook("busy")
            return Response(status_code=503, headers={"Retry-After": "5"})
        return await self._process(update)

    async def _process(self, update: Update) -> Response:
        assert self._ledger is not None
        started = time.perf_counter()
        try:
            # Through the update processor, as polling does: one person's updates in order.
            await self.app.update_processor.process_update(update, self.app.process_update(update))
        except Exception as exc:
            # Handler errors already went to the error handler; this is PTB itself failing.
            log.error("webhook: update not processed (%s)", type(exc).__name__)
            await self._forget(update.update_id)
            return Response(status_code=500)
        try:
            await self._ledger.done(update.update_id)
        except (RedisError, OSError) as exc:
            # The lease still guards it for PROCESSING_SECONDS; answering 200 stops retries.
            log.warning("webhook: could not mark update done (%s)", type(exc).__name__)
        self.app.bot_data.metrics.webhook("ok")
        elapsed = (time.perf_counter() - started) * 1000
        # The update's id and kind only: ids are Telegram's counters, not people.
        kind = update_type(update)
        log.debug("update %d (%s) handled in %.0f ms", update.update_id, kind, elapsed)
        return Response(status_code=200)

    async def _forget(self, update_id: int) -> None:
        assert self._ledger is not None
        try:
            await self._ledger.forget(update_id)
        except (RedisError, OSError) as exc:
            log.warning("webhook: could not release update (%s)", type(exc).__name__)


def public_config(asgi: Starlette, settings: Settings, port: int) -> uvicorn.Config:
    """uvicorn for a public app (the webhook server, or polling mode's Mini App), with our
    logging (redacted, optionally JSON), not its own handlers."""
    return uvicorn.Config(
        asgi,
        host=settings.webhook_listen,
        port=port,
        lifespan="on",
        log_config=None,
        server_header=False,
        proxy_headers=True,
    )


def uvicorn_config(server: WebhookServer, settings: Settings) -> uvicorn.Config:
    return public_config(server.asgi, settings, settings.webhook_port)


async def serve(
    app: App,
    settings: Settings,
    *,
    url: str | None,
    sockets: Sequence[socket.socket] | None = None,
) -> bool:
    """Serve until SIGTERM/SIGINT, then shut down gracefully. False if start-up failed."""
    server = uvicorn.Server(uvicorn_config(WebhookServer(app, settings, url=url), settings))
    await server.serve(sockets=list(sockets) if sockets else None)
    return server.started
