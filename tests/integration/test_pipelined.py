"""PipelinedRedis (bot.storage.pipelined) against a real redis-server: concurrent commands
share round trips, yet each caller gets exactly its own reply or error; scripts still load
themselves; a lost connection fails every waiting command instead of leaving it hanging."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from bot.storage.pipelined import PipelinedRedis


class CountingRedis(Redis):
    """Counts the pipelines (round trips) opened on it."""

    pipelines = 0

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        self.pipelines += 1
        return super().pipeline(transaction=transaction, shard_hint=shard_hint)


async def test_concurrent_commands_share_one_round_trip(redis_url: str) -> None:
    counting = CountingRedis(connection_pool=ConnectionPool.from_url(redis_url))
    try:
        client = PipelinedRedis(counting)
        await asyncio.gather(*(client.set(f"k:{{{i}}}", i) for i in range(100)))
        values = await asyncio.gather(*(client.get(f"k:{{{i}}}") for i in range(100)))
    finally:
        await counting.aclose()
        await counting.connection_pool.disconnect()
    assert values == [str(i).encode() for i in range(100)]
    assert counting.pipelines == 2  # one for the writes, one for the reads


async def test_each_caller_gets_its_own_reply_or_error(redis_client: Redis) -> None:
    client = PipelinedRedis(redis_client)
    await redis_client.set("text", "not a number")
    results = await asyncio.gather(
        client.incr("counter"), client.incr("text"), client.get("text"), return_exceptions=True
    )
    assert results[0] == 1
    assert isinstance(results[1], ResponseError)
    assert results[2] == b"not a number"


async def test_scripts_load_themselves_again_after_a_flush(redis_client: Redis) -> None:
    client = PipelinedRedis(redis_client)
    script = client.register_script("return redis.call('INCR', KEYS[1])")
    assert await script(keys=["n"]) == 1
    await redis_client.script_flush()
    assert sorted(await asyncio.gather(script(keys=["n"]), script(keys=["n"]))) == [2, 3]


async def test_a_lost_connection_fails_every_waiting_command() -> None:
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    dead = Redis(port=port, socket_connect_timeout=1)
    try:
        client = PipelinedRedis(dead)
        results = await asyncio.wait_for(
            asyncio.gather(*(client.get(f"k{i}") for i in range(5)), return_exceptions=True), 10
        )
    finally:
        await dead.aclose()
    assert all(isinstance(result, RedisConnectionError) for result in results)


async def test_explicit_pipelines_are_the_wrapped_clients(redis_client: Redis) -> None:
    client = PipelinedRedis(redis_client)
    async with client.pipeline(transaction=True) as pipe:
        pipe.set("a", 1)
        pipe.incr("a")
        assert await pipe.execute() == [True, 2]


@pytest.mark.parametrize("count", [1, 3])
async def test_lone_commands_go_at_once(redis_client: Redis, count: int) -> None:
    client = PipelinedRedis(redis_client)
    for index in range(count):
        assert await client.incr("lone") == index + 1
