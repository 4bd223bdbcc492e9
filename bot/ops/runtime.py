"""Creating and closing the clients the bot needs: Redis (given or embedded) and content."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import BaseRateLimiter, ExtBot

from bot.core.config import Settings
from bot.core.context import Services
from bot.domain.clock import Clock
from bot.domain.models import Profile
from bot.storage.client import RedisClient, connect
from bot.storage.embedded_redis import EmbeddedRedis
from bot.storage.pipelined import group_committed
from bot.storage.store import Store
from bot.texts.content import load_catalog
from content import CONTENT_ROOT
from scheduler.queue import DueQueue
from scheduler.ratelimit import Callback, RedisRateLimiter, Result
from scheduler.sync import QueueSync


@dataclass
class Runtime:
    """Owns the Redis client and, without a URL, the embedded redis-server."""

    settings: Settings
    clock: Clock
    embedded: EmbeddedRedis | None = None
    client: RedisClient | None = None
    services: Services | None = field(default=None)
    rate_limiter: RedisRateLimiter | None = None
    sender: ExtBot[Any] | None = None  # the scheduled sends' own bot (scheduler.send)
    send_store: Store | None = None  # the dispatcher's: the same Redis, group-committed

    async def open(self) -> Services:
        """Load every locale's content (failing loudly on a bad edit), then connect to Redis."""
        content_root = self.settings.content_dir or Path(CONTENT_ROOT)
        content = load_catalog(content_root, self.settings.default_locale)
        url = self.settings.redis_url
        if url is None:
            self.embedded = EmbeddedRedis(self.settings.data_dir)
            url = await self.embedded.start()
        self.client = await connect(url)
        queue = DueQueue(self.client, shards=self.settings.queue_shards)
        self.rate_limiter = RedisRateLimiter(
            self.client,
            self.clock,
            global_rate=self.settings.global_rate,
            paid_rate=self.settings.paid_rate,
            enabled=self.settings.rate_limit,
        )
        listener = _Listener(QueueSync(queue, self.clock), self.rate_limiter)
        store = Store(self.client, listener)
        # The dispatcher's many concurrent sends share round trips (bot.storage.pipelined).
        self.send_store = Store(group_committed(self.client), listener)
        self.services = Services(
            settings=self.settings, store=store, content=content, clock=self.clock, queue=queue
        )
        return self.services

    async def close(self) -> None:
        """Close the scheduled sends' connections and the Redis client, then stop the embedded
        server so its AOF is flushed."""
        if self.sender is not None:
            await self.sender.shutdown()
            self.sender = None
        if self.client is not None:
            await self.client.aclose()
            self.client = None
        if self.embedded is not None:
            await self.embedded.stop()
            self.embedded = None


@dataclass
class _Listener:
    """The store's listener: keeps the due queue in step, and on /delete also drops the
    person's rate-limit bucket, so no key names them afterwards (its key holds the chat id)."""

    sync: QueueSync
    limiter: RedisRateLimiter

    async def profile_saved(self, before: Profile | None, after: Profile) -> None:
        await self.sync.profile_saved(before, after)

    async def person_deleted(self, user_id: int) -> None:
        await self.sync.person_deleted(user_id)
        await self.limiter.forget_chat(user_id)  # a private chat's id is the person's id


class RuntimeRateLimiter(BaseRateLimiter[int]):
    """PTB needs its rate limiter when the Application is built; the Redis it keeps its buckets
    in only exists after post_init. Until then (getMe, nothing that sends) calls pass through."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def initialize(self) -> None:
        """Nothing: the real limiter is created with the Redis client."""

    async def shutdown(self) -> None:
        """Nothing: the Redis client is closed by the runtime."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        limiter = self._runtime.rate_limiter
        if limiter is None:
            return await callback(*args, **kwargs)
        return await limiter.process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
