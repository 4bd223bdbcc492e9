"""A Redis client whose concurrent commands share round trips: group commit, by pipelining.

The dispatcher handles up to ``send_concurrency`` people at once, and each of them reads its
profile, claims an outbox marker before a send and settles it after. One round trip each made
Redis most of a send's cost after the HTTP call: a socket write and read, a pooled connection
and an event-loop wake-up per command. ``PipelinedRedis`` keeps every command a command of its
own (the same reply, the same error, in the caller's order), but commands issued while a round
trip is under way wait for the next one and go together, in one non-transactional pipeline.

Nothing waits for a batch to fill: an idle client sends at once (one event-loop turn later), so
a lone command costs what it did. What each caller awaits is exactly its own command's result;
a write returns only once Redis has applied it, so "claimed before sending" and "settled once
confirmed" hold per message as before. A connection error fails every command of that round
trip, as it would have failed each of them alone.

Every command keeps its own keys, so on Redis Cluster each one still names one slot; a
pipeline may mix slots (redis-py's cluster pipeline splits it by node).
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

from bot.storage.client import RedisClient

_Queued = tuple[tuple[Any, ...], dict[str, Any], "asyncio.Future[Any]"]


class PipelinedRedis(Redis):
    """A ``Redis`` over another client's connection pool whose commands are group-committed.

    ``pipeline()`` is the wrapped client's: explicit pipelines and transactions are unchanged.
    """

    def __init__(self, client: Redis) -> None:
        super().__init__(connection_pool=client.connection_pool)
        self._client = client
        self._queued: list[_Queued] = []
        self._flusher: asyncio.Task[None] | None = None

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        return self._client.pipeline(transaction=transaction, shard_hint=shard_hint)

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queued.append((args, options, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        return await future

    async def _flush(self) -> None:
        """Send what is queued, one pipeline at a time, until nothing is."""
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                results = await self._round_trip(batch)
            except Exception as exc:
                _fail(batch, exc)
                continue
            except BaseException:
                _fail(batch, None)  # cancelled with the loop: so are the callers waiting
                raise
            for (_, _, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue  # its caller was cancelled; the command ran anyway
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    async def _round_trip(self, batch: list[_Queued]) -> list[Any]:
        async with self._client.pipeline(transaction=False) as pipe:
            for args, options, _ in batch:
                pipe.execute_command(*args, **options)
            results: list[Any] = await pipe.execute(raise_on_error=False)
            return results


def _fail(batch: list[_Queued], exc: Exception | None) -> None:
    for _, _, future in batch:
        if future.done():
            continue
        if exc is None:
            future.cancel()
        else:
            future.set_exception(exc)


def group_committed(client: RedisClient) -> RedisClient:
    """The dispatcher's client: group-committed on one server. On Redis Cluster it is the
    cluster client itself: its pipelines split by node and run no scripts, so each command
    keeps its own round trip there."""
    return PipelinedRedis(client) if isinstance(client, Redis) else client
